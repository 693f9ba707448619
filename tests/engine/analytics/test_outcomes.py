"""Modality outcomes, compliance buckets, streak bands and not-covered topics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.analytics.compliance import RecordFacts, bucket_of, tally
from engine.analytics.engagement import streak_band, streak_histogram, weekly
from engine.analytics.modality import ModalityCounts, outcomes
from engine.analytics.tutor_use import Asked, missing_topics, question_key

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def test_well_measured_modalities_rank_first_by_first_attempt_correct_rate() -> None:
    rows = [
        ModalityCounts("text", first_attempts=40, correct=24, completions=9, drop_offs=1),
        ModalityCounts("video", first_attempts=20, correct=16, completions=3, drop_offs=3),
        ModalityCounts("game", first_attempts=3, correct=3),
        ModalityCounts("audio"),
    ]
    got = outcomes(rows)
    assert [o.modality for o in got] == ["video", "text", "game"]  # audio: no signal at all
    assert got[0].correct.value == pytest.approx(0.8) and got[0].finished.value == 0.5
    assert not got[2].enough
    with pytest.raises(ValueError, match="twice"):
        outcomes([ModalityCounts("text"), ModalityCounts("text")])
    with pytest.raises(ValueError, match="unknown modality"):
        ModalityCounts("telepathy")


def test_compliance_buckets_and_the_two_tallies_add_up() -> None:
    assert bucket_of("pending", NOW + timedelta(days=3), NOW) == "due_soon"
    assert bucket_of("pending", NOW + timedelta(days=30), NOW) == "pending"
    assert bucket_of("pending", NOW - timedelta(hours=1), NOW) == "overdue"
    assert bucket_of("pending", None, NOW) == "pending"
    assert bucket_of("compliant", NOW - timedelta(days=9), NOW) == "compliant"
    with pytest.raises(ValueError, match="unknown compliance status"):
        bucket_of("done", None, NOW)
    recs = [
        RecordFacts("r1", "ann", "c1", "overdue", NOW - timedelta(days=2)),
        RecordFacts("r2", "bob", "c1", "pending", NOW + timedelta(days=2)),
        RecordFacts("r3", "ann", "c2", "compliant", None),
        RecordFacts("r4", "bob", "c2", "exempt", None),
    ]
    per_course, per_person = tally(recs, NOW)
    assert per_course["c1"].count("overdue") == 1 and per_course["c1"].count("due_soon") == 1
    assert per_person["ann"].record_ids == {"overdue": ["r1"], "compliant": ["r3"]}
    assert sum(t.total for t in per_course.values()) == sum(t.total for t in per_person.values())


def test_streak_bands_and_weekly_engagement() -> None:
    assert [streak_band(d) for d in (None, 0, 2, 3, 7, 13, 14, 400)] == [
        "No streak", "No streak", "1–2 days", "3–6 days", "1–2 weeks", "1–2 weeks",
        "2 weeks or more", "2 weeks or more",
    ]  # fmt: skip
    assert dict(streak_histogram([0, 1, 1, 20]))["1–2 days"] == 2
    first = NOW - timedelta(days=14)
    weeks = weekly({first.date() - timedelta(days=first.weekday()): 3}, {}, first, NOW)
    assert [w.active_learners for w in weeks] == [3, 0, 0]


def test_not_covered_questions_group_by_wording_most_askers_first() -> None:
    assert question_key("  What is  GDPR? ") == question_key("what is gdpr")
    topics = missing_topics(
        [
            Asked("c1", "ann", "What is GDPR?"),
            Asked("c1", "bob", "what is gdpr"),
            Asked("c1", "ann", "what is GDPR"),
            Asked("c1", "cat", "Who is the DPO?"),
            Asked("c2", "cat", "What is GDPR?"),
            Asked("c1", "cat", "  ?"),
        ]
    )
    assert [(t.course_id, t.question, t.times, t.learners) for t in topics] == [
        ("c1", "What is GDPR?", 3, 2),
        ("c2", "What is GDPR?", 1, 1),  # ties: by wording
        ("c1", "Who is the DPO?", 1, 1),
    ]
