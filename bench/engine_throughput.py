"""Engine speed: profile folding (events/s), knowledge-tracing updates/s, next-action latency.

The twin is updated inline as events arrive on the UI thread's side, so each step must cost
microseconds, not milliseconds. The last stdout line is one JSON object.

    .venv/bin/python -m bench.engine_throughput
"""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from engine.adaptive.dispatcher import ModalityBelief, recommend
from engine.adaptive.events import EVENT_TYPES, MODALITIES, LearningEvent
from engine.adaptive.knowledge_tracing import EloModel, Observation, default_model
from engine.adaptive.learner_profile import ProfileState, apply, rebuild
from engine.adaptive.next_action import (
    ComplianceSnapshot,
    EnrollmentSnapshot,
    LearnerSnapshot,
    next_action,
)
from engine.adaptive.skill_gaps import SkillGap

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def make_events(n: int, seed: int = 1) -> list[LearningEvent]:
    rng = random.Random(seed)
    t = T0
    out: list[LearningEvent] = []
    for i in range(n):
        t += timedelta(seconds=rng.choice((20, 60, 300, 3_600, 40_000)))
        kind = rng.choice(EVENT_TYPES)
        payload: dict[str, object] = {}
        if kind == "quiz_attempt":
            payload = {
                "question_id": f"q{i % 50}",
                "selected": ["a"],
                "correct": rng.random() < 0.7,
                "skill_ids": [f"s{i % 7}"],
                "attempt_no": 1,
            }
        elif kind == "modality_switch":
            payload = {"from": rng.choice(MODALITIES), "to": rng.choice(MODALITIES)}
        out.append(
            LearningEvent(
                "u1",
                kind,
                t,
                course_id="c1",
                module_id=f"m{i % 40}",
                payload=payload,
                modality=rng.choice(MODALITIES),
                duration_secs=rng.randint(0, 900),
            )
        )
    return out


def _percentile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> int:
    report: dict[str, object] = {"bench": "engine_throughput"}
    events = make_events(100_000)

    state = ProfileState()
    t = time.perf_counter()
    for ev in events:
        state = apply(state, ev)
    fold = time.perf_counter() - t
    report["profile_apply_events_per_sec"] = round(len(events) / fold)
    t = time.perf_counter()
    rebuilt = rebuild(events)
    report["profile_rebuild_100k_secs"] = round(time.perf_counter() - t, 3)
    report["rebuild_equals_incremental"] = rebuilt == state

    obs = [Observation((f"s{i % 7}",), f"q{i % 50}", i % 3 != 0, i / 100, i) for i in range(50_000)]
    prod = default_model()  # the production model, as the app runs it
    learner = prod.new_learner()
    t = time.perf_counter()
    for o in obs:
        prod.predict(learner, o)
        prod.update(learner, o)
    secs = time.perf_counter() - t
    report["kt_model"] = prod.name
    report["kt_predict_update_per_sec"] = round(len(obs) / secs)
    report["kt_predict_update_us"] = round(secs / len(obs) * 1e6, 2)
    report["kt_state_numbers_per_skill"] = 12
    elo = EloModel()  # the previous production model, for comparison
    elo_state = elo.new_learner()
    t = time.perf_counter()
    for o in obs:
        elo.predict(elo_state, o)
        elo.update(elo_state, o)
    report["kt_elo_predict_update_us"] = round((time.perf_counter() - t) / len(obs) * 1e6, 2)

    belief = ModalityBelief()
    for m in MODALITIES:
        belief = belief.observe(m, 3, 2)
    now = T0 + timedelta(days=30)
    snap = LearnerSnapshot(
        now=now,
        enrollments=tuple(
            EnrollmentSnapshot(
                f"c{i}",
                f"Course {i}",
                "in_progress",
                10.0 * i,
                f"m{i}",
                "Next",
                now + timedelta(days=i - 2),
            )
            for i in range(8)
        ),
        compliance=tuple(
            ComplianceSnapshot(f"k{i}", f"Policy {i}", "pending", now + timedelta(days=3 * i))
            for i in range(4)
        ),
        due_flashcards=17,
        oldest_flashcard_due=now - timedelta(days=2),
        skill_gaps=tuple(
            SkillGap(f"s{i}", i / 12, now - timedelta(days=i), None, 0.8, 0.5) for i in range(12)
        ),
        session_started_at=now - timedelta(minutes=40),
        last_active_at=now - timedelta(minutes=1),
        current_modality="video",
        modality_belief=belief,
    )
    lat: list[float] = []
    for _ in range(5_000):
        t = time.perf_counter()
        next_action(snap)
        lat.append((time.perf_counter() - t) * 1e6)
    report["next_action_latency_us"] = {
        "median": round(statistics.median(lat), 1),
        "p95": round(_percentile(lat, 0.95), 1),
    }
    rng = random.Random(0)
    lat = []
    for _ in range(5_000):
        t = time.perf_counter()
        recommend(belief, rng=rng)
        lat.append((time.perf_counter() - t) * 1e6)
    report["modality_recommend_latency_us"] = {
        "median": round(statistics.median(lat), 1),
        "p95": round(_percentile(lat, 0.95), 1),
    }
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
