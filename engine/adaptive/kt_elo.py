"""Elo-style knowledge tracing (the previous production model, kept for comparison).

With :meth:`EloParams.baseline` it is the plain learner×skill Elo baseline; with the defaults
it adds item difficulty, a global learner ability, asymmetric uncertainty-scaled gains,
time-based forgetting and the skill hierarchy (``parent_skill_id``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from engine.adaptive.kt_core import Observation, SkillMastery, replay
from engine.adaptive.kt_core import sigmoid as _sigmoid

# --------------------------------------------------------------------------------------------
# Elo family (baseline and production model)


@dataclass(frozen=True, slots=True)
class EloParams:
    """Gains and switches of the Elo family.

    A gain ``k`` with uncertainty ``u`` moves an estimate by ``max(k_min, k / (1 + u·n))``
    times the prediction error, where ``n`` counts earlier updates of that estimate — big
    steps while we know little, small ones later. All total gains stay well below 4, which
    keeps every update monotone in the previous estimate (tested).
    """

    k_skill: float = 1.0
    k_min_skill: float = 0.15
    u_skill: float = 0.15
    correct_weight: float = 1.0  # PFA: successes and failures teach different amounts
    wrong_weight: float = 0.6
    k_global: float = 0.4
    u_global: float = 0.02
    k_min_global: float = 0.02
    k_item: float = 0.8
    u_item: float = 0.05
    k_min_item: float = 0.02
    use_item_difficulty: bool = True
    use_global: bool = True
    forgetting_days: float | None = 14.0  # e-folding time of learned gains; None = never
    retained: float = 0.5  # share of a learned gain that is never forgotten
    parent_transfer: float = 0.5  # share of the parent's ability a new child skill starts with

    @staticmethod
    def baseline() -> EloParams:
        """Plain learner×skill Elo with skill difficulty only, constant gain, no forgetting."""
        return EloParams(
            k_skill=0.4,
            k_min_skill=0.4,
            u_skill=0.0,
            correct_weight=1.0,
            wrong_weight=1.0,
            use_item_difficulty=False,
            use_global=False,
            forgetting_days=None,
            parent_transfer=0.0,
        )


@dataclass(slots=True)
class SkillTrace:
    """A learner's ability on one skill (logit scale), relative to the skill's difficulty."""

    ability: float = 0.0
    prior: float = 0.0
    n: int = 0
    last_at: float | None = None


@dataclass(slots=True)
class LearnerKnowledge:
    """Everything the Elo model knows about one learner; JSON-able via :meth:`to_dict`."""

    ability: float = 0.0
    n: int = 0
    skills: dict[str, SkillTrace] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "ability": self.ability,
            "n": self.n,
            "skills": {
                k: {"ability": t.ability, "prior": t.prior, "n": t.n, "last_at": t.last_at}
                for k, t in self.skills.items()
            },
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> LearnerKnowledge:
        skills_raw = raw.get("skills", {})
        assert isinstance(skills_raw, dict)
        skills: dict[str, SkillTrace] = {}
        for k, t in skills_raw.items():
            last = t.get("last_at")
            skills[str(k)] = SkillTrace(
                ability=float(t["ability"]),
                prior=float(t.get("prior", 0.0)),
                n=int(t["n"]),
                last_at=None if last is None else float(last),
            )
        ability = raw.get("ability", 0.0)
        n = raw.get("n", 0)
        assert isinstance(ability, int | float) and isinstance(n, int)
        return cls(ability=float(ability), n=n, skills=skills)


@dataclass(slots=True)
class ItemBank:
    """Difficulties shared by all learners: per skill, and per item as an offset from it."""

    skill_difficulty: dict[str, float] = field(default_factory=dict)
    skill_n: dict[str, int] = field(default_factory=dict)
    item_difficulty: dict[str, float] = field(default_factory=dict)
    item_n: dict[str, int] = field(default_factory=dict)


class EloModel:
    """Elo-style knowledge tracing; see the module docstring for what each part adds.

    ``P(correct) = σ(θ_learner + mean_k(θ_learner,k − d_k) − b_item)``. Mastery of a skill is
    the predicted success on a typical item of it: ``σ(θ_learner + θ_learner,k − d_k)``.
    """

    def __init__(
        self,
        params: EloParams | None = None,
        *,
        items: ItemBank | None = None,
        parents: Mapping[str, str] | None = None,
        learn_items: bool = True,
        name: str | None = None,
    ) -> None:
        self.params = params or EloParams()
        self.items = items or ItemBank()
        self.parents: dict[str, str] = dict(parents or {})
        self.learn_items = learn_items
        self.name = name or ("elo_forgetting" if self.params.use_item_difficulty else "elo")

    # -- state helpers --------------------------------------------------------------------

    def new_learner(self) -> LearnerKnowledge:
        return LearnerKnowledge()

    def _gain(self, k: float, u: float, k_min: float, n: int) -> float:
        return max(k_min, k / (1.0 + u * n))

    def _effective(self, trace: SkillTrace, at: float | None) -> float:
        """Ability after forgetting: only the gain above the prior decays, to a floor."""
        tau = self.params.forgetting_days
        if tau is None or at is None or trace.last_at is None or trace.ability <= trace.prior:
            return trace.ability
        gap = max(0.0, at - trace.last_at)
        keep = self.params.retained + (1.0 - self.params.retained) * math.exp(-gap / tau)
        return trace.prior + (trace.ability - trace.prior) * keep

    def _trace(self, learner: LearnerKnowledge, skill: str, at: float | None) -> SkillTrace:
        trace = learner.skills.get(skill)
        if trace is not None:
            return trace
        prior = 0.0
        parent = self.parents.get(skill)
        if parent is not None and self.params.parent_transfer > 0:
            ptrace = learner.skills.get(parent)
            if ptrace is not None:
                prior = self.params.parent_transfer * self._effective(ptrace, at)
        return SkillTrace(ability=prior, prior=prior)

    def _logit(self, learner: LearnerKnowledge, obs: Observation) -> float:
        base = learner.ability if self.params.use_global else 0.0
        if obs.skill_ids:
            parts = [
                self._effective(self._trace(learner, k, obs.at), obs.at)
                - self.items.skill_difficulty.get(k, 0.0)
                for k in obs.skill_ids
            ]
            base += sum(parts) / len(parts)
        if self.params.use_item_difficulty:
            base -= self.items.item_difficulty.get(obs.item_id, 0.0)
        return base

    # -- protocol -------------------------------------------------------------------------

    def predict(self, learner: LearnerKnowledge, obs: Observation) -> float:
        return _sigmoid(self._logit(learner, obs))

    def update(self, learner: LearnerKnowledge, obs: Observation) -> None:
        prm = self.params
        p = self.predict(learner, obs)
        err = (1.0 - p) * prm.correct_weight if obs.correct else -p * prm.wrong_weight
        plain_err = (1.0 if obs.correct else 0.0) - p
        share = 1.0 / len(obs.skill_ids) if obs.skill_ids else 0.0
        for k in obs.skill_ids:
            trace = self._trace(learner, k, obs.at)
            eff = self._effective(trace, obs.at)
            gain = self._gain(prm.k_skill, prm.u_skill, prm.k_min_skill, trace.n)
            learner.skills[k] = SkillTrace(
                ability=eff + gain * err * share,
                prior=trace.prior,
                n=trace.n + 1,
                last_at=obs.at if obs.at is not None else trace.last_at,
            )
            if self.learn_items:
                n_k = self.items.skill_n.get(k, 0)
                g_k = self._gain(prm.k_item, prm.u_item, prm.k_min_item, n_k)
                d = self.items.skill_difficulty.get(k, 0.0)
                self.items.skill_difficulty[k] = d - g_k * plain_err * share
                self.items.skill_n[k] = n_k + 1
        if prm.use_global:
            g_u = self._gain(prm.k_global, prm.u_global, prm.k_min_global, learner.n)
            learner.ability += g_u * err
            learner.n += 1
        if prm.use_item_difficulty and self.learn_items:
            n_i = self.items.item_n.get(obs.item_id, 0)
            g_i = self._gain(prm.k_item, prm.u_item, prm.k_min_item, n_i)
            b = self.items.item_difficulty.get(obs.item_id, 0.0)
            self.items.item_difficulty[obs.item_id] = b - g_i * plain_err
            self.items.item_n[obs.item_id] = n_i + 1

    def fit(self, learners: Sequence[Sequence[Observation]], *, epochs: int = 2) -> None:
        """Calibrate the shared difficulties on training learners, then freeze them.

        Difficulties are learned online over ``epochs`` passes (learners restart each pass so
        their early, noisy answers do not bias the items twice). Freezing keeps a replay on
        held-out learners honest: their answers cannot leak into the items they are scored on.
        """
        self.items = ItemBank()
        self.learn_items = True
        for _ in range(epochs):
            for log in learners:
                state = self.new_learner()
                for obs in log:
                    self.update(state, obs)
        self.learn_items = False

    # -- reporting ------------------------------------------------------------------------

    def mastery(
        self, learner: LearnerKnowledge, skill_id: str, at: float | None = None
    ) -> SkillMastery:
        trace = self._trace(learner, skill_id, at)
        logit = (
            (learner.ability if self.params.use_global else 0.0)
            + self._effective(trace, at)
            - self.items.skill_difficulty.get(skill_id, 0.0)
        )
        return SkillMastery(
            skill_id=skill_id,
            proficiency_level=_sigmoid(logit),
            evidence_count=trace.n,
            last_assessed_at=trace.last_at,
            model=self.name,
        )

    def masteries(self, learner: LearnerKnowledge, at: float | None = None) -> list[SkillMastery]:
        return [self.mastery(learner, k, at) for k in sorted(learner.skills)]


def tune_elo(
    train: Sequence[Sequence[Observation]],
    valid: Sequence[Sequence[Observation]],
    *,
    grid: Iterable[EloParams] | None = None,
    parents: Mapping[str, str] | None = None,
) -> EloModel:
    """Pick the Elo parameters with the best validation log-loss (a small, explicit grid)."""
    from engine.adaptive.metrics import log_loss

    has_clock = any(o.at is not None for log in train for o in log)
    if grid is None:
        base = EloParams()
        taus: list[float | None] = [None, 3.0, 14.0, 60.0] if has_clock else [None]
        grid = [
            replace(base, k_skill=ks, wrong_weight=ww, forgetting_days=tau)
            for ks in (0.6, 1.0)
            for ww in (0.5, 1.0)
            for tau in taus
        ]
    best: tuple[float, EloParams] | None = None
    for prm in grid:
        model = EloModel(prm, parents=parents)
        model.fit(train)
        probs, labels = replay(model, valid)
        score = log_loss(probs, labels)
        if best is None or score < best[0]:
            best = (score, prm)
    assert best is not None
    model = EloModel(best[1], parents=parents)
    model.fit([*train, *valid])
    return model
