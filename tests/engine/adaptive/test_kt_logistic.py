"""Logistic knowledge tracing and the stable BKT: bounded, monotone, replayable, fitted."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bench._sim_population import simulate_kt_log
from engine.adaptive.knowledge_tracing import (
    PRODUCTION_MODEL,
    BKTParams,
    LogisticKT,
    MajorityModel,
    Observation,
    bkt_update,
    default_model,
    fit_bkt,
    replay,
)
from engine.adaptive.kt_bkt import EPS
from engine.adaptive.kt_logistic import SIGNS
from engine.adaptive.metrics import auc, rmse

answers = st.lists(
    st.tuples(st.sampled_from(["s", "t"]), st.booleans()),
    min_size=1,
    max_size=40,
)


def _obs(seq: list[tuple[str, bool]]) -> list[Observation]:
    return [Observation((k,), f"q{n % 5}", ok, float(n), n) for n, (k, ok) in enumerate(seq)]


def _sim_logs(n_learners: int = 120) -> list[list[Observation]]:
    rows, _ = simulate_kt_log(seed=11, n_learners=n_learners, n_skills=4)
    logs: dict[str, list[Observation]] = {}
    for r in rows:
        logs.setdefault(str(r["user_id"]), []).append(
            Observation((str(r["skill_id"]),), str(r["problem_id"]), r["correct"] == 1, None, 0)
        )
    return [logs[u] for u in sorted(logs)]


_FITTED: list[LogisticKT] = []


def _fitted() -> LogisticKT:
    if not _FITTED:
        model = LogisticKT()
        model.fit(_sim_logs())
        _FITTED.append(model)
    return _FITTED[0]


def test_bkt_mastery_never_saturates_so_a_wrong_answer_still_counts() -> None:
    # The old update rounded this run to exactly 1.0, after which nothing moved it.
    prm = BKTParams(0.4, 0.1, 0.2, 0.1)
    p = prm.p_init
    for _ in range(300):
        p = bkt_update(p, True, prm)
    assert p == 1.0 - EPS
    levels = [p]
    for _ in range(8):
        levels.append(bkt_update(levels[-1], False, prm))
    assert all(b < a for a, b in itertools.pairwise(levels))
    assert levels[-1] < 0.5
    q = prm.p_init
    for _ in range(300):
        q = bkt_update(q, False, replace(prm, p_learn=0.0))
    assert q == EPS and bkt_update(q, True, replace(prm, p_learn=0.0)) > q


def test_bkt_em_with_forgetting_recovers_parameters_and_is_not_at_a_cap() -> None:
    rng = random.Random(4)
    true = BKTParams(0.3, 0.2, 0.35, 0.1, 0.05)  # guess above the old 0.3 cap
    seqs = []
    for _ in range(600):
        known = rng.random() < true.p_init
        seq = []
        for _ in range(15):
            seq.append(rng.random() < (1 - true.p_slip if known else true.p_guess))
            known = rng.random() > true.p_forget if known else rng.random() < true.p_learn
        seqs.append(seq)
    fit = fit_bkt(seqs, forgetting=True)
    assert abs(fit.p_guess - true.p_guess) < 0.06
    assert abs(fit.p_slip - true.p_slip) < 0.05
    assert abs(fit.p_learn - true.p_learn) < 0.08
    assert fit.p_forget < 0.15


@settings(max_examples=100, deadline=None)
@given(answers)
def test_logistic_estimates_stay_in_unit_interval(seq: list[tuple[str, bool]]) -> None:
    for model in (default_model(), _fitted()):
        state = model.new_learner()
        for o in _obs(seq):
            assert 0.0 <= model.predict(state, o) <= 1.0
            model.update(state, o)
        for m in model.masteries(state):
            assert 0.0 <= m.proficiency_level <= 1.0
        assert sum(m.evidence_count for m in model.masteries(state)) == len(seq)


@settings(max_examples=150, deadline=None)
@given(answers, st.data())
def test_logistic_more_correct_answers_never_lower_mastery(
    seq: list[tuple[str, bool]], data: st.DataObject
) -> None:
    wrong = [i for i, (_, ok) in enumerate(seq) if not ok]
    if not wrong:
        return
    flip = data.draw(st.sampled_from(wrong))
    better = list(seq)
    better[flip] = (seq[flip][0], True)
    for model in (default_model(), _fitted(), LogisticKT(cross_skill=False)):
        levels = []
        for s in (seq, better):
            state = model.new_learner()
            for o in _obs(s):
                model.update(state, o)
            levels.append({k: model.mastery(state, k).proficiency_level for k in ("s", "t")})
        for k in ("s", "t"):
            assert levels[1][k] >= levels[0][k] - 1e-12


def test_fitted_weights_respect_the_monotone_signs() -> None:
    model = _fitted()
    for name, w in zip(model.feature_names, model.weights.shared, strict=True):
        assert SIGNS[name] * w >= 0.0
    for dev in model.weights.per_skill.values():
        for j, d in zip(model._slope_idx, dev, strict=True):
            assert SIGNS[model.feature_names[j]] * (model.weights.shared[j] + d) >= 0.0


def test_logistic_rebuild_equals_incremental_and_is_deterministic() -> None:
    logs = _sim_logs(30)
    a, b = LogisticKT(), LogisticKT()
    a.fit(logs)
    b.fit(logs)
    assert a.weights == b.weights
    log = logs[0]
    state = a.new_learner()
    for o in log:
        a.update(state, o)
    again = a.new_learner()
    for o in log:
        a.update(again, o)
    assert a.masteries(state) == a.masteries(again)


def test_logistic_beats_majority_on_a_simulation() -> None:
    logs = _sim_logs()
    train, test = logs[:90], logs[90:]
    scores = {}
    for model in (MajorityModel(), LogisticKT(), LogisticKT(cross_skill=False)):
        model.fit(train)
        probs, labels = replay(model, test)  # type: ignore[arg-type]
        scores[model.name] = (auc(probs, labels), rmse(probs, labels))
    assert scores[PRODUCTION_MODEL][0] > scores["base_rate"][0] + 0.05
    assert scores[PRODUCTION_MODEL][1] < scores["base_rate"][1]
    assert scores["logistic_kt_per_skill"][1] < scores["base_rate"][1]


def test_default_model_is_the_production_model_with_shipped_weights() -> None:
    model = default_model({"child": "parent"})
    assert model.name == PRODUCTION_MODEL
    assert any(w != 0.0 for w in model.weights.shared)
    state = model.new_learner()
    fresh = model.mastery(state, "s").proficiency_level
    for n in range(5):
        model.update(state, Observation(("s",), "q", True, float(n), n))
    assert model.mastery(state, "s").proficiency_level > fresh
