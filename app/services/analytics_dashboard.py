"""The whole dashboard in one call (what the Studio screen loads off the UI thread), and its
CSV export.

Each view is computed on its own: one that does not apply to the user (compliance for a
creator) or has nothing to show carries the reason instead of failing the others.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.services import analytics_activity as activity
from app.services import analytics_outcomes as outcomes
from app.services.accounts import CurrentUser
from app.services.analytics import Filters, Meta, Table
from app.services.context import AppContext
from app.services.errors import UserError

VIEWS = ("completions", "funnel", "skills", "compliance", "engagement", "modalities", "tutor")
TITLES = {
    "completions": "Completions",
    "funnel": "Drop-off funnel",
    "skills": "Skill gaps",
    "compliance": "Compliance",
    "engagement": "Engagement",
    "modalities": "Modality effectiveness",
    "tutor": "AI tutor use",
}


@dataclass
class Dashboard:
    filters: Filters
    now: datetime
    results: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    """View -> why it has nothing to show (a role it is not for, no course yet …)."""

    @property
    def meta(self) -> Meta | None:
        return next((r.meta for r in self.results.values()), None)

    def tables(self) -> list[Table]:
        """Every table of every view, in the screen's order (the CSV and the PDF)."""
        out: list[Table] = []
        for view in VIEWS:
            r = self.results.get(view)
            if r is None:
                continue
            for name in (
                "table",
                "rate_table",
                "streak_table",
                "person_table",
                "overdue_table",
                "topic_table",
            ):
                fn = getattr(r, name, None)
                if fn is not None:
                    out.append(fn())
        return out


def load(
    ctx: AppContext,
    user: CurrentUser,
    filters: Filters,
    now: datetime,
    funnel_course: str | None = None,
    views: tuple[str, ...] = VIEWS,
) -> Dashboard:
    calls: dict[str, Callable[[], Any]] = {
        "completions": lambda: activity.completions(ctx, user, filters, now),
        "funnel": lambda: activity.funnel(ctx, user, filters, now, funnel_course),
        "skills": lambda: outcomes.skill_gaps(ctx, user, filters, now),
        "compliance": lambda: outcomes.compliance(ctx, user, filters, now),
        "engagement": lambda: activity.engagement(ctx, user, filters, now),
        "modalities": lambda: outcomes.modalities(ctx, user, filters, now),
        "tutor": lambda: outcomes.tutor_use(ctx, user, filters, now),
    }
    board = Dashboard(filters, now)
    for view in views:
        try:
            board.results[view] = calls[view]()
        except UserError as err:
            board.problems[view] = str(err)
    return board


def to_csv(board: Dashboard) -> str:
    """Every table, one after the other: a title line, the headers, the rows, a blank line.
    The first lines say the source, as of when, and the filters."""
    buf = io.StringIO()
    w = csv.writer(buf)
    meta, f = board.meta, board.filters
    if meta is not None:
        w.writerow([meta.line()])
    w.writerow(
        [
            f"Filters: course={f.course_id or 'all'}; path={f.path_id or 'none'}; "
            f"role={f.role or 'everyone'}; from={f.start or ''}; to={f.end or ''}"
        ]
    )
    w.writerow([])
    for table in board.tables():
        w.writerow([table.title])
        w.writerow(table.headers)
        w.writerows(table.rows)
        w.writerow([])
    for view, why in board.problems.items():
        w.writerow([f"{TITLES[view]}: {why}"])
    return buf.getvalue()
