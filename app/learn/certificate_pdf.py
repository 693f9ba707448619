"""The certificate as a one-page PDF, in the design its path chose (``cert_template``).

Why Qt draws it: the app already ships Qt's PDF engine, fonts and colours, so there is no
second layout library. Everything printed comes ready from
:func:`app.services.certificates.certificate_face`; the designs here only lay it out (the
names are in ``engine.certificates.templates``). The signed credential is embedded with
``QPdfWriter.addFileAttachment`` as ``credential.jwt`` (the VC-JWT that verifies) and
``credential.json`` (the same credential, readable), so a verifier opening the PDF needs
nothing else; the QR code carries the same signed credential for a verifier with a camera.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from app.services import certificates
from app.services.certificates import CertificateFace

INK, MUTED = QColor("#1B1F2A"), QColor("#5B6275")


def render_certificate_pdf(face: CertificateFace, path: Path) -> Path:
    """Write the certificate to ``path`` as a one-page A4 landscape PDF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(0, 0, 0, 0),
        )
    )
    pending = "" if face.credential_jwt else f" {certificates.PENDING_TITLE}"
    writer.setTitle(f"{face.achievement} - certificate for {face.learner_name}{pending}")
    writer.setCreator(f"ByteOS for {face.org_name}")
    if face.credential_jwt is not None:
        writer.addFileAttachment(
            certificates.CREDENTIAL_JWT, QByteArray(face.credential_jwt), "application/vc+jwt"
        )
    if face.credential_json is not None:
        writer.addFileAttachment(
            certificates.CREDENTIAL_JSON, QByteArray(face.credential_json), "application/vc+ld+json"
        )
    painter = QPainter(writer)
    try:
        draw_certificate(painter, face, float(writer.width()), float(writer.height()))
    finally:
        painter.end()
    return path


def _font(points: float, bold: bool = False, family: str | None = None) -> QFont:
    font = QFont(family) if family else QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def draw_certificate(p: QPainter, face: CertificateFace, w: float, h: float) -> None:
    """Draw ``face`` in its template's design on a ``w`` × ``h`` page."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.fillRect(QRectF(0, 0, w, h), QColor("#FFFFFF"))
    (_draw_formal if face.template == "formal" else _draw_classic)(p, face, w, h)


def _draw_classic(p: QPainter, face: CertificateFace, w: float, h: float) -> None:
    """The organisation's colour band across the top, statement left, QR code right."""
    primary, secondary = QColor(face.primary_color), QColor(face.secondary_color)
    ink, muted = INK, MUTED
    m = w * 0.05
    # the organisation's band and a thin accent line in its second colour
    band = h * 0.13
    p.fillRect(QRectF(0, 0, w, band), primary)
    p.fillRect(QRectF(0, band, w, h * 0.008), secondary)
    p.setPen(QColor("#FFFFFF"))
    p.setFont(_font(22, bold=True))
    p.drawText(QRectF(m, 0, w - 2 * m, band), Qt.AlignmentFlag.AlignVCenter, face.org_name)
    p.setFont(_font(12))
    p.drawText(
        QRectF(m, 0, w - 2 * m, band),
        Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
        "Certificate of completion",
    )
    # the statement, left column
    qr_side = h * 0.36
    text_w = w - 3 * m - qr_side
    y = band + h * 0.08
    y = _line(p, "This certifies that", _font(14), muted, m, y, text_w)
    y = _line(p, face.learner_name, _font(34, bold=True), ink, m, y, text_w)
    y = _line(p, "has completed", _font(14), muted, m, y + h * 0.01, text_w)
    y = _line(p, face.achievement, _font(24, bold=True), primary, m, y, text_w)
    if face.description:
        y = _line(p, face.description, _font(12), muted, m, y + h * 0.01, text_w, wrap=True)
    y += h * 0.04
    for label, value in (
        ("Completed", face.completed),
        ("Issued", face.issued),
        ("Valid until", face.valid_until),
    ):
        p.setFont(_font(11))
        p.setPen(MUTED)
        p.drawText(QRectF(m, y, text_w * 0.3, h * 0.05), Qt.AlignmentFlag.AlignLeft, label)
        p.setFont(_font(12, bold=True))
        p.setPen(ink)
        p.drawText(
            QRectF(m + text_w * 0.3, y, text_w * 0.7, h * 0.05), Qt.AlignmentFlag.AlignLeft, value
        )
        y += h * 0.045
    y += h * 0.02
    p.setFont(_font(11))
    p.setPen(MUTED)
    p.drawText(QRectF(m, y, text_w, h * 0.05), Qt.AlignmentFlag.AlignLeft, "Verification code")
    y += h * 0.04
    p.setFont(_font(20, bold=True, family="DejaVu Sans Mono"))
    p.setPen(ink)
    p.drawText(QRectF(m, y, text_w, h * 0.07), Qt.AlignmentFlag.AlignLeft, face.code)
    _qr_block(p, face, w - m - qr_side, band + h * 0.1, qr_side, h)
    _footer(p, face, w, h, m)


