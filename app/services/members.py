"""Organisation administration (issue 13): the organisation's members, their roles, and the
organisation's settings.

Who: an organisation's admins for their own organisation, super admins for any. The rules
the server enforces (``resources/supabase/migrations/20261202000500_org_administration.sql``)
are checked here first, so a refusal is explained before anything is written:

* nobody changes their own role (so nobody raises it);
* the last admin of an organisation is neither demoted nor removed;
* ``org_members.role`` and ``profiles.role`` change together (``admin`` is the membership
  of an ``org_admin`` profile; a super admin's profile stays ``super_admin``).

How a change gets to the server: the profile row goes through the outbox like every local
change, *authored* by the admin who made it (``sync_outbox.author_id``), so the admin's sync
pushes it, never the member's own device; the server keeps the membership row in step and
every device pulls both. Adding someone offline makes a local profile (for this device) and
remembers their email; online, :func:`invite` asks the server for an invitation code, which
the member accepts on their first sync (``byteos sync --invitation``).
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.services import accounts
from app.services.accounts import PROFILE_ROLE_OF, ROLE_LABELS, CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from engine.org.vocabulary import MEMBER_ROLES, SIGNER_ROLES, MemberRole
from sync.store.json_shapes import OrgSettings
from sync.store.models import (
    LocalUser,
    Organisation,
    OrgMember,
    Profile,
    SyncOutbox,
    SyncState,
)

if TYPE_CHECKING:
    from sync.membership import Invitation
    from sync.service import SyncService

ADMIN_ROLES = SIGNER_ROLES
"""The organisation's admins (the same roles as its certificate signers)."""
MEMBER_LABELS: dict[str, str] = {
    "admin": ROLE_LABELS["org_admin"],
    "manager": ROLE_LABELS["manager"],
    "creator": ROLE_LABELS["creator"],
    "learner": ROLE_LABELS["learner"],
}
_RANK: dict[str, int] = {role: i for i, role in enumerate(MEMBER_ROLES)}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Member:
    user_id: str
    full_name: str
    email: str | None
    role: str
    """The membership role (``engine.org.vocabulary.MemberRole``)."""
    profile_role: str
    joined_at: datetime | None
    invite_pending: bool
    """Added on this device with an email; no invitation sent yet (offline)."""

    @property
    def role_label(self) -> str:
        if self.profile_role == "super_admin":
            return ROLE_LABELS["super_admin"]
        return MEMBER_LABELS.get(self.role, self.role)


def may_manage(user: CurrentUser | None) -> bool:
    return user is not None and user.role in ADMIN_ROLES


def _org_of(user: CurrentUser, org_id: str | None) -> str:
    if not may_manage(user):
        raise UserError("Only an organisation admin manages members and settings.")
    org = org_id or user.org_id
    if org is None:
        raise UserError("Choose the organisation to manage.")
    if user.role != "super_admin" and org != user.org_id:
        raise UserError("You manage your own organisation's members only.")
    return org


def _invite_key(user_id: str) -> str:
    return f"local.invite.{user_id}"


def list_members(ctx: AppContext, user: CurrentUser, org_id: str | None = None) -> list[Member]:
    """The organisation's members, admins first, then by name."""
    org = _org_of(user, org_id)
    with ctx.db.transaction() as s:
        rows = s.execute(
            select(OrgMember, Profile, LocalUser.email)
            .join(Profile, Profile.id == OrgMember.user_id)
            .outerjoin(LocalUser, LocalUser.id == Profile.id)
            .where(OrgMember.org_id == org)
        ).all()
        pending = set(s.scalars(select(SyncState.key).where(SyncState.key.like("local.invite.%"))))
        members = [
            Member(
                p.id,
                p.full_name or "",
                email,
                m.role or "learner",
                p.role or "learner",
                m.joined_at,
                _invite_key(p.id) in pending,
            )
            for m, p, email in rows
        ]
    return sorted(members, key=lambda m: (_RANK.get(m.role, 9), m.full_name.lower()))


def _member_role(role: str) -> MemberRole:
    if role not in MEMBER_ROLES:
        raise UserError(f"Unknown role “{role}”: choose one of {', '.join(MEMBER_ROLES)}.")
    return role


