"""The learner's list of certificates and the "Verify a certificate" panel.

The PDF itself is drawn by :mod:`app.learn.certificate_pdf` in the path's chosen design.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
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

from app.learn.certificate_pdf import render_certificate_pdf
from app.services import certificates
from app.services.certificates import CertificateStore
from engine.certificates.verify import VerificationResult


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
