"""The synced tables as the source of truth: requests derived from completed paths,
``certifications`` rows, issuers and branding read from the local mirror."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from app.services.certificates.model import Certificate, certification_row
from app.services.certificates.signing import (
    CertificateStore,
    _sign,
    can_sign,
    refresh_revocations,
    signing_key,
)
from app.services.certificates.tables import from_row, requests_in, signed_rows
from app.services.errors import UserError
from engine.certificates.keys import (
    KeySet,
    issuer_id_for,
)
from sync.store.database import Database


def request_certificates(
    ctx_db: Database, store: CertificateStore, learner_id: str, now: datetime
) -> list[Certificate]:
    """On the learner's device, after a refresh: a certificate request for each completed
    path with ``issue_cert`` that has none yet (pending signature here; signed at once only
    on a device that holds the key, for someone else). Returns the new ones."""
    made = []
    reqs = requests_in(ctx_db, None, learner_id)
    signed = signed_rows(ctx_db, [i for i, _ in reqs])
    for cert_id, req in reqs:
        if cert_id in signed or store.get(cert_id) is not None:
            continue
        pending = Certificate(cert_id, "pending_signature", req)
        store.save(pending)  # the signer signs it when the completion reaches its device
        made.append(pending)
    return made


def sign_pending_rows(
    db: Database, store: CertificateStore, signer_id: str, org_id: str, now: datetime
) -> list[Certificate]:
    """On the org admin's device (it holds the key): sign every completion of the
    organisation still pending signature and write its ``certifications`` row; publish the
    key set and revocation list to ``certificate_issuers``. Nobody certifies themselves."""
    from sync.store.models import Certification

    key = signing_key(org_id)
    if key is None:
        raise UserError("this device does not hold the organisation's signing key")
    reqs = [(i, r) for i, r in requests_in(db, org_id, None) if r.learner_id != signer_id]
    done = signed_rows(db, [i for i, _ in reqs])
    signed: list[Certificate] = []
    for cert_id, req in reqs:
        if cert_id in done:
            continue
        cert = _sign(store, Certificate(cert_id, "pending_signature", req), key, now)
        with db.transaction() as s:
            s.add(Certification(**certification_row(cert)))
        store.save(cert)
        signed.append(cert)
    if signed:
        refresh_revocations(store, org_id, now)
    publish_trust(db, store, org_id)
    return signed


def sign_if_signer(
    db: Database,
    store: CertificateStore,
    user_id: str,
    role: str,
    org_id: str | None,
    now: datetime,
) -> list[Certificate]:
    """What the admin's app runs on start, on refresh and after a sync: sign what is pending
    when this account signs for its organisation and this device holds the key; else
    nothing (``[]``), never an error."""
    from engine.org.vocabulary import SIGNER_ROLES

    if role not in SIGNER_ROLES or org_id is None or db.read_only or not can_sign(org_id):
        return []
    return sign_pending_rows(db, store, user_id, org_id, now)


def sign_after_sync(db: Database, now: datetime) -> list[Certificate]:
    """For the sync service's after-sync hook (Qt-free): the signed-in account of this
    database (``account.id``) signs the completions the sync brought, if it is the signer."""
    from sqlalchemy import select

    from sync.store.models import Profile, SyncState

    with db.transaction() as s:
        account = s.scalar(select(SyncState.value).where(SyncState.key == "account.id"))
        profile = s.get(Profile, account) if account else None
        if profile is None:
            return []
        role, org_id = profile.role or "learner", profile.org_id
    store = CertificateStore.default(db.path, db)
    return sign_if_signer(db, store, str(account), role, org_id, now)


def publish_trust(db: Database, store: CertificateStore, org_id: str) -> None:
    """The organisation's key set and signed revocation list into ``certificate_issuers``."""
    from sqlalchemy import select

    from sync.store.models import CertificateIssuer

    issuer = issuer_id_for(org_id)
    key_set = store.key_set(issuer)
    if key_set is None:
        return
    with db.transaction() as s:
        row = s.scalars(select(CertificateIssuer).where(CertificateIssuer.org_id == org_id)).first()
        if row is None:
            row = CertificateIssuer(org_id=org_id, key_set={})
            s.add(row)
        stored = KeySet.from_jwks(row.key_set) if row.key_set else None
        merged = stored.merged(key_set) if stored else key_set
        row.key_set = json.loads(merged.to_json())
        row.revocation_list = store.revocations(issuer)


def certificates_of(db: Database, store: CertificateStore, learner_id: str) -> list[Certificate]:
    """The learner's certificates, newest first: signed rows (synced), and completions still
    pending signature (derived from the enrolments, wherever they were completed)."""
    reqs = requests_in(db, None, learner_id)
    rows = signed_rows(db, [i for i, _ in reqs])
    found = {
        i: from_row(i, r, rows[i]) if i in rows else Certificate(i, "pending_signature", r)
        for i, r in reqs
    }
    for cert in store.for_learner(learner_id):
        found.setdefault(cert.id, cert)
    return sorted(found.values(), key=lambda c: c.request.completed_at, reverse=True)


def org_branding(db: Database, org_id: str | None) -> dict[str, Any]:
    """The organisation's ``branding`` document (colours for the certificate PDF)."""
    from sync.store.models import Organisation

    if org_id is None:
        return {}
    with db.transaction() as s:
        org = s.get(Organisation, org_id)
        return dict(org.branding or {}) if org is not None else {}
