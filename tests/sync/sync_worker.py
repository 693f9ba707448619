"""Run one headless sync of a device database in its own process (killed by a test).

python -m tests.sync.sync_worker DB EMAIL   (password on stdin)
"""

from __future__ import annotations

import sys
from pathlib import Path

import keyring

import app  # noqa: F401
from app.services.context import AppContext
from app.shell.sync_glue import sync_service
from sync.remote.session_store import MemoryKeyring


def main() -> None:
    keyring.set_keyring(MemoryKeyring())
    db, email = Path(sys.argv[1]), sys.argv[2]
    password = sys.stdin.readline().strip()
    ctx = AppContext.open(db)
    service = sync_service(ctx)
    service.sign_in(email, password)
    service.sync_now(push_batch=10)
    ctx.close()


if __name__ == "__main__":
    main()
