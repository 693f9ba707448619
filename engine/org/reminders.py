"""When to remind a learner of required training, and only once per record.

A reminder is due ``days_before`` days before a record's due date (or at once, if the record
is assigned later than that, or is already overdue and was never reminded). Once sent, the
device stores ``reminder_sent_at`` on the record; that field syncs, so the learner's other
devices see it and stay quiet: the rule is "never reminded before", not "not reminded on
this device". Records that need nothing more (compliant, exempt) or have no due date are
never reminded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine.org.compliance import DONE, Requirement, effective_status

DEFAULT_DAYS_BEFORE = 3


@dataclass(frozen=True)
class Reminder:
    record_id: str
    required_by: datetime
    overdue: bool
    time_left: timedelta
    """Until the due date; negative when overdue."""

    def message(self, title: str) -> str:
        if self.overdue:
            return f"“{title}” was due on {self.required_by:%d %B %Y}: finish it to stay compliant."
        when = due_phrase(self.required_by, self.required_by - self.time_left)
        return f"“{title}” is due {when} ({self.required_by:%d %B %Y})."


def due_phrase(required_by: datetime, now: datetime) -> str:
    """ "today", "tomorrow" or "in N days", counted in calendar days as the due date is
    printed beside it (due at 09:00 tomorrow is "tomorrow" at 18:00 today, not "today")."""
    days = (required_by.date() - now.astimezone(required_by.tzinfo).date()).days
    return "today" if days < 1 else "tomorrow" if days == 1 else f"in {days} days"


def reminder_due_at(required_by: datetime, days_before: int = DEFAULT_DAYS_BEFORE) -> datetime:
    if days_before < 0:
        raise ValueError("days_before cannot be negative")
    return required_by - timedelta(days=days_before)


def reminder_for(
    record_id: str,
    record: Requirement,
    now: datetime,
    days_before: int = DEFAULT_DAYS_BEFORE,
) -> Reminder | None:
    """The reminder to send now for this record, or None."""
    if record.reminder_sent_at is not None or record.required_by is None:
        return None
    if record.status in DONE or now < reminder_due_at(record.required_by, days_before):
        return None
    return Reminder(
        record_id,
        record.required_by,
        effective_status(record, now) == "overdue",
        record.required_by - now,
    )


def due_reminders(
    records: Iterable[tuple[str, Requirement]],
    now: datetime,
    days_before: int = DEFAULT_DAYS_BEFORE,
) -> list[Reminder]:
    """Every reminder to send now, soonest due first. After sending, set each record's
    ``reminder_sent_at`` to ``now`` (that is what keeps it to once)."""
    found = [r for rid, rec in records if (r := reminder_for(rid, rec, now, days_before))]
    return sorted(found, key=lambda r: (r.required_by, r.record_id))
