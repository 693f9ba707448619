"""Knowledge tracing: how well does a learner know each skill, and how sure are we?

Three models share one small protocol so they can be replayed on the same log and compared:

* :class:`MajorityModel` — the training base rate; the floor any model must beat.
* :class:`BKTModel` — classic Bayesian Knowledge Tracing (two-state HMM per skill), fitted
  per skill by Baum–Welch EM with the usual guess/slip bounds.
* :class:`EloModel` — Elo-style ability tracking. With :meth:`EloParams.baseline` it is the
  plain learner×skill Elo/PFA baseline; with the defaults it is the production model, which
  adds what BKT and plain Elo lack and real learners show:

  - *item difficulty* (two questions on one skill are not equally hard),
  - a *global learner ability* shared by all skills (cold start on a new skill),
  - *asymmetric, uncertainty-scaled gains* (PFA's separate success/failure weights; fast
    moves while evidence is thin, steadier once it accumulates),
  - *forgetting*: learned gains decay towards a retained floor with time since practice,
  - the *skill hierarchy*: a learner's first estimate on a child skill starts from what we
    already know of its ``parent_skill_id``.

The production choice is made on evidence: ``bench/kt_eval.py`` replays the same split
through all three and the forgetting Elo model wins on AUC and RMSE (see its output), so
:func:`default_model` returns it. BKT stays available for skills where a teacher wants its
interpretable parameters.

All updates are O(number of skills on the item), so tracing runs inline as answers arrive.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol, TypeVar

from engine.adaptive.events import LearningEvent

_SECONDS_PER_DAY = 86_400.0


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _clip(x: float, lo: float, hi: float) -> float:
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
    model: str = "elo_forgetting"


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


# --------------------------------------------------------------------------------------------
# Majority / base-rate baseline


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


# --------------------------------------------------------------------------------------------
# Bayesian Knowledge Tracing


@dataclass(frozen=True, slots=True)
class BKTParams:
    """P(L0) prior mastery, P(T) learning per opportunity, P(G) guess, P(S) slip."""

    p_init: float = 0.4
    p_learn: float = 0.1
    p_guess: float = 0.2
    p_slip: float = 0.1


# Bounds keep EM away from the degenerate fits (guess or slip above 0.3 means "mastered"
# no longer predicts success), following Baker, Corbett & Aleven (2008).
_BKT_BOUNDS = {
    "p_init": (0.01, 0.99),
    "p_learn": (0.001, 0.5),
    "p_guess": (0.01, 0.3),
    "p_slip": (0.01, 0.3),
}


def bkt_predict(p_mastery: float, params: BKTParams) -> float:
    """P(correct) given P(mastered)."""
    return p_mastery * (1.0 - params.p_slip) + (1.0 - p_mastery) * params.p_guess


def bkt_update(p_mastery: float, correct: bool, params: BKTParams) -> float:
    """Bayes posterior on the answer, then the learning transition."""
    if correct:
        num = p_mastery * (1.0 - params.p_slip)
        den = num + (1.0 - p_mastery) * params.p_guess
    else:
        num = p_mastery * params.p_slip
        den = num + (1.0 - p_mastery) * (1.0 - params.p_guess)
    post = num / den if den > 0 else p_mastery
    return post + (1.0 - post) * params.p_learn


def fit_bkt(
    sequences: Sequence[Sequence[bool]],
    *,
    start: BKTParams | None = None,
    iterations: int = 30,
    tol: float = 1e-6,
) -> BKTParams:
    """Fit one skill's BKT parameters by Baum–Welch EM (scaled forward–backward).

    States are 0 = not mastered, 1 = mastered; no forgetting (classic BKT). Parameters are
    clipped to :data:`_BKT_BOUNDS` after each M-step.
    """
    p = start or BKTParams()
    seqs = [s for s in sequences if s]
    if not seqs:
        return p
    prev_ll = -math.inf
    for _ in range(iterations):
        l0, t, g, s = p.p_init, p.p_learn, p.p_guess, p.p_slip
        sum_g0 = 0.0
        n0 = 0.0
        sum_to1 = 0.0
        sum_from0 = 0.0
        guess_num = 0.0
        guess_den = 0.0
        slip_num = 0.0
        slip_den = 0.0
        ll = 0.0
        for seq in seqs:
            n = len(seq)
            # emission probabilities per step: (P(y|unknown), P(y|known))
            e0 = [g if y else 1.0 - g for y in seq]
            e1 = [1.0 - s if y else s for y in seq]
            a0 = [0.0] * n
            a1 = [0.0] * n
            c = [0.0] * n
            f0 = (1.0 - l0) * e0[0]
            f1 = l0 * e1[0]
            c[0] = f0 + f1
            a0[0], a1[0] = f0 / c[0], f1 / c[0]
            for k in range(1, n):
                f0 = a0[k - 1] * (1.0 - t) * e0[k]
                f1 = (a0[k - 1] * t + a1[k - 1]) * e1[k]
                c[k] = f0 + f1
                a0[k], a1[k] = f0 / c[k], f1 / c[k]
            ll += sum(math.log(x) for x in c)
            b0 = 1.0
            b1 = 1.0
            for k in range(n - 1, -1, -1):
                g0 = a0[k] * b0
                g1 = a1[k] * b1
                z = g0 + g1
                g0, g1 = g0 / z, g1 / z
                if k == 0:
                    sum_g0 += g1
                    n0 += 1.0
                y = seq[k]
                guess_den += g0
                slip_den += g1
                if y:
                    guess_num += g0
                else:
                    slip_num += g1
                if k > 0:
                    # xi(k-1 -> k) for the 0 -> 1 transition, and gamma_{k-1}(0)
                    xi01 = a0[k - 1] * t * e1[k] * b1 / c[k]
                    xi00 = a0[k - 1] * (1.0 - t) * e0[k] * b0 / c[k]
                    xi11 = a1[k - 1] * e1[k] * b1 / c[k]
                    zt = xi01 + xi00 + xi11
                    if zt > 0:
                        sum_to1 += xi01 / zt
                        sum_from0 += (xi01 + xi00) / zt
                    nb0 = ((1.0 - t) * e0[k] * b0 + t * e1[k] * b1) / c[k]
                    nb1 = e1[k] * b1 / c[k]
                    b0, b1 = nb0, nb1
        new = BKTParams(
            p_init=sum_g0 / n0,
            p_learn=sum_to1 / sum_from0 if sum_from0 > 0 else t,
            p_guess=guess_num / guess_den if guess_den > 0 else g,
            p_slip=slip_num / slip_den if slip_den > 0 else s,
        )
        p = BKTParams(**{k: _clip(getattr(new, k), *_BKT_BOUNDS[k]) for k in _BKT_BOUNDS})
        if abs(ll - prev_ll) < tol * max(1.0, abs(ll)):
            break
        prev_ll = ll
    return p


class BKTModel:
    """Per-skill BKT; skills unseen in training use parameters fitted on all skills pooled."""

    name = "bkt"

    def __init__(self, params: Mapping[str, BKTParams] | None = None) -> None:
        self.params: dict[str, BKTParams] = dict(params or {})
        self.default = BKTParams()

    def fit(self, learners: Sequence[Sequence[Observation]], *, min_sequences: int = 5) -> None:
        by_skill: dict[str, list[list[bool]]] = {}
        for log in learners:
            per: dict[str, list[bool]] = {}
            for o in log:
                for k in o.skill_ids:
                    per.setdefault(k, []).append(o.correct)
            for k, seq in per.items():
                by_skill.setdefault(k, []).append(seq)
        pooled = [seq for seqs in by_skill.values() for seq in seqs]
        self.default = fit_bkt(pooled, iterations=15)
        for k, seqs in by_skill.items():
            if len(seqs) >= min_sequences:
                self.params[k] = fit_bkt(seqs, start=self.default)

    def new_learner(self) -> dict[str, float]:
        return {}

    def _p(self, k: str) -> BKTParams:
        return self.params.get(k, self.default)

    def predict(self, learner: dict[str, float], obs: Observation) -> float:
        if not obs.skill_ids:
            return bkt_predict(self.default.p_init, self.default)
        ps = [bkt_predict(learner.get(k, self._p(k).p_init), self._p(k)) for k in obs.skill_ids]
        return sum(ps) / len(ps)

    def update(self, learner: dict[str, float], obs: Observation) -> None:
        for k in obs.skill_ids:
            prm = self._p(k)
            learner[k] = bkt_update(learner.get(k, prm.p_init), obs.correct, prm)

    def mastery(self, learner: dict[str, float], skill_id: str) -> float:
        return learner.get(skill_id, self._p(skill_id).p_init)


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


def default_model(parents: Mapping[str, str] | None = None) -> EloModel:
    """The model the app traces with, chosen on the evidence of ``bench/kt_eval.py``."""
    return EloModel(EloParams(), parents=parents, learn_items=True)


def _days(at: datetime) -> float:
    return at.timestamp() / _SECONDS_PER_DAY


def observations_from_events(events: Iterable[LearningEvent]) -> list[Observation]:
    """The graded first attempts among a learner's events, in time order.

    Retries after feedback are left out: the learner has just been shown the answer, so a
    correct retry says little about mastery and would inflate it.
    """
    out: list[Observation] = []
    for i, ev in enumerate(sorted(events, key=lambda e: e.created_at)):
        if ev.event_type != "quiz_attempt":
            continue
        pl = ev.payload
        if int(pl.get("attempt_no", 1) or 1) > 1 or "correct" not in pl:
            continue
        skills = tuple(str(s) for s in pl.get("skill_ids", []) or [])
        out.append(
            Observation(
                skill_ids=skills,
                item_id=str(pl.get("question_id", "")),
                correct=bool(pl["correct"]),
                at=_days(ev.created_at),
                order=i,
            )
        )
    return out


def trace_learner(
    events: Iterable[LearningEvent],
    model: EloModel | None = None,
    *,
    now: datetime | None = None,
) -> list[SkillMastery]:
    """Replay a learner's quiz history and return one mastery row per skill touched."""
    mdl = model or default_model()
    state = mdl.new_learner()
    for obs in observations_from_events(events):
        mdl.update(state, obs)
    return mdl.masteries(state, _days(now) if now is not None else None)


__all__ = [
    "BKTModel",
    "BKTParams",
    "EloModel",
    "EloParams",
    "ItemBank",
    "KTModel",
    "LearnerKnowledge",
    "MajorityModel",
    "Observation",
    "SkillMastery",
    "SkillTrace",
    "bkt_predict",
    "bkt_update",
    "default_model",
    "fit_bkt",
    "observations_from_events",
    "replay",
    "trace_learner",
    "tune_elo",
]
