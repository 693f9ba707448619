"""The profile fold: incremental equals rebuild, and every column stays in range."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.adaptive.events import EVENT_TYPES, MODALITIES, LearningEvent
from engine.adaptive.learner_profile import (
    ProfileState,
    apply,
    event_order,
    rebuild,
    streak_as_of,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def ev(kind: str, minutes: float, **kw: object) -> LearningEvent:
    return LearningEvent(
        user_id="u1",
        event_type=kind,  # type: ignore[arg-type]
        created_at=T0 + timedelta(minutes=minutes),
        **kw,  # type: ignore[arg-type]
    )


payloads = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {
            "question_id": st.sampled_from(["q1", "q2", "q3"]),
            "correct": st.booleans(),
            "skill_ids": st.just(["s1"]),
            "attempt_no": st.integers(1, 3),
        }
    ),
    st.fixed_dictionaries({"from": st.sampled_from(MODALITIES), "to": st.sampled_from(MODALITIES)}),
    st.fixed_dictionaries({"streak_days": st.integers(0, 40)}),
)

events = st.builds(
    LearningEvent,
    user_id=st.just("u1"),
    event_type=st.sampled_from(EVENT_TYPES),
    created_at=st.integers(0, 60 * 24 * 20).map(lambda m: T0 + timedelta(minutes=m)),
    course_id=st.just("c1"),
    module_id=st.sampled_from([None, "m1", "m2", "m3"]),
    payload=payloads,
    modality=st.one_of(st.none(), st.sampled_from(MODALITIES)),
    duration_secs=st.integers(0, 3600),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(events, max_size=40))
def test_rebuild_equals_incremental_and_is_order_free(history: list[LearningEvent]) -> None:
    state = ProfileState()
    for e in sorted(history, key=event_order):
        state = apply(state, e)
    assert rebuild(history) == state
    assert rebuild(reversed(history)) == state
    row = state.to_row()
    assert 0.0 <= row["overall_engagement_score"] <= 1.0
    assert 0.0 <= row["avg_completion_rate"] <= 1.0
    assert row["avg_session_duration_mins"] >= 0.0
    assert row["streak_days"] >= 0
    assert set(row["modality_scores"]) == set(MODALITIES)
    assert all(0.0 < v < 1.0 for v in row["modality_scores"].values())
    assert row["learning_pace"] in ("fast", "medium", "slow")
    assert row["difficulty_comfort"] in ("beginner", "intermediate", "advanced")


def test_defaults_match_the_schema() -> None:
    row = ProfileState().to_row()
    assert row["modality_scores"] == dict.fromkeys(MODALITIES, 0.5)
    assert row["learning_pace"] == "medium"
    assert row["difficulty_comfort"] == "intermediate"
    assert row["overall_engagement_score"] == 0.5
    assert row["last_active_at"] is None


def test_sessions_split_on_thirty_minutes_of_inactivity() -> None:
    history = [
        ev("module_start", 0, module_id="m1", duration_secs=600),  # 0–10 min
        ev("module_complete", 20, module_id="m1", duration_secs=600),  # ends at 30 min
        ev("module_start", 59, module_id="m2", duration_secs=60),  # gap 29 min: same session
        ev("module_start", 120, module_id="m3", duration_secs=600),  # gap 60 min: new session
    ]
    s = rebuild(history)
    assert s.session_count == 2
    assert s.avg_session_duration_mins == (60 + 10) / 2
    assert s.avg_completion_rate == 1 / 3
    assert s.total_learning_minutes == 31
    assert s.last_active_at == T0 + timedelta(minutes=120)


def test_streak_counts_consecutive_days_and_resets() -> None:
    day = 24 * 60
    s = rebuild([ev("module_start", d * day) for d in (0, 1, 2)])
    assert s.streak_days == 3
    s = apply(s, ev("module_start", 5 * day))
    assert s.streak_days == 1
    s = apply(s, ev("streak_broken", 5 * day + 1))
    assert s.streak_days == 0
    s = apply(s, ev("streak_maintained", 6 * day, payload={"streak_days": 12}))
    assert s.streak_days == 12
    assert streak_as_of(s, (T0 + timedelta(days=7)).date()) == 12
    assert streak_as_of(s, (T0 + timedelta(days=9)).date()) == 0


def test_pace_comfort_and_modality_follow_behaviour() -> None:
    history = [
        ev(
            "module_complete",
            i * 40,
            module_id=f"m{i}",
            modality="video",
            duration_secs=200,
            payload={"estimated_duration_secs": 600},
        )
        for i in range(4)
    ]
    history += [
        ev(
            "quiz_attempt",
            200 + i,
            payload={
                "question_id": f"q{i}",
                "correct": True,
                "skill_ids": ["s"],
                "attempt_no": 1,
                "difficulty": "advanced",
            },
        )
        for i in range(12)
    ]
    history += [ev("drop_off", 300 + i, modality="audio") for i in range(3)]
    s = rebuild(history)
    assert s.learning_pace == "fast"
    assert s.difficulty_comfort == "advanced"
    scores = s.modality_scores
    assert scores["video"] > 0.5 > scores["audio"]
    assert scores["text"] == 0.5
