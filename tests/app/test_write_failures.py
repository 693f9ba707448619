"""A Studio save the disk refuses (a real SQLITE_FULL) is said in the window's banner, with
no modal and no lost edit; the database stays intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from app.services import accounts, pending
from app.services.context import AppContext
from app.services.demo import load_demo
from app.shell.main_window import MainWindow


def test_a_refused_studio_save_is_shown_in_the_banner(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "byteos.db"
    ctx = AppContext.open(path, tmp_path / "assets")
    load_demo(ctx)
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        creator = next(p for p in accounts.list_profiles(ctx.db) if p.role == "creator")
        window.enter(accounts.sign_in(ctx.db, creator.id))
        window.show_surface("studio")
        studio = window.studio
        assert studio is not None
        course_id = studio.course_list.item(0).data(0x0100)  # type: ignore[attr-defined]
        studio.open_course(course_id)  # type: ignore[attr-defined]
        editor = studio.editor  # type: ignore[attr-defined]
        # the disk is now full: SQLite's own size limit, a real SQLITE_FULL on every write
        with ctx.db.engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

        def cap(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

        event.listen(ctx.db.engine, "connect", cap)
        ctx.db.engine.dispose()
        editor.description_edit.setPlainText("A new description. " * 20)
        editor.save_button.click()
        assert window.db_banner.isVisible(), window.db_banner.text()
        assert "not saved" in window.db_banner.text() and "full" in window.db_banner.text()
        assert QApplication.activeModalWidget() is None
        assert editor.dirty  # the edit is still on screen
        event.remove(ctx.db.engine, "connect", cap)
        ctx.db.engine.dispose()
        editor.save_button.click()  # room again: the same edit saves
        assert not editor.dirty
        window.show_surface("learn")
        assert not window.db_banner.isVisible()
        window.close()
    finally:
        ctx.close()
        pending.forget(path)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
