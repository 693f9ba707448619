"""Joining an organisation from this device: an admin invites, the invitee accepts.

Why a module of its own: on the server, a sign-up can no longer put itself into an
organisation (``resources/supabase/README.md``, "Joining an organisation"); it joins with an
invitation an org admin created, or through a confirmed email domain the organisation
allows. These are the two client halves of that, used by ``byteos org invite`` and
``byteos sync --invitation``. Both need a signed-in session (``SyncService.sign_in``) and the
network; the invitation code is shown once, to the admin, and never stored here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: ``byteos``'s argument parser reads INVITABLE_ROLES
    from sync.remote.client import Remote
    from sync.service import SyncService

INVITABLE_ROLES = ("learner", "creator", "manager", "org_admin")
"""Roles an org admin may give (never ``super_admin``); the server checks the same."""


@dataclass(frozen=True)
class Invitation:
    email: str
    role: str
    expires_at: str
    code: str
    """The secret the invitee types; the server keeps only its hash."""


@dataclass(frozen=True)
class Joined:
    org_id: str
    role: str


def invite(service: SyncService, email: str, role: str = "learner", days: int = 14) -> Invitation:
    """Create an invitation to the signed-in admin's organisation for ``email``."""
    from sync.remote.client import Refused
    from sync.service import SyncError

    email = email.strip().lower()
    if "@" not in email.strip("@"):
        raise SyncError(f"“{email}” is not an email address.")
    if role not in INVITABLE_ROLES:
        raise SyncError(f"An invitation can give one of: {', '.join(INVITABLE_ROLES)}.")
    if not 1 <= days <= 90:
        raise SyncError("An invitation is valid for 1 to 90 days.")
    remote = _signed_in(service)
    try:
        row = remote.create_invitation(email, role, days)
    except Refused as err:
        raise SyncError(
            "The server refused the invitation: only an organisation admin can invite, and "
            f"only to their own organisation ({err})."
        ) from err
    finally:
        remote.close()
    return Invitation(str(row["email"]), str(row["role"]), str(row["expires_at"]), row["token"])


def remove(service: SyncService, user_id: str) -> None:
    """Take ``user_id`` out of the signed-in admin's organisation on the server (issue 13)."""
    from sync.remote.client import Refused
    from sync.service import SyncError

    remote = _signed_in(service)
    try:
        remote.remove_member(user_id)
    except Refused as err:
        raise SyncError(f"The server refused the removal: {err}.") from err
    finally:
        remote.close()


def accept(service: SyncService, code: str) -> Joined:
    """Join the organisation that invited the signed-in account's email address."""
    from sync.remote.client import Refused
    from sync.service import SyncError

    code = code.strip()
    if not code:
        raise SyncError("Enter the invitation code you were sent.")
    remote = _signed_in(service)
    try:
        row = remote.accept_invitation(code)
    except Refused as err:
        reason = (
            "this invitation is for another email address, or your account already belongs "
            "to another organisation"
            if err.code == "42501"
            else "the code is unknown, already used or expired: ask your admin for a new one"
        )
        raise SyncError(f"The invitation was not accepted: {reason}.") from err
    finally:
        remote.close()
    return Joined(str(row["org_id"]), str(row["role"]))


def _signed_in(service: SyncService) -> Remote:
    from sync.remote.client import AuthRequired, Remote, TransientError, probe
    from sync.service import NotConfigured, Offline

    url, key = service.settings()
    if not url or not key:
        raise NotConfigured("Sync is not set up: connect to your organisation first.")
    account = service._get("account.id")  # the account signed in on this device
    stored = service.store.load(url, account) if account else None
    if stored is None:
        raise AuthRequired("Sign in first (byteos sync --email …).")
    if not probe(url):
        raise Offline(f"Cannot reach {url}: you seem to be offline.")
    remote = Remote(url, key)
    try:
        remote.resume(stored.access_token, stored.refresh_token)
    except (AuthRequired, TransientError):
        remote.close()
        raise
    assert remote.session is not None
    service.store.save(url, remote.session)
    return remote
