"""Timestamps as credentials write them: UTC, whole seconds, ``2026-12-02T01:00:00Z``.

Why whole seconds: the same instant must serialise to the same bytes on every device, so
that two signers produce the same credential and a parsed date round-trips exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc(when: datetime) -> datetime:
    """``when`` in UTC, to the second; a naive datetime is taken to be UTC already."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).replace(microsecond=0)


def format_time(when: datetime) -> str:
    return utc(when).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """An ISO 8601 / XML Schema dateTime with a zone (``Z`` or an offset), as UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date and time: {text!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"a date and time without a time zone: {text!r}")
    return utc(parsed)


def format_date(when: datetime) -> str:
    """For people: ``2 December 2026`` (UTC date)."""
    w = utc(when)
    return f"{w.day} {w.strftime('%B %Y')}"
