"""The world and helpers of the organisation side's server tests (``test_rls_compliance``,
``test_rls_assignments``, ``test_rls_certificates``; migration 20261202000100).

What the role × scope matrix cannot say is tested there: a learner trying to mark their own
compliance record compliant or exempt or to move its due date, the status transitions and
the audit history, completion making a record compliant (late completion shown as late),
overdue by time, assignments with due dates, the signer path for certificates, the key set
and revocation list, and what each role pulls. Each statement runs as PostgREST runs it
(``set local role authenticated`` and the JWT claims) and is committed, so the triggers'
effects are real.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import errors

from tests.sync.conftest import Account, Supabase

JWT = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class W:
    a: str
    b: str
    admin_a: Account
    admin_a2: Account
    manager_a: Account
    creator_a: Account
    creator_a2: Account
    learner_a: Account
    learner_a2: Account
    manager_b: Account
    admin_b: Account
    course_a: str  # published, by creator_a
    course_a2: str  # published, by creator_a2
    draft_a: str
    path_a: str  # published, by creator_a


@pytest.fixture(scope="module", name="w")
def org_world(supabase: Supabase) -> Iterator[W]:
    """Two organisations; A with every role, two creators' published courses, a draft and a
    path. (Modules using it import ``org_world``: pytest finds the fixture as ``w``.)"""
    q = supabase.sql
    a, b = supabase.create_org("Org side A"), supabase.create_org("Org side B")
    u = supabase.create_user
    creator_a, creator_a2 = u("creator", a), u("creator", a)

    def course(by: Account, status: str) -> str:
        [(cid,)] = q(
            "insert into courses (org_id, created_by, title, status) values (%s, %s, 'C', %s)"
            " returning id::text",
            (a, by.id, status),
        )
        return str(cid)

    c1, c2, d = (
        course(creator_a, "published"),
        course(creator_a2, "published"),
        course(creator_a, "draft"),
    )
    [(path,)] = q(
        "insert into learning_paths (org_id, created_by, title, status, courses)"
        " values (%s, %s, 'P', 'published', %s) returning id::text",
        (a, creator_a.id, json.dumps([{"course_id": c1, "order_index": 0, "is_required": True}])),
    )
    yield W(
        a,
        b,
        u("org_admin", a),
        u("org_admin", a),
        u("manager", a),
        creator_a,
        creator_a2,
        u("learner", a),
        u("learner", a),
        u("manager", b),
        u("org_admin", b),
        c1,
        c2,
        d,
        str(path),
    )


def run(project: Supabase, who: Account, statement: str, params: Any = None) -> list[Any]:
    """One statement as ``who`` through the API roles, committed."""
    claims = {"sub": who.id, "role": "authenticated", "aud": "authenticated", "email": who.email}
    with psycopg.connect(project.admin_url) as conn:
        conn.execute("set local role authenticated")
        conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
        cur = conn.execute(statement, params)
        rows = cur.fetchall() if cur.description else [cur.rowcount]
        conn.commit()
    return rows


def refused(project: Supabase, who: Account, statement: str, params: Any = None) -> str:
    with pytest.raises(errors.InsufficientPrivilege) as info:
        run(project, who, statement, params)
    return str(info.value)


def record(project: Supabase, w: W, learner: Account, due: datetime, **extra: Any) -> str:
    rid = new_id()
    cols = {
        "id": rid,
        "org_id": w.a,
        "user_id": learner.id,
        "course_id": w.course_a,
        "required_by": due,
        "status": "pending",
        **extra,
    }
    run(
        project,
        w.manager_a,
        f"insert into compliance_records ({', '.join(cols)}) values"
        f" ({', '.join(['%s'] * len(cols))})",
        tuple(cols.values()),
    )
    return rid


def history(project: Supabase, rid: str) -> list[tuple[Any, ...]]:
    return project.sql(
        "select from_status, to_status, changed_by::text, reason from compliance_events"
        " where record_id = %s order by changed_at, sync_seq",
        (rid,),
    )


SOON = datetime.now(UTC) + timedelta(days=14)
