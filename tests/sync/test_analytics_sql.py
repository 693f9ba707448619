"""The server's analytics functions (migration 20261202000300) on the real PostgreSQL:

* the same seeded organisation the desktop tests use is copied into the server; each
  function, called as its manager through the API role (``set local role authenticated``
  and the JWT claims, as PostgREST runs it), gives the numbers the desktop's services give
  over the local mirror (one definition of a week, the funnel, a quiz outcome, a gap);
* row-level security decides what they see: a manager of another organisation asking for
  this one gets nothing, a learner only their own activity;
* every function is ``security invoker``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from app.services import accounts
from app.services import analytics_activity as activity
from app.services import analytics_outcomes as outcomes
from app.services.analytics import Filters
from app.services.context import AppContext
from bench.analytics_world import World, seed
from engine.analytics.compliance import DUE_SOON_DAYS
from tests.sync.conftest import Account, Supabase
from tests.sync.org_world import run

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
TABLES = (
    "organisations", "profiles", "org_members", "learner_profiles", "skills", "courses",
    "modules", "learning_paths", "enrollments", "learning_events", "ai_interactions",
    "learner_skills", "skill_gaps", "compliance_records",
)  # fmt: skip
FUNCTIONS = (
    "analytics_people", "analytics_completions", "analytics_completion_rates",
    "analytics_funnel", "analytics_engagement", "analytics_modalities", "analytics_tutor",
    "analytics_skill_gaps", "analytics_compliance",
)  # fmt: skip


@dataclass
class Both:
    ctx: AppContext
    world: World
    manager: Account
    filters: Filters

    @property
    def since(self) -> datetime:
        return self.filters.since

    @property
    def until(self) -> datetime:
        return self.filters.until


def _copy(project: Supabase, db: Path) -> None:
    """Every row of the mirror's tables into the server, as a pull would have them there
    (superuser, replica mode: the server's sync triggers are not the subject here)."""
    src = sqlite3.connect(db)
    src.row_factory = sqlite3.Row
    with psycopg.connect(project.admin_url, autocommit=True) as conn:
        conn.execute("set session_replication_role = replica")
        ids = [r["id"] for r in src.execute("select id from profiles")]
        for uid in ids:
            conn.execute(
                "insert into auth.users (id, email) values (%s, %s)", (uid, f"a-{uid}@example.org")
            )
        for table in TABLES:
            types = dict(
                conn.execute(
                    "select column_name, data_type from information_schema.columns"
                    " where table_schema = 'public' and table_name = %s",
                    (table,),
                ).fetchall()
            )
            for row in src.execute(f"select * from {table}"):
                cols = [c for c in row.keys() if c in types]  # noqa: SIM118 (a Row, not a dict)
                vals = [_value(row[c], types[c]) for c in cols]
                conn.execute(
                    f"insert into {table} ({', '.join(cols)}) values"
                    f" ({', '.join(['%s'] * len(cols))})",
                    vals,
                )
        conn.execute("set session_replication_role = origin")
        conn.execute("select byteos.rebuild_analytics_daily()")  # the copy bypassed its trigger
    src.close()


def _value(v: Any, kind: str) -> Any:
    if v is None:
        return None
    if kind == "boolean":
        return bool(v)
    if kind == "ARRAY":
        return json.loads(v)
    if kind == "jsonb":
        return psycopg.types.json.Jsonb(json.loads(v))
    return v


@pytest.fixture(scope="module")
def both(supabase: Supabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Both]:
    folder = tmp_path_factory.mktemp("analytics-sql")
    ctx = AppContext.open(folder / "byteos.db", folder / "assets")
    world = seed(ctx.db, learners=20, courses=3, modules=4, events=900, seed_value=1302, now=NOW)
    _copy(supabase, folder / "byteos.db")
    manager = Account(world.manager_id, "", "", "manager", world.org_id)
    [(email,)] = supabase.sql("select email from auth.users where id = %s", (world.manager_id,))
    manager.email = email
    yield Both(ctx, world, manager, Filters().validated(NOW.date()))
    ctx.close()


def _call(project: Supabase, who: Account, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return run(project, who, sql, params)


def test_every_analytics_function_is_security_invoker(supabase: Supabase) -> None:
    rows = supabase.sql(
        "select proname, prosecdef from pg_proc where proname = any(%s)", (list(FUNCTIONS),)
    )
    assert {name for name, _ in rows} == set(FUNCTIONS)
    assert [name for name, definer in rows if definer] == []


def test_server_figures_equal_the_desktop_figures(supabase: Supabase, both: Both) -> None:
    ctx, w, f = both.ctx, both.world, both.filters
    local_user = accounts.sign_in(ctx.db, w.manager_id)
    m = both.manager
    # completions per week (the server returns only weeks with completions)
    weeks = dict(
        _call(supabase, m, "select * from analytics_completions(%s, %s)", both.since, both.until)
    )
    local = activity.completions(ctx, local_user, f, NOW)
    assert {wk: n for wk, n in local.weeks if n} == weeks and weeks
    rates = {
        (k, str(i)): (n, d)
        for k, i, n, d in _call(supabase, m, "select * from analytics_completion_rates()")
    }
    assert {tuple(r.key.split(":")): (r.enrolled, r.completed) for r in local.rates} == {
        k: v for k, v in rates.items() if k[1] in {r.key.split(":")[1] for r in local.rates}
    }
    # the funnel of every course
    for course in w.course_ids:
        server = {
            str(mid): (a, b, c, d)
            for mid, a, b, c, d in _call(
                supabase,
                m,
                "select * from analytics_funnel(%s, %s, %s)",
                course,
                both.since,
                both.until,
            )
        }
        fv = activity.funnel(ctx, local_user, Filters(course_id=course), NOW)
        mine = {
            s.module_id: (s.counts.started, s.counts.finished, s.counts.stopped, s.counts.drop_offs)
            for s in fv.funnel.stages
            if s.counts != type(s.counts)()
        }
        assert mine == server, course
    # engagement, modalities, tutor
    eng = {
        wk: (n, secs)
        for wk, n, secs in _call(
            supabase, m, "select * from analytics_engagement(%s, %s)", both.since, both.until
        )
    }
    le = activity.engagement(ctx, local_user, f, NOW)
    assert {x.start: x.active_learners for x in le.weeks if x.active_learners} == {
        k: v[0] for k, v in eng.items()
    }
    assert round(sum(x.minutes for x in le.weeks)) == round(sum(v[1] for v in eng.values()) / 60)
    mods = {
        r[0]: r[1:]
        for r in _call(
            supabase, m, "select * from analytics_modalities(%s, %s)", both.since, both.until
        )
    }
    lm = outcomes.modalities(ctx, local_user, f, NOW)
    assert {
        o.modality: (o.counts.first_attempts, o.counts.correct, o.counts.completions,
                     o.counts.drop_offs, o.counts.learners)
        for o in lm.outcomes
    } == mods  # fmt: skip
    tutor = {
        str(c): rest
        for c, *rest in _call(
            supabase, m, "select * from analytics_tutor(%s, %s)", both.since, both.until
        )
    }
    lt = outcomes.tutor_use(ctx, local_user, f, NOW)
    assert {
        c.course_id: [c.questions, c.learners, c.helpful.hits, c.helpful.total, c.not_covered]
        for c in lt.courses
        if c.questions or c.not_covered
    } == {k: list(v) for k, v in tutor.items()}
    # skill gaps per skill and compliance per course
    gaps = {
        str(s): (n, wide, round(mean, 6))
        for s, n, wide, mean in _call(supabase, m, "select * from analytics_skill_gaps()")
    }
    ls = outcomes.skill_gaps(ctx, local_user, f, NOW)
    assert {r.skill_id: (r.assessed, r.wide, round(r.mean_gap, 6)) for r in ls.heat.skills} == gaps
    comp = {
        str(c): rest
        for c, *rest in _call(
            supabase, m, "select * from analytics_compliance(%s, %s)", NOW, DUE_SOON_DAYS
        )
    }
    lc = outcomes.compliance(ctx, local_user, f, NOW)
    assert {
        c: [t.count(b) for b in ("overdue", "due_soon", "pending", "compliant", "exempt")]
        for c, _, t in lc.per_course
    } == comp


def test_row_level_security_decides_what_each_caller_aggregates(
    supabase: Supabase, both: Both
) -> None:
    w = both.world
    outsider = supabase.create_user("manager", w.other_org_id)
    org, since, until = w.org_id, both.since, both.until
    for sql, params in (
        ("select * from analytics_completions(%s, %s, null, null, %s)", (since, until, org)),
        ("select * from analytics_engagement(%s, %s, null, null, %s)", (since, until, org)),
        (
            "select * from analytics_funnel(%s, %s, %s, null, %s)",
            (w.course_ids[0], since, until, org),
        ),
        ("select * from analytics_skill_gaps(null, null, %s)", (org,)),
        ("select * from analytics_compliance(%s, 14, null, null, %s)", (NOW, org)),
    ):
        assert _call(supabase, outsider, sql, *params) == [], sql
    # their own organisation: the one learner there, and their completion
    assert [
        n
        for _, n in _call(
            supabase,
            outsider,
            "select * from analytics_completions(%s, %s)",
            both.since,
            both.until,
        )
    ] == [1]
    # a learner aggregates their own rows only
    [(email,)] = supabase.sql("select email from auth.users where id = %s", (w.learner_ids[0],))
    learner = Account(w.learner_ids[0], email, "", "learner", w.org_id)
    active = _call(
        supabase, learner, "select * from analytics_engagement(%s, %s)", both.since, both.until
    )
    assert active and all(n == 1 for _, n, _ in active)
    [(mine,)] = supabase.sql(
        "select count(*) from compliance_records where user_id = %s", (w.learner_ids[0],)
    )
    got = _call(supabase, learner, "select * from analytics_compliance(%s)", NOW)
    assert sum(sum(r[1:]) for r in got) == mine


def test_the_daily_rollup_follows_each_new_event(supabase: Supabase, both: Both) -> None:
    """A learner's device pushes an event: the trigger adds it to the rollup, so the
    manager's engagement and modality figures include it at once; nobody writes the rollup
    through the API."""
    w, m = both.world, both.manager
    [(email,)] = supabase.sql("select email from auth.users where id = %s", (w.learner_ids[1],))
    learner = Account(w.learner_ids[1], email, "", "learner", w.org_id)
    at = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)  # a Wednesday of the range
    week = at.date() - timedelta(days=at.weekday())

    def figures() -> tuple[int, int, int]:
        eng = {
            wk: secs
            for wk, _, secs in _call(
                supabase, m, "select * from analytics_engagement(%s, %s)", both.since, both.until
            )
        }
        mods = {
            r[0]: r for r in _call(
                supabase, m, "select * from analytics_modalities(%s, %s)", both.since, both.until
            )
        }  # fmt: skip
        video = mods.get("video", ("video", 0, 0))
        return eng.get(week, 0), video[1], video[2]

    secs, attempts, right = figures()
    run(
        supabase,
        learner,
        "insert into learning_events (user_id, course_id, module_id, event_type, payload,"
        " modality, duration_secs, created_at) values (%s, %s, %s, 'quiz_attempt', %s,"
        " 'video', 45, %s)",
        (
            learner.id,
            w.course_ids[0],
            w.module_ids[w.course_ids[0]][0],
            json.dumps({"question_id": "q9", "correct": True, "attempt_no": 1}),
            at,
        ),
    )
    assert figures() == (secs + 45, attempts + 1, right + 1)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        run(
            supabase,
            learner,
            "update byteos.analytics_daily set events = 0 where user_id = %s",
            (learner.id,),
        )
