"""Logistic knowledge tracing: PFA, R-PFA, best-LR and the production model in one family.

``P(correct) = σ(w · x + v_skill · x_skill)`` where ``x`` is read from a small running
summary of the learner (:class:`SkillCounts` per skill, :class:`LearnerCounts` overall):

* PFA (Pavlik et al. 2009): prior successes and failures on the skill, raw or — as in
  Gervet et al. 2020's "best-LR" — as ``log(1 + count)``;
* R-PFA (Galyardt & Goldin 2015): exponentially weighted recent success rates, here at five
  decays — the recency that makes BKT *with forgetting* strong on skill-builder data;
* the last three answers, and the current run of correct / wrong answers (log and ≥1/2/3);
* with ``cross_skill=True``, the learner's record over all and over their *other* skills:
  counts, smoothed success rates (also times "first attempt on this skill" — a learner's
  cold start on a new skill), recency-weighted rates, how many skills they have practised.

Each skill has its own intercept (its difficulty) and its own slopes on :attr:`per_skill`
features, shrunk towards the shared weights by an L2 penalty; a skill not seen in training
uses the shared weights. :meth:`LogisticKT.fit` is Newton's method on the penalised
log-likelihood with the Hessian assembled per skill block (numpy). Every feature moves one
way when a wrong answer is turned into a right one, so the fit pins to zero any shared
weight whose sign would let a correct answer *lower* a prediction (worst first, refitting
in between) and clips per-skill slopes the same way: mastery is monotone in the answers.

Per learner the state is a dozen numbers per skill; an update is a few arithmetic steps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

from engine.adaptive.kt_core import Observation, SkillMastery, sigmoid

DECAYS = (0.3, 0.5, 0.7, 0.85, 0.95)

SKILL_FEATURES = (
    "bias",
    "successes",
    "failures",
    "log_successes",
    "log_failures",
    "first_attempt",
    *(f"recent_{d}" for d in DECAYS),
    "last_1",
    "last_2",
    "last_3",
    "log_correct_run",
    "log_wrong_run",
    "correct_run_1",
    "correct_run_2",
    "correct_run_3",
    "wrong_run_1",
    "wrong_run_2",
    "wrong_run_3",
    "log_attempts",
)
CROSS_FEATURES = (
    "log_all_successes",
    "log_all_failures",
    "all_rate",
    "log_other_successes",
    "log_other_failures",
    "other_rate",
    "first_attempt_x_other_rate",
    *(f"overall_recent_{d}" for d in DECAYS),
    "log_other_skills",
)
ALL_FEATURES = SKILL_FEATURES + CROSS_FEATURES

# Direction each feature moves when a wrong answer becomes a right one (0: it does not).
_FAIL = {"failures", "log_failures", "log_wrong_run", "log_all_failures", "log_other_failures"}
_FAIL |= {f"wrong_run_{i}" for i in (1, 2, 3)}
_NEUTRAL = {"bias", "first_attempt", "log_attempts", "log_other_skills"}
SIGNS = {f: (0 if f in _NEUTRAL else -1 if f in _FAIL else 1) for f in ALL_FEATURES}

# Model family presets: (features used, features with per-skill slopes)
PRESETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pfa": (("bias", "successes", "failures"), ("bias", "successes", "failures")),
    "r_pfa": (
        ("bias", "successes", "failures", "first_attempt", "recent_0.7"),
        ("bias", "successes", "failures", "recent_0.7"),
    ),
    "best_lr": (
        ("bias", "log_successes", "log_failures", "log_all_successes", "log_all_failures"),
        ("bias",),
    ),
    "logistic_kt": (
        (
            *(f for f in SKILL_FEATURES if f not in ("successes", "failures")),
            *(f for f in CROSS_FEATURES if f not in ("overall_recent_0.5", "overall_recent_0.85")),
        ),
        ("bias", "first_attempt", "log_attempts", "recent_0.85"),
    ),
}


@dataclass(slots=True)
class SkillCounts:
    """A learner's running summary on one skill."""

    n: int = 0
    successes: int = 0
    recent: list[float] = field(default_factory=lambda: [0.0] * len(DECAYS))
    last: list[int] = field(default_factory=list)  # up to three, most recent last; +1 / -1
    correct_run: int = 0
    wrong_run: int = 0
    last_at: float | None = None


