"""Event-write throughput: ``record_event`` calls per second, each its own durable
transaction (WAL, synchronous=FULL), including the enrolment recomputation.

    .venv/bin/python -m bench.event_writes [--events N]

Prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import app  # noqa: F401
from app.services import accounts, learning
from app.services.context import AppContext
from app.services.demo import load_demo


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ctx = AppContext.open(Path(tmp) / "bench.db", Path(tmp) / "assets")
        load_demo(ctx)
        user = next(p for p in accounts.list_profiles(ctx.db) if p.role == "learner")
        course = learning.open_course(ctx, user, learning.list_catalogue(ctx, user)[0].id)
        modules = [m.id for m in course.modules]
        lat: list[float] = []
        t0 = time.perf_counter()
        for i in range(args.events):
            s = time.perf_counter()
            learning.record_event(
                ctx,
                user,
                "quiz_attempt",
                course_id=course.id,
                module_id=modules[i % 4],
                duration_secs=12,
                payload={"question_id": "q", "correct": i % 3 != 0},
            )
            lat.append(time.perf_counter() - s)
        total = time.perf_counter() - t0
        t1 = time.perf_counter()
        for _ in range(args.events):
            learning.record_event(ctx, user, "streak_maintained")
        no_course = time.perf_counter() - t1
        ctx.close()
    lat.sort()
    result = {
        "events": args.events,
        "course_events_per_s": round(args.events / total, 1),
        "course_event_latency_ms_median": round(statistics.median(lat) * 1000, 3),
        "course_event_latency_ms_p95": round(lat[int(0.95 * len(lat))] * 1000, 3),
        "plain_events_per_s": round(args.events / no_course, 1),
        "durability": "WAL + synchronous=FULL, one transaction per event",
    }
    for k, v in result.items():
        print(f"{k:36s} {v}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
