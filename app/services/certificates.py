"""Certificates: issue (or leave pending signature), sign, revoke, and verify anything a
person hands us - a PDF, a verification code, the QR text, or a photo of the QR.

Who signs (``resources/certificates/README.md`` has the whole design): the organisation's
private key lives only in the OS keyring of the organisation admin who set up signing
(``engine/secrets.py``, service ``ByteOS``, name ``certificate-signing-key:<org id>``). On any
other device - every learner's laptop - :func:`issue` finds no key and returns a certificate
in state ``pending_signature``: the learner sees "pending signature", nothing on that device
can sign, and the pending request waits until the admin's app signs it (:func:`sign_pending`)
after sync brings the completion there.

Storage: the synced tables are the source of truth (migration 0005): ``certifications``
rows (signed only, with ``credential_jwt``) and ``certificate_issuers`` (key set and signed
revocation list), read and written by the end of this module. :class:`CertificateStore`
keeps plain JSON in a folder beside them (pending requests, imported trust) and, given the
database, reads both. Pending signature is derived: a completed path with ``issue_cert`` and
no row (``resources/certificates/README.md``).

Qt-free: the PDF itself is drawn by ``app/learn/certificates_view.py`` (``QPdfWriter``) from the
:class:`CertificateFace` built here; reading a PDF back uses pypdf, reading a QR image uses
zxing-cpp.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from app.services.errors import UserError
from engine import secrets
from engine.certificates import qr_payload
from engine.certificates.codes import CodeError, looks_like_code, new_code, parse_code
from engine.certificates.credential import Achievement, CertificateClaims, sign_credential
from engine.certificates.jws import parse_header
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
from engine.certificates.timefmt import format_date, format_time, parse_time, utc
from engine.certificates.verify import (
    DEFAULT_MAX_LIST_AGE,
    TrustedIssuers,
    Verdict,
    VerificationResult,
    read_revocation_list,
    verify_qr_text,
    verify_token,
)
from sync.store.database import Database

State = Literal["pending_signature", "signed"]
CREDENTIAL_JWT = "credential.jwt"
CREDENTIAL_JSON = "credential.json"
PENDING_TITLE = "(pending signature)"
DEFAULT_PRIMARY = "#1F3A93"
DEFAULT_SECONDARY = "#12B886"


def signing_secret_name(org_id: str) -> str:
    """The keyring entry that holds an organisation's private signing key."""
    return f"certificate-signing-key:{org_id}"


# -- plain data ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CertificateRequest:
    """What issuing a certificate needs, as plain values (no database objects)."""

    learner_id: str
    learner_name: str
    path_id: str
    path_title: str
    org_id: str
    org_name: str
    completed_at: datetime
    validity_days: int | None = None
    path_description: str = ""
    criteria: str = "Completed every required course of the learning path."


