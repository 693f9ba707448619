"""Knowledge tracing: bounded, monotone, fits BKT, and beats the baselines on a simulation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bench._sim_population import simulate_kt_log
from engine.adaptive.events import LearningEvent
from engine.adaptive.knowledge_tracing import (
    BKTModel,
    BKTParams,
    EloModel,
    EloParams,
    LearnerKnowledge,
    MajorityModel,
    Observation,
    bkt_update,
    fit_bkt,
    replay,
    trace_learner,
)
from engine.adaptive.metrics import auc, log_loss, rmse

answers = st.lists(
    st.tuples(st.sampled_from(["i1", "i2", "i3"]), st.booleans(), st.floats(0, 30)),
    min_size=1,
    max_size=30,
)


def _obs(seq: list[tuple[str, bool, float]]) -> list[Observation]:
    t = 0.0
    out = []
    for n, (item, ok, gap) in enumerate(seq):
        t += gap
        out.append(Observation(("s",), item, ok, t, n))
    return out


def _trained_items() -> EloModel:
    model = EloModel(EloParams(), parents={"s": "root"})
    model.items.item_difficulty.update({"i1": -1.0, "i2": 0.0, "i3": 1.5})
    model.items.skill_difficulty["s"] = 0.3
    model.learn_items = False
    return model


@settings(max_examples=200, deadline=None)
@given(answers)
def test_estimates_stay_in_unit_interval(seq: list[tuple[str, bool, float]]) -> None:
    elo, bkt = _trained_items(), BKTModel()
    es, bs = elo.new_learner(), bkt.new_learner()
    for o in _obs(seq):
        for p in (elo.predict(es, o), bkt.predict(bs, o)):
            assert 0.0 <= p <= 1.0
        elo.update(es, o)
        bkt.update(bs, o)
        m = elo.mastery(es, "s", o.at)
        assert 0.0 <= m.proficiency_level <= 1.0
        assert 0.0 <= bkt.mastery(bs, "s") <= 1.0
    assert m.evidence_count == len(seq)


@settings(max_examples=200, deadline=None)
@given(answers, st.data())
def test_more_correct_answers_never_lower_mastery(
    seq: list[tuple[str, bool, float]], data: st.DataObject
) -> None:
    wrong = [i for i, (_, ok, _) in enumerate(seq) if not ok]
    if not wrong:
        return
    flip = data.draw(st.sampled_from(wrong))
    better = list(seq)
    better[flip] = (seq[flip][0], True, seq[flip][2])
    at = sum(g for _, _, g in seq) + data.draw(st.floats(0, 60))
    for params in (EloParams(), EloParams.baseline()):
        results = []
        for s in (seq, better):
            model = _trained_items()
            model.params = params
            state = model.new_learner()
            for o in _obs(s):
                model.update(state, o)
            results.append(model.mastery(state, "s", at).proficiency_level)
        assert results[1] >= results[0] - 1e-12
    prm = BKTParams(0.3, 0.1, 0.2, 0.1)
    ps = []
    for s in (seq, better):
        p = prm.p_init
        for _, ok, _ in s:
            p = bkt_update(p, ok, prm)
        ps.append(p)
    assert ps[1] >= ps[0] - 1e-12


def test_forgetting_lowers_mastery_over_time_but_not_below_the_floor() -> None:
    model = _trained_items()
    state = model.new_learner()
    for n in range(6):
        model.update(state, Observation(("s",), "i2", True, 0.0, n))
    fresh = model.mastery(state, "s", 0.0).proficiency_level
    later = model.mastery(state, "s", 60.0).proficiency_level
    assert later < fresh
    assert later > model.mastery(model.new_learner(), "s", 60.0).proficiency_level


def test_parent_skill_gives_a_child_its_starting_point() -> None:
    model = _trained_items()
    state = model.new_learner()
    for n in range(5):
        model.update(state, Observation(("root",), f"r{n}", True, 0.0, n))
    child = model.mastery(state, "s", 0.0)
    assert child.evidence_count == 0
    no_parent = EloModel(model.params, items=model.items, learn_items=False)
    assert child.proficiency_level > no_parent.mastery(state, "s", 0.0).proficiency_level


def test_bkt_em_recovers_generating_parameters() -> None:
    rng = random.Random(3)
    true = BKTParams(0.3, 0.15, 0.2, 0.1)
    seqs = []
    for _ in range(400):
        known = rng.random() < true.p_init
        seq = []
        for _ in range(12):
            seq.append(rng.random() < (1 - true.p_slip if known else true.p_guess))
            known = known or rng.random() < true.p_learn
        seqs.append(seq)
    fit = fit_bkt(seqs)
    assert abs(fit.p_learn - true.p_learn) < 0.05
    assert abs(fit.p_guess - true.p_guess) < 0.05
    assert abs(fit.p_slip - true.p_slip) < 0.05


def test_models_beat_majority_on_small_simulation() -> None:
    rows, world = simulate_kt_log(seed=5, n_learners=150, n_skills=4)
    logs: dict[str, list[Observation]] = {}
    for r in rows:
        logs.setdefault(str(r["user_id"]), []).append(
            Observation(
                (str(r["skill_id"]),),
                str(r["problem_id"]),
                r["correct"] == 1,
                float(str(r["timestamp"])) / 86_400,
                int(str(r["order_id"])),
            )
        )
    users = sorted(logs)
    random.Random(0).shuffle(users)
    test = [logs[u] for u in users[:30]]
    train = [logs[u] for u in users[30:]]
    scores = {}
    for model in (MajorityModel(), BKTModel(), EloModel(parents=world.skill_parent)):
        model.fit(train)
        probs, labels = replay(model, test)  # type: ignore[arg-type]
        scores[type(model).__name__] = (
            auc(probs, labels),
            rmse(probs, labels),
            log_loss(probs, labels),
        )
    maj, bkt, elo = scores["MajorityModel"], scores["BKTModel"], scores["EloModel"]
    assert elo[0] > maj[0] + 0.1 and elo[1] < maj[1]
    assert bkt[0] > maj[0] and bkt[1] < maj[1]
    assert elo[2] < bkt[2]


def test_trace_learner_from_events_uses_first_attempts() -> None:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    evs = [
        LearningEvent(
            "u",
            "quiz_attempt",
            t0 + timedelta(minutes=i),
            payload={
                "question_id": "q",
                "correct": ok,
                "skill_ids": ["s"],
                "attempt_no": n,
                "selected": [],
            },
        )
        for i, (ok, n) in enumerate([(False, 1), (True, 2), (True, 1), (True, 1)])
    ]
    rows = trace_learner(evs, now=t0 + timedelta(hours=1))
    assert [r.skill_id for r in rows] == ["s"]
    assert rows[0].evidence_count == 3


def test_learner_knowledge_round_trips_through_json() -> None:
    model = _trained_items()
    state = model.new_learner()
    for o in _obs([("i1", True, 1.0), ("i3", False, 2.0)]):
        model.update(state, o)
    assert LearnerKnowledge.from_dict(state.to_dict()) == state


def test_auc_handles_ties_and_single_class() -> None:
    assert auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == 0.75
    assert auc([0.5, 0.5], [True, False]) == 0.5
    assert auc([0.2, 0.9], [True, True]) == 0.5
