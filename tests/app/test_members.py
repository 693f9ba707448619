"""Organisation administration on the device (issue 13): members and roles, the rules the
server also enforces, the outbox authorship of role changes, organisation settings, and the
Members dialog."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.services import accounts, members
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.members_view import open_members_dialog
from sync.store.models import Organisation, OrgMember, Profile, SyncOutbox


def _admin(ctx: AppContext) -> CurrentUser:
    p = next(p for p in accounts.list_profiles(ctx.db) if p.role == "org_admin")
    return accounts.sign_in(ctx.db, p.id)


def _roles(ctx: AppContext, user_id: str) -> tuple[str | None, str | None]:
    with ctx.db.transaction() as s:
        profile = s.get(Profile, user_id)
        member = s.scalar(select(OrgMember.role).where(OrgMember.user_id == user_id))
        return (profile.role if profile else None), member


def test_an_admin_lists_adds_and_changes_roles_in_step(
    ctx: AppContext, learner: CurrentUser, creator: CurrentUser
) -> None:
    admin = _admin(ctx)
    listed = members.list_members(ctx, admin)
    assert [m.role for m in listed] == ["admin", "creator", "learner"]  # admins first
    assert {m.full_name for m in listed} == {admin.full_name, learner.full_name, creator.full_name}

    with pytest.raises(UserError, match="first passphrase"):
        members.add_member(ctx, admin, "Mo Manager", "mo@example.org", "manager")
    mo = members.add_member(
        ctx, admin, "Mo Manager", "Mo@Example.org", "manager", passphrase="team-lead-01"
    )
    assert (mo.role, mo.profile_role, mo.invite_pending) == ("manager", "manager", True)
    assert accounts.has_passphrase(ctx.db, mo.user_id)
    with pytest.raises(UserError, match="Unknown role"):
        members.add_member(ctx, admin, "Zed", None, "owner")

    with ctx.db.transaction() as s:
        before = s.scalar(select(SyncOutbox.id).order_by(SyncOutbox.id.desc()).limit(1)) or 0
    changed = members.change_role(ctx, admin, learner.id, "admin")
    assert changed.role == "admin" and _roles(ctx, learner.id) == ("org_admin", "admin")
    members.change_role(ctx, admin, learner.id, "creator")
    assert _roles(ctx, learner.id) == ("creator", "creator")
    # the change goes up with the admin's sync, not the member's
    with ctx.db.transaction() as s:
        entries = s.execute(
            select(SyncOutbox.table_name, SyncOutbox.author_id).where(SyncOutbox.id > before)
        ).all()
    assert entries and set(entries) == {("profiles", admin.id)}


def test_nobody_changes_their_own_role_and_the_last_admin_stays(
    ctx: AppContext, learner: CurrentUser, creator: CurrentUser
) -> None:
    admin = _admin(ctx)
    with pytest.raises(UserError, match="your own role"):
        members.change_role(ctx, admin, admin.id, "learner")
    with pytest.raises(UserError, match="remove yourself"):
        members.remove_member(ctx, admin, admin.id)
    # non-admins manage nobody (a creator cannot make themselves admin either)
    for who in (learner, creator):
        with pytest.raises(UserError, match="Only an organisation admin"):
            members.change_role(ctx, who, who.id, "admin")
    # two admins: one demotes the other, who then manages nobody
    members.change_role(ctx, admin, creator.id, "admin")
    second = accounts.sign_in(ctx.db, creator.id)
    members.change_role(ctx, second, admin.id, "manager")
    with pytest.raises(UserError, match="Only an organisation admin"):
        members.change_role(ctx, accounts.sign_in(ctx.db, admin.id), second.id, "learner")
    # the one admin left is neither demoted nor removed, not even by a super admin here
    boss = accounts.create_profile(
        ctx.db, "Sue Super", "super_admin", None, passphrase="super-1234"
    )
    org = learner.org_id
    with pytest.raises(UserError, match="last admin"):
        members.change_role(ctx, boss, second.id, "learner", org_id=org)
    with pytest.raises(UserError, match="last admin"):
        members.remove_member(ctx, boss, second.id, org_id=org)
    # ...and the refused changes wrote nothing
    assert _roles(ctx, second.id) == ("org_admin", "admin")
    members.remove_member(ctx, second, learner.id)
    assert _roles(ctx, learner.id) == ("learner", None)
    with ctx.db.transaction() as s:
        assert s.get(Profile, learner.id).org_id is None  # type: ignore[union-attr]


def test_an_admin_of_another_organisation_cannot_touch_this_one(
    ctx: AppContext, learner: CurrentUser
) -> None:
    other = accounts.create_organisation(ctx.db, "Elsewhere Ltd")
    outsider = accounts.create_profile(
        ctx.db, "Olu Out", "org_admin", other.id, passphrase="elsewhere-1"
    )
    with pytest.raises(UserError, match="your own organisation"):
        members.list_members(ctx, outsider, learner.org_id)
    with pytest.raises(UserError, match="not a member of this organisation"):
        members.change_role(ctx, outsider, learner.id, "manager")
    with pytest.raises(UserError, match="not a member of this organisation"):
        members.remove_member(ctx, outsider, learner.id)
    assert _roles(ctx, learner.id) == ("learner", "learner")


def test_organisation_settings_are_validated(ctx: AppContext, learner: CurrentUser) -> None:
    admin = _admin(ctx)
    with ctx.db.transaction() as s:
        org = s.get(Organisation, admin.org_id)
        assert org is not None
        org.settings = {"allowed_email_domains": ["example.org"]}
    doc = members.save_settings(ctx, admin, " Demo Academy ", "pt-BR", "Europe/Lisbon")
    assert (doc.name, doc.default_language, doc.timezone) == (
        "Demo Academy",
        "pt-BR",
        "Europe/Lisbon",
    )
    for args, message in (
        (("", "en", None), "needs a name"),
        (("X", "English", None), "not a language tag"),
        (("X", "en", "Mars/Olympus"), "not a time zone"),
    ):
        with pytest.raises(UserError, match=message):
            members.save_settings(ctx, admin, *args)
    with ctx.db.transaction() as s:
        org = s.get(Organisation, admin.org_id)
        assert org is not None and org.name == "Demo Academy"
        assert {k: v for k, v in (org.settings or {}).items() if v is not None} == {
            "allowed_email_domains": ["example.org"],
            "default_language": "pt-BR",
            "timezone": "Europe/Lisbon",
        }
    with pytest.raises(UserError, match="Only an organisation admin"):
        members.save_settings(ctx, learner, "Mine", None, None)


def test_the_members_dialog(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(
        "app.studio.members_view.QMessageBox.warning", lambda *a: warnings.append(a[2])
    )
    monkeypatch.setattr(
        "app.studio.members_view.QMessageBox.question",
        lambda *a: QMessageBox.StandardButton.Yes,
    )
    admin = _admin(ctx)
    dialog = open_members_dialog(ctx, admin)
    qtbot.addWidget(dialog)
    tab = dialog.members_tab  # type: ignore[attr-defined]
    assert tab.table.rowCount() == 3
    assert [tab.table.item(r, 2).text() for r in range(3)] == [
        "Organisation admin",
        "Creator",
        "Learner",
    ]
    tab.select(admin.id)  # yourself: nothing to change
    assert not tab.change_button.isEnabled() and not tab.remove_button.isEnabled()
    tab.select(learner.id)
    assert tab.change_button.isEnabled()
    tab.role.setCurrentIndex(tab.role.findData("manager"))
    tab.change_button.click()
    assert _roles(ctx, learner.id) == ("manager", "manager") and warnings == []
    qtbot.keyClicks(tab.new_name, "Noor New")
    qtbot.keyClicks(tab.new_email, "noor@example.org")
    tab.add_button.click()
    assert tab.table.rowCount() == 4
    row = next(r for r in range(4) if tab.table.item(r, 0).text() == "Noor New")
    assert tab.table.item(row, 3).text() == "Invitation to send"
    assert tab.selected() is not None and tab.invite_button.isEnabled()
    tab.select(learner.id)
    tab.remove_button.click()
    assert tab.table.rowCount() == 3 and _roles(ctx, learner.id) == ("learner", None)
    settings = dialog.settings_tab  # type: ignore[attr-defined]
    settings.timezone.setCurrentText("Nowhere/Land")
    settings.save_button.click()
    assert "not a time zone" in warnings[-1]
    settings.timezone.setCurrentText("Europe/Berlin")
    settings.save_button.click()
    assert members.load_settings(ctx, admin).timezone == "Europe/Berlin"
