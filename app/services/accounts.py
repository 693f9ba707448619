"""Local profiles and offline sign-in.

A device can hold several local profiles (a family laptop, a training-room PC). Signing in
picks one; no network is needed. Supabase sign-in will link a local profile to a remote
account when online (sync issue).

Profiles above learner (creator, manager, admins) are protected by a passphrase on a shared
PC (issue 13): a learner in a training room must not open the admin's profile with one
click. The passphrase is hashed with scrypt (``hashlib``; a slow, memory-hard KDF) and kept
in this device's ``sync_state`` table under a ``local.`` key: that table is the device's own
bookkeeping, never pushed or pulled, so the hash never leaves the device and needs no schema
change. Wrong passphrases are rate-limited with an exponential back-off whose state is kept
in the same table, so restarting the app does not reset it. Learners stay one click.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.services.errors import UserError
from engine.org.vocabulary import PROFILE_ROLES
from sync.store.column_types import utcnow
from sync.store.database import Database
from sync.store.models import (
    LearnerProfile,
    LocalUser,
    Organisation,
    OrgMember,
    Profile,
    SyncRowMeta,
    SyncState,
)

ROLE_LABELS = {
    "learner": "Learner",
    "creator": "Creator",
    "manager": "Manager",
    "org_admin": "Organisation admin",
    "super_admin": "Super admin",
}
AUTHOR_ROLES = frozenset({"creator", "org_admin", "super_admin"})
MEMBER_ROLE_OF: dict[str, str] = {
    "super_admin": "admin",
    "org_admin": "admin",
    "manager": "manager",
    "creator": "creator",
    "learner": "learner",
}
"""A profile role's membership role (``engine.org.vocabulary`` ``MemberRole``)."""
PROFILE_ROLE_OF: dict[str, str] = {
    "admin": "org_admin",
    "manager": "manager",
    "creator": "creator",
    "learner": "learner",
}
"""A membership role's profile role (a super admin's profile stays ``super_admin``)."""
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


LOCAL_PROFILES_LOCKED = (
    "Your organisation's IT does not allow new local profiles on this computer. Sign in with "
    "your organisation account instead (Sync → Connect), or ask IT."
)


def local_profiles_refusal() -> str | None:
    """Why nobody may create a local profile here (the ``local_profiles_allowed`` setting,
    usually an IT policy), or None."""
    from engine.config import settings

    return None if settings().local_profiles_allowed else LOCAL_PROFILES_LOCKED


def create_local_profile(
    db: Database,
    full_name: str,
    role: str,
    org_id: str | None,
    email: str | None = None,
    passphrase: str | None = None,
) -> CurrentUser:
    """A person creating their own profile on the sign-in page: refused when IT does not
    allow local profiles (an admin adding a member is :func:`create_profile` itself)."""
    refusal = local_profiles_refusal()
    if refusal is not None:
        raise UserError(refusal)
    return create_profile(db, full_name, role, org_id, email, passphrase=passphrase)


def create_profile(
    db: Database,
    full_name: str,
    role: str,
    org_id: str | None,
    email: str | None = None,
    passphrase: str | None = None,
) -> CurrentUser:
    """Create a local identity, its profile, org membership and Digital Learner Twin; a
    profile above learner is protected by ``passphrase`` when one is given (the create
    dialog always asks for it; learners never have one)."""
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
    # without one (scripts, demo content), the sign-in page asks for it on first opening
    secret = _passphrase_value(passphrase) if passphrase and needs_passphrase(role) else None
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
            s.add(OrgMember(org_id=org_id, user_id=user.id, role=MEMBER_ROLE_OF[role]))
        s.add(LearnerProfile(user_id=user.id))
        if secret is not None:
            _store_passphrase(s, user.id, secret)
        return CurrentUser(user.id, full_name, role, org_id, org_name)


def sign_in(
    db: Database,
    profile_id: str,
    passphrase: str | None = None,
    *,
    unlocked_by_session: bool = False,
    now: datetime | None = None,
) -> CurrentUser:
    """Open ``profile_id``. A profile with a passphrase needs it (or ``unlocked_by_session``:
    its account has just signed in to the organisation's server with its password); raises
    :class:`PassphraseRequired` without one and :class:`UserError` for a wrong one or while
    the back-off lasts."""
    if not unlocked_by_session and has_passphrase(db, profile_id):
        if passphrase is None:
            raise PassphraseRequired("This profile is protected: enter its passphrase.")
        check_passphrase(db, profile_id, passphrase, now=now)
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


