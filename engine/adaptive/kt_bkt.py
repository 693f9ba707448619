"""Bayesian Knowledge Tracing (two-state HMM per skill), numerically stable, fitted by EM.

* The posterior is computed in log-odds and kept inside ``[EPS, 1 - EPS]``, so a long run of
  correct answers can no longer round mastery to exactly 1.0 (after which no wrong answer
  could lower it).
* :func:`fit_bkt` runs Baum–Welch EM as pyBKT does, vectorised over a skill's sequences with
  numpy, from several fixed starting points, and keeps the fit with the best likelihood.
  Bounds are wide (guess and slip up to 0.5 rather than capped at 0.3) and a fit where
  "mastered" would predict no better than "not mastered" (guess + slip >= 1) is rejected.
* ``forgetting=True`` adds pyBKT's per-opportunity forgetting ``P(F)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

from engine.adaptive.kt_core import Observation, clip

EPS = 1e-6  # mastery stays in [EPS, 1 - EPS]


@dataclass(frozen=True, slots=True)
class BKTParams:
    """P(L0) prior mastery, P(T) learning, P(G) guess, P(S) slip, P(F) forgetting."""

    p_init: float = 0.4
    p_learn: float = 0.1
    p_guess: float = 0.2
    p_slip: float = 0.1
    p_forget: float = 0.0


BKT_BOUNDS = {
    "p_init": (1e-3, 1.0 - 1e-3),
    "p_learn": (1e-4, 0.9),
    "p_guess": (1e-3, 0.5),
    "p_slip": (1e-3, 0.5),
    "p_forget": (0.0, 0.5),
}

# Fixed, spread-out starting points (deterministic; several local optima are common).
_STARTS = (
    BKTParams(0.4, 0.1, 0.2, 0.1, 0.02),
    BKTParams(0.2, 0.3, 0.3, 0.05, 0.05),
    BKTParams(0.7, 0.05, 0.1, 0.25, 0.01),
    BKTParams(0.5, 0.2, 0.4, 0.2, 0.1),
)


def bkt_predict(p_mastery: float, params: BKTParams) -> float:
    """P(correct) given P(mastered)."""
    return p_mastery * (1.0 - params.p_slip) + (1.0 - p_mastery) * params.p_guess


def bkt_update(p_mastery: float, correct: bool, params: BKTParams) -> float:
    """Bayes posterior on the answer (in log-odds), then the learning/forgetting transition.

    Monotone in ``p_mastery`` whenever ``p_learn + p_forget <= 1``, and never returns exactly
    0 or 1, so every later answer still moves the estimate.
    """
    p = clip(p_mastery, EPS, 1.0 - EPS)
    g = clip(params.p_guess, 1e-9, 1.0 - 1e-9)
    s = clip(params.p_slip, 1e-9, 1.0 - 1e-9)
    lr = math.log1p(-s) - math.log(g) if correct else math.log(s) - math.log1p(-g)
    lo = clip(math.log(p) - math.log1p(-p) + lr, -40.0, 40.0)
    post = 1.0 / (1.0 + math.exp(-lo))
    nxt = post * (1.0 - params.p_forget) + (1.0 - post) * params.p_learn
    return clip(nxt, EPS, 1.0 - EPS)


def _em(
    y: list[np.ndarray], iterations: int, tol: float, start: BKTParams, forgetting: bool
) -> tuple[BKTParams, float]:
    """EM from one start. ``y[t]`` holds step ``t`` of every sequence still running (longest
    first), so step ``t + 1``'s rows are a prefix of step ``t``'s."""
    import numpy as np  # fitting only: predicting and updating need no numpy

    l0, tr, g, s = start.p_init, start.p_learn, start.p_guess, start.p_slip
    fg = start.p_forget if forgetting else 0.0
    prev = -math.inf
    ll = -math.inf
    for _ in range(iterations):
        a = np.array([[1.0 - tr, tr], [fg, 1.0 - fg]])
        em = [np.stack([np.where(yt, g, 1.0 - g), np.where(yt, 1.0 - s, s)], axis=1) for yt in y]
        alpha: list[np.ndarray] = []
        cs: list[np.ndarray] = []
        f = em[0] * np.array([1.0 - l0, l0])
        for t in range(len(y)):
            if t > 0:
                f = (alpha[t - 1][: len(y[t])] @ a) * em[t]
            c = f.sum(axis=1)
            cs.append(c)
            alpha.append(f / c[:, None])
        ll = float(sum(np.log(c).sum() for c in cs))
        beta = np.ones((len(y[-1]), 2))
        g_num = g_den = s_num = s_den = 0.0
        x01 = x10 = from0 = from1 = 0.0
        gamma0 = np.zeros(2)
        for t in range(len(y) - 1, -1, -1):
            n_t = len(y[t])
            if t < len(y) - 1:
                n1 = len(y[t + 1])
                eb = em[t + 1] * beta / cs[t + 1][:, None]
                xi = alpha[t][:n1, :, None] * a[None, :, :] * eb[:, None, :]
                x01 += float(xi[:, 0, 1].sum())
                x10 += float(xi[:, 1, 0].sum())
                from0 += float(xi[:, 0, :].sum())
                from1 += float(xi[:, 1, :].sum())
                nb = np.ones((n_t, 2))
                nb[:n1] = eb @ a.T
                beta = nb
            gam = alpha[t] * beta
            gam /= gam.sum(axis=1, keepdims=True)
            yt = y[t]
            g_den += float(gam[:, 0].sum())
            s_den += float(gam[:, 1].sum())
            g_num += float(gam[yt, 0].sum())
            s_num += float(gam[~yt, 1].sum())
            if t == 0:
                gamma0 = gam.mean(axis=0)
        b = BKT_BOUNDS
        l0 = clip(float(gamma0[1]), *b["p_init"])
        tr = clip(x01 / from0 if from0 > 0 else tr, *b["p_learn"])
        fg = clip(x10 / from1 if from1 > 0 else fg, *b["p_forget"]) if forgetting else 0.0
        g = clip(g_num / g_den if g_den > 0 else g, *b["p_guess"])
        s = clip(s_num / s_den if s_den > 0 else s, *b["p_slip"])
        if abs(ll - prev) < tol * max(1.0, abs(ll)):
            break
        prev = ll
    return BKTParams(l0, tr, g, s, fg), ll


def fit_bkt(
    sequences: Sequence[Sequence[bool]],
    *,
    start: BKTParams | None = None,
    iterations: int = 40,
    tol: float = 1e-6,
    forgetting: bool = False,
) -> BKTParams:
    """Fit one skill's BKT parameters by Baum–Welch EM from several starts (plus ``start``).

    Returns the start with the highest likelihood among the non-degenerate fits
    (``p_guess + p_slip < 1``).
    """
    import numpy as np  # fitting only: predicting and updating need no numpy

    seqs = sorted((list(s) for s in sequences if s), key=len, reverse=True)
    if not seqs:
        return start or BKTParams()
    arr = [np.array([s[t] for s in seqs if len(s) > t], dtype=bool) for t in range(len(seqs[0]))]
    best: tuple[float, BKTParams] | None = None
    for st in (*((start,) if start else ()), *_STARTS):
        prm, ll = _em(arr, iterations, tol, st, forgetting)
        if prm.p_guess + prm.p_slip >= 1.0:
            continue
        if best is None or ll > best[0]:
            best = (ll, prm)
    return best[1] if best else (start or BKTParams())


class BKTModel:
    """Per-skill BKT; skills unseen in training use parameters fitted on all skills pooled."""

    def __init__(
        self,
        params: Mapping[str, BKTParams] | None = None,
        *,
        forgetting: bool = False,
        name: str | None = None,
    ) -> None:
        self.params: dict[str, BKTParams] = dict(params or {})
        self.default = BKTParams()
        self.forgetting = forgetting
        self.name = name or ("bkt_forgetting" if forgetting else "bkt")

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
        self.default = fit_bkt(pooled, iterations=20, forgetting=self.forgetting)
        for k, seqs in by_skill.items():
            if len(seqs) >= min_sequences:
                self.params[k] = fit_bkt(seqs, start=self.default, forgetting=self.forgetting)

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
