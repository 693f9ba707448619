"""``byteos scorm``: export a course as a SCORM 1.2 package for any LMS, headless; check
a package someone else made, and import it as a draft course.

    byteos scorm export COURSE_ID OUT.zip [--db PATH] [--single-sco] [--no-media]
    byteos scorm inspect PACKAGE.zip        what the package holds, or why it cannot be
                                            imported (nothing is stored)
    byteos scorm import PACKAGE.zip [--db PATH] [--as EMAIL]
                                            import it as a draft course of the creator
                                            (the only creator or admin when there is one)

One SCO per module unless ``--single-sco`` (see ``engine/scorm/__init__.py`` for why); the
modules' narration and video go in when they are already made, unless ``--no-media``.
Exit codes: 0 written (or the package is fine, or imported), 1 refused (the message says
why: unknown course, a course that cannot be packaged, a folder that does not exist, a bad
package, no creator to own the import), 2 the database cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scorm = sub.add_parser("scorm", help="export, check and import SCORM packages")
    ss = scorm.add_subparsers(dest="scorm_command", required=True)
    ex = ss.add_parser("export", help="write COURSE_ID as a SCORM 1.2 zip")
    ex.add_argument("course_id")
    ex.add_argument("out", type=Path, metavar="OUT.zip")
    ex.add_argument("--db", type=Path, dest="db_path", help="database file")
    ex.add_argument(
        "--single-sco",
        action="store_true",
        help="one SCO for the whole course instead of one per module",
    )
    ex.add_argument(
        "--no-media", action="store_true", help="leave out the modules' audio and video"
    )
    ins = ss.add_parser("inspect", help="check a SCORM 1.2/2004 zip and list its items")
    ins.add_argument("package", type=Path, metavar="PACKAGE.zip")
    imp = ss.add_parser("import", help="import a SCORM 1.2/2004 zip as a draft course")
    imp.add_argument("package", type=Path, metavar="PACKAGE.zip")
    imp.add_argument("--db", type=Path, dest="db_path", help="database file")
    imp.add_argument("--as", dest="as_email", help="the creator's email (who owns the course)")


def _inspect(path: Path) -> int:
    from engine.scorm.importer import ScormImportError, inspect_package

    try:
        found = inspect_package(path.read_bytes())
    except OSError as err:
        print(f"byteos scorm inspect: cannot read {path}: {err.strerror or err}", file=sys.stderr)
        return 1
    except ScormImportError as err:
        print(f"byteos scorm inspect: {path.name}: {err}", file=sys.stderr)
        return 1
    print(
        f"{path.name}: SCORM {found.version}, “{found.title}”, {len(found.items)} item(s), "
        f"{len(found.files)} files, {found.total_bytes / 1000:.1f} kB unpacked"
    )
    for item in found.items:
        mastery = f", mastery {item.mastery_score:g} %" if item.mastery_score is not None else ""
        print(f"  {item.scorm_type:5} {item.title} → {item.href}{mastery}")
    return 0


def _creator(ctx: object, email: str | None) -> object:
    """The profile that imports: ``--as EMAIL``, else the database's only creator/admin."""
    from sqlalchemy import select

    from app.services.accounts import AUTHOR_ROLES, CurrentUser
    from app.services.errors import UserError
    from sync.store.models import LocalUser, Organisation, Profile

    with ctx.db.transaction() as s:  # type: ignore[attr-defined]
        q = select(Profile, LocalUser.email).join(LocalUser, LocalUser.id == Profile.id)
        rows = [(p, e) for p, e in s.execute(q).all() if p.role in AUTHOR_ROLES]
        if email is not None:
            rows = [(p, e) for p, e in rows if (e or "").lower() == email.lower()]
            if not rows:
                raise UserError(f"No creator or admin with the email {email} in this database.")
        if len(rows) != 1:
            raise UserError(
                "Say who imports the course with --as EMAIL "
                f"({len(rows)} creators and admins in this database)."
            )
        p, _ = rows[0]
        org = s.get(Organisation, p.org_id) if p.org_id else None
        return CurrentUser(p.id, p.full_name or "", p.role, p.org_id, org.name if org else None)


def _import(args: argparse.Namespace) -> int:
    import app  # noqa: F401  (pydantic before anything else; see app/__init__)
    from app.services.context import AppContext
    from app.services.errors import UserError
    from app.services.scorm_import import import_scorm

    ctx = AppContext.open(args.db_path)
    try:
        result = import_scorm(ctx, _creator(ctx, args.as_email), args.package)  # type: ignore[arg-type]
    except UserError as err:
        print(f"byteos scorm import: {err}", file=sys.stderr)
        return 1
    finally:
        ctx.close()
    print(f"imported {result.summary()}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.scorm_command == "inspect":
        return _inspect(args.package)
    if args.scorm_command == "import":
        return _import(args)
    import app  # noqa: F401  (pydantic before anything else; see app/__init__)
    from app.services.context import AppContext
    from app.services.errors import UserError
    from app.services.scorm import export_scorm

    ctx = AppContext.open(args.db_path)
    try:
        result = export_scorm(
            ctx,
            args.course_id,
            args.out,
            sco_mode="single" if args.single_sco else "per_module",
            media=not args.no_media,
        )
    except UserError as err:
        print(f"byteos scorm export: {err}", file=sys.stderr)
        return 1
    finally:
        ctx.close()
    print(f"wrote {result.summary()}")
    if result.asset_id is None:
        print(
            "byteos scorm export: the database is read-only, so the export is not recorded.",
            file=sys.stderr,
        )
    return 0
