"""What a certificate is here: the request a completion makes, the certificate (pending or
signed), its row in ``certifications`` and the face a PDF is drawn from."""

from __future__ import annotations

import io
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from app.services.errors import UserError
from engine.certificates import qr_payload
from engine.certificates.jws import parse_header
from engine.certificates.templates import DEFAULT_TEMPLATE, template_or_default
from engine.certificates.timefmt import format_date, format_time, parse_time

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
    template: str = DEFAULT_TEMPLATE
    """The path's ``cert_template``: the design only, never signed."""


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
    template: str = DEFAULT_TEMPLATE
    """Which design draws it (``engine.certificates.templates``)."""


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
        template=template_or_default(req.template),
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