def _draw_formal(p: QPainter, face: CertificateFace, w: float, h: float) -> None:
    """A double frame in the organisation's colours, everything centred, QR code below."""
    primary, secondary = QColor(face.primary_color), QColor(face.secondary_color)
    ink, muted = INK, MUTED
    m = w * 0.04
    p.setPen(QPen(primary, w * 0.006))
    p.drawRect(QRectF(m, m, w - 2 * m, h - 2 * m))
    p.setPen(QPen(secondary, w * 0.0015))
    inset = m + w * 0.012
    p.drawRect(QRectF(inset, inset, w - 2 * inset, h - 2 * inset))
    inner = inset + w * 0.03
    cw = w - 2 * inner
    centre = Qt.AlignmentFlag.AlignHCenter
    y = inset + h * 0.05
    y = _line(p, face.org_name, _font(14, bold=True), primary, inner, y, cw, align=centre)
    y = _line(
        p,
        "Certificate of completion",
        _font(30, bold=True),
        ink,
        inner,
        y + h * 0.02,
        cw,
        align=centre,
    )
    y = _line(p, "This certifies that", _font(13), muted, inner, y + h * 0.03, cw, align=centre)
    y = _line(p, face.learner_name, _font(32, bold=True), primary, inner, y, cw, align=centre)
    y = _line(p, "has completed", _font(13), muted, inner, y + h * 0.01, cw, align=centre)
    y = _line(p, face.achievement, _font(22, bold=True), ink, inner, y, cw, align=centre)
    if face.description:
        y = _line(
            p,
            face.description,
            _font(11),
            muted,
            inner + cw * 0.15,
            y + h * 0.01,
            cw * 0.7,
            wrap=True,
            align=centre,
        )
    dates = (
        f"Completed {face.completed}  ·  Issued {face.issued}  ·  Valid until {face.valid_until}"
    )
    y = _line(p, dates, _font(11), ink, inner, y + h * 0.03, cw, align=centre)
    qr_side = h * 0.2
    qy = max(y + h * 0.02, h - inset - qr_side - h * 0.13)
    _qr_block(p, face, w - inner - qr_side, qy, qr_side, h)
    p.setFont(_font(10))
    p.setPen(MUTED)
    p.drawText(
        QRectF(inner, qy + qr_side * 0.25, cw * 0.5, h * 0.04),
        Qt.AlignmentFlag.AlignLeft,
        "Verification code",
    )
    p.setFont(_font(18, bold=True, family="DejaVu Sans Mono"))
    p.setPen(ink)
    p.drawText(
        QRectF(inner, qy + qr_side * 0.25 + h * 0.04, cw * 0.6, h * 0.07),
        Qt.AlignmentFlag.AlignLeft,
        face.code,
    )
    _footer(p, face, w, h, inner, top=h - inset - h * 0.075)


def _qr_block(
    p: QPainter, face: CertificateFace, qx: float, qy: float, qr_side: float, h: float
) -> None:
    """The QR code with its caption, or the dashed pending-signature notice in its place."""
    w = h * 297 / 210  # A4 landscape: pen widths as in the page's width
    if face.qr_png is not None:
        image = QImage.fromData(face.qr_png)  # PNG, detected
        p.drawImage(QRectF(qx, qy, qr_side, qr_side), image)
        p.setFont(_font(9))
        p.setPen(MUTED)
        p.drawText(
            QRectF(qx, qy + qr_side, qr_side, h * 0.05),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            "Scan to verify offline",
        )
    else:
        p.setPen(QPen(QColor("#B54708"), w * 0.002, Qt.PenStyle.DashLine))
        p.drawRect(QRectF(qx, qy, qr_side, qr_side))
        p.setFont(_font(16, bold=True))
        p.setPen(QColor("#B54708"))
        p.drawText(
            QRectF(qx, qy, qr_side, qr_side),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            "PENDING SIGNATURE",
        )


def _footer(
    p: QPainter, face: CertificateFace, w: float, h: float, m: float, top: float | None = None
) -> None:
    """The status and how to verify, under a hairline at ``top`` (default: 90 % down)."""
    top = h * 0.9 if top is None else top
    p.setPen(QPen(QColor("#D6DAE3"), w * 0.001))
    p.drawLine(int(m), int(top), int(w - m), int(top))
    p.setFont(_font(9))
    p.setPen(MUTED)
    p.drawText(
        QRectF(m, top + h * 0.005, w - 2 * m, h * 0.08),
        Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
        f"{face.status}. {face.footer}",
    )


def _line(
    p: QPainter,
    text: str,
    font: QFont,
    colour: QColor,
    x: float,
    y: float,
    width: float,
    wrap: bool = False,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
) -> float:
    """Draw one line (or a wrapped paragraph) at ``y``; the ``y`` below it."""
    p.setFont(font)
    p.setPen(colour)
    flags = align | (Qt.TextFlag.TextWordWrap if wrap else 0)
    bound = p.boundingRect(QRectF(x, y, width, 10_000), flags, text)
    p.drawText(QRectF(x, y, width, bound.height()), flags, text)
    return y + bound.height()