@dataclass(slots=True)
class LearnerCounts:
    """Everything the logistic model keeps about one learner."""

    n: int = 0
    successes: int = 0
    recent: list[float] = field(default_factory=lambda: [0.0] * len(DECAYS))
    skills: dict[str, SkillCounts] = field(default_factory=dict)


_EMPTY = SkillCounts()


def _rates(recent: list[float], n: int) -> list[float]:
    """Recency-weighted success rates: Σ dⁱ·yᵢ / Σ dⁱ over the last ``n`` answers."""
    if n == 0:
        return [0.0] * len(DECAYS)
    return [r * (1.0 - d) / (1.0 - d**n) for r, d in zip(recent, DECAYS, strict=True)]


def features(learner: LearnerCounts, skill: str) -> list[float]:
    """Every feature of :data:`ALL_FEATURES` for the learner's next answer on ``skill``."""
    sc = learner.skills.get(skill, _EMPTY)
    c, f = sc.successes, sc.n - sc.successes
    last, cr, wr = sc.last, sc.correct_run, sc.wrong_run
    first = 1.0 if sc.n == 0 else 0.0
    oc = learner.successes - c
    of = learner.n - learner.successes - f
    rate = (oc + 2.0) / (oc + of + 3.0)
    return [
        1.0,
        float(c),
        float(f),
        math.log1p(c),
        math.log1p(f),
        first,
        *_rates(sc.recent, sc.n),
        float(last[-1]) if len(last) >= 1 else 0.0,
        float(last[-2]) if len(last) >= 2 else 0.0,
        float(last[-3]) if len(last) >= 3 else 0.0,
        math.log1p(cr),
        math.log1p(wr),
        float(cr >= 1),
        float(cr >= 2),
        float(cr >= 3),
        float(wr >= 1),
        float(wr >= 2),
        float(wr >= 3),
        math.log1p(sc.n),
        math.log1p(learner.successes),
        math.log1p(learner.n - learner.successes),
        (learner.successes + 2.0) / (learner.n + 3.0),
        math.log1p(oc),
        math.log1p(of),
        rate,
        first * rate,
        *_rates(learner.recent, learner.n),
        math.log1p(len(learner.skills) - (1 if sc.n else 0)),
    ]


def observe(learner: LearnerCounts, obs: Observation) -> None:
    """Fold one answer into the learner's summary."""
    y = 1.0 if obs.correct else 0.0
    for k in obs.skill_ids:
        sc = learner.skills.get(k)
        if sc is None:
            sc = learner.skills[k] = SkillCounts()
        sc.n += 1
        sc.successes += int(obs.correct)
        sc.recent = [r * d + y for r, d in zip(sc.recent, DECAYS, strict=True)]
        sc.last = [*sc.last[-2:], 1 if obs.correct else -1]
        sc.correct_run = sc.correct_run + 1 if obs.correct else 0
        sc.wrong_run = 0 if obs.correct else sc.wrong_run + 1
        if obs.at is not None:
            sc.last_at = obs.at
    learner.n += 1
    learner.successes += int(obs.correct)
    learner.recent = [r * d + y for r, d in zip(learner.recent, DECAYS, strict=True)]


@dataclass(frozen=True, slots=True)
class LogisticWeights:
    """Shared weights (one per used feature) and per-skill deviations on the slope set."""

    shared: tuple[float, ...]
    per_skill: Mapping[str, tuple[float, ...]] = field(default_factory=dict)


