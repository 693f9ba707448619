"""The certificate designs a path can award, named once (``certification_config.cert_template``).

The spec stores a template *name*; the app draws each design from the same
:class:`CertificateFace`, so a template changes the layout, never what is printed or signed.
A name this version does not know (a newer client's design) is drawn as the default rather
than refused, so a synced path never blocks a learner's certificate.
"""

from __future__ import annotations

DEFAULT_TEMPLATE = "classic"

CERTIFICATE_TEMPLATES: dict[str, str] = {
    "classic": "Classic: the organisation's colour band, QR code beside the text",
    "formal": "Formal: framed and centred, QR code below",
}


def template_or_default(name: str | None) -> str:
    """The design to draw for a stored name (unknown or empty: the default)."""
    return name if name in CERTIFICATE_TEMPLATES else DEFAULT_TEMPLATE


def check_template(name: str | None) -> str | None:
    """Why ``name`` cannot be saved as a path's template, or None (None/empty = default)."""
    if name in (None, "") or name in CERTIFICATE_TEMPLATES:
        return None
    known = ", ".join(CERTIFICATE_TEMPLATES)
    return f"Unknown certificate template “{name}”: choose one of {known}."
