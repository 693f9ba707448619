"""The ``byteos`` command.

    byteos [--db PATH]                          open the app
    byteos --screenshot FILE [--surface S]      render the main window offscreen to a PNG
    byteos db upgrade --db PATH                 create or migrate a database file
    byteos demo --db PATH                       load the demo content

Exit codes: 0 ok, 1 usage, 2 the database cannot be used (message on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="byteos", description="ByteOS — the OS for learning.")
    p.add_argument("--db", type=Path, help="database file (default: in the user data folder)")
    p.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE",
        help="render the main window offscreen to a PNG and exit",
    )
    p.add_argument(
        "--surface",
        choices=("studio", "learn"),
        default="learn",
        help="which surface the screenshot shows",
    )
    sub = p.add_subparsers(dest="command")
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="create or migrate a database file")
    up.add_argument("--db", type=Path, required=True, dest="db_path")
    demo = sub.add_parser("demo", help="load the demo organisation, profiles and course")
    demo.add_argument("--db", type=Path, required=True, dest="db_path")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from sync.store.database import DatabaseError

    try:
        if args.command == "db":
            return _db_upgrade(args.db_path)
        if args.command == "demo":
            return _demo(args.db_path)
        return _gui(args.db, args.screenshot, args.surface)
    except DatabaseError as err:
        print(f"byteos: {err}", file=sys.stderr)
        return 2


def _db_upgrade(path: Path) -> int:
    from sync.store.database import current_revision, make_engine, upgrade

    backup = upgrade(path)
    engine = make_engine(path)
    try:
        rev = current_revision(engine)
    finally:
        engine.dispose()
    print(f"{path}: schema at revision {rev}" + (f" (backup: {backup})" if backup else ""))
    return 0


def _demo(path: Path) -> int:
    from app.services.context import AppContext
    from app.services.demo import load_demo

    ctx = AppContext.open(path)
    try:
        result = load_demo(ctx)
    finally:
        ctx.close()
    print("demo content loaded" if result.created else "demo content already present")
    return 0


def _open_context(db: Path | None) -> object:
    """Open the database, asking the user what to do if it is damaged. Returns a context."""
    from PySide6.QtWidgets import QMessageBox

    from app.services.context import AppContext
    from sync.store.database import CorruptDatabaseError, default_db_path, move_aside

    try:
        return AppContext.open(db)
    except CorruptDatabaseError as err:
        box = QMessageBox(QMessageBox.Icon.Critical, "ByteOS cannot open its database", str(err))
        box.setInformativeText(
            "ByteOS can keep the damaged file under a new name and start with a fresh "
            "database, or quit so that you can restore a backup."
        )
        fresh = box.addButton("Keep the file and start fresh", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is not fresh:
            raise
        kept = move_aside(db or default_db_path())
        QMessageBox.information(None, "ByteOS", f"The damaged database was kept as:\n{kept}")
        return AppContext.open(db)


def _gui(db: Path | None, screenshot: Path | None, surface: str) -> int:
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.services import accounts
    from app.services.context import AppContext
    from app.services.demo import load_demo
    from app.shell.main_window import MainWindow
    from app.shell.theme import STYLESHEET
    from sync.store.database import DatabaseError

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("ByteOS")
    app.setOrganizationName("ByteOS")
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)
    try:
        ctx = _open_context(db)
    except DatabaseError as err:
        if screenshot is None:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "ByteOS", str(err))
        raise
    assert isinstance(ctx, AppContext)
    if not accounts.list_profiles(ctx.db):
        load_demo(ctx)  # first start: something real to explore
    window = MainWindow(ctx)
    if screenshot is not None:
        profiles = accounts.list_profiles(ctx.db)
        wanted = [
            p for p in profiles if (p.can_author if surface == "studio" else p.role == "learner")
        ] or profiles
        window.enter(accounts.sign_in(ctx.db, wanted[0].id))
        window.show_surface(surface)
        studio = window.studio
        if surface == "studio" and studio is not None:
            from app.services import authoring

            courses = authoring.list_courses(ctx, wanted[0])
            if courses:
                studio.open_course(courses[0].id)  # type: ignore[attr-defined]
        window.show()
        app.processEvents()
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(screenshot), "PNG")
        window.close()
        ctx.close()
        if not ok:
            print(f"byteos: could not write {screenshot}", file=sys.stderr)
            return 1
        print(f"wrote {screenshot}")
        return 0
    window.show()
    code = app.exec()
    ctx.close()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
