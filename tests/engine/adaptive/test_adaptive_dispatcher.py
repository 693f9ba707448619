"""The modality dispatcher."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from engine.adaptive.dispatcher import (
    ModalityBelief,
    recommend,
    rewards_for_event,
    should_switch,
)
from engine.adaptive.events import MODALITIES, LearningEvent

beliefs = st.lists(
    st.tuples(st.sampled_from(MODALITIES), st.floats(0, 5), st.floats(0, 5)), max_size=20
).map(lambda obs: _fold(obs))


def _fold(obs: list[tuple[str, float, float]]) -> ModalityBelief:
    b = ModalityBelief()
    for m, s, f in obs:
        b = b.observe(m, s, f, discount=0.99)  # type: ignore[arg-type]
    return b


@given(beliefs, st.sampled_from(MODALITIES), st.integers(0, 2**32 - 1))
def test_explicit_choice_always_wins(b: ModalityBelief, choice: str, seed: int) -> None:
    rec = recommend(
        b,
        rng=random.Random(seed),
        explicit_choice=choice,  # type: ignore[arg-type]
        exploration=1.0,
    )
    assert rec.modality == choice and rec.source == "explicit"
    assert choice in rec.reason or "reading" in rec.reason or "mind maps" in rec.reason


@given(beliefs, st.integers(0, 2**32 - 1))
def test_recommendation_is_available_and_scores_bounded(b: ModalityBelief, seed: int) -> None:
    avail = ("video", "text", "audio")
    rec = recommend(b, rng=random.Random(seed), available=avail)  # type: ignore[arg-type]
    assert rec.modality in avail and rec.reason
    assert all(0.0 < v < 1.0 for v in rec.scores.values())
    assert ModalityBelief.from_dict(b.to_dict()) == b


def test_thompson_settles_on_the_clearly_best_modality() -> None:
    b = ModalityBelief()
    for _ in range(30):
        b = b.observe("game", 1, 0).observe("text", 0, 1).observe("video", 0.3, 0.7)
    rng = random.Random(1)
    picks = [
        recommend(b, rng=rng, exploration=0.0, available=("game", "text", "video")).modality
        for _ in range(200)
    ]
    assert picks.count("game") > 190
    assert should_switch(b, "text", ("game", "text", "video")) == "game"
    assert should_switch(b, "game") is None


def test_event_rewards() -> None:
    t = datetime(2025, 1, 1, tzinfo=UTC)
    done = LearningEvent("u", "module_complete", t, modality="audio")
    assert [(r.modality, r.success, r.failure) for r in rewards_for_event(done, None)] == [
        ("audio", 1.0, 0.0)
    ]
    sw = LearningEvent("u", "modality_switch", t, payload={"from": "text", "to": "video"})
    assert [(r.modality, r.success, r.failure) for r in rewards_for_event(sw, None)] == [
        ("text", 0.0, 1.0),
        ("video", 1.0, 0.0),
    ]
    quiz = LearningEvent("u", "quiz_attempt", t, payload={"correct": False, "attempt_no": 1})
    assert [(r.modality, r.failure) for r in rewards_for_event(quiz, "mindmap")] == [
        ("mindmap", 0.5)
    ]
    retry = LearningEvent("u", "quiz_attempt", t, payload={"correct": True, "attempt_no": 2})
    assert rewards_for_event(retry, "mindmap") == ()


PLURAL_LABELS = ("Mind maps", "Flashcards", "Games")


def _agrees(reason: str) -> None:
    """No plural modality name with a singular verb or pronoun ("mind maps looks")."""
    lowered = reason.lower()
    for label in PLURAL_LABELS:
        name = label.lower()
        for wrong in (" looks", " has ", " is ", " was "):
            assert f"{name}{wrong}" not in lowered, reason
        if f"chose {name}" in lowered:
            assert lowered.endswith("stick with them."), reason
    assert "worth a try" not in lowered, reason


def test_every_reason_agrees_with_plural_modality_names() -> None:
    seen = set()
    for m in MODALITIES:
        rich = ModalityBelief().observe(m, 6.0, 1.0, discount=1.0)  # type: ignore[arg-type]
        for belief in (ModalityBelief(), rich):
            for current in (None, m):
                for exploration, explicit in ((0.0, None), (1.0, None), (0.0, m)):
                    rec = recommend(
                        belief,
                        rng=random.Random(7),
                        available=(m,),  # type: ignore[arg-type]
                        explicit_choice=explicit,  # type: ignore[arg-type]
                        current=current,  # type: ignore[arg-type]
                        exploration=exploration,
                    )
                    _agrees(rec.reason)
                    seen.add(rec.reason)
    assert "Mind maps have worked best for you" in " ".join(seen)
    assert "You chose flashcards, so we'll stick with them." in seen
    assert "You chose video, so we'll stick with it." in seen