def _newton(
    x: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray,
    groups: list[tuple[int, int]],
    cols: list[int],
    free: np.ndarray,
    l2: tuple[float, float],
    w: np.ndarray,
    v: np.ndarray,
    iterations: int = 30,
) -> tuple[np.ndarray, np.ndarray]:
    """Penalised logistic regression with per-group deviations; rows sorted by group."""
    import numpy as np  # fitting only: predicting and updating need no numpy

    d, m, g = x.shape[1], len(cols), len(groups)
    n_par = d + g * m
    total = float(sw.sum())
    mask = np.concatenate([free, np.ones(g * m, dtype=bool)])

    def logits(w: np.ndarray, v: np.ndarray) -> np.ndarray:
        z: np.ndarray = x @ w
        for gi, (a, b) in enumerate(groups):
            z[a:b] += x[a:b, cols] @ v[gi]
        return z

    def objective(z: np.ndarray, w: np.ndarray, v: np.ndarray) -> float:
        nll = np.logaddexp(0.0, z) - y * z  # -log-likelihood, stable for any z
        pen = 0.5 * (l2[0] * float(w @ w) + l2[1] * float((v * v).sum()))
        return float(sw @ nll) / total + pen

    z = logits(w, v)
    obj = objective(z, w, v)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))
        r = sw * (p - y) / total
        h = sw * p * (1.0 - p) / total
        grad = np.zeros(n_par)
        hess = np.zeros((n_par, n_par))
        grad[:d] = x.T @ r + l2[0] * w
        hess[:d, :d] = (x * h[:, None]).T @ x + l2[0] * np.eye(d)
        for gi, (a, b) in enumerate(groups):
            zs = x[a:b, cols]
            hz = zs * h[a:b, None]
            o = d + gi * m
            grad[o : o + m] = zs.T @ r[a:b] + l2[1] * v[gi]
            hess[o : o + m, o : o + m] = hz.T @ zs + l2[1] * np.eye(m)
            hess[:d, o : o + m] = x[a:b].T @ hz
            hess[o : o + m, :d] = hess[:d, o : o + m].T
        step = np.zeros(n_par)
        step[mask] = np.linalg.solve(hess[np.ix_(mask, mask)], grad[mask])
        t = 1.0
        for _ in range(20):  # damped Newton: halve the step until the objective drops
            nw, nv = w - t * step[:d], v - t * step[d:].reshape(g, m)
            nz = logits(nw, nv)
            nobj = objective(nz, nw, nv)
            if nobj <= obj + 1e-12:
                break
            t *= 0.5
        else:
            break
        w, v, z = nw, nv, nz
        converged = obj - nobj < 1e-10
        obj = nobj
        if converged or float(np.abs(t * step).max()) < 1e-6:
            break
    return w, v


