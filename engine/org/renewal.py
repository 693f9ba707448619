"""Certificate expiry and the renewal it causes on mandatory paths.

A certificate issued for a path with ``validity_days`` expires that many days after the
learner completed the path (``expires_at``, what the credential calls ``validUntil``). When a
certificate of a path that is *mandatory* for its holder (the holder has compliance records
for that path) comes within ``lead_days`` of expiry, the renewal is new compliance records,
one per required course of the path, due when the certificate expires.

Why deterministic record ids: the manager's laptop and the admin's may both notice the same
expiry while offline. The id of a renewal record is a UUIDv5 of the certificate and the
course, so both make *the same* row (the server keeps the first, the second insert is a
no-op) and nobody is asked to renew twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from engine.org.paths import PathSpec

RENEWAL_NAMESPACE = uuid.UUID("6f1e3c2a-9b7d-5e4f-8a10-2c3d4e5f6a7b")
DEFAULT_LEAD_DAYS = 30

Expiry = Literal["no_expiry", "valid", "expiring", "expired"]


@dataclass(frozen=True)
class Held:
    """The parts of a ``certifications`` row the logic looks at."""

    id: str
    user_id: str
    path_id: str
    expires_at: datetime | None


@dataclass(frozen=True)
class Renewal:
    """A compliance record to create: a renewal of ``certification_id``."""

    record_id: str
    user_id: str
    path_id: str
    course_id: str
    required_by: datetime
    certification_id: str

    @property
    def reason(self) -> str:
        return f"renewal: the certificate expires on {self.required_by:%d %B %Y}"


def expires_at(completed_at: datetime, validity_days: int | None) -> datetime | None:
    """When a certificate for a completion at ``completed_at`` expires (None: never)."""
    if validity_days is None:
        return None
    if validity_days < 1:
        raise ValueError("validity_days must be 1 or more")
    return completed_at + timedelta(days=validity_days)


def expiry(held: Held, now: datetime, lead_days: int = DEFAULT_LEAD_DAYS) -> Expiry:
    """For the learner's list: expiry shows ``lead_days`` in advance."""
    if held.expires_at is None:
        return "no_expiry"
    if now >= held.expires_at:
        return "expired"
    return "expiring" if now >= held.expires_at - timedelta(days=lead_days) else "valid"


def renewal_record_id(certification_id: str, course_id: str) -> str:
    return str(uuid.uuid5(RENEWAL_NAMESPACE, f"{certification_id}/{course_id}"))


def renewals_due(
    held: Iterable[Held],
    mandatory: Mapping[str, Collection[str]],
    paths: Mapping[str, PathSpec],
    existing: Collection[str],
    now: datetime,
    lead_days: int = DEFAULT_LEAD_DAYS,
) -> list[Renewal]:
    """The renewal records to create now.

    ``mandatory``: user id -> the path ids that are mandatory for them; ``paths``: path id ->
    its spec; ``existing``: ids of compliance records already there (locally or synced), so
    a renewal is made once. A newer certificate of the same path supersedes an older one
    (only the latest expiry per user and path counts).
    """
    latest: dict[tuple[str, str], Held] = {}
    for h in held:
        key = (h.user_id, h.path_id)
        best = latest.get(key)
        if best is None or (
            best.expires_at is not None and (h.expires_at is None or h.expires_at > best.expires_at)
        ):
            latest[key] = h
    out: list[Renewal] = []
    for (user_id, path_id), h in sorted(latest.items()):
        if h.expires_at is None or path_id not in mandatory.get(user_id, ()):
            continue
        spec = paths.get(path_id)
        if spec is None or now < h.expires_at - timedelta(days=lead_days):
            continue
        for course_id in spec.required:
            rid = renewal_record_id(h.id, course_id)
            if rid not in existing:
                out.append(Renewal(rid, user_id, path_id, course_id, h.expires_at, h.id))
    return out
