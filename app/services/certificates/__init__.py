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

The package: ``model`` (what a certificate is), ``tables`` (reads of the synced tables),
``signing`` (the key, issuing, revoking), ``rows`` (the synced workflow), ``verifying``.
"""

from __future__ import annotations

from app.services.certificates.model import (
    CREDENTIAL_JSON,
    CREDENTIAL_JWT,
    DEFAULT_PRIMARY,
    DEFAULT_SECONDARY,
    PENDING_TITLE,
    Certificate,
    CertificateFace,
    CertificateRequest,
    certificate_face,
    certification_row,
    signing_secret_name,
)
from app.services.certificates.rows import (
    certificates_of,
    org_branding,
    publish_trust,
    request_certificates,
    sign_after_sync,
    sign_if_signer,
    sign_pending_rows,
)
from app.services.certificates.signing import (
    CertificateStore,
    can_sign,
    import_trust,
    issue,
    refresh_revocations,
    revoke,
    rotate_signing_key,
    set_up_signing,
    sign_pending,
    signing_key,
)
from app.services.certificates.tables import (
    certificate_id_for,
)
from app.services.certificates.verifying import (
    certificates_for,
    credential_from_pdf,
    decode_qr_image,
    verify,
    verify_code,
    verify_image,
    verify_pdf,
)
from app.services.errors import UserError

__all__ = [
    "CREDENTIAL_JSON",
    "CREDENTIAL_JWT",
    "DEFAULT_PRIMARY",
    "DEFAULT_SECONDARY",
    "PENDING_TITLE",
    "Certificate",
    "CertificateFace",
    "CertificateRequest",
    "CertificateStore",
    "UserError",
    "can_sign",
    "certificate_face",
    "certificate_id_for",
    "certificates_for",
    "certificates_of",
    "certification_row",
    "credential_from_pdf",
    "decode_qr_image",
    "import_trust",
    "issue",
    "org_branding",
    "publish_trust",
    "refresh_revocations",
    "request_certificates",
    "revoke",
    "rotate_signing_key",
    "set_up_signing",
    "sign_after_sync",
    "sign_if_signer",
    "sign_pending",
    "sign_pending_rows",
    "signing_key",
    "signing_secret_name",
    "verify",
    "verify_code",
    "verify_image",
    "verify_pdf",
]
