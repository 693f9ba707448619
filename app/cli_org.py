"""``byteos org invite``: an organisation admin invites someone, from any terminal.

    byteos org invite EMAIL [--role learner|creator|manager|org_admin] [--days N] [--db PATH]

Why: on the server, nobody can put themselves into an organisation any more; they join with
an invitation (``resources/supabase/README.md``, "Joining an organisation"). The admin signs
in once (``byteos sync --email …``), runs this, and sends the printed code to the invitee,
who joins with ``byteos sync --email THEIR_EMAIL --password-stdin --invitation CODE``. The
code is printed once and never stored on this device.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from sync.membership import INVITABLE_ROLES

    org = sub.add_parser("org", help="organisation administration (needs sync set up)")
    org_sub = org.add_subparsers(dest="org_command", required=True)
    inv = org_sub.add_parser("invite", help="invite someone into your organisation")
    inv.add_argument("email")
    inv.add_argument("--role", choices=INVITABLE_ROLES, default="learner")
    inv.add_argument("--days", type=int, default=14, help="days the code stays valid (1-90)")
    inv.add_argument("--db", type=Path, dest="db_path", help="database file")


def run(args: argparse.Namespace) -> int:
    import app  # noqa: F401  (pydantic before anything else; see app/__init__)
    from app.services.context import AppContext
    from app.shell.sync_glue import sync_service
    from sync import membership
    from sync.remote.client import AuthRequired, RemoteError
    from sync.service import NotConfigured, Offline, SyncError

    ctx = AppContext.open(args.db_path)
    try:
        service = sync_service(ctx)
        inv = membership.invite(service, args.email, args.role, args.days)
    except Offline as err:
        print(f"byteos org: {err}", file=sys.stderr)
        return 3
    except (NotConfigured, AuthRequired, SyncError) as err:
        print(f"byteos org: {err}", file=sys.stderr)
        return 4
    except RemoteError as err:
        print(f"byteos org: the server did not answer as expected: {err}", file=sys.stderr)
        return 1
    finally:
        ctx.close()
    print(f"Invitation for {inv.email} as {inv.role}, valid until {inv.expires_at}.")
    print(f"Code (shown once): {inv.code}")
    return 0
