"""Members' roles on the server (migration 20261202000500_org_administration): who may change
a role, roles kept in step between ``profiles`` and ``org_members``, the last admin, and the
organisation's settings and branding documents. Each statement runs as PostgREST runs it
(``tests.sync.org_world.run``) and is committed."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import select

from app.services import members
from app.services.errors import UserError
from sync.store.models import OrgMember, Profile
from tests.sync.conftest import Account, Device, Supabase
from tests.sync.org_world import refused, run


def roles(project: Supabase, who: Account) -> tuple[str, str | None]:
    [(profile, member)] = project.sql(
        "select p.role, m.role from profiles p left join org_members m"
        " on m.user_id = p.id and m.org_id = p.org_id where p.id = %s",
        (who.id,),
    )
    return profile, member


def test_a_manager_cannot_make_themselves_admin(supabase: Supabase) -> None:
    org = supabase.create_org("Members self")
    manager = supabase.create_user("manager", org)
    supabase.create_user("org_admin", org)
    refused(
        supabase, manager, "update profiles set role = 'org_admin' where id = %s", (manager.id,)
    )
    # org_members: not theirs to write at all (no row matches their policy)
    assert run(
        supabase, manager, "update org_members set role = 'admin' where user_id = %s", (manager.id,)
    ) == [0]
    assert roles(supabase, manager) == ("manager", "manager")


def test_a_learner_cannot_change_any_role(supabase: Supabase) -> None:
    org = supabase.create_org("Members learner")
    learner, other = supabase.create_user("learner", org), supabase.create_user("creator", org)
    refused(supabase, learner, "update profiles set role = 'creator' where id = %s", (learner.id,))
    assert run(
        supabase, learner, "update profiles set role = 'learner' where id = %s", (other.id,)
    ) == [0]
    assert run(supabase, learner, "update org_members set role = 'admin'") == [0]
    assert roles(supabase, learner) == ("learner", "learner")
    assert roles(supabase, other) == ("creator", "creator")


def test_an_admin_changes_roles_and_both_tables_follow(supabase: Supabase) -> None:
    org = supabase.create_org("Members step")
    admin, member = supabase.create_user("org_admin", org), supabase.create_user("learner", org)
    assert run(
        supabase, admin, "update profiles set role = 'manager' where id = %s", (member.id,)
    ) == [1]
    assert roles(supabase, member) == ("manager", "manager")
    # the other way round: the membership row, and the profile follows
    assert run(
        supabase, admin, "update org_members set role = 'admin' where user_id = %s", (member.id,)
    ) == [1]
    assert roles(supabase, member) == ("org_admin", "admin")
    # an admin cannot change their own membership role either
    msg = refused(
        supabase, admin, "update org_members set role = 'learner' where user_id = %s", (admin.id,)
    )
    assert "your own role" in msg
    # and cannot hand out super admin
    refused(supabase, admin, "update profiles set role = 'super_admin' where id = %s", (member.id,))


def test_an_admin_of_one_organisation_cannot_touch_another(supabase: Supabase) -> None:
    a, b = supabase.create_org("Members A"), supabase.create_org("Members B")
    admin_a = supabase.create_user("org_admin", a)
    learner_b, admin_b = supabase.create_user("learner", b), supabase.create_user("org_admin", b)
    for statement in (
        "update profiles set role = 'manager' where id = %s",
        "update org_members set role = 'manager' where user_id = %s",
        "delete from org_members where user_id = %s",
    ):
        assert run(supabase, admin_a, statement, (learner_b.id,)) == [0], statement
    refused(supabase, admin_a, "select public.remove_member(%s)", (learner_b.id,))
    assert run(
        supabase, admin_a, "update organisations set name = 'Taken over' where id = %s", (b,)
    ) == [0]
    # moving B's member into A is refused too
    assert run(
        supabase, admin_a, "update profiles set org_id = %s where id = %s", (a, learner_b.id)
    ) == [0]
    assert roles(supabase, learner_b) == ("learner", "learner")
    assert roles(supabase, admin_b) == ("org_admin", "admin")


def test_the_last_admin_cannot_be_demoted_even_by_two_admins_at_once(supabase: Supabase) -> None:
    org = supabase.create_org("Members last")
    first, second = supabase.create_user("org_admin", org), supabase.create_user("org_admin", org)
    claims = {"role": "authenticated", "aud": "authenticated"}
    one = psycopg.connect(supabase.admin_url)
    try:
        one.execute("set local role authenticated")
        one.execute(
            "select set_config('request.jwt.claims', %s, true)",
            (json.dumps({**claims, "sub": first.id, "email": first.email}),),
        )
        one.execute("update profiles set role = 'manager' where id = %s", (second.id,))
        outcome: list[BaseException | None] = []

        def demote_first() -> None:  # blocks on the organisation's lock until `one` commits
            try:
                run(
                    supabase,
                    second,
                    "update profiles set role = 'manager' where id = %s",
                    (first.id,),
                )
                outcome.append(None)
            except BaseException as err:
                outcome.append(err)

        other = threading.Thread(target=demote_first)
        other.start()
        other.join(timeout=1.0)
        assert other.is_alive(), "the second demotion should wait for the first"
        one.commit()
        other.join(timeout=20)
    finally:
        one.close()
    assert len(outcome) == 1 and isinstance(outcome[0], errors.InsufficientPrivilege)
    assert "last admin" in str(outcome[0])
    assert roles(supabase, first) == ("org_admin", "admin")
    assert roles(supabase, second) == ("manager", "manager")
    # nor removed: the only admin left removing themselves
    msg = refused(supabase, first, "select public.remove_member(%s)", (first.id,))
    assert "last admin" in msg
    # a super admin repairs organisations: exempt
    boss = supabase.create_user("super_admin", None)
    assert run(
        supabase, boss, "update profiles set role = 'learner' where id = %s", (first.id,)
    ) == [1]
    assert roles(supabase, first) == ("learner", "learner")


def test_settings_and_branding_keep_their_shape(supabase: Supabase) -> None:
    org = supabase.create_org("Members settings")
    admin, manager = supabase.create_user("org_admin", org), supabase.create_user("manager", org)
    done = run(
        supabase,
        admin,
        "update organisations set name = 'Renamed', settings = %s, branding = %s where id = %s",
        (
            json.dumps({"default_language": "fr", "timezone": "Europe/Paris"}),
            json.dumps({"primary_color": "#1D4ED8", "font": "Inter"}),
            org,
        ),
    )
    assert done == [1]
    with pytest.raises(errors.CheckViolation, match="primary_color"):
        run(
            supabase,
            admin,
            "update organisations set branding = %s where id = %s",
            (json.dumps({"primary_color": "blue"}), org),
        )
    with pytest.raises(errors.CheckViolation, match="needs a name"):
        run(supabase, admin, "update organisations set name = '  ' where id = %s", (org,))
    assert run(
        supabase, manager, "update organisations set name = 'Mine' where id = %s", (org,)
    ) == [0]
    [(name, branding)] = supabase.sql(
        "select name, branding from organisations where id = %s", (org,)
    )
    assert name == "Renamed" and branding["primary_color"] == "#1D4ED8"


# -- through the real outbox and replicator ----------------------------------------------------
def test_a_role_change_goes_up_with_the_admins_sync_and_a_self_promotion_does_not(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org = supabase.create_org("Members sync")
    admin, learner = supabase.create_user("org_admin", org), supabase.create_user("learner", org)
    office, laptop = (
        Device(tmp_path / "admin", supabase, admin),
        Device(tmp_path / "learner", supabase, learner),
    )
    devices += [office, laptop]
    for d in devices:
        d.sync()

    members.change_role(office.ctx, office.user, learner.id, "manager")
    report = office.sync()
    assert report.rejected == 0 and office.service.status().pending == 0
    assert roles(supabase, learner) == ("manager", "manager")
    laptop.sync()
    with laptop.ctx.db.transaction() as s:
        profile = s.get(Profile, learner.id)
        member = s.scalar(select(OrgMember.role).where(OrgMember.user_id == learner.id))
        assert profile is not None and (profile.role, member) == ("manager", "manager")
        profile.role = "org_admin"  # the new manager edits their own row on their device
    report = laptop.sync()
    assert report.rejected == 1  # the server refuses it; it is not retried as if transient
    assert roles(supabase, learner) == ("manager", "manager")

    # removed from the admin's device, online: on the server, then here
    members.remove_on_server(office.service, office.ctx, office.user, learner.id)
    assert supabase.sql("select org_id, role from profiles where id = %s", (learner.id,)) == [
        (None, "learner")
    ]
    assert roles(supabase, learner) == ("learner", None)
    office.sync()
    assert office.service.status().pending == 0 and office.service.status().rejected == 0
    assert [m.user_id for m in members.list_members(office.ctx, office.user)] == [admin.id]
    # the last admin cannot be removed there either (the local rule is checked first)
    with pytest.raises(UserError, match="remove yourself"):
        members.remove_on_server(office.service, office.ctx, office.user, admin.id)


def test_someone_added_offline_is_invited_once_online(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org = supabase.create_org("Members invite")
    admin = supabase.create_user("org_admin", org)
    office = Device(tmp_path / "admin", supabase, admin)
    devices.append(office)
    office.sync()
    added = members.add_member(
        office.ctx, office.user, "Nia New", "nia@example.org", "creator", passphrase="first-pass-1"
    )
    assert added.invite_pending
    invitation = members.invite(office.service, office.ctx, office.user, added.user_id)
    assert (invitation.email, invitation.role) == ("nia@example.org", "creator")
    assert invitation.code
    [(email, role)] = supabase.sql(
        "select email, role from org_invitations where org_id = %s", (org,)
    )
    assert (email, role) == ("nia@example.org", "creator")
    [again] = [
        m for m in members.list_members(office.ctx, office.user) if m.user_id == added.user_id
    ]
    assert not again.invite_pending
