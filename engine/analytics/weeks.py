"""Bucketing by week: the one definition of "a week" in every over-time chart.

A week starts on Monday, 00:00 UTC (ISO 8601), as PostgreSQL's ``date_trunc('week', …)`` and
the SQLite expression the services layer uses (``date(t, 'weekday 0', '-6 days')``) both
do, so the server's and the device's figures fall into the same buckets. Weeks with nothing
in them are filled with zeros: a chart with a silent week missing would draw a false line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

WEEK = timedelta(days=7)
MAX_WEEKS = 520
"""Ten years of weeks: a range wider than this is refused rather than drawn as 10,000 bars."""


def week_start(when: date | datetime) -> date:
    """The Monday of the week ``when`` falls in (a datetime is taken in UTC)."""
    if isinstance(when, datetime):
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("week_start needs a timezone-aware datetime")
        when = when.astimezone(UTC).date()
    return when - timedelta(days=when.weekday())


def weeks_between(first: date | datetime, last: date | datetime) -> list[date]:
    """Every week start from the week of ``first`` to the week of ``last``, inclusive."""
    a, b = week_start(first), week_start(last)
    if b < a:
        raise ValueError("the date range ends before it starts")
    n = (b - a).days // 7 + 1
    if n > MAX_WEEKS:
        raise ValueError(f"a range of {n} weeks is too long to chart (at most {MAX_WEEKS})")
    return [a + i * WEEK for i in range(n)]


def fill_weeks(
    values: Mapping[date, float], first: date | datetime, last: date | datetime
) -> list[tuple[date, float]]:
    """``values`` (keyed by week start) for every week of the range, zeros where missing.

    A key that is not a Monday is a caller's bug (two definitions of a week): refused.
    """
    for key in values:
        if key.weekday() != 0:
            raise ValueError(f"{key} is not the start of a week (a Monday)")
    return [(w, float(values.get(w, 0))) for w in weeks_between(first, last)]


def parse_week(raw: str | date) -> date:
    """A week key as SQL returns it (``'2026-11-30'`` or a date) as a date."""
    return raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
