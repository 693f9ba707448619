"""Enrolment progress derived from learning events.

Progress is a pure function of the events so that it can be recomputed at any time (after a
sync brings events from another device, after a crash) and always gives the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

EnrollmentStatus = Literal["not_started", "in_progress", "completed", "overdue"]


@dataclass(frozen=True)
class ModuleEvent:
    module_id: str | None
    event_type: str
    created_at: datetime


@dataclass(frozen=True)
class Progress:
    status: EnrollmentStatus
    progress_pct: float
    completed_module_ids: frozenset[str]
    started_at: datetime | None
    completed_at: datetime | None


def compute_progress(
    module_ids: Iterable[str],
    events: Iterable[ModuleEvent],
    *,
    due_date: datetime | None = None,
    now: datetime | None = None,
) -> Progress:
    """Fold a learner's events for one course into its enrolment state.

    A module counts once it has a ``module_complete`` event; the course is complete when every
    current module is. Events for modules that no longer exist are ignored, so deleting a module
    never makes progress exceed 100 %.
    """
    modules = set(module_ids)
    done: set[str] = set()
    started_at: datetime | None = None
    completed_at: datetime | None = None
    for ev in sorted(events, key=lambda e: e.created_at):
        if ev.module_id not in modules:
            continue
        if started_at is None and ev.event_type in (
            "module_start",
            "module_complete",
            "quiz_attempt",
        ):
            started_at = ev.created_at
        if ev.event_type == "module_complete" and ev.module_id is not None:
            done.add(ev.module_id)
            if modules and done >= modules and completed_at is None:
                completed_at = ev.created_at
    pct = round(100.0 * len(done) / len(modules), 1) if modules else 0.0
    status: EnrollmentStatus
    if modules and done >= modules:
        status = "completed"
    elif due_date is not None and now is not None and now > due_date:
        status = "overdue"
    elif started_at is not None:
        status = "in_progress"
    else:
        status = "not_started"
    return Progress(
        status, pct, frozenset(done), started_at, completed_at if status == "completed" else None
    )
