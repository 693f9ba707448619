"""Engagement: active learners and minutes per week, and where the learners' streaks stand.

*Active* in a week: at least one learning event that week (distinct learners, counted by the
query, since distinct counts do not add up across days). Minutes are the events'
``duration_secs``. Streaks are the twin's current ``streak_days``, put into bands a manager
reads at a glance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from engine.analytics.weeks import fill_weeks

STREAK_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("No streak", 0, 0),
    ("1–2 days", 1, 2),
    ("3–6 days", 3, 6),
    ("1–2 weeks", 7, 13),
    ("2 weeks or more", 14, None),
)


def streak_band(days: int | None) -> str:
    d = max(0, int(days or 0))
    for label, low, high in STREAK_BANDS:
        if d >= low and (high is None or d <= high):
            return label
    raise AssertionError("the bands cover every day count")


def streak_histogram(streaks: Iterable[int | None]) -> list[tuple[str, int]]:
    counts = dict.fromkeys((b[0] for b in STREAK_BANDS), 0)
    for s in streaks:
        counts[streak_band(s)] += 1
    return list(counts.items())


@dataclass(frozen=True, slots=True)
class Week:
    start: date
    active_learners: int
    minutes: float


def weekly(
    active: Mapping[date, int],
    seconds: Mapping[date, float],
    first: date | datetime,
    last: date | datetime,
) -> list[Week]:
    a = dict(fill_weeks({k: float(v) for k, v in active.items()}, first, last))
    m = dict(fill_weeks(seconds, first, last))
    return [Week(w, int(a[w]), round(m[w] / 60.0, 1)) for w in a]
