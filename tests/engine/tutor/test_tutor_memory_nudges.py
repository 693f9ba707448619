"""Longitudinal memory folds and the proactive nudge rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.tutor.memory import (
    LearnerContext,
    PastExchange,
    learner_notes,
    record_feedback,
    update_memory,
)
from engine.tutor.nudges import CompletedModule, NudgeSignals, QuestionTries, compute_nudges

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def test_memory_is_a_running_summary_of_exchanges() -> None:
    mem = update_memory(
        None,
        kind="question",
        question="What is spacing?",
        module_title="Spacing",
        covered=True,
        at=NOW,
    )
    mem = update_memory(
        mem,
        kind="hint_request",
        question="Hint please",
        module_title="Spacing",
        covered=True,
        at=NOW + timedelta(minutes=1),
    )
    mem = update_memory(
        mem,
        kind="question",
        question="Capital of France?",
        module_title=None,
        covered=False,
        at=NOW + timedelta(minutes=2),
    )
    mem = record_feedback(mem, False)
    assert mem["counts"] == {"question": 2, "hint_request": 1, "not_covered": 1}
    assert mem["recent"][0]["question"] == "Capital of France?" and len(mem["recent"]) == 3
    assert mem["summary"] == (
        "3 exchanges with Byte so far; mostly about Spacing (2); asked for 1 hint; "
        "1 question outside the course; marked 1 answer unhelpful."
    )
    many = mem
    for i in range(20):
        many = update_memory(
            many, kind="question", question=f"q{i}", module_title="X", covered=True, at=NOW
        )
    assert len(many["recent"]) == 8  # bounded


def test_learner_notes_carry_level_mastery_gaps_and_history() -> None:
    ctx = LearnerContext(
        difficulty_comfort="beginner",
        learning_pace="slow",
        streak_days=4,
        mastery={"Retrieval practice": 0.9, "Spacing": 0.3},
        gaps=["Spacing"],
        recent=[PastExchange(NOW, "question", "What is interleaving?", "…", "Spacing", False)],
        memory={"summary": "2 exchanges with Byte so far."},
    )
    notes = learner_notes(ctx)
    assert "Level: beginner; pace: slow; 4-day streak." in notes
    assert "Confident with: Retrieval practice." in notes
    assert "Still learning: Spacing." in notes and "Skill gaps to close: Spacing." in notes
    assert "History: 2 exchanges" in notes
    assert "“What is interleaving?” — they found that unhelpful" in notes


def _signals(**kw: object) -> NudgeSignals:
    base: dict[str, object] = {
        "now": NOW,
        "course_id": "c",
        "module_id": "m1",
        "module_title": "Why we forget",
    }
    base.update(kw)
    return NudgeSignals(**base)  # type: ignore[arg-type]


def test_repeated_wrong_answers_offer_a_hint_first() -> None:
    cards = compute_nudges(_signals(tries=[QuestionTries("q1", "When is most lost?", 2, False)]))
    assert [c.kind for c in cards] == ["repeated_wrong"]
    assert cards[0].action == "hint" and cards[0].question_id == "q1"
    assert "without giving the answer away" in cards[0].message
    solved = compute_nudges(_signals(tries=[QuestionTries("q1", "When?", 0, True)]))
    assert solved == []


def test_stuck_on_a_module_offers_an_explanation() -> None:
    cards = compute_nudges(_signals(module_open_since=NOW - timedelta(minutes=20)))
    assert [c.kind for c in cards] == ["stuck"] and cards[0].action == "explain"
    assert compute_nudges(_signals(module_open_since=NOW - timedelta(minutes=5))) == []
    done = _signals(module_open_since=NOW - timedelta(hours=1), module_completed=True)
    assert compute_nudges(done) == []


def test_due_review_and_streak_at_risk() -> None:
    old = CompletedModule("m0", "Intro", NOW - timedelta(days=5), NOW - timedelta(days=4))
    fresh = CompletedModule("m2", "Recent", NOW - timedelta(days=1), NOW - timedelta(days=1))
    cards = compute_nudges(_signals(completed=[old, fresh], streak_days=3))
    assert [c.kind for c in cards] == ["due_review", "streak_at_risk"]
    assert cards[0].module_id == "m0" and "5 days ago" in cards[0].message
    assert cards[1].title == "Keep your 3-day streak"
    assert compute_nudges(_signals(streak_days=3, finished_today=True)) == []
    due = compute_nudges(_signals(flashcards_due="12 cards due for review."))
    assert [(c.kind, c.message) for c in due] == [("due_review", "12 cards due for review.")]


def test_at_most_two_cards_and_dismissed_ones_stay_away() -> None:
    s = _signals(
        tries=[QuestionTries("q1", "When?", 3, False)],
        module_open_since=NOW - timedelta(hours=1),
        streak_days=5,
    )
    cards = compute_nudges(s)
    assert [c.kind for c in cards] == ["repeated_wrong", "stuck"]
    later = compute_nudges(
        _signals(
            tries=[QuestionTries("q1", "When?", 3, False)],
            module_open_since=NOW - timedelta(hours=1),
            streak_days=5,
            already_shown=frozenset({cards[0].key}),
        )
    )
    assert [c.kind for c in later] == ["stuck", "streak_at_risk"]