def _other_admins(s: Session, org: str, user_id: str) -> int:
    return int(
        s.scalar(
            select(func.count())
            .select_from(OrgMember)
            .where(OrgMember.org_id == org, OrgMember.role == "admin")
            .where(OrgMember.user_id != user_id)
        )
        or 0
    )


def _authored_by(s: Session, actor: CurrentUser, table: str, row_id: str, after: int) -> None:
    """The outbox entries this change made are the admin's to push (``author_id``), so the
    member's own device never sends a role change it did not make."""
    s.flush()
    s.execute(
        update(SyncOutbox)
        .where(SyncOutbox.id > after, SyncOutbox.table_name == table)
        .where(SyncOutbox.row_id == row_id, SyncOutbox.author_id.is_(None))
        .values(author_id=actor.id)
    )


def _last_entry(s: Session) -> int:
    return int(s.scalar(select(func.max(SyncOutbox.id))) or 0)


def add_member(
    ctx: AppContext,
    user: CurrentUser,
    full_name: str,
    email: str | None,
    role: str,
    passphrase: str | None = None,
    org_id: str | None = None,
) -> Member:
    """A local profile for someone joining the organisation on this device. A role above
    learner needs a first passphrase (the member changes it); with an email, an invitation
    is sent from :func:`invite` once online (the profile links on the member's first sync)."""
    org = _org_of(user, org_id)
    member_role = _member_role(role)
    profile_role = PROFILE_ROLE_OF[member_role]
    if accounts.needs_passphrase(profile_role) and not passphrase:
        raise UserError(
            f"A {MEMBER_LABELS[member_role].lower()} profile on this device needs a first "
            "passphrase: give it to them, they can change it."
        )
    created = accounts.create_profile(
        ctx.db, full_name, profile_role, org, email, passphrase=passphrase
    )
    clean_email = (email or "").strip().lower()
    if clean_email:
        with ctx.db.transaction() as s:
            s.add(SyncState(key=_invite_key(created.id), value=f"{clean_email}|{member_role}"))
    return next(m for m in list_members(ctx, user, org) if m.user_id == created.id)


def change_role(
    ctx: AppContext, user: CurrentUser, member_id: str, role: str, org_id: str | None = None
) -> Member:
    """Give ``member_id`` the membership ``role`` (and the matching profile role)."""
    org = _org_of(user, org_id)
    member_role = _member_role(role)
    if member_id == user.id:
        raise UserError("You cannot change your own role: ask another admin.")
    with ctx.db.transaction() as s:
        membership = s.scalar(
            select(OrgMember).where(OrgMember.org_id == org, OrgMember.user_id == member_id)
        )
        profile = s.get(Profile, member_id)
        if membership is None or profile is None:
            raise UserError("That person is not a member of this organisation.")
        if profile.role == "super_admin" and user.role != "super_admin":
            raise UserError("A super admin's role is changed by another super admin only.")
        if (
            membership.role == "admin"
            and member_role != "admin"
            and not _other_admins(s, org, member_id)
        ):
            raise UserError(
                "This is the organisation's last admin: make someone else an admin first."
            )
        after = _last_entry(s)
        membership.role = member_role
        if profile.role != "super_admin":
            profile.role = PROFILE_ROLE_OF[member_role]
        _authored_by(s, user, "profiles", member_id, after)
    return next(m for m in list_members(ctx, user, org) if m.user_id == member_id)


def _removal(s: Session, user: CurrentUser, org: str, member_id: str) -> OrgMember:
    """The membership to remove, once the rules allow it (nothing written)."""
    if member_id == user.id:
        raise UserError("You cannot remove yourself: ask another admin.")
    membership = s.scalar(
        select(OrgMember).where(OrgMember.org_id == org, OrgMember.user_id == member_id)
    )
    profile = s.get(Profile, member_id)
    if membership is None or profile is None:
        raise UserError("That person is not a member of this organisation.")
    if profile.role == "super_admin" and user.role != "super_admin":
        raise UserError("A super admin is removed by another super admin only.")
    if membership.role == "admin" and not _other_admins(s, org, member_id):
        raise UserError("This is the organisation's last admin: make someone else an admin first.")
    return membership


