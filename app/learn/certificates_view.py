"""The certificate as a PDF (drawn with ``QPdfWriter``), the learner's list of certificates,
and a "Verify a certificate" panel.

Why Qt draws the PDF: the app already ships Qt's PDF engine, fonts and colours, so there is
no second layout library; everything printed comes ready from
:func:`app.services.certificates.certificate_face`, this module only lays it out. The signed
credential is embedded with ``QPdfWriter.addFileAttachment`` (Qt 6.8+) as two PDF file
attachments - ``credential.jwt`` (the VC-JWT that verifies) and ``credential.json`` (the same
credential, readable) - so a verifier opening the PDF needs nothing else; the QR code on the
page carries the same signed credential for a verifier with only a camera.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services import certificates
from app.services.certificates import CertificateFace, CertificateStore
from engine.certificates.verify import VerificationResult


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
        _draw(painter, face, float(writer.width()), float(writer.height()))
    finally:
        painter.end()
    return path


def _font(points: float, bold: bool = False, family: str | None = None) -> QFont:
    font = QFont(family) if family else QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _draw(p: QPainter, face: CertificateFace, w: float, h: float) -> None:
    primary, secondary = QColor(face.primary_color), QColor(face.secondary_color)
    ink, muted = QColor("#1B1F2A"), QColor("#5B6275")
    m = w * 0.05
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.fillRect(QRectF(0, 0, w, h), QColor("#FFFFFF"))
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
        p.setPen(muted)
        p.drawText(QRectF(m, y, text_w * 0.3, h * 0.05), Qt.AlignmentFlag.AlignLeft, label)
        p.setFont(_font(12, bold=True))
        p.setPen(ink)
        p.drawText(
            QRectF(m + text_w * 0.3, y, text_w * 0.7, h * 0.05), Qt.AlignmentFlag.AlignLeft, value
        )
        y += h * 0.045
    y += h * 0.02
    p.setFont(_font(11))
    p.setPen(muted)
    p.drawText(QRectF(m, y, text_w, h * 0.05), Qt.AlignmentFlag.AlignLeft, "Verification code")
    y += h * 0.04
    p.setFont(_font(20, bold=True, family="DejaVu Sans Mono"))
    p.setPen(ink)
    p.drawText(QRectF(m, y, text_w, h * 0.07), Qt.AlignmentFlag.AlignLeft, face.code)
    # the QR code (or the pending notice), right column
    qx, qy = w - m - qr_side, band + h * 0.1
    if face.qr_png is not None:
        image = QImage.fromData(face.qr_png)  # PNG, detected
        p.drawImage(QRectF(qx, qy, qr_side, qr_side), image)
        p.setFont(_font(9))
        p.setPen(muted)
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
    # footer
    p.setPen(QPen(QColor("#D6DAE3"), w * 0.001))
    p.drawLine(int(m), int(h * 0.9), int(w - m), int(h * 0.9))
    p.setFont(_font(9))
    p.setPen(muted)
    p.drawText(
        QRectF(m, h * 0.905, w - 2 * m, h * 0.08),
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
) -> float:
    """Draw one line (or a wrapped paragraph) at ``y``; the ``y`` below it."""
    p.setFont(font)
    p.setPen(colour)
    flags = Qt.AlignmentFlag.AlignLeft | (Qt.TextFlag.TextWordWrap if wrap else 0)
    bound = p.boundingRect(QRectF(x, y, width, 10_000), flags, text)
    p.drawText(QRectF(x, y, width, bound.height()), flags, text)
    return y + bound.height()


class CertificatesView(QWidget):
    """A learner's certificates: signed ones can be saved as PDF and their credential JSON
    copied to share; pending ones say "pending signature" and offer nothing to download."""

    def __init__(
        self,
        store: CertificateStore,
        learner_id: str,
        branding: dict[str, object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store, self._learner, self._branding = store, learner_id, branding
        self.list = QListWidget()
        self.list.setObjectName("certificates-list")
        self.list.setAccessibleName("My certificates")
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.save_button = QPushButton("Save PDF…")
        self.save_button.setObjectName("certificate-save-pdf")
        self.save_button.setAccessibleName("Save the certificate as PDF")
        self.save_button.clicked.connect(self._save_dialog)
        self.open_button = QPushButton("Open PDF")
        self.open_button.setObjectName("certificate-open-pdf")
        self.open_button.setAccessibleName("Open the certificate PDF")
        self.open_button.clicked.connect(self.open_pdf)
        self.copy_button = QPushButton("Copy credential JSON")
        self.copy_button.setObjectName("certificate-copy-json")
        self.copy_button.setAccessibleName("Copy the signed credential JSON")
        self.copy_button.clicked.connect(self.copy_credential)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>My certificates</b>"))
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        self._certs = list(certificates.certificates_for(self._store, self._learner))
        now = datetime.now(UTC)
        for cert in self._certs:
            item = QListWidgetItem(f"{cert.request.path_title} — {cert.list_label(now)}")
            item.setToolTip(cert.verification_code or "pending signature")
            self.list.addItem(item)
        if not self._certs:
            self.list.addItem("No certificates yet: complete a learning path that awards one.")
        self.list.setCurrentRow(0)
        self._update_buttons()

    def selected(self) -> certificates.Certificate | None:
        row = self.list.currentRow()
        return self._certs[row] if 0 <= row < len(self._certs) else None

    def _update_buttons(self) -> None:
        cert = self.selected()
        ready = cert is not None and cert.signed
        self.save_button.setEnabled(ready)
        self.open_button.setEnabled(ready)
        self.copy_button.setEnabled(ready)

    def open_pdf(self) -> Path | None:
        """Write the selected certificate's PDF to a temporary file and open it."""
        import tempfile

        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        cert = self.selected()
        if cert is None or not cert.signed:
            return None
        folder = Path(tempfile.mkdtemp(prefix="byteos-certificate-"))
        path = self.save_pdf(folder / f"{cert.verification_code or cert.id}.pdf")
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path

    def save_pdf(self, path: Path) -> Path | None:
        cert = self.selected()
        if cert is None or not cert.signed:
            return None
        return render_certificate_pdf(certificates.certificate_face(cert, self._branding), path)

    def copy_credential(self) -> None:
        cert = self.selected()
        if cert is not None and cert.signed:
            QApplication.clipboard().setText(cert.credential_json())

    def _save_dialog(self) -> None:
        cert = self.selected()
        if cert is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self, "Save certificate", f"{cert.request.path_title}.pdf", "PDF (*.pdf)"
        )
        if name:
            self.save_pdf(Path(name))


