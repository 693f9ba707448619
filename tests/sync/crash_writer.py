"""Writes learning events as fast as it can, printing each id once ``record_event`` returns.

Run by ``test_crash_durability`` and killed with SIGKILL at a random moment.
"""

from __future__ import annotations

import sys
from pathlib import Path

import app  # noqa: F401
from app.services import accounts, learning
from app.services.context import AppContext


def main() -> None:
    db = Path(sys.argv[1])
    ctx = AppContext.open(db, db.parent / "assets")
    user = next(p for p in accounts.list_profiles(ctx.db) if p.role == "learner")
    out = sys.stdout
    while True:
        receipt = learning.record_event(ctx, user, "streak_maintained", modality="text")
        out.write(receipt.event_id + "\n")
        out.flush()


if __name__ == "__main__":
    main()
