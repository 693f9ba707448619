"""Weeks start on Monday (UTC), empty weeks are filled, and rates carry honest intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from engine.analytics.rates import Rate
from engine.analytics.weeks import MAX_WEEKS, fill_weeks, parse_week, week_start, weeks_between


def test_week_starts_on_monday_in_utc() -> None:
    assert week_start(date(2026, 12, 6)) == date(2026, 11, 30)  # a Sunday
    assert week_start(date(2026, 11, 30)) == date(2026, 11, 30)  # the Monday itself
    # Monday 01:00 in UTC+5 is still Sunday in UTC: the previous week
    east = datetime(2026, 12, 7, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    assert week_start(east) == date(2026, 11, 30)
    with pytest.raises(ValueError, match="timezone-aware"):
        week_start(datetime(2026, 12, 7))


def test_fill_weeks_puts_zeros_in_silent_weeks_and_refuses_a_non_monday_key() -> None:
    first, last = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC)
    filled = fill_weeks({date(2026, 11, 9): 4}, first, last)
    assert filled == [
        (date(2026, 11, 2), 0.0),
        (date(2026, 11, 9), 4.0),
        (date(2026, 11, 16), 0.0),
        (date(2026, 11, 23), 0.0),
    ]
    with pytest.raises(ValueError, match="not the start of a week"):
        fill_weeks({date(2026, 11, 10): 1}, first, last)
    with pytest.raises(ValueError, match="ends before it starts"):
        weeks_between(last, first)
    with pytest.raises(ValueError, match="too long"):
        weeks_between(date(2000, 1, 3), date(2000, 1, 3) + timedelta(weeks=MAX_WEEKS + 1))
    assert parse_week("2026-11-30") == date(2026, 11, 30)


def test_rate_interval_is_wide_for_few_and_narrow_for_many() -> None:
    few, many = Rate(2, 2), Rate(90, 100)
    assert few.value == 1.0 and many.value == 0.9
    lo_few, hi_few = few.interval or (0, 0)
    lo_many, hi_many = many.interval or (0, 0)
    assert hi_few == pytest.approx(1.0) and lo_few < 0.4  # 2 of 2 says little
    assert 0.82 < lo_many < 0.9 < hi_many < 0.95
    assert Rate(0, 0).value is None and Rate(0, 0).interval is None
    assert Rate(0, 0).percent() == "—" and Rate(3, 4).percent() == "75 % (3 of 4)"
    with pytest.raises(ValueError):
        Rate(5, 4)
