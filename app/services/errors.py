"""Errors a person can read: every service raises ``UserError`` for bad input."""

from __future__ import annotations


class UserError(ValueError):
    """Input was refused; ``str(err)`` is the message to show, and nothing was written."""


# The store's write failure, as views catch it (a full disk, a read-only file): views name it
# from here so they never import the sync layer themselves.
from sync.store.database import DatabaseError  # noqa: E402

__all__ = ["DatabaseError", "UserError"]