class LogisticKT:
    """Logistic knowledge tracing (see the module docstring); protocol of ``KTModel``.

    ``preset`` picks the feature set from :data:`PRESETS`; ``cross_skill=False`` drops the
    features built from the learner's other skills (the per-skill-only form).
    """

    def __init__(
        self,
        preset: str = "logistic_kt",
        *,
        cross_skill: bool = True,
        weights: LogisticWeights | None = None,
        l2_shared: float = 1e-7,
        l2_skill: float = 3e-6,
        name: str | None = None,
    ) -> None:
        used, slopes = PRESETS[preset]
        if not cross_skill:
            used = tuple(f for f in used if f not in CROSS_FEATURES)
        self.preset = preset
        self.cross_skill = cross_skill
        self.feature_names = used
        self.slope_names = tuple(f for f in slopes if f in used)
        self._idx = [ALL_FEATURES.index(f) for f in used]
        self._slope_idx = [used.index(f) for f in self.slope_names]
        self.l2 = (l2_shared, l2_skill)
        self.weights = weights or LogisticWeights(tuple([0.0] * len(used)))
        if len(self.weights.shared) != len(used):
            raise ValueError("weights do not match the feature set")
        self.name = name or (preset if cross_skill else f"{preset}_per_skill")

    # -- protocol -------------------------------------------------------------------------

    def new_learner(self) -> LearnerCounts:
        return LearnerCounts()

    def _x(self, learner: LearnerCounts, skill: str) -> list[float]:
        allf = features(learner, skill)
        return [allf[i] for i in self._idx]

    def skill_logit(self, learner: LearnerCounts, skill: str) -> float:
        x = self._x(learner, skill)
        z = math.fsum(a * b for a, b in zip(self.weights.shared, x, strict=True))
        dev = self.weights.per_skill.get(skill)
        if dev is not None:
            z += math.fsum(dv * x[j] for dv, j in zip(dev, self._slope_idx, strict=True))
        return z

    def predict(self, learner: LearnerCounts, obs: Observation) -> float:
        if not obs.skill_ids:
            return sigmoid(self.skill_logit(learner, ""))
        zs = [self.skill_logit(learner, k) for k in obs.skill_ids]
        return sigmoid(sum(zs) / len(zs))

    def update(self, learner: LearnerCounts, obs: Observation) -> None:
        observe(learner, obs)

    def fit(self, learners: Sequence[Sequence[Observation]]) -> None:
        """Fit by replaying the training learners (features as they were before each answer).

        A row on several skills counts once in total (weight ``1/len(skills)`` per skill).
        """
        import numpy as np  # fitting only: predicting and updating need no numpy

        rows: dict[str, list[list[float]]] = {}
        ys: dict[str, list[float]] = {}
        sws: dict[str, list[float]] = {}
        for log in learners:
            state = self.new_learner()
            i = 0
            while i < len(log):
                j = i
                while j + 1 < len(log) and log[j + 1].order == log[i].order:
                    j += 1
                for obs in log[i : j + 1]:
                    for k in obs.skill_ids:
                        rows.setdefault(k, []).append(self._x(state, k))
                        ys.setdefault(k, []).append(1.0 if obs.correct else 0.0)
                        sws.setdefault(k, []).append(1.0 / len(obs.skill_ids))
                for obs in log[i : j + 1]:
                    observe(state, obs)
                i = j + 1
        skills = sorted(rows)
        if not skills:
            return
        groups: list[tuple[int, int]] = []
        start = 0
        for k in skills:
            groups.append((start, start + len(rows[k])))
            start += len(rows[k])
        x = np.array([r for k in skills for r in rows[k]], dtype=float)
        y = np.array([v for k in skills for v in ys[k]], dtype=float)
        sw = np.array([v for k in skills for v in sws[k]], dtype=float)
        signs = np.array([SIGNS[f] for f in self.feature_names], dtype=float)
        free = np.ones(x.shape[1], dtype=bool)
        w = np.zeros(x.shape[1])
        v = np.zeros((len(skills), len(self._slope_idx)))
        for _ in range(x.shape[1]):
            w, v = _newton(x, y, sw, groups, self._slope_idx, free, self.l2, w, v)
            bad = np.nonzero(free & (signs * w < 0))[0]
            if len(bad) == 0:
                break
            worst = int(bad[np.argmin((signs * w)[bad])])  # pin the worst, refit, repeat
            free[worst] = False
            w[worst] = 0.0
        per: dict[str, tuple[float, ...]] = {}
        for gi, k in enumerate(skills):
            dev = [float(t) for t in v[gi]]
            for jj, j in enumerate(self._slope_idx):  # a skill's total slope keeps its sign
                if signs[j] * (w[j] + dev[jj]) < 0:
                    dev[jj] = -float(w[j])
            per[k] = tuple(dev)
        self.weights = LogisticWeights(tuple(float(t) for t in w), per)

    # -- reporting ------------------------------------------------------------------------

    def mastery(
        self, learner: LearnerCounts, skill_id: str, at: float | None = None
    ) -> SkillMastery:
        """Predicted success on the skill's next question, with the evidence behind it.

        ``at`` is accepted for the common interface; this model has no clock.
        """
        sc = learner.skills.get(skill_id, _EMPTY)
        return SkillMastery(
            skill_id=skill_id,
            proficiency_level=sigmoid(self.skill_logit(learner, skill_id)),
            evidence_count=sc.n,
            last_assessed_at=sc.last_at,
            model=self.name,
        )

    def masteries(self, learner: LearnerCounts, at: float | None = None) -> list[SkillMastery]:
        return [self.mastery(learner, k, at) for k in sorted(learner.skills)]
