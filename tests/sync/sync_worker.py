"""Run one headless sync of a device database in its own process (killed by a test).

python -m tests.sync.sync_worker DB EMAIL [PUSH_BATCH]   (password on stdin)

Exit code 0 when the sync finished, 3 when it failed (offline, refused, sign-in needed).
"""

from __future__ import annotations

import sys
from pathlib import Path

import keyring

import app  # noqa: F401
from app.services.context import AppContext
from app.shell.sync_glue import sync_service
from sync.remote.client import RemoteError
from sync.remote.session_store import MemoryKeyring
from sync.service import SyncError


def main() -> None:
    keyring.set_keyring(MemoryKeyring())
    db, email = Path(sys.argv[1]), sys.argv[2]
    push_batch = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    password = sys.stdin.readline().strip()
    ctx = AppContext.open(db)
    try:
        service = sync_service(ctx)
        service.sign_in(email, password)
        service.sync_now(push_batch=push_batch)
    except (RemoteError, SyncError) as err:
        print(f"sync failed: {err}", file=sys.stderr)
        sys.exit(3)
    finally:
        ctx.close()


if __name__ == "__main__":
    main()
