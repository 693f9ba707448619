"""The isolation follow-ups end to end, over HTTP through the PostgREST/GoTrue stand-in.

What the matrix (``test_rls_matrix.py``) cannot say in its role × scope terms: ids inside
JSON documents in their real shapes (and malformed ones), a module that belongs to another
course, who may be named as having enrolled someone, removing a member from an
organisation, and assets leaving learners' devices when their course is unpublished.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from postgrest.exceptions import APIError
from sqlalchemy import select
from supabase import Client

from sync.store.models import ContentAsset, Course
from tests.sync.conftest import Account, Device, Supabase
from tests.sync.test_rls import client_for, ids


def new_id() -> str:
    return str(uuid.uuid4())


def refusal(fn: Any) -> APIError:
    with pytest.raises(APIError) as info:
        fn()
    return info.value


@dataclass
class W:
    a: str
    b: str
    admin_a: Account
    manager_a: Account
    creator_a: Account
    learner_a: Account
    learner_a2: Account
    admin_b: Account
    manager_b: Account
    creator_b: Account
    course_a: str  # published, by creator_a
    course_a2: str  # published, by creator_a
    draft_a: str
    course_b: str
    module_a: str  # of course_a
    module_a2: str  # of course_a2
    skill_a: str
    skill_b: str
    asset_b: str


@pytest.fixture(scope="module")
def w(supabase: Supabase) -> Iterator[W]:
    q = supabase.sql
    a, b = supabase.create_org("Refs A"), supabase.create_org("Refs B")
    admin_a, manager_a = supabase.create_user("org_admin", a), supabase.create_user("manager", a)
    creator_a, learner_a = supabase.create_user("creator", a), supabase.create_user("learner", a)
    learner_a2 = supabase.create_user("learner", a)
    admin_b, manager_b = supabase.create_user("org_admin", b), supabase.create_user("manager", b)
    creator_b = supabase.create_user("creator", b)

    def course(org: str, by: Account, status: str) -> str:
        [(cid,)] = q(
            "insert into courses (org_id, created_by, title, status) values (%s, %s, 'C', %s) "
            "returning id::text",
            (org, by.id, status),
        )
        return str(cid)

    def module(course_id: str) -> str:
        [(mid,)] = q(
            "insert into modules (course_id, title, content) values (%s, 'M', '[]') "
            "returning id::text",
            (course_id,),
        )
        return str(mid)

    course_a, course_a2 = course(a, creator_a, "published"), course(a, creator_a, "published")
    draft_a, course_b = course(a, creator_a, "draft"), course(b, creator_b, "published")
    module_a, module_a2 = module(course_a), module(course_a2)
    [(skill_a,)] = q(
        "insert into skills (name, slug, org_id) values ('S', %s, %s) returning id::text",
        (f"ra-{uuid.uuid4().hex[:8]}", a),
    )
    [(skill_b,)] = q(
        "insert into skills (name, slug, org_id) values ('S', %s, %s) returning id::text",
        (f"rb-{uuid.uuid4().hex[:8]}", b),
    )
    [(asset_b,)] = q(
        "insert into content_assets (org_id, uploader_id, type, url) "
        "values (%s, %s, 'image', 'asset://b.png') returning id::text",
        (b, creator_b.id),
    )
    yield W(
        a, b, admin_a, manager_a, creator_a, learner_a, learner_a2, admin_b, manager_b,
        creator_b, course_a, course_a2, draft_a, course_b, module_a, module_a2, skill_a,
        skill_b, asset_b,
    )  # fmt: skip


# -- 1. ids inside JSON documents ----------------------------------------------------------------
def path_courses(*course_ids: str) -> list[dict[str, Any]]:
    return [
        {"course_id": c, "order_index": i, "is_required": True} for i, c in enumerate(course_ids)
    ]


def targets(*skill_ids: str) -> list[dict[str, Any]]:
    return [{"skill_id": s, "target_proficiency": 0.8} for s in skill_ids]


def question(*skill_ids: str) -> list[dict[str, Any]]:
    choices = [{"id": "a", "text": "Yes", "correct": True}, {"id": "b", "text": "No"}]
    return [
        {
            "id": "q1",
            "type": "single",
            "prompt": "?",
            "choices": choices,
            "skill_ids": list(skill_ids),
        }
    ]


def test_json_references_stay_inside(supabase: Supabase, w: W) -> None:
    c = client_for(supabase, w.creator_a)
    path = {
        "id": new_id(),
        "org_id": w.a,
        "created_by": w.creator_a.id,
        "title": "P",
        "courses": path_courses(w.course_a, w.course_b),
    }
    err = refusal(lambda: c.table("learning_paths").insert(path).execute())
    assert err.code == "42501"
    assert f"learning_paths.courses names a courses row you cannot use ({w.course_b})" in str(
        err.message
    )
    # a draft of the organisation is fine for an author; then adding B's course is refused
    path["courses"] = path_courses(w.course_a, w.draft_a)
    c.table("learning_paths").insert(path).execute()
    adding = c.table("learning_paths").update(
        {"courses": path_courses(w.course_a, w.draft_a, w.course_b)}
    )
    assert refusal(lambda: adding.eq("id", path["id"]).execute()).code == "42501"
    for bad in ("not-a-uuid", new_id()):  # malformed, or no such course
        broken = c.table("learning_paths").update({"courses": path_courses(bad)})
        assert refusal(broken.eq("id", path["id"]).execute).code == "42501", bad

    # target skills of paths and courses, and quiz items' skill tags
    skills_of_b = c.table("learning_paths").update({"target_skills": targets(w.skill_b)})
    assert refusal(lambda: skills_of_b.eq("id", path["id"]).execute()).code == "42501"
    assert (
        c.table("learning_paths")
        .update({"target_skills": targets(w.skill_a)})
        .eq("id", path["id"])
        .execute()
        .data
    )
    course = {"id": new_id(), "org_id": w.a, "created_by": w.creator_a.id, "title": "T"}
    bad_course = {**course, "target_skills": targets(w.skill_a, w.skill_b)}
    assert refusal(lambda: c.table("courses").insert(bad_course).execute()).code == "42501"
    c.table("courses").insert({**course, "target_skills": targets(w.skill_a)}).execute()
    module = {"id": new_id(), "course_id": course["id"], "title": "M", "content": []}
    bad_quiz = {**module, "quiz": question(w.skill_a, w.skill_b)}
    err = refusal(lambda: c.table("modules").insert(bad_quiz).execute())
    assert err.code == "42501" and "modules.quiz names a skills row" in str(err.message)
    c.table("modules").insert({**module, "quiz": question(w.skill_a)}).execute()

    # an image block may not name B's asset; an asset not pushed yet is fine
    image = [{"type": "image", "asset_id": w.asset_b, "src": "x.png", "alt": "A"}]
    stolen = c.table("modules").update({"content": image}).eq("id", module["id"])
    assert refusal(lambda: stolen.execute()).code == "42501"
    image[0]["asset_id"] = new_id()
    assert c.table("modules").update({"content": image}).eq("id", module["id"]).execute().data
    # an asset's metadata naming a module of B
    asset = {"id": new_id(), "org_id": w.a, "uploader_id": w.creator_a.id, "url": "asset://m"}
    [(module_b,)] = supabase.sql(
        "insert into modules (course_id, title, content) values (%s, 'M', '[]') returning id::text",
        (w.course_b,),
    )
    generated = {**asset, "metadata": {"module_id": module_b}}
    assert refusal(lambda: c.table("content_assets").insert(generated).execute()).code == "42501"
    c.table("content_assets").insert({**asset, "metadata": {"module_id": module["id"]}}).execute()


def test_unchanged_json_references_are_not_checked_again(supabase: Supabase, w: W) -> None:
    """Like foreign keys: an id already in the document is not re-checked (so a row naming
    a course that has since become unreadable stays editable)."""
    pid = new_id()
    supabase.sql(
        "insert into learning_paths (id, org_id, created_by, title, status, courses) "
        "values (%s, %s, %s, 'Old', 'draft', %s)",
        (pid, w.a, w.creator_a.id, json.dumps(path_courses(w.course_b))),  # written by the server
    )
    c = client_for(supabase, w.creator_a)
    assert c.table("learning_paths").update({"title": "Renamed"}).eq("id", pid).execute().data
    keeping = {"courses": path_courses(w.course_b, w.course_a)}
    assert c.table("learning_paths").update(keeping).eq("id", pid).execute().data


# -- 2. a module of the row's course ---------------------------------------------------------------
def test_module_must_belong_to_the_course(supabase: Supabase, w: W) -> None:
    me = w.learner_a
    c = client_for(supabase, me)
    for table, extra in (
        ("learning_events", {"event_type": "module_start"}),
        ("ai_interactions", {"interaction_type": "question"}),
    ):
        row = {"user_id": me.id, "course_id": w.course_a, "module_id": w.module_a2, **extra}
        err = refusal(c.table(table).insert({"id": new_id(), **row}).execute)
        assert err.code == "23514", table
        assert f"{table}.module_id {w.module_a2} is not a module of course {w.course_a}" in str(
            err.message
        )
        # a batch with one bad row is refused whole
        good = {**row, "module_id": w.module_a}
        batch = [{"id": new_id(), **good}, {"id": new_id(), **row}]
        assert refusal(c.table(table).insert(batch).execute).code == "23514"
        rid = new_id()
        c.table(table).insert({"id": rid, **good}).execute()
        c.table(table).insert({"id": new_id(), **good, "course_id": None}).execute()
        c.table(table).insert({"id": new_id(), **good, "module_id": None}).execute()
        if table == "ai_interactions":  # events are append-only
            moved = c.table(table).update({"module_id": w.module_a2}).eq("id", rid)
            assert refusal(moved.execute).code == "23514"
            both = {"course_id": w.course_a2, "module_id": w.module_a2}
            assert c.table(table).update(both).eq("id", rid).execute().data
    # the server's own writers are held to it too
    with pytest.raises(Exception, match="is not a module of course"):
        supabase.sql(
            "insert into learning_events (user_id, course_id, module_id, event_type) "
            "values (%s, %s, %s, 'module_start')",
            (me.id, w.course_a, w.module_a2),
        )


# -- 3. who enrolled someone --------------------------------------------------------------------
def test_enrolled_by_names_the_learner_or_their_staff(supabase: Supabase, w: W) -> None:
    learner = client_for(supabase, w.learner_a)

    def enrol(c: Client, user: Account, by: str | None, **more: Any) -> Any:
        row = {"id": new_id(), "user_id": user.id, "course_id": w.course_a, "enrolled_by": by}
        return c.table("enrollments").insert({**row, **more}).execute

    # a learner: themselves or nobody
    enrol(learner, w.learner_a, w.learner_a.id)()
    enrol(learner, w.learner_a, None)()
    for someone in (w.manager_a, w.learner_a2, w.creator_a, w.manager_b):
        err = refusal(enrol(learner, w.learner_a, someone.id))
        assert err.code == "42501", someone.role
        assert "enrollments.enrolled_by names someone" in str(err.message)
    mine = new_id()
    learner.table("enrollments").insert(
        {"id": mine, "user_id": w.learner_a.id, "course_id": w.course_a2}
    ).execute()
    blame = learner.table("enrollments").update({"enrolled_by": w.manager_a.id}).eq("id", mine)
    assert refusal(lambda: blame.execute()).code == "42501"
    assert learner.table("enrollments").update({"progress_pct": 10}).eq("id", mine).execute().data

    # a manager: a manager or admin of the learner's organisation, or the course's creator
    manager = client_for(supabase, w.manager_a)
    enrol(manager, w.learner_a2, w.manager_a.id)()
    enrol(manager, w.learner_a2, w.admin_a.id)()
    enrol(manager, w.learner_a2, w.creator_a.id)()  # created course_a
    enrol(manager, w.learner_a2, w.learner_a2.id)()
    for someone in (w.learner_a, w.manager_b, w.admin_b):
        assert refusal(enrol(manager, w.learner_a2, someone.id)).code == "42501", someone.role
    # the creator of another course is not the creator of this one
    [(other,)] = supabase.sql(
        "insert into courses (org_id, created_by, title, status) values (%s, %s, 'X', 'published')"
        " returning id::text",
        (w.a, w.manager_a.id),
    )
    assert refusal(enrol(manager, w.learner_a2, w.creator_a.id, course_id=other)).code == "42501"


# -- 4. removing a member ----------------------------------------------------------------------
def pull(c: Client, table: str, since: int = 0) -> list[dict[str, Any]]:
    data = c.rpc("sync_pull", {"p_table": table, "p_since": since}).execute().data
    return [{"op": r["op"], "id": r["row_data"]["id"]} for r in data]


def test_an_admin_removes_a_member(supabase: Supabase) -> None:
    org, other = supabase.create_org("Leaving"), supabase.create_org("Elsewhere")
    admin, colleague = supabase.create_user("org_admin", org), supabase.create_user("learner", org)
    leaver, outsider = supabase.create_user("creator", org), supabase.create_user("learner", other)
    [(course,)] = supabase.sql(
        "insert into courses (org_id, created_by, title, status) "
        "values (%s, %s, 'C', 'published') returning id::text",
        (org, leaver.id),
    )
    [(membership,)] = supabase.sql(
        "select id::text from org_members where user_id = %s", (leaver.id,)
    )
    c = client_for(supabase, leaver)
    assert course in ids(c, "courses")
    [(cursor,)] = supabase.sql("select last_value from sync_change_seq")

    a = client_for(supabase, admin)
    # a bare delete of the membership is not the way (it left the profile in the organisation)
    assert a.table("org_members").delete().eq("id", membership).execute().data == []
    # nobody else removes members, and nobody removes members of another organisation
    for who, target in ((colleague, leaver), (admin, outsider)):
        call = client_for(supabase, who).rpc("remove_member", {"p_user": target.id})
        err = refusal(call.execute)
        assert err.code == "42501", (who.role, target.role)

    done = a.rpc("remove_member", {"p_user": leaver.id}).execute().data
    assert done == {"user_id": leaver.id, "org_id": org, "removed": True}
    assert supabase.sql("select org_id, role from profiles where id = %s", (leaver.id,)) == [
        (None, "learner")
    ]
    assert supabase.sql("select count(*) from org_members where user_id = %s", (leaver.id,)) == [
        (0,)
    ]
    # the removed user reads nothing of the organisation any more, and writes nothing to it
    for table in ("courses", "modules", "org_members", "organisations", "content_assets"):
        assert ids(c, table) == set(), table
    assert ids(c, "profiles") == {leaver.id}
    write = c.table("courses").insert(
        {"id": new_id(), "org_id": org, "created_by": leaver.id, "title": "Still here?"}
    )
    assert refusal(write.execute).code == "42501"
    # their devices drop the organisation's content on the next pull, colleagues the membership
    assert {"op": "hide", "id": course} in pull(c, "courses", cursor)
    assert {"op": "delete", "id": membership} in pull(c, "org_members", cursor)
    assert {"op": "delete", "id": membership} in pull(
        client_for(supabase, colleague), "org_members", cursor
    )
    assert {"op": "hide", "id": course} not in pull(
        client_for(supabase, colleague), "courses", cursor
    )
    # removing someone who is not (or no longer) a member
    again = a.rpc("remove_member", {"p_user": leaver.id})
    assert refusal(again.execute).code == "42501"


def test_the_last_admin_stays_and_super_admins_remove_anyone(supabase: Supabase) -> None:
    org = supabase.create_org("Admins")
    first, second = supabase.create_user("org_admin", org), supabase.create_user("org_admin", org)
    boss = supabase.create_user("super_admin", None)
    supabase.sql("update profiles set org_id = %s where id = %s", (org, boss.id))
    a1, a2 = client_for(supabase, first), client_for(supabase, second)
    assert refusal(a1.rpc("remove_member", {"p_user": boss.id}).execute).code == "42501"
    assert (
        a1.rpc("remove_member", {"p_user": first.id}).execute().data["removed"]
    )  # another is left
    err = refusal(a2.rpc("remove_member", {"p_user": second.id}).execute)
    assert err.code == "42501" and "last admin" in str(err.message)
    member = supabase.create_user("manager", org)
    s = client_for(supabase, boss)
    assert s.rpc("remove_member", {"p_user": member.id}).execute().data["org_id"] == org
    assert s.rpc("remove_member", {"p_user": second.id}).execute().data["removed"]
    assert supabase.sql("select org_id from profiles where id = %s", (second.id,)) == [(None,)]
    assert refusal(s.rpc("remove_member", {"p_user": new_id()}).execute).code == "22023"


# -- 5. unpublishing takes assets off learners' devices ----------------------------------------
def test_unpublishing_hides_the_assets_learners_pulled(supabase: Supabase) -> None:
    q = supabase.sql
    org = supabase.create_org("Unpublish")
    creator, learner = supabase.create_user("creator", org), supabase.create_user("learner", org)
    manager = supabase.create_user("manager", org)

    def asset(name: str) -> str:
        [(aid,)] = q(
            "insert into content_assets (org_id, uploader_id, type, url) "
            "values (%s, %s, 'image', %s) returning id::text",
            (org, creator.id, f"asset://{name}-{uuid.uuid4().hex[:6]}"),
        )
        return str(aid)

    only, shared, thumb, dropped, cover, gone = (
        asset(n) for n in ("only", "shared", "thumb", "drop", "cover", "gone")
    )
    [(thumb_url,)] = q("select url from content_assets where id = %s", (thumb,))
    [(cover_url,)] = q("select url from content_assets where id = %s", (cover,))

    def block(aid: str) -> dict[str, Any]:
        return {"type": "image", "asset_id": aid, "src": "p.png", "alt": "A picture"}

    def course(blocks: list[dict[str, Any]], thumbnail: str | None = None) -> tuple[str, str]:
        [(cid,)] = q(
            "insert into courses (org_id, created_by, title, status, thumbnail_url) "
            "values (%s, %s, 'C', 'published', %s) returning id::text",
            (org, creator.id, thumbnail),
        )
        [(mid,)] = q(
            "insert into modules (course_id, title, content) values (%s, 'M', %s) "
            "returning id::text",
            (cid, json.dumps(blocks)),
        )
        return str(cid), str(mid)

    leaving, _ = course([block(only), block(shared)], thumb_url)
    deleted, _ = course([block(gone), block(shared)])
    _staying, staying_module = course([block(shared), block(dropped)])
    [(path,)] = q(
        "insert into learning_paths (org_id, created_by, title, status, courses, thumbnail_url) "
        "values (%s, %s, 'P', 'published', '[]', %s) returning id::text",
        (org, creator.id, cover_url),
    )
    lc = client_for(supabase, learner)
    assert {only, shared, thumb, dropped, cover, gone} <= ids(lc, "content_assets")
    [(cursor,)] = q("select last_value from sync_change_seq")

    author = client_for(supabase, creator)
    author.table("courses").update({"status": "archived"}).eq("id", leaving).execute()
    author.table("modules").update({"content": [block(shared)]}).eq("id", staying_module).execute()
    author.table("learning_paths").update({"status": "draft"}).eq("id", path).execute()
    assert author.table("courses").delete().eq("id", deleted).execute().data

    seen = pull(lc, "content_assets", cursor)
    hidden = {r["id"] for r in seen if r["op"] == "hide"}
    # not the asset a published course still uses
    assert hidden == {only, thumb, dropped, cover, gone}
    assert ids(lc, "content_assets") == {shared}
    # those who still read them (authors, managers) get no 'hide'
    for who in (creator, manager):
        assert [
            r
            for r in pull(client_for(supabase, who), "content_assets", cursor)
            if r["op"] == "hide"
        ] == []
    # republished: they come back, after the 'hide'
    author.table("courses").update({"status": "published"}).eq("id", leaving).execute()
    again = pull(lc, "content_assets", cursor)
    assert {"op": "upsert", "id": only} in again
    assert again.index({"op": "upsert", "id": only}) > again.index({"op": "hide", "id": only})


# -- through a learner's device: the replicator applies what the server emits --------------------
def _published_course_with_asset(supabase: Supabase) -> tuple[str, Account, Account, str, str]:
    q = supabase.sql
    org = supabase.create_org("Device")
    creator, learner = supabase.create_user("creator", org), supabase.create_user("learner", org)
    [(aid,)] = q(
        "insert into content_assets (org_id, uploader_id, type, url) "
        "values (%s, %s, 'image', %s) returning id::text",
        (org, creator.id, f"asset://d-{uuid.uuid4().hex[:6]}.png"),
    )
    [(cid,)] = q(
        "insert into courses (org_id, created_by, title, status) "
        "values (%s, %s, 'On device', 'published') returning id::text",
        (org, creator.id),
    )
    block = [{"type": "image", "asset_id": aid, "src": "p.png", "alt": "A picture"}]
    q(
        "insert into modules (course_id, title, content) values (%s, 'M', %s)",
        (cid, json.dumps(block)),
    )
    return org, creator, learner, str(cid), str(aid)


def _local(device: Device) -> tuple[dict[str, str], set[str]]:
    with device.ctx.db.transaction() as s:
        courses = {c.id: c.status for c in s.scalars(select(Course))}
        assets = set(s.scalars(select(ContentAsset.id)))
    return courses, assets


def test_a_learner_device_drops_assets_of_an_unpublished_course(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    _org, creator, learner, course, asset = _published_course_with_asset(supabase)
    laptop = Device(tmp_path / "laptop", supabase, learner)
    devices.append(laptop)
    laptop.sync()
    assert _local(laptop) == ({course: "published"}, {asset})
    client_for(supabase, creator).table("courses").update({"status": "draft"}).eq(
        "id", course
    ).execute()
    laptop.sync()
    assert _local(laptop) == ({course: "archived"}, set())
    client_for(supabase, creator).table("courses").update({"status": "published"}).eq(
        "id", course
    ).execute()
    laptop.sync()
    assert _local(laptop) == ({course: "published"}, {asset})


def test_a_removed_member_device_drops_the_organisation_content(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org, _creator, learner, course, _asset = _published_course_with_asset(supabase)
    admin = supabase.create_user("org_admin", org)
    laptop = Device(tmp_path / "laptop", supabase, learner)
    devices.append(laptop)
    laptop.sync()
    assert _local(laptop)[0] == {course: "published"}
    client_for(supabase, admin).rpc("remove_member", {"p_user": learner.id}).execute()
    laptop.sync()
    assert _local(laptop) == ({course: "archived"}, set())
    assert laptop.user.org_id is None
