"""What every knowledge-tracing model shares: observations, mastery rows, the replay protocol.

Kept apart from the models so :mod:`engine.adaptive.kt_bkt`, :mod:`engine.adaptive.kt_elo`
and :mod:`engine.adaptive.kt_logistic` can import it without importing each other;
:mod:`engine.adaptive.knowledge_tracing` re-exports everything.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar


def sigmoid(x: float) -> float:
    """Logistic function, without overflow for large ``|x|``."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


@dataclass(frozen=True, slots=True)
class Observation:
    """One graded answer.

    ``at`` is in days on any fixed epoch (``None`` when the log has no clock, which disables
    forgetting). ``order`` groups rows that record the *same* answer (ASSISTments duplicates a
    multi-skill answer once per skill): a replay predicts the whole group before updating, so
    no row can peek at its twin.
    """

    skill_ids: tuple[str, ...]
    item_id: str
    correct: bool
    at: float | None = None
    order: int = 0


@dataclass(frozen=True, slots=True)
class SkillMastery:
    """One ``learner_skills`` row: the estimate, the evidence behind it, and when."""

    skill_id: str
    proficiency_level: float
    evidence_count: int
    last_assessed_at: float | None = None
    model: str = "logistic_kt"


S = TypeVar("S")


class KTModel(Protocol[S]):
    """What a replay needs from a model: fit on training learners, then predict-then-update."""

    name: str

    def fit(self, learners: Sequence[Sequence[Observation]]) -> None: ...

    def new_learner(self) -> S: ...

    def predict(self, learner: S, obs: Observation) -> float: ...

    def update(self, learner: S, obs: Observation) -> None: ...


def replay(
    model: KTModel[S], learners: Iterable[Sequence[Observation]]
) -> tuple[list[float], list[bool]]:
    """One-step-ahead predictions for every observation of every (unseen) learner.

    Each learner starts fresh; rows sharing ``order`` are all predicted before any updates.
    """
    probs: list[float] = []
    labels: list[bool] = []
    for log in learners:
        state = model.new_learner()
        i = 0
        while i < len(log):
            j = i
            while j + 1 < len(log) and log[j + 1].order == log[i].order:
                j += 1
            group = log[i : j + 1]
            for obs in group:
                probs.append(model.predict(state, obs))
                labels.append(obs.correct)
            for obs in group:
                model.update(state, obs)
            i = j + 1
    return probs, labels


class MajorityModel:
    """Predicts the training base rate for everyone (``hard=True``: the majority label)."""

    def __init__(self, *, hard: bool = False) -> None:
        self.name = "majority" if hard else "base_rate"
        self.hard = hard
        self.rate = 0.5

    def fit(self, learners: Sequence[Sequence[Observation]]) -> None:
        n = sum(len(log) for log in learners)
        k = sum(1 for log in learners for o in log if o.correct)
        rate = k / n if n else 0.5
        self.rate = (1.0 if rate >= 0.5 else 0.0) if self.hard else rate

    def new_learner(self) -> None:
        return None

    def predict(self, learner: None, obs: Observation) -> float:
        return self.rate

    def update(self, learner: None, obs: Observation) -> None:
        return None
