"""Adaptive difficulty and skill gaps."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.adaptive.difficulty import (
    ComfortState,
    ItemCandidate,
    choose_next_item,
    odds_in_words,
    update_comfort,
)
from engine.adaptive.knowledge_tracing import SkillMastery
from engine.adaptive.skill_gaps import TargetSkill, gap_score, parse_targets, skill_gaps

NOW = datetime(2025, 5, 1, tzinfo=UTC)


def _logistic(ability: float):  # type: ignore[no-untyped-def]
    return lambda c: 1 / (1 + math.exp(-(ability - c.difficulty)))


def test_choice_lands_in_the_target_band() -> None:
    items = [ItemCandidate(f"q{d}", d / 2) for d in range(-6, 7)]
    choice = choose_next_item(items, _logistic(1.0))
    assert choice is not None and choice.in_band
    assert 0.70 <= choice.predicted_success <= 0.85


def test_choice_prefers_unseen_and_gap_items_within_band() -> None:
    items = [
        ItemCandidate("a", -0.4, ("s1",)),
        ItemCandidate("b", -0.4, ("s2",)),
        ItemCandidate("c", -0.4, ("s2",)),
    ]
    choice = choose_next_item(
        items, _logistic(1.0), recent_item_ids={"c"}, priority_skill_ids={"s2"}
    )
    assert choice is not None and choice.item_id == "b"


def test_out_of_band_picks_nearest_and_says_so() -> None:
    choice = choose_next_item(
        [ItemCandidate("easy", -5), ItemCandidate("easier", -6)], _logistic(0.0)
    )
    assert choice is not None and choice.item_id == "easy" and not choice.in_band
    assert "most challenging question left" in choice.reason and "band" not in choice.reason
    assert choose_next_item([], _logistic(0.0)) is None


@given(st.lists(st.booleans(), min_size=0, max_size=60))
def test_comfort_is_a_valid_level_and_needs_evidence(answers: list[bool]) -> None:
    s = ComfortState()
    for ok in answers:
        s = update_comfort(s, 0.0, ok)
        assert s.level in ("beginner", "intermediate", "advanced")
    if len(answers) < 5:
        assert s.level == "intermediate"


def test_comfort_moves_with_sustained_performance() -> None:
    s = ComfortState()
    for _ in range(15):
        s = update_comfort(s, 1.0, True)
    assert s.level == "advanced"
    for _ in range(40):
        s = update_comfort(s, -1.0, False)
    assert s.level == "beginner"


def test_skill_gaps_open_refresh_and_resolve() -> None:
    targets = parse_targets(
        [
            {"skill_id": "a", "target_proficiency": 0.8},
            {"skill_id": "b", "target_proficiency": 0.6},
            {"skill_id": "a", "target_proficiency": 0.9},
            {"skill_id": "c"},
        ]
    )
    assert [(t.skill_id, t.target_proficiency) for t in targets] == [
        ("a", 0.9),
        ("b", 0.6),
        ("c", 0.8),
    ]
    first = skill_gaps(targets, {"a": SkillMastery("a", 0.45, 4), "b": 0.9}, now=NOW)
    assert [(g.skill_id, round(g.gap_score, 3)) for g in first] == [("c", 1.0), ("a", 0.5)]
    later = NOW + timedelta(days=3)
    second = skill_gaps(targets, {"a": 0.95, "b": 0.7, "c": 0.5}, now=later, open_gaps=first)
    by = {g.skill_id: g for g in second}
    assert by["a"].resolved_at == later and by["a"].identified_at == NOW
    assert by["c"].is_open and by["c"].identified_at == NOW
    assert "b" not in by


@given(st.floats(0, 1), st.floats(0.01, 1))
def test_gap_score_in_unit_interval(m: float, t: float) -> None:
    assert 0.0 <= gap_score(m, t) <= 1.0
    TargetSkill("x", t)


def test_reason_speaks_to_the_learner_not_in_percent_bands() -> None:
    # 81 % predicted success: in the practice band, said as odds a learner can picture
    choice = choose_next_item([ItemCandidate("q", -math.log(0.81 / 0.19))], _logistic(0.0))
    assert choice is not None and choice.in_band
    assert choice.reason == (
        "You're likely to get about 4 in 5 questions like this right — the sweet spot for learning."
    )
    for word in ("Predicted", "band", "%"):
        assert word not in choice.reason


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (0.81, "4 in 5"),
        (0.75, "3 in 4"),
        (0.5, "1 in 2"),
        (0.68, "2 in 3"),
        (0.7, "2 in 3"),
        (0.62, "3 in 5"),
        (0.86, "9 in 10"),
        (0.3, "1 in 3"),
        (0.15, "1 in 5"),
        (0.07, "1 in 10"),
        (0.9, "9 in 10"),
        (0.97, "nearly all"),
        (0.01, "very few"),
    ],
)
def test_odds_in_words(p: float, words: str) -> None:
    assert odds_in_words(p) == words
