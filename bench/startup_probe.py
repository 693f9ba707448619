"""Child process of ``bench.startup``: start the app as ``byteos`` does, report its stages.

    python -m bench.startup_probe DB SURFACE     the app (``app/shell/launch.py``) on SURFACE
    python -m bench.startup_probe --bare [PNG]   the floor: a bare PySide6 window, same steps

The app prints ``ready T_FRAME T_LIVE CPU_FRAME CPU_LIVE PREVIEW``: seconds (wall, from
process start) and CPU seconds (``time.process_time``, which counts from process start) to
the first painted frame and to the working window, and whether that first frame showed the
launch image of the dashboard (1) or an empty page (0). When the start did not reopen the
wanted kind of profile (the first run, or SURFACE ``studio``), it signs one in after "live"
and T_LIVE/CPU_LIVE include that. The window is then closed as a person would, so it leaves
its launch state for the next run. ``--bare`` prints the same for a ``QMainWindow`` holding a
label at the app's window size, taken when that label has been painted once (with ``PNG`` it
also grabs the window to that file, as ``byteos --screenshot`` does).
"""

from __future__ import annotations

import os
import sys
import time

T0 = time.perf_counter()


def _stamp() -> tuple[float, float]:
    return time.perf_counter() - T0, time.process_time()


def bare(png: str | None = None) -> None:
    """A bare PySide6 window: the floor the app's start-up is measured against."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QPaintEvent
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    qapp = QApplication([])
    stamps: list[tuple[float, float]] = []

    def ready() -> None:
        if png is not None:
            window.grab().save(png, "PNG")
        (t, cpu) = stamps[0]
        print(f"ready {t:.4f} {t:.4f} {cpu:.4f} {cpu:.4f} 0", flush=True)
        qapp.quit()

    class Label(QLabel):
        def paintEvent(self, event: QPaintEvent) -> None:
            super().paintEvent(event)
            if not stamps:
                stamps.append(_stamp())
                QTimer.singleShot(0, ready)

    window = QMainWindow()
    window.setWindowTitle("bare")
    window.setCentralWidget(Label("Hello"))
    window.resize(1280, 820)  # the size the ByteOS main window opens at
    window.show()
    qapp.exec()


def app_start(db: str, surface: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pathlib import Path

    from PySide6.QtCore import QTimer

    from app import cli
    from app.shell import launch
    from app.shell.main_window import MainWindow

    stamps: dict[str, tuple[float, float]] = {}
    shown: list[bool] = []

    def stage(name: str, window: MainWindow) -> None:
        if name == "frame":
            stamps["frame"] = _stamp()
            preview = window.preview
            shown.append(preview is not None and not preview.pixmap().isNull())
            return
        from app.services import accounts

        user = window.user
        if user is None or user.can_author != (surface == "studio"):
            who = next(
                p
                for p in accounts.list_profiles(window.ctx.db)
                if (p.can_author if surface == "studio" else p.role == "learner")
            )
            window.enter(accounts.sign_in(window.ctx.db, who.id))
            window.show_surface(surface)
        stamps["live"] = _stamp()
        QTimer.singleShot(0, window.close)

    launch.run(
        Path(db),
        lambda path: cli._open_context(path, interactive=False),
        interactive=False,
        on_stage=stage,
    )
    (tf, cf), (tl, cl) = stamps["frame"], stamps["live"]
    print(f"ready {tf:.4f} {tl:.4f} {cf:.4f} {cl:.4f} {int(shown[0])}", flush=True)


def main() -> None:
    if sys.argv[1] == "--bare":
        bare(sys.argv[2] if len(sys.argv) > 2 else None)
        return
    app_start(sys.argv[1], sys.argv[2])


if __name__ == "__main__":
    main()
