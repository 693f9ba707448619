"""Organisation isolation end to end, over HTTP through the PostgREST/GoTrue stand-in.

The attacks of issue 10, reproduced as a client would make them, and the ways to join an
organisation that replace them (invitations, confirmed email domains). The full
role × table × operation matrix is ``test_rls_matrix.py``; these are the same rules seen
from the wire.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from sync.remote.client import Refused, Remote
from tests.sync.conftest import Account, Supabase
from tests.sync.test_rls import client_for, ids, refused


def sign_up(project: Supabase, email: str = "", confirmed: bool = True) -> Account:
    """A GoTrue sign-up: an auth user, no profile."""
    uid = str(uuid.uuid4())
    email = email or f"new-{uid[:8]}@example.org"
    project.sql(
        "insert into auth.users (id, email, encrypted_password, email_confirmed_at) "
        "values (%s, %s, crypt('secret-pass', gen_salt('bf', 4)), "
        "case when %s then now() end)",
        (uid, email, confirmed),
    )
    return Account(uid, email, "secret-pass", "", None)


def remote_for(project: Supabase, account: Account) -> Remote:
    remote = Remote(project.url, project.anon_key)
    remote.sign_in(account.email, account.password)
    return remote


@dataclass
class Orgs:
    a: str
    b: str
    slug_a: str
    admin_a: Account
    admin_b: Account
    learner_a: Account
    creator_a: Account
    creator_b: Account
    course_a: str
    draft_a: str
    course_b: str
    module_b: str
    path_b: str
    skill_b: str
    asset_pub: str
    asset_draft: str


@pytest.fixture(scope="module")
def orgs(supabase: Supabase) -> Iterator[Orgs]:
    q = supabase.sql
    a, b = supabase.create_org("Iso A"), supabase.create_org("Iso B")
    [(slug_a,)] = q("select slug from organisations where id = %s", (a,))
    admin_a, admin_b = supabase.create_user("org_admin", a), supabase.create_user("org_admin", b)
    learner_a, creator_a = supabase.create_user("learner", a), supabase.create_user("creator", a)
    creator_b = supabase.create_user("creator", b)
    course_a, draft_a, course_b = (str(uuid.uuid4()) for _ in range(3))
    for cid, org, by, status in (
        (course_a, a, creator_a, "published"),
        (draft_a, a, creator_a, "draft"),
        (course_b, b, creator_b, "published"),
    ):
        q(
            "insert into courses (id, org_id, created_by, title, status) values (%s,%s,%s,'C',%s)",
            (cid, org, by.id, status),
        )
    asset_pub, asset_draft = str(uuid.uuid4()), str(uuid.uuid4())
    for aid in (asset_pub, asset_draft):
        q(
            "insert into content_assets (id, org_id, uploader_id, type, url) "
            "values (%s, %s, %s, 'image', %s)",
            (aid, a, creator_a.id, f"asset://{aid}.png"),
        )
    for cid, aid in ((course_a, asset_pub), (draft_a, asset_draft)):
        block = [{"type": "image", "asset_id": aid, "src": "p.png", "alt": "A picture"}]
        q(
            "insert into modules (course_id, title, content) values (%s, 'M', %s)",
            (cid, json.dumps(block)),
        )
    [(module_b,)] = q(
        "insert into modules (course_id, title, content) values (%s, 'M', '[]') returning id::text",
        (course_b,),
    )
    [(path_b,)] = q(
        "insert into learning_paths (org_id, created_by, title, status, courses) "
        "values (%s, %s, 'P', 'published', '[]') returning id::text",
        (b, creator_b.id),
    )
    [(skill_b,)] = q(
        "insert into skills (name, slug, org_id) values ('S', %s, %s) returning id::text",
        (f"s-{uuid.uuid4().hex[:8]}", b),
    )
    yield Orgs(
        a,
        b,
        slug_a,
        admin_a,
        admin_b,
        learner_a,
        creator_a,
        creator_b,
        course_a,
        draft_a,
        course_b,
        module_b,
        path_b,
        skill_b,
        asset_pub,
        asset_draft,
    )


def test_a_sign_up_cannot_put_itself_into_an_organisation(supabase: Supabase, orgs: Orgs) -> None:
    new = sign_up(supabase)
    c = client_for(supabase, new)
    joining = {"id": new.id, "role": "learner", "org_id": orgs.b, "full_name": "Mallory"}
    assert refused(lambda: c.table("profiles").insert(joining).execute()) == "42501"
    for table in ("courses", "modules", "profiles", "org_members", "organisations"):
        assert ids(c, table) == set(), table
    # a profile of no organisation is fine, and cannot be moved into one afterwards
    c.table("profiles").insert({**joining, "org_id": None}).execute()
    moving = c.table("profiles").update({"org_id": orgs.b}).eq("id", new.id)
    assert refused(lambda: moving.execute()) == "42501"
    assert ids(c, "courses") == set()
    assert supabase.sql("select org_id from profiles where id = %s", (new.id,)) == [(None,)]
    # an invitation is the way in, also for a profile made earlier
    admin = client_for(supabase, orgs.admin_a)
    token = admin.rpc("create_invitation", {"p_email": new.email}).execute().data["token"]
    remote = remote_for(supabase, new)
    assert remote.accept_invitation(token)["org_id"] == orgs.a
    remote.close()
    assert supabase.sql("select role, org_id::text from profiles where id = %s", (new.id,)) == [
        ("learner", orgs.a)
    ]
    assert ids(c, "courses") == {orgs.course_a}


def test_joining_by_invitation(supabase: Supabase, orgs: Orgs) -> None:
    invitee = sign_up(supabase)
    admin = client_for(supabase, orgs.admin_a)
    made = admin.rpc("create_invitation", {"p_email": invitee.email, "p_role": "creator"}).execute()
    token = made.data["token"]
    assert made.data["org_id"] == orgs.a
    assert supabase.sql(
        "select count(*) from org_invitations where token_hash = encode(sha256(%s::bytea), 'hex')",
        (token.encode(),),
    ) == [(1,)]  # only the hash is stored
    assert made.data["id"] in ids(admin, "org_invitations")
    assert ids(client_for(supabase, orgs.admin_b), "org_invitations") & {made.data["id"]} == set()
    # nobody else makes invitations into A, and nobody makes super admins
    learner = client_for(supabase, orgs.learner_a)
    no_rights = learner.rpc("create_invitation", {"p_email": "x@example.org"})
    assert refused(lambda: no_rights.execute()) == "42501"
    elsewhere = admin.rpc("create_invitation", {"p_email": "x@example.org", "p_org_id": orgs.b})
    assert refused(lambda: elsewhere.execute()) == "42501"
    too_high = admin.rpc("create_invitation", {"p_email": "x@example.org", "p_role": "super_admin"})
    assert refused(lambda: too_high.execute()) == "23514"

    # another account cannot use it
    stranger = remote_for(supabase, sign_up(supabase))
    with pytest.raises(Refused) as info:
        stranger.accept_invitation(token)
    assert info.value.code == "42501"

    remote = remote_for(supabase, invitee)
    joined = remote.accept_invitation(token)
    assert (joined["org_id"], joined["role"]) == (orgs.a, "creator")
    assert remote.accept_invitation(token) == joined  # a retry answers the same
    assert supabase.sql("select role, org_id::text from profiles where id = %s", (invitee.id,)) == [
        ("creator", orgs.a)
    ]
    assert supabase.sql(
        "select role from org_members where user_id = %s and org_id = %s", (invitee.id, orgs.a)
    ) == [("creator",)]
    assert {orgs.course_a, orgs.draft_a} <= ids(client_for(supabase, invitee), "courses")
    # used: nobody else gets in with it
    with pytest.raises(Refused) as info:
        stranger.accept_invitation(token)
    assert info.value.code == "22023"
    with pytest.raises(Refused) as info:
        stranger.accept_invitation("not-a-token")
    assert info.value.code == "22023"
    stranger.close()
    remote.close()


def test_expired_and_cross_organisation_invitations(supabase: Supabase, orgs: Orgs) -> None:
    admin = client_for(supabase, orgs.admin_a)
    late = sign_up(supabase)
    token = admin.rpc("create_invitation", {"p_email": late.email}).execute().data["token"]
    supabase.sql(
        "update org_invitations set expires_at = now() - interval '1 second' "
        "where token_hash = encode(sha256(%s::bytea), 'hex')",
        (token.encode(),),
    )
    remote = remote_for(supabase, late)
    with pytest.raises(Refused) as info:
        remote.accept_invitation(token)
    assert info.value.code == "22023"
    remote.close()
    # a member of B accepting an invitation into A stays in B
    token = (
        admin.rpc("create_invitation", {"p_email": orgs.creator_b.email}).execute().data["token"]
    )
    remote = remote_for(supabase, orgs.creator_b)
    with pytest.raises(Refused) as info:
        remote.accept_invitation(token)
    assert info.value.code == "42501"
    remote.close()
    assert supabase.sql(
        "select org_id::text from profiles where id = %s", (orgs.creator_b.id,)
    ) == [(orgs.b,)]


def test_joining_by_confirmed_email_domain(supabase: Supabase, orgs: Orgs) -> None:
    supabase.sql(
        'update organisations set settings = \'{"allowed_email_domains": ["iso-a.test"]}\' '
        "where id = %s",
        (orgs.a,),
    )
    unconfirmed = sign_up(supabase, f"u-{uuid.uuid4().hex[:6]}@iso-a.test", confirmed=False)
    wrong_domain = sign_up(supabase, f"w-{uuid.uuid4().hex[:6]}@elsewhere.test")
    for account in (unconfirmed, wrong_domain):
        remote = remote_for(supabase, account)
        with pytest.raises(Refused) as info:
            remote.join_organisation(orgs.slug_a)
        assert info.value.code == "42501"
        remote.close()
    ok = sign_up(supabase, f"ok-{uuid.uuid4().hex[:6]}@ISO-A.test")
    remote = remote_for(supabase, ok)
    assert remote.join_organisation(orgs.slug_a)["role"] == "learner"
    remote.close()
    assert ids(client_for(supabase, ok), "courses") == {orgs.course_a}


def test_references_into_another_organisation_are_refused(supabase: Supabase, orgs: Orgs) -> None:
    me = orgs.learner_a
    c = client_for(supabase, me)

    def new_id() -> str:
        return str(uuid.uuid4())

    attacks = {
        "learning_events": {"user_id": me.id, "module_id": orgs.module_b, "event_type": "drop_off"},
        "ai_interactions": {"user_id": me.id, "module_id": orgs.module_b},
        "enrollments": {"user_id": me.id, "path_id": orgs.path_b},
        "learner_skills": {"user_id": me.id, "skill_id": orgs.skill_b},
        "skill_gaps": {"user_id": me.id, "skill_id": orgs.skill_b, "gap_score": 0.4},
    }
    for table, row in attacks.items():
        attack = c.table(table).insert({"id": new_id(), **row})
        assert refused(attack.execute) == "42501", table

    # own rows pointing at A's content, then re-pointed at B's
    [(skill_a,)] = supabase.sql(
        "insert into skills (name, slug) values ('G', %s) returning id::text",
        (f"g-{uuid.uuid4().hex[:8]}",),
    )
    enrolment, interaction, gap = new_id(), new_id(), new_id()
    c.table("enrollments").insert(
        {"id": enrolment, "user_id": me.id, "course_id": orgs.course_a}
    ).execute()
    c.table("ai_interactions").insert(
        {"id": interaction, "user_id": me.id, "course_id": orgs.course_a}
    ).execute()
    c.table("skill_gaps").insert({"id": gap, "user_id": me.id, "skill_id": skill_a}).execute()
    for table, row_id, change in (
        ("enrollments", enrolment, {"course_id": orgs.course_b}),
        ("enrollments", enrolment, {"course_id": orgs.draft_a}),  # a learner: published only
        ("ai_interactions", interaction, {"course_id": orgs.course_b}),
        ("skill_gaps", gap, {"skill_id": orgs.skill_b}),
    ):
        patch = c.table(table).update(change).eq("id", row_id)
        assert refused(patch.execute) == "42501", (table, change)
    # and the rows are still usable: progress on an unchanged reference is fine
    assert c.table("enrollments").update({"progress_pct": 50}).eq("id", enrolment).execute().data


def test_authors_admins_and_assets_stay_inside(supabase: Supabase, orgs: Orgs) -> None:
    creator = client_for(supabase, orgs.creator_a)
    course = {
        "id": str(uuid.uuid4()),
        "org_id": orgs.a,
        "created_by": orgs.creator_b.id,
        "title": "Not mine",
    }
    assert refused(lambda: creator.table("courses").insert(course).execute()) == "42501"
    creator.table("courses").insert({**course, "created_by": orgs.creator_a.id}).execute()

    admin = client_for(supabase, orgs.admin_a)
    member = {"org_id": orgs.a, "user_id": orgs.creator_b.id, "role": "creator"}
    assert refused(lambda: admin.table("org_members").insert(member).execute()) == "42501"

    learner = client_for(supabase, orgs.learner_a)
    seen = ids(learner, "content_assets")
    assert orgs.asset_pub in seen and orgs.asset_draft not in seen
    assert {orgs.asset_pub, orgs.asset_draft} <= ids(creator, "content_assets")

    # publishing the draft course brings its asset to learners whose cursor passed it
    [(cursor,)] = supabase.sql("select max(sync_seq) from content_assets")  # past them all
    creator.table("courses").update({"status": "published"}).eq("id", orgs.draft_a).execute()
    pulled = learner.rpc("sync_pull", {"p_table": "content_assets", "p_since": cursor}).execute()
    assert orgs.asset_draft in {r["row_data"]["id"] for r in pulled.data}
    creator.table("courses").update({"status": "draft"}).eq("id", orgs.draft_a).execute()
