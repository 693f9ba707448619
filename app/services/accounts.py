"""Local profiles and offline sign-in.

A device can hold several local profiles (a family laptop, a training-room PC). Signing in
picks one; no network is needed. Supabase sign-in will link a local profile to a remote
account when online (sync issue).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.services.errors import UserError
from sync.store.column_types import utcnow
from sync.store.database import Database
from sync.store.models import (
    PROFILE_ROLES,
    LearnerProfile,
    LocalUser,
    Organisation,
    OrgMember,
    Profile,
    SyncRowMeta,
)

ROLE_LABELS = {
    "learner": "Learner",
    "creator": "Creator",
    "manager": "Manager",
    "org_admin": "Organisation admin",
    "super_admin": "Super admin",
}
AUTHOR_ROLES = frozenset({"creator", "org_admin", "super_admin"})
_MEMBER_ROLE = {
    "super_admin": "admin",
    "org_admin": "admin",
    "manager": "manager",
    "creator": "creator",
    "learner": "learner",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class CurrentUser:
    id: str
    full_name: str
    role: str
    org_id: str | None
    org_name: str | None

    @property
    def can_author(self) -> bool:
        return self.role in AUTHOR_ROLES

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class OrgSummary:
    id: str
    name: str
    slug: str


def list_organisations(db: Database) -> list[OrgSummary]:
    with db.transaction() as s:
        rows = s.scalars(select(Organisation).order_by(Organisation.name)).all()
        return [OrgSummary(o.id, o.name, o.slug) for o in rows]


def unique_slug(session: Session, column: InstrumentedAttribute[str], name: str) -> str:
    """A URL-safe slug for ``name`` that no row has in ``column`` yet."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "item"
    slug, n = base, 1
    while session.scalar(select(func.count()).where(column == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_organisation(db: Database, name: str) -> OrgSummary:
    name = name.strip()
    if not name:
        raise UserError("The organisation needs a name.")
    with db.transaction() as s:
        slug = unique_slug(s, Organisation.slug, name)
        org = Organisation(name=name, slug=slug, plan="free")
        s.add(org)
        s.flush()
        return OrgSummary(org.id, org.name, org.slug)


# Colleagues' profiles that sync brought (course authors, managers) are not accounts of this
# device: they are not offered for sign-in.
_REMOTE_ONLY = select(SyncRowMeta.row_id).where(
    SyncRowMeta.table_name == "local_users", SyncRowMeta.origin == "remote"
)


def list_profiles(db: Database) -> list[CurrentUser]:
    with db.transaction() as s:
        rows = s.execute(
            select(Profile, Organisation.name)
            .outerjoin(Organisation, Profile.org_id == Organisation.id)
            .join(LocalUser, LocalUser.id == Profile.id)
            .where(Profile.id.not_in(_REMOTE_ONLY))
            .order_by(LocalUser.last_sign_in_at.desc(), Profile.full_name)
        ).all()
        return [
            CurrentUser(p.id, p.full_name or "", p.role or "learner", p.org_id, org_name)
            for p, org_name in rows
        ]


def create_profile(
    db: Database,
    full_name: str,
    role: str,
    org_id: str | None,
    email: str | None = None,
) -> CurrentUser:
    """Create a local identity, its profile, org membership and Digital Learner Twin."""
    full_name = full_name.strip()
    if not full_name:
        raise UserError("Please enter a name for the profile.")
    if role not in PROFILE_ROLES:
        raise UserError(f"Unknown role “{role}”.")
    email = (email or "").strip() or None
    if email is not None and not _EMAIL.match(email):
        raise UserError(f"“{email}” is not an email address.")
    if org_id is None and role != "super_admin":
        raise UserError("Choose the organisation this profile belongs to.")
    with db.transaction() as s:
        org_name = None
        if org_id is not None:
            org = s.get(Organisation, org_id)
            if org is None:
                raise UserError("That organisation no longer exists.")
            org_name = org.name
        if email and s.scalar(select(func.count()).where(LocalUser.email == email)):
            raise UserError(f"A profile with the email {email} already exists on this device.")
        user = LocalUser(email=email)
        s.add(user)
        s.flush()
        s.add(Profile(id=user.id, full_name=full_name, role=role, org_id=org_id))
        s.flush()
        if org_id is not None:
            s.add(OrgMember(org_id=org_id, user_id=user.id, role=_MEMBER_ROLE[role]))
        s.add(LearnerProfile(user_id=user.id))
        return CurrentUser(user.id, full_name, role, org_id, org_name)


def sign_in(db: Database, profile_id: str) -> CurrentUser:
    with db.transaction() as s:
        row = s.execute(
            select(Profile, Organisation.name)
            .outerjoin(Organisation, Profile.org_id == Organisation.id)
            .where(Profile.id == profile_id)
        ).first()
        if row is None:
            raise UserError("That profile no longer exists on this device.")
        profile, org_name = row
        user = s.get(LocalUser, profile_id)
        if user is not None and not db.read_only:  # a read-only database still signs in
            user.last_sign_in_at = utcnow()
        return CurrentUser(
            profile.id,
            profile.full_name or "",
            profile.role or "learner",
            profile.org_id,
            org_name,
        )