@dataclass(frozen=True)
class Certificate:
    id: str
    state: State
    request: CertificateRequest
    verification_code: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    token: str | None = None
    """The signed VC-JWT; ``None`` while pending signature."""

    @property
    def signed(self) -> bool:
        return self.state == "signed" and self.token is not None

    @property
    def status_label(self) -> str:
        if not self.signed:
            return (
                f"Pending signature: {self.request.org_name} signs it when an organisation "
                "admin's ByteOS next syncs"
            )
        if self.expires_at is not None:
            return f"Signed; valid until {format_date(self.expires_at)}"
        return "Signed; does not expire"

    def list_label(self, now: datetime) -> str:
        """For the learner's list: expiry is said a month ahead (``engine.org.renewal``)."""
        from engine.org.renewal import Held, expiry

        if not self.signed or self.expires_at is None:
            return self.status_label
        state = expiry(Held(self.id, "", "", self.expires_at), now)
        if state == "expired":
            return f"Expired on {format_date(self.expires_at)}: take the path again to renew it"
        if state == "expiring":
            days = max(1, (self.expires_at - now).days)
            return (
                f"Expires in {days} day{'s' if days != 1 else ''} "
                f"({format_date(self.expires_at)}): renew it by taking the path again"
            )
        return self.status_label

    def qr_text(self) -> str:
        if self.token is None:
            raise UserError("a certificate pending signature has no QR code yet")
        return qr_payload.encode(self.token)

    def credential(self) -> dict[str, Any]:
        """The signed credential as JSON (what the learner shares)."""
        if self.token is None:
            raise UserError("a certificate pending signature has no credential yet")
        return parse_header(self.token).payload()

    def credential_json(self) -> str:
        return json.dumps(self.credential(), indent=2, ensure_ascii=False)

    def to_json(self) -> dict[str, Any]:
        req = asdict(self.request)
        req["completed_at"] = format_time(self.request.completed_at)
        return {
            "id": self.id,
            "state": self.state,
            "request": req,
            "verification_code": self.verification_code,
            "issued_at": format_time(self.issued_at) if self.issued_at else None,
            "expires_at": format_time(self.expires_at) if self.expires_at else None,
            "token": self.token,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Certificate:
        req = dict(data["request"])
        req["completed_at"] = parse_time(req["completed_at"])
        return cls(
            id=data["id"],
            state=data["state"],
            request=CertificateRequest(**req),
            verification_code=data.get("verification_code"),
            issued_at=parse_time(data["issued_at"]) if data.get("issued_at") else None,
            expires_at=parse_time(data["expires_at"]) if data.get("expires_at") else None,
            token=data.get("token"),
        )


def certification_row(cert: Certificate) -> dict[str, Any]:
    """The ``certifications`` columns for ``cert`` (a signed one: pending certificates are
    not rows, see the README), with the signed VC-JWT in ``credential_jwt`` (0005).
    ``certificate_url`` is left for the storage upload of the PDF."""
    if not cert.signed:
        raise UserError("only a signed certificate becomes a certifications row")
    return {
        "id": cert.id,
        "user_id": cert.request.learner_id,
        "path_id": cert.request.path_id,
        "issued_at": cert.issued_at,
        "expires_at": cert.expires_at,
        "certificate_url": None,
        "verification_code": cert.verification_code,
        "credential_jwt": cert.token,
    }


@dataclass(frozen=True)
class CertificateFace:
    """Everything printed on the certificate, for the PDF renderer (no logic left to it)."""

    org_name: str
    learner_name: str
    achievement: str
    description: str
    completed: str
    issued: str
    valid_until: str
    code: str
    status: str
    primary_color: str
    secondary_color: str
    qr_png: bytes | None
    """The QR code as a PNG (segno), ``None`` while pending signature."""
    qr_text: str | None
    credential_jwt: bytes | None = None
    credential_json: bytes | None = None
    footer: str = field(default="")


def certificate_face(cert: Certificate, branding: dict[str, Any] | None = None) -> CertificateFace:
    """What the certificate shows, in the organisation's colours when it has them."""
    branding = branding or {}
    primary = _colour(branding.get("primary_color"), DEFAULT_PRIMARY)
    secondary = _colour(branding.get("secondary_color"), DEFAULT_SECONDARY)
    req = cert.request
    qr_text = cert.qr_text() if cert.signed else None
    qr_png = _qr_png(qr_text) if qr_text else None
    return CertificateFace(
        org_name=req.org_name,
        learner_name=req.learner_name,
        achievement=req.path_title,
        description=req.path_description,
        completed=format_date(req.completed_at),
        issued=format_date(cert.issued_at) if cert.issued_at else "pending signature",
        valid_until=_valid_until_text(cert),
        code=cert.verification_code or "pending signature",
        status=cert.status_label,
        primary_color=primary,
        secondary_color=secondary,
        qr_png=qr_png,
        qr_text=qr_text,
        credential_jwt=cert.token.encode() if cert.token else None,
        credential_json=cert.credential_json().encode() if cert.signed else None,
        footer=(
            "Verify offline: scan the QR code with ByteOS (byteos certificate verify), or "
            "enter the code. The signed credential is attached to this PDF."
            if cert.signed
            else "This certificate is not signed yet and cannot be verified."
        ),
    )


def _valid_until_text(cert: Certificate) -> str:
    if cert.expires_at is not None:
        return format_date(cert.expires_at)
    days = cert.request.validity_days
    if not cert.signed and days:
        return format_date(cert.request.completed_at + timedelta(days=days)) + " (once signed)"
    return "does not expire"


def _colour(value: Any, default: str) -> str:
    return value if isinstance(value, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", value) else default


def _qr_png(text: str) -> bytes:
    import segno

    out = io.BytesIO()
    # M: survives ~15% damage (a fold, a stain) at a size that still prints legibly; near
    # black on white, whatever the brand colours, so every camera and printer reads it
    segno.make(text, error="m", micro=False).save(
        out, kind="png", scale=6, border=4, dark="#111111"
    )
    return out.getvalue()


# -- the folder store (requests made here, imported trust; the tables are read too) --------
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
            found = _row_by_code(self.db, code)
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
            for ks, token in _issuers(self.db):
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
        taken |= _row_codes(store.db)
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
def verify(
    store: CertificateStore,
    source: str | Path,
    now: datetime,
    max_list_age: timedelta = DEFAULT_MAX_LIST_AGE,
) -> VerificationResult:
    """Whatever a person hands us: a PDF or image file, a verification code, the QR text or
    a raw VC-JWT. Never raises for bad input; the verdict's reason says what it was."""
    trust = store.trust()
    if isinstance(source, Path) or _is_file(source):
        path = Path(source)
        head = path.read_bytes()[:8] if path.is_file() else b""
        if head.startswith(b"%PDF"):
            return verify_pdf(path, trust, now, max_list_age)
        return verify_image(path, trust, now, max_list_age)
    text = source.strip()
    if qr_payload.is_ours(text):
        return verify_qr_text(text, trust, now, max_list_age)
    if text.count(".") == 2 and text.startswith("eyJ"):
        return verify_token(text, trust, now, max_list_age)
    if looks_like_code(text):
        return verify_code(store, text, now, max_list_age)
    if text.lower().startswith(("http://", "https://", "hc1:")) or len(text) > 40:
        return verify_qr_text(text, trust, now, max_list_age)  # explains the foreign QR
    return VerificationResult(
        Verdict.NOT_A_CERTIFICATE,
        "give a certificate PDF, an image of its QR code, the QR text or its "
        "verification code (like 7KQM-3XWD-R9TP-HC4F)",
    )


def _is_file(text: str) -> bool:
    if "\n" in text or len(text) > 4096:
        return False
    try:
        return Path(text).expanduser().is_file()
    except OSError:
        return False


def verify_code(
    store: CertificateStore,
    text: str,
    now: datetime,
    max_list_age: timedelta = DEFAULT_MAX_LIST_AGE,
) -> VerificationResult:
    try:
        code = parse_code(text)
    except CodeError as err:
        return VerificationResult(Verdict.MISTYPED_CODE, str(err))
    cert = store.by_code(str(code))
    if cert is None or cert.token is None:
        return VerificationResult(
            Verdict.UNKNOWN_CODE,
            f"no certificate with code {code} is known on this device; a code is looked up "
            "among the certificates synced here, so verify the PDF or its QR code instead "
            "(that needs only the organisation's public keys)",
        )
    return verify_token(cert.token, store.trust(), now, max_list_age)


def verify_pdf(
    path: Path, trust: TrustedIssuers, now: datetime, max_list_age: timedelta = DEFAULT_MAX_LIST_AGE
) -> VerificationResult:
    token, problem = credential_from_pdf(path)
    if token is None:
        return VerificationResult(Verdict.NOT_A_CERTIFICATE, problem)
    result = verify_token(token, trust, now, max_list_age)
    if result.ok:
        attached_json = _attachment(path, CREDENTIAL_JSON)
        if attached_json is not None and not _same_json(attached_json, token):
            return replace(
                result,
                verdict=Verdict.TAMPERED,
                reason="the credential JSON attached to the PDF differs from the signed one",
            )
    return result


def credential_from_pdf(path: Path) -> tuple[str | None, str]:
    """The VC-JWT attached to a certificate PDF, or ``None`` and why there is none."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        attachments = reader.attachments
    except (PyPdfError, OSError, ValueError, KeyError) as err:
        return None, f"{path.name} is not a readable PDF ({type(err).__name__})"
    data = attachments.get(CREDENTIAL_JWT)
    title = str(reader.metadata.title or "") if reader.metadata is not None else ""
    if not data and title.endswith(PENDING_TITLE):
        return None, (
            f"{path.name} is a ByteOS certificate still pending signature: it cannot be "
            "verified until the organisation signs it (then download it again)"
        )
    if not data:
        return None, (
            f"{path.name} is a PDF but not a ByteOS certificate: it has no signed credential "
            f"attached ({CREDENTIAL_JWT})"
        )
    try:
        return data[0].decode("ascii").strip(), ""
    except UnicodeDecodeError:
        return None, f"{path.name}: the attached credential is not text"


def _attachment(path: Path, name: str) -> bytes | None:
    from pypdf import PdfReader

    found = PdfReader(path).attachments.get(name)
    return found[0] if found else None


def _same_json(data: bytes, token: str) -> bool:
    try:
        return bool(json.loads(data.decode("utf-8")) == parse_header(token).payload())
    except (ValueError, UnicodeDecodeError):
        return False


def decode_qr_image(path: Path) -> tuple[list[str], str]:
    """The texts of the QR codes in an image (ours first), or ``[]`` and why."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            rgb = img.convert("L")
    except (UnidentifiedImageError, OSError) as err:
        return [], f"{path.name} is neither a PDF nor an image ({type(err).__name__})"
    import zxingcpp

    codes = zxingcpp.read_barcodes(
        rgb, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    texts = [c.text for c in codes if c.text]
    if not texts:
        return [], f"no QR code was found in {path.name}"
    return sorted(texts, key=lambda t: not qr_payload.is_ours(t)), ""


def verify_image(
    path: Path, trust: TrustedIssuers, now: datetime, max_list_age: timedelta = DEFAULT_MAX_LIST_AGE
) -> VerificationResult:
    texts, problem = decode_qr_image(path)
    if not texts:
        return VerificationResult(Verdict.NOT_A_CERTIFICATE, problem)
    return verify_qr_text(texts[0], trust, now, max_list_age)


def certificates_for(store: CertificateStore, learner_id: str) -> Iterable[Certificate]:
    """A learner's certificates, newest first (pending ones show "pending signature")."""
    if store.db is not None:
        return certificates_of(store.db, store, learner_id)
    return sorted(store.for_learner(learner_id), key=lambda c: c.request.completed_at, reverse=True)


# -- the synced tables (0005): certifications and certificate_issuers --------------------------
# A completed path with ``issue_cert`` and no ``certifications`` row is *pending signature*
# (derived, never stored: a learner never writes that table). On the learner's device the
# request is also kept in the folder store (to show and print "pending signature"); the org
# admin's app finds the same completions in the synced enrolments, signs them and writes the
# rows (pushed by the signer only), and publishes the key set and revocation list to
# ``certificate_issuers`` so every member's device can verify offline.
_CERT_NS = uuid.UUID("5c2e8f4a-1d3b-4c6a-9e7f-2a4b6c8d0e1f")


def certificate_id_for(learner_id: str, path_id: str, completed_at: datetime) -> str:
    """One id per learner, path and completion: the learner's pending request and the row
    the signer writes are the same certificate (a renewal is a new completion, a new id)."""
    return str(uuid.uuid5(_CERT_NS, f"{learner_id}:{path_id}:{format_time(utc(completed_at))}"))


def _requests(db: Database, org_id: str | None, learner_id: str | None) -> list[tuple[str, Any]]:
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
            if not cfg.get("issue_cert"):
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
            )
            out.append((certificate_id_for(e.user_id, path.id, e.completed_at), req))
    return out


def _rows(db: Database, ids: Iterable[str]) -> dict[str, Any]:
    from sqlalchemy import select

    from sync.store.models import Certification

    with db.transaction() as s:
        rows = s.scalars(select(Certification).where(Certification.id.in_(list(ids)))).all()
        return {
            r.id: (r.verification_code, r.issued_at, r.expires_at, r.credential_jwt) for r in rows
        }


def _from_row(cert_id: str, req: CertificateRequest, row: Any) -> Certificate:
    code, issued, expires, token = row
    return Certificate(cert_id, "signed", req, code, issued, expires, token)


def request_certificates(
    ctx_db: Database, store: CertificateStore, learner_id: str, now: datetime
) -> list[Certificate]:
    """On the learner's device, after a refresh: a certificate request for each completed
    path with ``issue_cert`` that has none yet (pending signature here; signed at once only
    on a device that holds the key, for someone else). Returns the new ones."""
    made = []
    reqs = _requests(ctx_db, None, learner_id)
    signed = _rows(ctx_db, [i for i, _ in reqs])
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
    reqs = [(i, r) for i, r in _requests(db, org_id, None) if r.learner_id != signer_id]
    done = _rows(db, [i for i, _ in reqs])
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
    reqs = _requests(db, None, learner_id)
    rows = _rows(db, [i for i, _ in reqs])
    found = {
        i: _from_row(i, r, rows[i]) if i in rows else Certificate(i, "pending_signature", r)
        for i, r in reqs
    }
    for cert in store.for_learner(learner_id):
        found.setdefault(cert.id, cert)
    return sorted(found.values(), key=lambda c: c.request.completed_at, reverse=True)


def _row_by_code(db: Database, code: str) -> Certificate | None:
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
    req = next((r for i, r in _requests(db, None, user_id) if i == cert_id), None)
    if req is None:  # the completion is not on this device: the credential says enough
        req = CertificateRequest(user_id, "", path_id, "", "", "", values[1] or utc(datetime.now()))
    return _from_row(cert_id, req, values)


def _row_codes(db: Database) -> set[str]:
    from sqlalchemy import select

    from sync.store.models import Certification

    with db.transaction() as s:
        return {c for c in s.scalars(select(Certification.verification_code)) if c}


def _issuers(db: Database) -> list[tuple[KeySet, str | None]]:
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


def org_branding(db: Database, org_id: str | None) -> dict[str, Any]:
    """The organisation's ``branding`` document (colours for the certificate PDF)."""
    from sync.store.models import Organisation

    if org_id is None:
        return {}
    with db.transaction() as s:
        org = s.get(Organisation, org_id)
        return dict(org.branding or {}) if org is not None else {}
