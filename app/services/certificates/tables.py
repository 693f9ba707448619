"""Reads of the synced certificate tables that signing and verifying both need."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.services.certificates.model import Certificate, CertificateRequest
from engine.certificates.keys import (
    KeyFormatError,
    KeySet,
)
from engine.certificates.templates import template_or_default
from engine.certificates.timefmt import format_time, utc
from sync.store.database import Database

_CERT_NS = uuid.UUID("5c2e8f4a-1d3b-4c6a-9e7f-2a4b6c8d0e1f")


def certificate_id_for(learner_id: str, path_id: str, completed_at: datetime) -> str:
    """One id per learner, path and completion: the learner's pending request and the row
    the signer writes are the same certificate (a renewal is a new completion, a new id)."""
    return str(uuid.uuid5(_CERT_NS, f"{learner_id}:{path_id}:{format_time(utc(completed_at))}"))


def requests_in(db: Database, org_id: str | None, learner_id: str | None) -> list[tuple[str, Any]]:
    """(certificate id, request) for every completed path with issue_cert, in scope."""
    from sqlalchemy import select

    from sync.store.models import Enrollment, LearningPath, Organisation, Profile

    q = (
        select(Enrollment, LearningPath, Profile.full_name, Organisation.name)
        .join(LearningPath, LearningPath.id == Enrollment.path_id)
        .join(Profile, Profile.id == Enrollment.user_id)
        .join(Organisation, Organisation.id == LearningPath.org_id)
        .where(Enrollment.status == "completed", Enrollment.completed_at.is_not(None))
    )
    if org_id is not None:
        q = q.where(LearningPath.org_id == org_id)
    if learner_id is not None:
        q = q.where(Enrollment.user_id == learner_id)
    out = []
    with db.transaction() as s:
        for e, path, name, org_name in s.execute(q).all():
            cfg = path.certification_config or {}
            if not cfg.get("issue_cert") or e.completed_at is None:  # the query says not None
                continue
            req = CertificateRequest(
                learner_id=e.user_id,
                learner_name=name or "",
                path_id=path.id,
                path_title=path.title,
                org_id=path.org_id,
                org_name=org_name,
                completed_at=utc(e.completed_at),
                validity_days=cfg.get("validity_days"),
                path_description=path.description or "",
                template=template_or_default(cfg.get("cert_template")),
            )
            out.append((certificate_id_for(e.user_id, path.id, e.completed_at), req))
    return out


def signed_rows(db: Database, ids: Iterable[str]) -> dict[str, Any]:
    from sqlalchemy import select

    from sync.store.models import Certification

    with db.transaction() as s:
        rows = s.scalars(select(Certification).where(Certification.id.in_(list(ids)))).all()
        return {
            r.id: (r.verification_code, r.issued_at, r.expires_at, r.credential_jwt) for r in rows
        }


def from_row(cert_id: str, req: CertificateRequest, row: Any) -> Certificate:
    code, issued, expires, token = row
    return Certificate(cert_id, "signed", req, code, issued, expires, token)


def row_by_code(db: Database, code: str) -> Certificate | None:
    from sqlalchemy import select

    from sync.store.models import Certification

    with db.transaction() as s:
        row = s.scalars(
            select(Certification).where(Certification.verification_code == code)
        ).first()
        if row is None or not row.credential_jwt:
            return None
        cert_id, user_id, path_id = row.id, row.user_id, row.path_id
        values = (row.verification_code, row.issued_at, row.expires_at, row.credential_jwt)
    req = next((r for i, r in requests_in(db, None, user_id) if i == cert_id), None)
    if req is None:  # the completion is not on this device: the credential says enough
        req = CertificateRequest(user_id, "", path_id, "", "", "", values[1] or utc(datetime.now()))
    return from_row(cert_id, req, values)


def row_codes(db: Database) -> set[str]:
    from sqlalchemy import select

    from sync.store.models import Certification

    with db.transaction() as s:
        return {c for c in s.scalars(select(Certification.verification_code)) if c}


def issuers_in(db: Database) -> list[tuple[KeySet, str | None]]:
    from sqlalchemy import select

    from sync.store.models import CertificateIssuer

    out = []
    with db.transaction() as s:
        for ks, token in s.execute(
            select(CertificateIssuer.key_set, CertificateIssuer.revocation_list)
        ).all():
            try:
                out.append((KeySet.from_jwks(ks), token))
            except KeyFormatError:
                continue  # a damaged key set is skipped, never fatal
    return out
