"""Compliance status transitions and time, with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.org.compliance import (
    TRANSITIONS,
    ComplianceError,
    Requirement,
    check_transition,
    complete,
    effective_status,
    exempt,
    is_late,
    lift_exemption,
    mark_overdue,
    new_requirement,
    sweep,
)
from engine.org.vocabulary import COMPLIANCE_STATUSES

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DUE = T0 + timedelta(days=10)


def test_every_status_has_its_transitions() -> None:
    assert set(TRANSITIONS) == set(COMPLIANCE_STATUSES)
    assert TRANSITIONS["compliant"] == frozenset()  # a renewal is a new record


def test_a_due_date_in_the_past_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ComplianceError, match="in the past"):
        new_requirement(T0 - timedelta(hours=1), T0)
    assert new_requirement(DUE, T0).status == "pending"
    assert new_requirement(None, T0).required_by is None


def test_overdue_follows_from_time_without_any_write() -> None:
    rec = new_requirement(DUE, T0)
    assert effective_status(rec, DUE - timedelta(seconds=1)) == "pending"
    assert effective_status(rec, DUE) == "overdue"
    assert effective_status(Requirement("pending"), DUE + timedelta(days=900)) == "pending"
    change = mark_overdue(rec, DUE + timedelta(days=1))
    assert change is not None and (change.from_status, change.to_status) == ("pending", "overdue")
    assert mark_overdue(change.after, DUE + timedelta(days=2)) is None  # once
    assert mark_overdue(rec, T0) is None


def test_completion_on_time_is_compliant_and_not_late() -> None:
    rec = new_requirement(DUE, T0)
    change = complete(rec, T0 + timedelta(days=2), T0 + timedelta(days=2))
    assert change is not None
    assert change.after.status == "compliant" and not is_late(change.after)
    assert change.reason == "completed"


def test_completion_after_the_due_date_is_compliant_but_late_and_shows_the_overdue_step() -> None:
    rec = new_requirement(DUE, T0)  # nobody stored "overdue"
    done_at = DUE + timedelta(days=3, hours=2)
    change = complete(rec, done_at, done_at)
    assert change is not None
    assert (change.from_status, change.to_status) == ("overdue", "compliant")
    assert is_late(change.after)
    assert change.after.completed_at == done_at
    assert change.reason == "completed 3 days after the due date"


def test_exempt_needs_a_reason_and_an_exemption_stands_against_completion() -> None:
    rec = new_requirement(DUE, T0)
    with pytest.raises(ComplianceError, match="why"):
        exempt(rec, "  ", T0)
    change = exempt(rec, "Certified externally", T0)
    assert change.after.status == "exempt" and change.after.status_reason == "Certified externally"
    assert complete(change.after, T0, T0) is None
    back = lift_exemption(change.after, "certificate lapsed", T0)
    assert back.after.status == "pending"


def test_forbidden_transitions_say_what_is_allowed() -> None:
    with pytest.raises(ComplianceError, match="cannot become overdue"):
        check_transition("compliant", "overdue")
    with pytest.raises(ComplianceError, match="already compliant"):
        done = complete(new_requirement(DUE, T0), T0, T0)
        assert done is not None
        exempt(done.after, "late idea", T0)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ComplianceError, match="time zone"):
        effective_status(new_requirement(DUE, T0), datetime(2027, 1, 1))


def test_sweep_marks_only_what_time_made_overdue() -> None:
    recs = [
        ("a", new_requirement(DUE, T0)),
        ("b", new_requirement(DUE + timedelta(days=30), T0)),
        ("c", Requirement("exempt", DUE)),
        ("d", Requirement("overdue", DUE)),
    ]
    got = sweep(recs, DUE + timedelta(days=1))
    assert [rid for rid, _ in got] == ["a"]
