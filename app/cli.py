"""The ``byteos`` command.

    byteos [--db PATH]                          open the app
    byteos --screenshot FILE [--surface S]      render the main window offscreen to a PNG
    byteos db upgrade --db PATH                 create or migrate a database file
    byteos demo --db PATH                       load the demo content
    byteos sync [--db PATH] [--url URL --anon-key KEY] [--email E --password-stdin] [--status]
                                                exchange changes with Supabase, headless
    byteos supabase migrate --url POSTGRES_URL  apply resources/supabase/migrations
    byteos keyring status | set-key PROVIDER    where secrets are kept; store an API key
    byteos org invite EMAIL [--role R]          invite someone into your organisation (admins)
    byteos certificate verify FILE|CODE         verify a certificate offline (see cli_certificate)

Exit codes: 0 ok, 1 usage or failure, 2 the database cannot be used (message on stderr),
3 offline (changes kept), 4 sign-in needed or sync not set up, 5 no keyring to keep a secret.
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
    sync = sub.add_parser("sync", help="exchange changes with the organisation's Supabase")
    sync.add_argument("--db", type=Path, dest="db_path", help="database file")
    sync.add_argument("--url", help="Supabase project URL (kept for next time)")
    sync.add_argument("--anon-key", help="the project's public anon key (kept for next time)")
    sync.add_argument("--email", help="sign in as this user first")
    sync.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    sync.add_argument("--status", action="store_true", help="only print the sync status")
    sync.add_argument(
        "--invitation", metavar="CODE", help="join the organisation that invited you, then sync"
    )
    supa = sub.add_parser("supabase", help="set up a Supabase project")
    supa_sub = supa.add_subparsers(dest="supabase_command", required=True)
    mig = supa_sub.add_parser("migrate", help="apply the ByteOS schema and policies")
    mig.add_argument("--url", required=True, help="postgresql://... of the project database")
    from app import cli_keyring

    cli_keyring.add_parser(sub)
    from app import cli_org

    cli_org.add_parser(sub)
    from app import cli_certificate

    cli_certificate.add_parser(sub)
    from app import cli_scorm

    cli_scorm.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from sync.store.database import DatabaseError, WriteFailedError

    try:
        if args.command == "db":
            return _db_upgrade(args.db_path)
        if args.command == "demo":
            return _demo(args.db_path)
        if args.command == "sync":
            return _sync(args)
        if args.command == "supabase":
            return _supabase_migrate(args.url)
        if args.command == "org":
            from app import cli_org

            return cli_org.run(args)
        if args.command == "keyring":
            from app import cli_keyring

            return cli_keyring.run(args)
        if args.command == "certificate":
            from app import cli_certificate

            return cli_certificate.run(args)
        if args.command == "scorm":
            from app import cli_scorm

            return cli_scorm.run(args)
        return _gui(args.db, args.screenshot, args.surface)
    except WriteFailedError as err:
        print(f"byteos: nothing was saved: {err}.", file=sys.stderr)
        return 2
    except DatabaseError as err:
        print(f"byteos: {err}", file=sys.stderr)
        return 2


def _db_upgrade(path: Path) -> int:
    from sync.store.database import prepare

    state, backup = prepare(path)
    note = "" if state.writable else " (read-only: nothing to do)"
    print(
        f"{path}: schema at revision {state.revision}{note}"
        + (f" (backup: {backup})" if backup else "")
    )
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


def _sync(args: argparse.Namespace) -> int:
    import getpass
    import json

    import app  # noqa: F401  (pydantic before anything else; see app/__init__)
    from app.services.context import AppContext
    from app.shell.sync_glue import sync_service
    from sync.remote.client import RemoteError
    from sync.service import NotConfigured, Offline, SyncError

    ctx = AppContext.open(args.db_path)
    try:
        service = sync_service(ctx)
        if args.url or args.anon_key:
            if not (args.url and args.anon_key):
                print("byteos sync: --url and --anon-key go together", file=sys.stderr)
                return 1
            service.configure(args.url, args.anon_key)
        if args.status:
            st = service.status()
            print(
                json.dumps(
                    {
                        "configured": st.configured,
                        "url": st.url,
                        "account": st.email,
                        "last_synced": st.last_synced.isoformat() if st.last_synced else None,
                        "pending": st.pending,
                        "rejected": st.rejected,
                        "conflicts": st.conflicts,
                        "last_error": st.last_error,
                    }
                )
            )
            return 0
        if args.email:
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass(f"Password for {args.email}: ")
            service.sign_in(args.email, password)
            if service.store.warning:
                print(f"byteos sync: {service.store.warning}", file=sys.stderr)
        if args.invitation:
            from sync.membership import accept

            joined = accept(service, args.invitation)
            print(f"byteos sync: joined the organisation as {joined.role}", file=sys.stderr)

        class Printer:
            last = ""

            def progress(self, fraction: float, message: str = "") -> None:
                if message and message != self.last:
                    self.last = message
                    print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

        report = service.sync_now(Printer())
        st = service.status()
        print(
            f"synced: sent {report.pushed}, received {report.pulled}, "
            f"new conflicts {report.conflicts}, pending {st.pending}, rejected {st.rejected}"
        )
        return 0
    except Offline as err:
        print(f"byteos sync: {err}", file=sys.stderr)
        return 3
    except (NotConfigured, SyncError) as err:
        print(f"byteos sync: {err}", file=sys.stderr)
        return 4
    except RemoteError as err:
        print(f"byteos sync: stopped, will resume next time: {err}", file=sys.stderr)
        return 1
    finally:
        ctx.close()


def _supabase_migrate(url: str) -> int:
    from sync.remote.server_schema import apply_migrations

    try:
        applied = apply_migrations(url, log=lambda m: print(m, file=sys.stderr))
    except Exception as err:  # psycopg's errors name the problem well enough
        print(f"byteos supabase migrate: {err}", file=sys.stderr)
        return 1
    print(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else ""))
    return 0


def headless(screenshot: Path | None = None) -> bool:
    """No one can answer a dialog: a screenshot run, CI, no display, or an offscreen Qt."""
    if screenshot is not None or os.environ.get("CI"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc"):
        return True
    return sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def _no_display() -> bool:
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    )


def _open_context(db: Path | None, *, interactive: bool = True) -> object:
    """Open the database, asking the user what to do if it is damaged (only when someone
    can answer: ``interactive``; otherwise the error goes up). Returns a context."""
    from app.services.context import AppContext
    from sync.store.database import (
        CorruptDatabaseError,
        DatabaseError,
        default_db_path,
        move_aside,
    )

    if not interactive:
        return AppContext.open(db)
    from PySide6.QtWidgets import QMessageBox

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
        try:
            kept = move_aside(db or default_db_path())
        except OSError as move_err:  # e.g. a read-only folder: the file stays as it is
            raise DatabaseError(
                f"{err} It could not be moved aside: {move_err.strerror or move_err}."
            ) from move_err
        QMessageBox.information(None, "ByteOS", f"The damaged database was kept as:\n{kept}")
        return AppContext.open(db)


def _gui(db: Path | None, screenshot: Path | None, surface: str) -> int:
    if screenshot is None:  # the app: window first, the rest after (app/shell/launch.py)
        from app.shell import launch

        interactive = not headless()
        if _no_display():  # Qt cannot start: say what is wrong with the database first
            _open_context(db, interactive=False).close()  # type: ignore[attr-defined]
        return launch.run(
            db, lambda path: _open_context(path, interactive=interactive), interactive=interactive
        )
    return _screenshot(db, screenshot, surface)


def _screenshot(db: Path | None, screenshot: Path, surface: str) -> int:
    """The live screen rendered offscreen to a PNG (never the launch image): signed in as
    the first learner (or author, for ``studio``), nobody to answer a dialog."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.services import accounts
    from app.services.context import AppContext
    from app.services.demo import load_demo

    ctx = _open_context(db, interactive=False)  # a database error exits 2 (see main)
    from PySide6.QtWidgets import QApplication

    from app.shell.main_window import MainWindow
    from app.shell.theme import STYLESHEET

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)
    assert isinstance(ctx, AppContext)
    if not accounts.list_profiles(ctx.db) and not ctx.db.read_only:
        load_demo(ctx)  # first start: something real to explore
    window = MainWindow(ctx)
    profiles = accounts.list_profiles(ctx.db)
    wanted = [
        p for p in profiles if (p.can_author if surface == "studio" else p.role == "learner")
    ] or profiles
    if wanted:
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


if __name__ == "__main__":
    raise SystemExit(main())
