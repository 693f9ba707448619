"""Row-level security, enforced by PostgreSQL through the PostgREST stand-in.

Every cross-learner and cross-organisation read and write is refused by the server: reads
come back empty, writes fail with 42501 (insert) or touch no row (update/delete).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from postgrest.exceptions import APIError
from supabase import Client, ClientOptions, create_client

from tests.sync.conftest import Account, Supabase


def client_for(project: Supabase, account: Account) -> Client:
    c = create_client(
        project.url,
        project.anon_key,
        ClientOptions(
            auto_refresh_token=False,
            persist_session=False,
            postgrest_client_retry=False,
            httpx_client=httpx.Client(timeout=10),
        ),
    )
    c.auth.sign_in_with_password({"email": account.email, "password": account.password})
    return c


@dataclass
class World:
    org_a: str
    org_b: str
    learner_a: Account
    learner_a2: Account
    creator_a: Account
    manager_a: Account
    learner_b: Account
    creator_b: Account
    course_a: str
    draft_a: str
    course_b: str
    module_a: str
    module_b: str
    event_a2: str
    enrollment_a2: str


@pytest.fixture(scope="module")
def world(supabase: Supabase) -> Iterator[World]:
    org_a, org_b = supabase.create_org("Alpha"), supabase.create_org("Beta")
    la, la2 = supabase.create_user("learner", org_a), supabase.create_user("learner", org_a)
    ca, ma = supabase.create_user("creator", org_a), supabase.create_user("manager", org_a)
    lb, cb = supabase.create_user("learner", org_b), supabase.create_user("creator", org_b)
    ids = [str(uuid.uuid4()) for _ in range(7)]
    course_a, draft_a, course_b, module_a, module_b, event_a2, enr_a2 = ids
    for cid, org, creator, status in (
        (course_a, org_a, ca, "published"),
        (draft_a, org_a, ca, "draft"),
        (course_b, org_b, cb, "published"),
    ):
        supabase.sql(
            "insert into courses (id, org_id, created_by, title, status) "
            "values (%s, %s, %s, 'C', %s)",
            (cid, org, creator.id, status),
        )
    for mid, cid in ((module_a, course_a), (module_b, course_b)):
        supabase.sql(
            "insert into modules (id, course_id, title, content) values (%s, %s, 'M', '[]')",
            (mid, cid),
        )
    supabase.sql(
        "insert into learning_events (id, user_id, course_id, event_type) "
        "values (%s, %s, %s, 'module_start')",
        (event_a2, la2.id, course_a),
    )
    supabase.sql(
        "insert into enrollments (id, user_id, course_id, status) "
        "values (%s, %s, %s, 'in_progress')",
        (enr_a2, la2.id, course_a),
    )
    yield World(
        org_a,
        org_b,
        la,
        la2,
        ca,
        ma,
        lb,
        cb,
        course_a,
        draft_a,
        course_b,
        module_a,
        module_b,
        event_a2,
        enr_a2,
    )


def ids(client: Client, table: str) -> set[str]:
    return {r["id"] for r in client.table(table).select("id").execute().data}


def refused(fn: Any) -> str:
    with pytest.raises(APIError) as info:
        fn()
    return str(info.value.code)


def test_learner_reads_only_own_rows_and_own_org(supabase: Supabase, world: World) -> None:
    c = client_for(supabase, world.learner_a)
    assert ids(c, "learning_events") == set()  # a colleague's events are invisible
    assert ids(c, "enrollments") == set()
    assert ids(c, "learner_profiles") == {
        r[0]
        for r in supabase.sql(
            "select id::text from learner_profiles where user_id = %s", (world.learner_a.id,)
        )
    }
    assert ids(c, "courses") == {world.course_a}  # published, own org; no draft, no Beta
    assert ids(c, "modules") == {world.module_a}
    assert ids(c, "organisations") == {world.org_a}
    assert world.learner_b.id not in ids(c, "profiles")
    assert world.creator_b.id not in ids(c, "org_members") | ids(c, "profiles")
    pulled = c.rpc("sync_pull", {"p_table": "learning_events", "p_since": 0}).execute().data
    assert pulled == []


def test_learner_cannot_write_for_someone_else(supabase: Supabase, world: World) -> None:
    c = client_for(supabase, world.learner_a)
    ev = {"id": str(uuid.uuid4()), "user_id": world.learner_a2.id, "event_type": "module_start"}
    assert refused(lambda: c.table("learning_events").insert(ev).execute()) == "42501"
    # an own event naming another organisation's course is refused too
    ev = {
        "id": str(uuid.uuid4()),
        "user_id": world.learner_a.id,
        "course_id": world.course_b,
        "event_type": "module_start",
    }
    assert refused(lambda: c.table("learning_events").insert(ev).execute()) == "42501"
    touched = (
        c.table("enrollments").update({"progress_pct": 100}).eq("id", world.enrollment_a2).execute()
    )
    assert touched.data == []
    assert supabase.sql(
        "select progress_pct from enrollments where id = %s", (world.enrollment_a2,)
    ) == [(0.0,)]
    # events are append-only, even one's own
    own = {"id": str(uuid.uuid4()), "user_id": world.learner_a.id, "event_type": "drop_off"}
    c.table("learning_events").insert(own).execute()
    assert refused(lambda: c.table("learning_events").delete().eq("id", own["id"]).execute()) == (
        "42501"
    )
    # no role escalation, no moving to another organisation
    assert (
        refused(
            lambda: (
                c.table("profiles")
                .update({"role": "org_admin"})
                .eq("id", world.learner_a.id)
                .execute()
            )
        )
        == "42501"
    )
    assert (
        refused(
            lambda: (
                c.table("profiles")
                .update({"org_id": world.org_b})
                .eq("id", world.learner_a.id)
                .execute()
            )
        )
        == "42501"
    )
    course = {
        "id": str(uuid.uuid4()),
        "org_id": world.org_a,
        "created_by": world.learner_a.id,
        "title": "X",
    }
    assert refused(lambda: c.table("courses").insert(course).execute()) == "42501"


def test_creator_writes_only_own_organisation(supabase: Supabase, world: World) -> None:
    c = client_for(supabase, world.creator_a)
    assert ids(c, "courses") == {world.course_a, world.draft_a}
    course = {
        "id": str(uuid.uuid4()),
        "org_id": world.org_b,
        "created_by": world.creator_a.id,
        "title": "X",
    }
    assert refused(lambda: c.table("courses").insert(course).execute()) == "42501"
    assert (
        c.table("courses").update({"title": "Mine"}).eq("id", world.course_b).execute().data == []
    )
    assert c.table("modules").delete().eq("id", world.module_b).execute().data == []
    module = {"id": str(uuid.uuid4()), "course_id": world.course_b, "title": "M", "content": []}
    assert refused(lambda: c.table("modules").insert(module).execute()) == "42501"
    assert supabase.sql("select title from courses where id = %s", (world.course_b,)) == [("C",)]
    # and cannot read learners' telemetry (that is for managers and admins)
    assert ids(c, "learning_events") == set()


def test_manager_reads_own_organisation_analytics_only(supabase: Supabase, world: World) -> None:
    c = client_for(supabase, world.manager_a)
    assert world.event_a2 in ids(c, "learning_events")
    assert world.enrollment_a2 in ids(c, "enrollments")
    foreign = str(uuid.uuid4())
    supabase.sql(
        "insert into learning_events (id, user_id, event_type) values (%s, %s, 'drop_off')",
        (foreign, world.learner_b.id),
    )
    assert foreign not in ids(c, "learning_events")
    assert world.course_b not in ids(c, "courses")


def test_deletions_are_visible_only_inside_the_organisation(
    supabase: Supabase, world: World
) -> None:
    doomed = str(uuid.uuid4())
    supabase.sql(
        "insert into courses (id, org_id, created_by, title, status) "
        "values (%s, %s, %s, 'D', 'published')",
        (doomed, world.org_b, world.creator_b.id),
    )
    cb = client_for(supabase, world.creator_b)
    assert cb.table("courses").delete().eq("id", doomed).execute().data
    a = client_for(supabase, world.learner_a)
    b = client_for(supabase, world.learner_b)
    seen_a = a.rpc("sync_pull", {"p_table": "courses", "p_since": 0}).execute().data
    seen_b = b.rpc("sync_pull", {"p_table": "courses", "p_since": 0}).execute().data
    assert doomed not in {r["row_data"]["id"] for r in seen_a}
    assert {"op": "delete", "id": doomed} in [
        {"op": r["op"], "id": r["row_data"]["id"]} for r in seen_b
    ]


def test_anonymous_and_forged_tokens_are_refused(supabase: Supabase, world: World) -> None:
    import jwt

    anon = create_client(
        supabase.url,
        supabase.anon_key,
        ClientOptions(postgrest_client_retry=False, httpx_client=httpx.Client(timeout=10)),
    )
    assert refused(lambda: anon.table("courses").select("*").execute()) == "42501"
    forged = jwt.encode(
        {"sub": world.creator_b.id, "role": "authenticated"}, "not-the-secret-" * 3, "HS256"
    )
    anon.postgrest.auth(forged)
    assert refused(lambda: anon.table("courses").select("*").execute()) == "PGRST301"