# -- passphrases of elevated profiles on a shared device ----------------------------------------
MIN_PASSPHRASE = 8
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
FREE_ATTEMPTS = 3
"""Wrong passphrases allowed before the back-off starts (typos happen)."""
MAX_WAIT = timedelta(minutes=15)


class PassphraseRequired(UserError):
    """The profile is protected: ask for its passphrase, then sign in again with it."""


def needs_passphrase(role: str) -> bool:
    """Every role above learner can change what others see or learn."""
    return role != "learner"


def _key(profile_id: str) -> str:
    return f"local.passphrase.{profile_id}"


def _fails_key(profile_id: str) -> str:
    return f"local.passphrase_failures.{profile_id}"


def _hash(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, maxmem=64 * 1024 * 1024, dklen=32, **_SCRYPT
    )


def has_passphrase(db: Database, profile_id: str) -> bool:
    with db.transaction() as s:
        return s.get(SyncState, _key(profile_id)) is not None


def _passphrase_value(passphrase: str) -> str:
    """The stored form of a new passphrase (checked first): ``scrypt$n$r$p$salt$hash``."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(f"A passphrase needs at least {MIN_PASSPHRASE} characters.")
    if not passphrase.strip():
        raise UserError("A passphrase cannot be only spaces.")
    salt = os.urandom(16)
    b64 = base64.b64encode
    head = "scrypt${n}${r}${p}$".format(**_SCRYPT)
    return f"{head}{b64(salt).decode()}${b64(_hash(passphrase, salt)).decode()}"


def _store_passphrase(s: Session, profile_id: str, value: str) -> None:
    row = s.get(SyncState, _key(profile_id))
    if row is None:
        s.add(SyncState(key=_key(profile_id), value=value))
    else:
        row.value = value
    failures = s.get(SyncState, _fails_key(profile_id))
    if failures is not None:
        s.delete(failures)


def set_passphrase(db: Database, profile_id: str, passphrase: str) -> None:
    """Protect ``profile_id`` with ``passphrase`` (replacing any earlier one)."""
    value = _passphrase_value(passphrase)
    with db.transaction() as s:
        if s.get(Profile, profile_id) is None:
            raise UserError("That profile no longer exists on this device.")
        _store_passphrase(s, profile_id, value)


def _failures(raw: str | None) -> tuple[int, datetime | None]:
    if not raw:
        return 0, None
    count, _, until = raw.partition("|")
    return int(count), datetime.fromisoformat(until) if until else None


def wait_after(failures: int) -> timedelta:
    """How long the next attempt waits after ``failures`` wrong passphrases in a row:
    nothing for the first few, then 2, 4, 8 … seconds, at most ``MAX_WAIT``."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_ATTEMPTS + 1)), MAX_WAIT)


def check_passphrase(
    db: Database, profile_id: str, passphrase: str, *, now: datetime | None = None
) -> None:
    """Raise :class:`UserError` unless ``passphrase`` is the profile's; a wrong one counts
    towards the back-off, a right one clears it. While the back-off lasts nothing is
    checked (not even the right passphrase), so guessing cannot go faster."""
    now = now or utcnow()
    with db.transaction() as s:
        stored = s.get(SyncState, _key(profile_id))
        if stored is None or not stored.value:
            return
        fails_row = s.get(SyncState, _fails_key(profile_id))
        count, until = _failures(fails_row.value if fails_row else None)
        if until is not None and now < until:
            seconds = max(1, int((until - now).total_seconds() + 0.999))
            raise UserError(
                f"Too many wrong passphrases: try again in {seconds} second"
                f"{'s' if seconds != 1 else ''}."
            )
        _scheme, n, r, p, salt, digest = stored.value.split("$")
        given = hashlib.scrypt(
            passphrase.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
            dklen=32,
        )
        if hmac.compare_digest(given, base64.b64decode(digest)):
            if fails_row is not None:
                s.delete(fails_row)
            return
        count += 1
        wait = wait_after(count)
        value = f"{count}|{(now + wait).isoformat() if wait else ''}"
        if fails_row is None:
            s.add(SyncState(key=_fails_key(profile_id), value=value))
        else:
            fails_row.value = value
    hint = f" Wait {int(wait.total_seconds())} seconds before the next try." if wait else ""
    raise UserError(f"That is not this profile's passphrase.{hint}")