class VerifyCertificatePanel(QWidget):
    """Paste a code or QR text, or pick a PDF or an image of the QR; shows the verdict."""

    def __init__(self, store: CertificateStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.input = QLineEdit()
        self.input.setPlaceholderText("Verification code, QR text, or a file")
        self.input.setAccessibleName("Certificate to verify")
        self.input.returnPressed.connect(self.verify)
        pick = QPushButton("Open PDF or image…")
        pick.setAutoDefault(False)  # Enter in a dialog verifies; it never opens a file picker
        pick.clicked.connect(self._pick)
        check = QPushButton("Verify")
        check.setDefault(True)
        check.clicked.connect(self.verify)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setAccessibleName("Verification result")
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(pick)
        row.addWidget(check)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Verify a certificate</b>"))
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.last: VerificationResult | None = None

    def _pick(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Certificate PDF or QR image", "", "Certificates (*.pdf *.png *.jpg *.jpeg)"
        )
        if name:
            self.input.setText(name)
            self.verify()

    def verify(self) -> None:
        text = self.input.text().strip()
        if not text:
            self.result.setText("Enter a code or QR text, or open a file.")
            return
        self.last = certificates.verify(self._store, text, datetime.now(UTC))
        ok = self.last.ok
        colour = "#1E7B34" if ok else "#B42318"
        mark = "✓" if ok else "✗"
        self.result.setText(
            f"<span style='color:{colour}'><b>{mark} {self.last.headline}</b></span><br>"
            f"{_escape(self.last.reason)}"
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def open_verify_dialog(store: CertificateStore, parent: QWidget | None = None) -> QDialog:
    """Help → Verify a certificate…: anyone can check a certificate here, offline."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Verify a certificate")
    dialog.setObjectName("verify-certificate-dialog")
    dialog.setMinimumWidth(560)
    panel = VerifyCertificatePanel(store, dialog)
    panel.setObjectName("verify-certificate-panel")
    close = QPushButton("Close")
    close.setAutoDefault(False)
    close.setAccessibleName("Close the certificate check")
    close.clicked.connect(dialog.accept)
    lay = QVBoxLayout(dialog)
    lay.addWidget(panel, 1)
    lay.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
    panel.input.setFocus()
    dialog.show()
    return dialog


def open_certificates_dialog(
    store: CertificateStore,
    learner_id: str,
    branding: dict[str, object] | None = None,
    parent: QWidget | None = None,
) -> QDialog:
    """The learner's certificates (from the Learn dashboard): save or open the PDF, copy the
    credential; pending ones say so."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("My certificates")
    dialog.setObjectName("certificates-dialog")
    dialog.setMinimumWidth(560)
    view = CertificatesView(store, learner_id, branding, dialog)
    view.setObjectName("certificates-view")
    close = QPushButton("Close")
    close.setAutoDefault(False)
    close.setAccessibleName("Close my certificates")
    close.clicked.connect(dialog.accept)
    lay = QVBoxLayout(dialog)
    lay.addWidget(view, 1)
    lay.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
    dialog.certificates_view = view  # type: ignore[attr-defined]
    dialog.show()
    return dialog
