"""Analytics at scale: each dashboard view over 100,000 local events (SQLite, the services
layer) and over 1,000,000 events of 10,000 learners in a real PostgreSQL (the server's
aggregate functions, called as a manager under row-level security).

    .venv/bin/python -m bench.analytics [--local-events N] [--pg-events N] [--pg-learners N]
                                         [--no-pg] [--runs R]

Targets (issue 13): every view under 200 ms locally, under 500 ms on the server. Each view is
timed ``--runs`` times after one warm-up run; the median is reported. Prints one JSON object
on its last line. Not part of the tests (minutes, and a PostgreSQL cluster of its own).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import app  # noqa: F401  (pydantic first; see app/__init__)
from app.services import accounts, analytics_activity, analytics_drill, analytics_outcomes
from app.services.analytics import Filters
from app.services.context import AppContext
from bench.analytics_world import seed

LOCAL_TARGET_MS = 200.0
SERVER_TARGET_MS = 500.0


def _time(
    fn: Callable[[], Any], runs: int, cpu: dict[str, float] | None = None, key: str = ""
) -> float:
    """Median wall-clock ms of ``runs`` runs after a warm-up; with ``cpu``, also this
    process's median CPU ms (SQLite runs in-process: on a shared machine the CPU time is
    the figure the load of other processes does not inflate)."""
    fn()  # warm-up: caches, statement compilation
    wall, used = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        used.append((time.process_time() - c0) * 1000)
    if cpu is not None:
        cpu[key] = round(statistics.median(used), 1)
    return round(statistics.median(wall), 1)


def _load() -> list[float]:
    import os

    return [round(x, 2) for x in os.getloadavg()]


def local(events: int, runs: int) -> dict[str, Any]:
    learners = max(50, events // 50)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = AppContext.open(Path(tmp) / "bench.db", Path(tmp) / "assets")
        t0 = time.perf_counter()
        w = seed(ctx.db, learners=learners, courses=6, modules=8, events=events)
        seeded_s = round(time.perf_counter() - t0, 1)
        user = accounts.sign_in(ctx.db, w.manager_id)
        f, now = Filters(), w.now
        views: dict[str, Callable[[], Any]] = {
            "completions": lambda: analytics_activity.completions(ctx, user, f, now),
            "funnel": lambda: analytics_activity.funnel(ctx, user, f, now),
            "engagement": lambda: analytics_activity.engagement(ctx, user, f, now),
            "modalities": lambda: analytics_outcomes.modalities(ctx, user, f, now),
            "tutor": lambda: analytics_outcomes.tutor_use(ctx, user, f, now),
            "skill_gaps": lambda: analytics_outcomes.skill_gaps(ctx, user, f, now),
            "compliance": lambda: analytics_outcomes.compliance(ctx, user, f, now),
            "drill_funnel_stopped": lambda: analytics_drill.learners_behind(
                ctx, user, f, now, ("module", w.module_ids[w.course_ids[0]][1]), "stopped"
            ),
        }
        cpu: dict[str, float] = {}
        timings = {k: _time(fn, runs, cpu, k) for k, fn in views.items()}
        ctx.close()
    return {
        "events": w.counts.get("learning_events", 0),
        "learners": learners,
        "seed_s": seeded_s,
        "ms": timings,
        "cpu_ms": cpu,
        "all_under_target": all(v < LOCAL_TARGET_MS for v in timings.values()),
        "all_cpu_under_target": all(v < LOCAL_TARGET_MS for v in cpu.values()),
        "load_average": _load(),
    }


# -- the server ---------------------------------------------------------------------------------
GENERATE = (Path(__file__).with_name("analytics_load.sql")).read_text(encoding="utf-8")

CALLS = {
    "completions": "select * from analytics_completions(now() - interval '84 days', now())",
    "completion_rates": "select * from analytics_completion_rates()",
    "funnel": "select * from analytics_funnel(%(course)s, now() - interval '84 days', now())",
    "engagement": "select * from analytics_engagement(now() - interval '84 days', now())",
    "modalities": "select * from analytics_modalities(now() - interval '84 days', now())",
    "tutor": "select * from analytics_tutor(now() - interval '84 days', now())",
    "skill_gaps": "select * from analytics_skill_gaps()",
    "compliance": "select * from analytics_compliance(now())",
}


def server(events: int, learners: int, runs: int) -> dict[str, Any]:
    import uuid

    import psycopg

    from sync.remote.server_schema import apply_migrations, run_sql_file, supabase_dir
    from tests.sync.pg_cluster import PgCluster

    cluster = PgCluster()
    cluster.start()
    try:
        run_sql_file(cluster.url, supabase_dir() / "test" / "supabase_stand_in.sql")
        apply_migrations(cluster.url)
        org, manager = str(uuid.uuid4()), str(uuid.uuid4())
        t0 = time.perf_counter()
        # client-side binding: the load is several statements with parameters in one go
        with psycopg.connect(
            cluster.url, autocommit=True, cursor_factory=psycopg.ClientCursor
        ) as c:
            c.execute(
                GENERATE, {"org": org, "manager": manager, "learners": learners, "events": events}
            )
            [(n,)] = c.execute("select count(*) from learning_events").fetchall()
            [(course,)] = c.execute(
                "select course_id from learning_events group by 1 order by count(*) desc limit 1"
            ).fetchall()
        load_s = round(time.perf_counter() - t0, 1)
        claims = json.dumps({"sub": manager, "role": "authenticated", "aud": "authenticated"})
        timings: dict[str, float] = {}
        rows: dict[str, int] = {}
        with psycopg.connect(cluster.url) as conn:
            for name, sql in CALLS.items():

                def call(sql: str = sql, name: str = name) -> None:
                    with conn.transaction():
                        conn.execute("set local role authenticated")
                        conn.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
                        rows[name] = len(conn.execute(sql, {"course": course}).fetchall())

                timings[name] = _time(call, runs)
    finally:
        cluster.stop()
    return {
        "events": n,
        "learners": learners,
        "load_s": load_s,
        "ms": timings,
        "rows": rows,
        "load_average": _load(),
        "all_under_target": all(v < SERVER_TARGET_MS for v in timings.values()),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--local-events", type=int, default=100_000)
    ap.add_argument("--pg-events", type=int, default=1_000_000)
    ap.add_argument("--pg-learners", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    out: dict[str, Any] = {"at": datetime.now(UTC).isoformat(timespec="seconds")}
    if not args.no_sqlite:
        out["sqlite"] = local(args.local_events, args.runs)
        print("sqlite", json.dumps(out["sqlite"]), flush=True)
    if not args.no_pg:
        out["postgres"] = server(args.pg_events, args.pg_learners, args.runs)
    out["targets_ms"] = {"sqlite": LOCAL_TARGET_MS, "postgres": SERVER_TARGET_MS}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
