"""Reminders: N days before the due date, once per record (reminder_sent_at)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from engine.org.compliance import Requirement
from engine.org.reminders import due_reminders, reminder_due_at, reminder_for

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DUE = T0 + timedelta(days=10)


def test_a_reminder_is_due_n_days_before_and_only_once() -> None:
    rec = Requirement("pending", DUE)
    assert reminder_due_at(DUE, 3) == DUE - timedelta(days=3)
    assert reminder_for("r", rec, DUE - timedelta(days=3, seconds=1), 3) is None
    first = reminder_for("r", rec, DUE - timedelta(days=3), 3)
    assert first is not None and not first.overdue
    assert "due in 3 days" in first.message("Fire safety")
    sent = replace(rec, reminder_sent_at=DUE - timedelta(days=3))
    # the other device sees reminder_sent_at (synced) and stays quiet, even once overdue
    assert reminder_for("r", sent, DUE - timedelta(days=1), 3) is None
    assert reminder_for("r", sent, DUE + timedelta(days=5), 3) is None


def test_overdue_and_never_reminded_is_reminded_once_as_overdue() -> None:
    late = reminder_for("r", Requirement("pending", DUE), DUE + timedelta(days=1), 3)
    assert late is not None and late.overdue
    assert "was due" in late.message("Fire safety")


def test_done_records_and_records_without_a_due_date_are_never_reminded() -> None:
    now = DUE + timedelta(days=1)
    assert reminder_for("a", Requirement("compliant", DUE), now) is None
    assert reminder_for("b", Requirement("exempt", DUE), now) is None
    assert reminder_for("c", Requirement("pending", None), now) is None


def test_due_reminders_soonest_first() -> None:
    recs = [
        ("later", Requirement("pending", DUE + timedelta(days=1))),
        ("sooner", Requirement("pending", DUE)),
        ("far", Requirement("pending", DUE + timedelta(days=60))),
    ]
    got = due_reminders(recs, DUE - timedelta(days=1), days_before=3)
    assert [r.record_id for r in got] == ["sooner", "later"]


def test_due_phrases_count_calendar_days_as_the_printed_date() -> None:
    from datetime import UTC, datetime

    from engine.org.reminders import due_phrase

    due = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert due_phrase(due, datetime(2026, 12, 2, 18, 0, tzinfo=UTC)) == "tomorrow"  # 15 h away
    assert due_phrase(due, datetime(2026, 12, 3, 8, 0, tzinfo=UTC)) == "today"
    assert due_phrase(due, datetime(2026, 11, 30, 23, 0, tzinfo=UTC)) == "in 3 days"


def test_every_status_has_its_label() -> None:
    from engine.org import vocabulary as v

    assert set(v.CONTENT_LABELS) == set(v.CONTENT_STATUSES)
    assert set(v.ENROLLMENT_LABELS) == set(v.ENROLLMENT_STATUSES)
    assert set(v.COMPLIANCE_LABELS) == set(v.COMPLIANCE_STATUSES)
    assert v.work_status_label("not_started") == "Not started"
