"""An ensemble of knowledge-tracing models: the mean of their predictions in log-odds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from engine.adaptive.kt_core import Observation, sigmoid


def _logit(p: float) -> float:
    q = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(q / (1.0 - q))


class EnsembleModel:
    """Averages members' log-odds (already fitted members; :meth:`fit` refits them all)."""

    def __init__(self, members: Sequence[Any], *, name: str = "ensemble") -> None:
        self.members = list(members)
        self.name = name

    def fit(self, learners: Sequence[Sequence[Observation]]) -> None:
        for m in self.members:
            m.fit(learners)

    def new_learner(self) -> list[Any]:
        return [m.new_learner() for m in self.members]

    def predict(self, learner: list[Any], obs: Observation) -> float:
        zs = [_logit(m.predict(s, obs)) for m, s in zip(self.members, learner, strict=True)]
        return sigmoid(sum(zs) / len(zs))

    def update(self, learner: list[Any], obs: Observation) -> None:
        for m, s in zip(self.members, learner, strict=True):
            m.update(s, obs)
