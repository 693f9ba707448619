"""Certificates anyone can verify offline: Open Badges 3.0 credentials signed with Ed25519.

Pure logic (no Qt, no SQL, no network): building and signing the credential
(``credential.py``, ``jws.py``), the organisation's keys with their history (``keys.py``),
the signed revocation list (``revocation.py``), the human-typable verification code
(``codes.py``), the compact QR text (``qr_payload.py``) and the verdict (``verify.py``).
The design - who signs, pending signatures, rotation, revocation, what a verifier needs - is
in ``resources/certificates/README.md``.
"""

from engine.certificates.codes import CodeError, VerificationCode, new_code, parse_code
from engine.certificates.credential import Achievement, CertificateClaims, sign_credential
from engine.certificates.keys import (
    KeySet,
    PublicKey,
    SigningKey,
    issuer_id_for,
    new_key_set,
    rotate,
)
from engine.certificates.revocation import Revocation, RevocationList, empty_list, sign_list
from engine.certificates.verify import (
    TrustedIssuers,
    Verdict,
    VerificationResult,
    verify_qr_text,
    verify_token,
)

__all__ = [
    "Achievement",
    "CertificateClaims",
    "CodeError",
    "KeySet",
    "PublicKey",
    "Revocation",
    "RevocationList",
    "SigningKey",
    "TrustedIssuers",
    "Verdict",
    "VerificationCode",
    "VerificationResult",
    "empty_list",
    "issuer_id_for",
    "new_code",
    "new_key_set",
    "parse_code",
    "rotate",
    "sign_credential",
    "sign_list",
    "verify_qr_text",
    "verify_token",
]
