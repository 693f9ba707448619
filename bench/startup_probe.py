"""Child process of ``bench.startup``: start the app, sign in, report when interactive.

    python -m bench.startup_probe DB SURFACE     the app, signed in, on SURFACE (learn|studio)
    python -m bench.startup_probe --bare [PNG]   the floor: a bare PySide6 window, same steps

Prints one line ``ready <seconds to window shown> <seconds to surface shown>`` once the main
window is shown and the event loop has processed its first pass (the window accepts input at
that point). ``--bare`` does the same with nothing of ByteOS (a ``QMainWindow`` holding a
label, the app's window size), so ``bench.startup`` can state the app's start-up as a ratio
of what any PySide6 window costs on the same machine at the same moment; with ``PNG`` it
also grabs the window to that file, as ``byteos --screenshot`` does.
"""

from __future__ import annotations

import os
import sys
import time

T0 = time.perf_counter()


def bare(png: str | None = None) -> None:
    """A bare PySide6 window: the floor the app's start-up is measured against."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    qapp = QApplication([])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.setCentralWidget(QLabel("Hello"))
    window.resize(1280, 820)  # the size the ByteOS main window opens at
    window.show()
    t_window = time.perf_counter() - T0

    def ready() -> None:
        if png is not None:
            window.grab().save(png, "PNG")
        print(f"ready {t_window:.4f} {time.perf_counter() - T0 - t_window:.4f}", flush=True)
        qapp.quit()

    QTimer.singleShot(0, ready)
    qapp.exec()


def main() -> None:
    if sys.argv[1] == "--bare":
        bare(sys.argv[2] if len(sys.argv) > 2 else None)
        return
    db, surface = sys.argv[1], sys.argv[2]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    import app  # noqa: F401
    from app.services import accounts
    from app.services.context import AppContext
    from app.shell.main_window import MainWindow
    from app.shell.theme import STYLESHEET

    qapp = QApplication([])
    qapp.setStyle("Fusion")
    qapp.setStyleSheet(STYLESHEET)
    from pathlib import Path

    ctx = AppContext.open(Path(db))
    window = MainWindow(ctx)
    window.show()
    t_window = time.perf_counter() - T0
    profiles = accounts.list_profiles(ctx.db)
    who = next(
        p for p in profiles if (p.can_author if surface == "studio" else p.role == "learner")
    )
    t1 = time.perf_counter()
    window.enter(accounts.sign_in(ctx.db, who.id))
    window.show_surface(surface)

    def ready() -> None:
        t_surface = time.perf_counter() - t1
        print(f"ready {t_window:.4f} {t_surface:.4f}", flush=True)
        qapp.quit()

    QTimer.singleShot(0, ready)
    qapp.exec()
    ctx.close()


if __name__ == "__main__":
    main()
