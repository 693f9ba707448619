"""Starting the app: the window is on screen first, the database and services load after.

Why two phases: a person waits for their screen, and what it takes to build one (SQLAlchemy
and its models, pydantic's content schema, the services and views) costs several times what
Qt itself needs to show a window. So the first phase imports only Qt and the window's frame,
shows the window with the image of the workspace the last run left (or an empty page, see
``launch_snapshot``), and only once that frame has been painted does the second phase open
the database (migrating it if needed), load the views, reopen whoever was signed in and
replace the image with the live workspace. Input that arrives meanwhile is queued by the
window system and reaches the live widgets.

At quit the window leaves the state for the next start (who was signed in, the dashboard
image, the window geometry), written after the database is closed.

``byteos --screenshot`` does not come here: a screenshot is always the live screen.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from app.shell import launch_snapshot
from app.shell.main_window import MainWindow
from app.shell.theme import STYLESHEET
from sync.store.paths import default_db_path

PAINT_WAIT_MS = 500
"""A window that is never painted (started minimised) still goes on to load after this."""

Stage = Callable[[str, MainWindow], None]
"""Told ``"frame"`` when the first frame is painted and ``"live"`` when the window works."""


def _application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("ByteOS")
    app.setOrganizationName("ByteOS")
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)
    return app


def _place(window: MainWindow, rect: QRect) -> None:
    """Reopen where it was, if that is wholly on a screen that is here now (a laptop taken
    off its external monitor opens at the default place instead of off-screen)."""
    for screen in QGuiApplication.screens():
        if screen.availableGeometry().contains(rect) and rect.width() >= window.minimumWidth():
            window.setGeometry(rect)
            return


def run(
    db: Path | None,
    open_context: Callable[[Path | None], object],
    *,
    interactive: bool,
    on_stage: Stage | None = None,
) -> int:
    """The app's event loop, from an empty process to quit. ``open_context`` opens the
    database (asking about a damaged one when ``interactive``); its ``DatabaseError`` is said
    (a dialog, or stderr when nobody can answer) and ends the run with exit code 2."""
    app = _application()
    path = db or default_db_path()
    launch = launch_snapshot.load(path, app.devicePixelRatio())
    window = MainWindow(None, preview=launch.image if launch else None)
    if launch is not None and launch.geometry is not None:
        _place(window, launch.geometry)
    opened: list[object] = []
    exit_code: list[int] = []

    def finish_start() -> None:
        if opened or exit_code:
            return  # the paint signal and the fallback timer both fire
        if on_stage is not None:
            on_stage("frame", window)
        from app.services import accounts
        from app.services.context import AppContext
        from app.services.demo import load_demo
        from app.services.errors import UserError
        from sync.store.database import DatabaseError

        try:
            ctx = open_context(db)
        except DatabaseError as err:
            if interactive:
                QMessageBox.critical(window, "ByteOS", str(err))
            else:
                print(f"byteos: {err}", file=sys.stderr)
            exit_code.append(2)
            app.exit(2)
            return
        assert isinstance(ctx, AppContext)
        opened.append(ctx)
        profiles = accounts.list_profiles(ctx.db)
        if not profiles and not ctx.db.read_only:
            load_demo(ctx)  # first start: something real to explore
        user = None
        if launch is not None and launch.user_id in {p.id for p in profiles}:
            try:
                user = accounts.sign_in(ctx.db, launch.user_id)
            except UserError:  # the profile is gone (another database, or removed)
                user = None
        window.attach(ctx, user)
        if on_stage is not None:
            on_stage("live", window)

    assert window.preview is not None
    window.preview.painted.connect(finish_start)
    QTimer.singleShot(PAINT_WAIT_MS, finish_start)
    window.show()
    code = app.exec()
    if exit_code:
        return exit_code[0]
    for ctx in opened:
        ctx.close()  # type: ignore[attr-defined]
        launch_snapshot.save(
            path, window.launch_image, window.resume_user_id, window.normalGeometry()
        )
    return code