def remove_member(
    ctx: AppContext, user: CurrentUser, member_id: str, org_id: str | None = None
) -> None:
    """Take ``member_id`` out of the organisation on this device: the membership goes, the
    profile leaves the organisation as a learner (as the server's ``remove_member`` does).

    Nothing is queued for the server: it does not take a profile pushed out of an
    organisation (the admin could not read it back); a device connected to its organisation
    removes there first, :func:`remove_on_server`, and the next pull agrees with this."""
    org = _org_of(user, org_id)
    with ctx.db.transaction() as s:
        membership = _removal(s, user, org, member_id)
        after = _last_entry(s)
        profile = s.get(Profile, member_id)
        s.delete(membership)
        if profile is not None and profile.org_id == org:
            profile.org_id = None
            if profile.role != "super_admin":
                profile.role = "learner"
        invite = s.get(SyncState, _invite_key(member_id))
        if invite is not None:
            s.delete(invite)
        s.flush()
        s.execute(
            delete(SyncOutbox).where(
                SyncOutbox.id > after,
                SyncOutbox.table_name == "profiles",
                SyncOutbox.row_id == member_id,
            )
        )


def remove_on_server(
    service: SyncService, ctx: AppContext, user: CurrentUser, member_id: str
) -> None:
    """Online: remove ``member_id`` on the server (``public.remove_member``, which enforces
    the same rules), then on this device. Offline or refused, nothing changes here."""
    from sync import membership

    org = _org_of(user, None)
    with ctx.db.transaction() as s:
        _removal(s, user, org, member_id)
    membership.remove(service, member_id)
    remove_member(ctx, user, member_id)


def invite(service: SyncService, ctx: AppContext, user: CurrentUser, member_id: str) -> Invitation:
    """Online: ask the server for an invitation for a member added on this device (their
    email and role); the code is shown once to the admin, who passes it on."""
    from sync import membership

    _org_of(user, None)
    with ctx.db.transaction() as s:
        row = s.get(SyncState, _invite_key(member_id))
        if row is None or not row.value:
            raise UserError("There is no invitation waiting for this member.")
        email, _, role = row.value.partition("|")
    invitation = membership.invite(service, email, PROFILE_ROLE_OF[_member_role(role)])
    with ctx.db.transaction() as s:
        sent = s.get(SyncState, _invite_key(member_id))
        if sent is not None:
            s.delete(sent)
    return invitation


# -- the organisation's settings ----------------------------------------------------------------
@dataclass(frozen=True)
class OrgSettingsDoc:
    org_id: str
    name: str
    default_language: str | None
    timezone: str | None


def load_settings(ctx: AppContext, user: CurrentUser, org_id: str | None = None) -> OrgSettingsDoc:
    org = _org_of(user, org_id)
    with ctx.db.transaction() as s:
        row = s.get(Organisation, org)
        if row is None:
            raise UserError("That organisation no longer exists on this device.")
        doc = OrgSettings.model_validate(row.settings or {})
        return OrgSettingsDoc(org, row.name, doc.default_language, doc.timezone)


def save_settings(
    ctx: AppContext,
    user: CurrentUser,
    name: str,
    default_language: str | None,
    timezone: str | None,
    org_id: str | None = None,
) -> OrgSettingsDoc:
    """Rename the organisation and set its default language (a BCP 47 tag such as ``en`` or
    ``pt-BR``) and time zone (an IANA name such as ``Europe/Paris``); other keys of the
    settings document (SSO, allowed email domains) are kept."""
    org = _org_of(user, org_id)
    name = name.strip()
    if not name:
        raise UserError("The organisation needs a name.")
    language = (default_language or "").strip() or None
    if language is not None and not _LANGUAGE.match(language):
        raise UserError(f"“{language}” is not a language tag (for example en, fr or pt-BR).")
    zone = (timezone or "").strip() or None
    if zone is not None:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise UserError(
                f"“{zone}” is not a time zone (for example Europe/London or America/New_York)."
            ) from None
    with ctx.db.transaction() as s:
        row = s.get(Organisation, org)
        if row is None:
            raise UserError("That organisation no longer exists on this device.")
        settings = dict(row.settings or {})
        settings.update({"default_language": language, "timezone": zone})
        row.settings = OrgSettings.model_validate(settings).model_dump(exclude_none=True)
        row.name = name
    return load_settings(ctx, user, org)


def time_zones() -> list[str]:
    """The IANA time zones this machine knows, for the settings screen's choices."""
    return sorted(zoneinfo.available_timezones())
