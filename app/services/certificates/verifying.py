"""Verifying anything a person hands us: a PDF, a code, the QR text or a photo of the QR."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from app.services.certificates.model import (
    CREDENTIAL_JSON,
    CREDENTIAL_JWT,
    PENDING_TITLE,
    Certificate,
)
from app.services.certificates.rows import certificates_of
from app.services.certificates.signing import CertificateStore
from engine.certificates import qr_payload
from engine.certificates.codes import CodeError, looks_like_code, parse_code
from engine.certificates.jws import parse_header
from engine.certificates.verify import (
    DEFAULT_MAX_LIST_AGE,
    TrustedIssuers,
    Verdict,
    VerificationResult,
    verify_qr_text,
    verify_token,
)


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
