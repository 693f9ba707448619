"""The next best action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.adaptive.dispatcher import ModalityBelief
from engine.adaptive.next_action import (
    ComplianceSnapshot,
    EnrollmentSnapshot,
    LearnerSnapshot,
    next_action,
)
from engine.adaptive.skill_gaps import SkillGap

NOW = datetime(2025, 9, 10, 14, 0, tzinfo=UTC)
IN_PROGRESS = EnrollmentSnapshot("c1", "Python Basics", "in_progress", 40.0, "m7", "Loops")


def test_overdue_compliance_beats_continue() -> None:
    snap = LearnerSnapshot(
        now=NOW,
        enrollments=(IN_PROGRESS,),
        compliance=(
            ComplianceSnapshot("c9", "Data Protection", "pending", NOW - timedelta(days=3), "m90"),
        ),
    )
    act = next_action(snap)
    assert (act.type, act.target_id) == ("complete_compliance", "m90")
    assert "Data Protection" in act.reason and "3 days" in act.reason
    assert act.computed_at == NOW
    assert act.to_json()["computed_at"] == NOW.isoformat()


def test_continue_when_nothing_more_urgent() -> None:
    snap = LearnerSnapshot(
        now=NOW,
        enrollments=(IN_PROGRESS,),
        compliance=(
            ComplianceSnapshot("c9", "Data Protection", "compliant"),
            ComplianceSnapshot("c8", "Ethics", "pending", NOW + timedelta(days=60)),
        ),
        due_flashcards=2,
    )
    act = next_action(snap)
    assert (act.type, act.target_id) == ("continue_module", "m7")
    assert "Python Basics" in act.reason and "Loops" in act.reason


def test_long_session_means_a_break_first() -> None:
    snap = LearnerSnapshot(
        now=NOW,
        enrollments=(IN_PROGRESS,),
        compliance=(ComplianceSnapshot("c9", "Data Protection", "overdue"),),
        session_started_at=NOW - timedelta(minutes=130),
        last_active_at=NOW - timedelta(minutes=2),
    )
    act = next_action(snap)
    assert act.type == "take_break" and "2 h 08 min" in act.reason
    ended = LearnerSnapshot(
        now=NOW + timedelta(hours=2),
        session_started_at=snap.session_started_at,
        last_active_at=snap.last_active_at,
    )
    assert next_action(ended).type == "all_caught_up"


def test_many_overdue_flashcards_beat_continue() -> None:
    snap = LearnerSnapshot(
        now=NOW,
        enrollments=(IN_PROGRESS,),
        due_flashcards=25,
        oldest_flashcard_due=NOW - timedelta(days=4),
    )
    act = next_action(snap)
    assert act.type == "review_flashcards" and "25 flashcards" in act.reason


def test_skill_gap_and_modality_switch() -> None:
    gap = SkillGap("sql", 0.6, NOW - timedelta(days=1), None, 0.8, 0.32)
    snap = LearnerSnapshot(now=NOW, skill_gaps=(gap,), skill_names={"sql": "SQL joins"})
    act = next_action(snap)
    assert (act.type, act.target_id) == ("close_skill_gap", "sql")
    assert "SQL joins" in act.reason and "32%" in act.reason
    b = ModalityBelief()
    for _ in range(8):
        b = b.observe("video", 0, 1).observe("game", 1, 0)
    act = next_action(
        LearnerSnapshot(
            now=NOW, enrollments=(IN_PROGRESS,), current_modality="video", modality_belief=b
        )
    )
    assert (act.type, act.target_id) == ("switch_modality", "game")


def test_nothing_to_do() -> None:
    act = next_action(LearnerSnapshot(now=NOW))
    assert act.type == "all_caught_up" and act.target_id is None
