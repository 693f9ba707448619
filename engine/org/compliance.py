"""Compliance records: which status follows from which event, and from time.

A record says that one learner must complete one course by ``required_by``. Its status moves

    pending  -> compliant   the learner completed the course (on time, or late)
    pending  -> overdue     ``required_by`` passed without a completion
    pending  -> exempt      a manager exempted the learner, with a reason
    overdue  -> compliant   completed after the due date: *late*, and it stays visible as late
    overdue  -> exempt
    exempt   -> pending     the exemption was lifted

and nowhere else: a compliant record is never reopened (a renewal is a new record,
``engine.org.renewal``). The server enforces the same table (``byteos.compliance_transitions``
in the Supabase migration; a test holds the two together).

Why "late" is not a status: the spec's four statuses are kept, and lateness is a fact that
follows from two stored times (``completed_at > required_by``), so it can never disagree with
them. The history (``compliance_events``) keeps the ``overdue -> compliant`` step too, so an
auditor sees both that it was late and when it was done.

Why overdue follows from time here: a record whose due date passed is overdue at once, on
every device, whether or not anyone stored the change yet (:func:`effective_status`); the
stored status catches up when a manager's device or the server writes it
(:func:`mark_overdue`). Every function takes ``now``: the clock is injected, never read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from engine.org.vocabulary import COMPLIANCE_STATUSES, ComplianceStatus

TRANSITIONS: dict[ComplianceStatus, frozenset[ComplianceStatus]] = {
    "pending": frozenset({"compliant", "overdue", "exempt"}),
    "overdue": frozenset({"compliant", "exempt"}),
    "exempt": frozenset({"pending"}),
    "compliant": frozenset(),
}
assert set(TRANSITIONS) == set(COMPLIANCE_STATUSES)

DONE: frozenset[ComplianceStatus] = frozenset({"compliant", "exempt"})
"""Statuses that need nothing more from the learner."""


class ComplianceError(ValueError):
    """A change that is not allowed; the message is for a person."""


@dataclass(frozen=True)
class Requirement:
    """The parts of a ``compliance_records`` row the logic looks at."""

    status: ComplianceStatus = "pending"
    required_by: datetime | None = None
    completed_at: datetime | None = None
    reminder_sent_at: datetime | None = None
    status_reason: str | None = None


@dataclass(frozen=True)
class Change:
    """One step of a record's history: what the services layer writes (the record's new
    values) and what the auditor will see (from -> to, when, why)."""

    before: Requirement
    after: Requirement
    at: datetime
    reason: str

    @property
    def from_status(self) -> ComplianceStatus:
        return self.before.status

    @property
    def to_status(self) -> ComplianceStatus:
        return self.after.status


def _aware(when: datetime, name: str) -> datetime:
    if when.tzinfo is None:
        raise ComplianceError(f"{name} must have a time zone")
    return when


def check_transition(before: ComplianceStatus, after: ComplianceStatus) -> None:
    if after not in TRANSITIONS[before]:
        allowed = ", ".join(sorted(TRANSITIONS[before])) or "nothing (it is final)"
        raise ComplianceError(f"a {before} record cannot become {after}; it can become {allowed}")


def new_requirement(required_by: datetime | None, now: datetime) -> Requirement:
    """A fresh ``pending`` record; a due date already past is refused (say so, do not make a
    record that is overdue the moment it exists)."""
    if required_by is not None and _aware(required_by, "the due date") <= _aware(now, "now"):
        raise ComplianceError(
            f"the due date {required_by:%Y-%m-%d %H:%M} UTC is in the past: choose a later one"
        )
    return Requirement(status="pending", required_by=required_by)


def is_late(record: Requirement) -> bool:
    """Completed, but after the due date."""
    return (
        record.status == "compliant"
        and record.completed_at is not None
        and record.required_by is not None
        and record.completed_at > record.required_by
    )


def effective_status(record: Requirement, now: datetime) -> ComplianceStatus:
    """The status as of ``now``: a pending record past its due date is overdue."""
    if (
        record.status == "pending"
        and record.required_by is not None
        and _aware(now, "now") >= record.required_by
    ):
        return "overdue"
    return record.status


def time_left(record: Requirement, now: datetime) -> timedelta | None:
    """Until the due date (negative when overdue); None when done or there is no due date."""
    if record.status in DONE or record.required_by is None:
        return None
    return record.required_by - now


def _step(record: Requirement, after: Requirement, now: datetime, reason: str) -> Change:
    check_transition(record.status, after.status)
    return Change(record, after, now, reason)


def complete(record: Requirement, completed_at: datetime, now: datetime) -> Change | None:
    """The learner completed the course at ``completed_at``. None when there is nothing to
    change (already compliant, or exempt: an exemption stands)."""
    _aware(completed_at, "the completion time")
    if record.status in DONE:
        return None
    late = record.required_by is not None and completed_at > record.required_by
    if late:
        assert record.required_by is not None
        days = (completed_at - record.required_by).days
        reason = (
            f"completed {days} day{'s' if days != 1 else ''} after the due date"
            if days >= 1
            else "completed after the due date"
        )
    else:
        reason = "completed"
    # the stored status may still say pending although the due date passed: the history
    # then shows the overdue step first, so lateness is never hidden
    before = record
    if late and record.status == "pending":
        overdue = mark_overdue(record, completed_at)
        assert overdue is not None
        before = overdue.after
    after = replace(before, status="compliant", completed_at=completed_at, status_reason=reason)
    return _step(before, after, now, reason)


def mark_overdue(record: Requirement, now: datetime) -> Change | None:
    """Store what time already says: pending past the due date becomes overdue."""
    if effective_status(record, now) != "overdue" or record.status == "overdue":
        return None
    after = replace(record, status="overdue", status_reason="the due date passed")
    return _step(record, after, now, "the due date passed")


def exempt(record: Requirement, reason: str, now: datetime) -> Change:
    """A manager exempts the learner; the reason is required and kept."""
    reason = reason.strip()
    if not reason:
        raise ComplianceError("say why the learner is exempt: the reason is kept for audits")
    if record.status == "compliant":
        raise ComplianceError("this learner is already compliant: there is nothing to exempt")
    after = replace(record, status="exempt", status_reason=reason)
    return _step(record, after, now, reason)


def lift_exemption(
    record: Requirement, reason: str, now: datetime, required_by: datetime | None = None
) -> Change:
    """Back to pending (with a new due date, or the old one)."""
    reason = reason.strip()
    if not reason:
        raise ComplianceError("say why the exemption is lifted: the reason is kept for audits")
    due = record.required_by if required_by is None else required_by
    after = replace(record, status="pending", required_by=due, status_reason=reason)
    return _step(record, after, now, reason)


def sweep(records: Iterable[tuple[str, Requirement]], now: datetime) -> list[tuple[str, Change]]:
    """Every record (by id) that time has made overdue, for one write by a manager's device."""
    out: list[tuple[str, Change]] = []
    for record_id, record in records:
        change = mark_overdue(record, now)
        if change is not None:
            out.append((record_id, change))
    return out
