"""Errors a person can read: every service raises ``UserError`` for bad input."""

from __future__ import annotations


class UserError(ValueError):
    """Input was refused; ``str(err)`` is the message to show, and nothing was written."""
