"""Expiry, and renewals of certificates on mandatory paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.org.paths import parse_path
from engine.org.renewal import Held, expires_at, expiry, renewal_record_id, renewals_due

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PATH = parse_path(
    [
        {"course_id": "a", "order_index": 0, "is_required": True},
        {"course_id": "b", "order_index": 1, "is_required": False},
    ]
)


def test_expiry_from_validity_days_and_shown_in_advance() -> None:
    assert expires_at(T0, None) is None
    end = expires_at(T0, 365)
    assert end == T0 + timedelta(days=365)
    held = Held("c1", "u", "p", end)
    assert expiry(held, T0) == "valid"
    assert expiry(held, end - timedelta(days=10)) == "expiring"
    assert expiry(held, end) == "expired"
    assert expiry(Held("c2", "u", "p", None), T0) == "no_expiry"


def test_an_expiring_certificate_on_a_mandatory_path_makes_one_renewal_per_required_course() -> (
    None
):
    end = T0 + timedelta(days=20)
    held = [Held("c1", "u", "p", end), Held("c9", "v", "p", end)]
    got = renewals_due(held, {"u": {"p"}}, {"p": PATH}, set(), T0)
    assert [(r.user_id, r.course_id, r.required_by) for r in got] == [("u", "a", end)]
    assert got[0].record_id == renewal_record_id("c1", "a")  # the same on every device
    assert renewals_due(held, {"u": {"p"}}, {"p": PATH}, {got[0].record_id}, T0) == []
    assert renewals_due(held, {"u": {"p"}}, {"p": PATH}, set(), end - timedelta(days=31)) == []


def test_a_newer_certificate_supersedes_the_old_one() -> None:
    old = Held("c1", "u", "p", T0 + timedelta(days=5))
    new = Held("c2", "u", "p", T0 + timedelta(days=400))
    assert renewals_due([old, new], {"u": {"p"}}, {"p": PATH}, set(), T0) == []
