"""Child process of ``bench.startup``: start the app, sign in, report when interactive.

Prints one line ``ready <seconds since exec>`` once the main window is shown and the event
loop has processed its first pass (the window accepts input at that point).
"""

from __future__ import annotations

import os
import sys
import time

T0 = time.perf_counter()


def main() -> None:
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
