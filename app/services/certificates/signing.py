"""The signer's side: the organisation key in the OS keyring, issuing, signing pending
requests, revoking, and the folder store of pending requests and imported trust."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from app.services.certificates.model import Certificate, CertificateRequest, signing_secret_name
from app.services.certificates.tables import issuers_in, row_by_code, row_codes
from app.services.errors import UserError
from engine import secrets
from engine.certificates.codes import CodeError, new_code, parse_code
from engine.certificates.credential import Achievement, CertificateClaims, sign_credential
from engine.certificates.keys import (
    KeyFormatError,
    KeySet,
    SigningKey,
    issuer_id_for,
    new_key_set,
    rotate,
)
from engine.certificates.revocation import (
    BadRevocationList,
    Revocation,
    empty_list,
    list_id_for,
    sign_list,
)
from engine.certificates.timefmt import utc
from engine.certificates.verify import (
    TrustedIssuers,
    read_revocation_list,
)
from sync.store.database import Database


class CertificateStore:
    """JSON files under ``root``: ``issued/<id>.json`` for certificates (pending or signed),
    ``trust/<org>.jwks.json`` for public key sets and ``trust/<org>.revocations.jwt`` for the
    cached signed revocation lists. Private keys are never written here."""

    def __init__(self, root: Path, db: Database | None = None) -> None:
        self.root = root
        self.db = db
        """When given, signed certificates and the organisations' key sets and revocation
        lists are also read from the synced tables (the end of this module)."""

    @classmethod
    def default(cls, db_path: Path | None = None, db: Database | None = None) -> CertificateStore:
        if db_path is not None:
            return cls(db_path.parent / "certificates", db)
        import platformdirs

        return cls(Path(platformdirs.user_data_dir("ByteOS", appauthor=False)) / "certificates", db)

    def _dir(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def save(self, cert: Certificate) -> None:
        _write_atomic(self._dir("issued") / f"{cert.id}.json", json.dumps(cert.to_json(), indent=2))

    def all(self) -> list[Certificate]:
        folder = self.root / "issued"
        if not folder.is_dir():
            return []
        found: list[Certificate] = []
        for path in sorted(folder.glob("*.json")):
            try:
                found.append(Certificate.from_json(json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, KeyError, TypeError):
                continue  # a damaged file is skipped, never fatal
        return found

    def get(self, cert_id: str) -> Certificate | None:
        return next((c for c in self.all() if c.id == cert_id), None)

    def by_code(self, code: str) -> Certificate | None:
        found = next((c for c in self.all() if c.verification_code == code), None)
        if found is None and self.db is not None:
            found = row_by_code(self.db, code)
        return found

    def for_learner(self, learner_id: str) -> list[Certificate]:
        return [c for c in self.all() if c.request.learner_id == learner_id]

    def save_key_set(self, key_set: KeySet) -> KeySet:
        """Merge ``key_set`` into what is stored (history is never lost) and return it."""
        path = self._dir("trust") / f"{_slug(key_set.issuer_id)}.jwks.json"
        current = self.key_set(key_set.issuer_id)
        merged = current.merged(key_set) if current else key_set
        _write_atomic(path, merged.to_json())
        return merged

    def key_set(self, issuer_id: str) -> KeySet | None:
        path = self.root / "trust" / f"{_slug(issuer_id)}.jwks.json"
        if not path.is_file():
            return None
        try:
            return KeySet.from_json(path.read_text(encoding="utf-8"))
        except KeyFormatError:
            return None

    def key_sets(self) -> list[KeySet]:
        folder = self.root / "trust"
        found: list[KeySet] = []
        for path in sorted(folder.glob("*.jwks.json")) if folder.is_dir() else []:
            try:
                found.append(KeySet.from_json(path.read_text(encoding="utf-8")))
            except KeyFormatError:
                continue
        return found

    def save_revocations(self, issuer_id: str, token: str) -> None:
        _write_atomic(self._dir("trust") / f"{_slug(issuer_id)}.revocations.jwt", token)

    def revocations(self, issuer_id: str) -> str | None:
        path = self.root / "trust" / f"{_slug(issuer_id)}.revocations.jwt"
        return path.read_text(encoding="ascii").strip() if path.is_file() else None

    def trust(self) -> TrustedIssuers:
        sets = {ks.issuer_id: ks for ks in self.key_sets()}
        lists = {i: t for i in sets if (t := self.revocations(i)) is not None}
        if self.db is not None:  # what sync brought: certificate_issuers
            for ks, token in issuers_in(self.db):
                sets[ks.issuer_id] = sets[ks.issuer_id].merged(ks) if ks.issuer_id in sets else ks
                if token and ks.issuer_id not in lists:
                    lists[ks.issuer_id] = token
        return TrustedIssuers(sets, lists)


def _slug(issuer_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", issuer_id.removeprefix("urn:uuid:"))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


# -- keys (the org admin's machine) ----------------------------------------------------------
def signing_key(org_id: str) -> SigningKey | None:
    """The organisation's private key if this device holds it (an admin's keyring)."""
    text = secrets.get_secret(signing_secret_name(org_id))
    if not text:
        return None
    try:
        return SigningKey.import_from_keyring(text)
    except KeyFormatError:
        return None


def can_sign(org_id: str) -> bool:
    return signing_key(org_id) is not None


def set_up_signing(store: CertificateStore, org_id: str, org_name: str, now: datetime) -> KeySet:
    """Make this device (an org admin's) the organisation's signer: a new key in the OS
    keyring, its public half in the key set, and a first, empty signed revocation list.
    Refused when a key is already here (use :func:`rotate_signing_key`)."""
    if signing_key(org_id) is not None:
        raise UserError("this device already signs for the organisation; rotate the key instead")
    issuer = issuer_id_for(org_id)
    existing = store.key_set(issuer)
    if existing is not None and existing.current() is not None:
        key_set, key = rotate(existing, utc(now))  # another device had the key: retire it
    else:
        key_set, key = new_key_set(issuer, org_name, utc(now))
        if existing is not None:
            key_set = existing.merged(key_set)
    secrets.set_secret(signing_secret_name(org_id), key.export_for_keyring())  # may raise
    key_set = store.save_key_set(key_set)
    _publish_revocations(store, key_set, key, utc(now), None)
    return key_set


def rotate_signing_key(store: CertificateStore, org_id: str, now: datetime) -> KeySet:
    """Retire the current key (it stays in the key set, so its certificates still verify)
    and sign from now on with a new one; the revocation list is re-signed with it."""
    old = signing_key(org_id)
    key_set = store.key_set(issuer_id_for(org_id))
    if old is None or key_set is None:
        raise UserError("this device does not hold the organisation's signing key")
    key_set, key = rotate(key_set, utc(now))
    secrets.set_secret(signing_secret_name(org_id), key.export_for_keyring())
    key_set = store.save_key_set(key_set)
    _publish_revocations(store, key_set, key, utc(now), None)
    return key_set


def _publish_revocations(
    store: CertificateStore,
    key_set: KeySet,
    key: SigningKey,
    now: datetime,
    add: Revocation | None,
) -> str:
    token = store.revocations(key_set.issuer_id)
    current = empty_list(key_set.issuer_id, now)
    if token is not None:
        try:
            current = read_revocation_list(token, key_set)
        except BadRevocationList as err:
            # never re-publish a shorter list: that would un-revoke certificates
            raise UserError(
                f"{err}; restore the organisation's revocation list (sync) before changing it"
            ) from None
    updated = current.with_revocation(add, now) if add else replace(current, issued=now)
    signed = sign_list(updated, key)
    store.save_revocations(key_set.issuer_id, signed)
    return signed


# -- issuing ---------------------------------------------------------------------------------
def issue(
    store: CertificateStore,
    request: CertificateRequest,
    now: datetime,
    certificate_id: str | None = None,
) -> Certificate:
    """A certificate for ``request``: signed when this device holds the organisation's key,
    otherwise ``pending_signature`` (saved, signed later by :func:`sign_pending`)."""
    if not request.learner_name.strip():
        raise UserError("a certificate needs the learner's name")
    if not request.path_title.strip():
        raise UserError("a certificate needs the title of what was achieved")
    if request.validity_days is not None and request.validity_days <= 0:
        raise UserError("validity_days must be a positive number of days (or none)")
    pending = Certificate(
        id=certificate_id or str(uuid.uuid4()), state="pending_signature", request=request
    )
    key = signing_key(request.org_id)
    cert = pending if key is None else _sign(store, pending, key, now)
    store.save(cert)
    if key is not None:
        refresh_revocations(store, request.org_id, now)
    return cert


def sign_pending(store: CertificateStore, org_id: str, now: datetime) -> list[Certificate]:
    """On the admin's device: sign every pending certificate of the organisation."""
    key = signing_key(org_id)
    if key is None:
        raise UserError("this device does not hold the organisation's signing key")
    signed: list[Certificate] = []
    for cert in store.all():
        if cert.state == "pending_signature" and cert.request.org_id == org_id:
            done = _sign(store, cert, key, now)
            store.save(done)
            signed.append(done)
    refresh_revocations(store, org_id, now)
    return signed


def refresh_revocations(store: CertificateStore, org_id: str, now: datetime) -> str | None:
    """On the signer's device: re-sign the revocation list with ``issued = now`` (same
    entries), so verifiers that sync see a fresh list. Called whenever this device signs;
    the app calls it on every sync too. ``None`` when this device is not the signer."""
    key = signing_key(org_id)
    key_set = store.key_set(issuer_id_for(org_id))
    if key is None or key_set is None:
        return None
    return _publish_revocations(store, key_set, key, utc(now), None)


def _sign(
    store: CertificateStore, cert: Certificate, key: SigningKey, now: datetime
) -> Certificate:
    req = cert.request
    issuer = issuer_id_for(req.org_id)
    key_set = store.key_set(issuer)
    if key_set is None or key_set.find(key.kid) is None:
        key_set = store.save_key_set(KeySet(issuer, req.org_name, (key.public,)))
    issued = utc(now)
    expires = (
        utc(req.completed_at) + timedelta(days=req.validity_days) if req.validity_days else None
    )
    code = _unused_code(store)
    claims = CertificateClaims(
        credential_id=f"urn:uuid:{cert.id}",
        issuer_id=issuer,
        issuer_name=req.org_name,
        learner_id=f"urn:uuid:{req.learner_id}",
        learner_name=req.learner_name,
        achievement=Achievement(
            id=f"urn:uuid:{req.path_id}",
            name=req.path_title,
            description=req.path_description,
            criteria=req.criteria,
        ),
        valid_from=issued,
        valid_until=expires,
        status_list_id=list_id_for(issuer),
        verification_code=code,
        completed_at=utc(req.completed_at),
    )
    token = sign_credential(claims, key)
    return replace(
        cert,
        state="signed",
        verification_code=code,
        issued_at=issued,
        expires_at=expires,
        token=token,
    )


def _unused_code(store: CertificateStore) -> str:
    taken = {c.verification_code for c in store.all()}
    if store.db is not None:
        taken |= row_codes(store.db)
    while True:
        code = str(new_code())
        if code not in taken:
            return code


def revoke(
    store: CertificateStore, org_id: str, certificate: str, reason: str, now: datetime
) -> Certificate:
    """Put a certificate (by id or verification code) on the signed revocation list."""
    key = signing_key(org_id)
    key_set = store.key_set(issuer_id_for(org_id))
    if key is None or key_set is None:
        raise UserError("only the device holding the organisation's signing key can revoke")
    cert = store.get(certificate)
    if cert is None:
        try:
            cert = store.by_code(str(parse_code(certificate)))
        except CodeError:
            cert = None
    if cert is None or not cert.signed:
        raise UserError(f"no signed certificate {certificate!r} is known on this device")
    entry = Revocation(f"urn:uuid:{cert.id}", utc(now), reason.strip())
    _publish_revocations(store, key_set, key, utc(now), entry)
    return cert


def import_trust(
    store: CertificateStore, key_set_json: str, revocations_token: str | None = None
) -> KeySet:
    """Trust an organisation's published key set (and cache its revocation list), e.g. on a
    verifier's machine that is not in the organisation. A list that does not verify against
    the key set is refused."""
    try:
        key_set = KeySet.from_json(key_set_json)
    except KeyFormatError as err:
        raise UserError(str(err)) from None
    merged = store.save_key_set(key_set)
    if revocations_token:
        try:
            read_revocation_list(revocations_token, merged)
        except BadRevocationList as err:
            raise UserError(str(err)) from None
        store.save_revocations(merged.issuer_id, revocations_token.strip())
    return merged


# -- verifying -------------------------------------------------------------------------------
