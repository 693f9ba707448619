"""Certificates through the service, the PDF and the CLI, with real parts: Ed25519, a real
QR encoded to PNG and decoded by zxing-cpp, a real PDF written by QPdfWriter and read back
(its attachments with pypdf, its page rendered by pdftoppm and its QR decoded again).

Two devices are simulated by two in-memory keyrings: the organisation admin's (holds the
signing key) and the learner's (never does)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
import segno
from keyring.backend import KeyringBackend
from PIL import Image
from pypdf import PdfReader, PdfWriter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from app.cli import main
from app.services import certificates as certs
from app.services.certificates import CertificateRequest, CertificateStore
from app.services.context import AppContext
from engine import secrets
from engine.certificates import qr_payload
from engine.certificates.encoding import b64url_decode, b64url_encode
from engine.certificates.keys import issuer_id_for
from engine.certificates.templates import CERTIFICATE_TEMPLATES
from engine.certificates.verify import Verdict

ORG = "0350eaac-3764-5955-87ad-27fbc6ee74ae"
ORG_NAME = "ByteOS Demo Academy"
BRANDING = {"primary_color": "#3B5BDB", "secondary_color": "#12B886"}
COMPLETED = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
SIGNED = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


class Devices:
    """Switch between the admin's and the learner's keyring."""

    def __init__(self) -> None:
        self.admin, self.learner = MemoryKeyring(), MemoryKeyring()

    def use(self, backend: MemoryKeyring) -> None:
        keyring.set_keyring(backend)
        secrets.reset()


@pytest.fixture
def devices(monkeypatch: pytest.MonkeyPatch) -> Iterator[Devices]:
    for var in (secrets.DISABLE_ENV, secrets.PASSPHRASE_ENV, secrets.PASSPHRASE_FILE_ENV):
        monkeypatch.delenv(var, raising=False)
    previous = keyring.get_keyring()
    d = Devices()
    d.use(d.admin)
    yield d
    keyring.set_keyring(previous)
    secrets.reset()


@pytest.fixture
def store(tmp_path: Path) -> CertificateStore:
    return CertificateStore(tmp_path / "certificates")


def request(**kw: object) -> CertificateRequest:
    base = CertificateRequest(
        learner_id="a8739373-d5ee-5d22-9e9a-0c4a574e0774",
        learner_name="Sam Rivera",
        path_id="2d9e4c1a-7b3f-4a6e-9c8d-1e2f3a4b5c6d",
        path_title="Learning How to Learn",
        org_id=ORG,
        org_name=ORG_NAME,
        completed_at=COMPLETED,
        validity_days=365,
        path_description="Four modules on how memory and attention work, with quizzes.",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def signed_certificate(
    store: CertificateStore, devices: Devices, template: str = "classic"
) -> certs.Certificate:
    devices.use(devices.admin)
    if not certs.can_sign(ORG):
        certs.set_up_signing(store, ORG, ORG_NAME, SIGNED - timedelta(days=30))
    return certs.issue(store, request(template=template), SIGNED)


def pdf_for(cert: certs.Certificate, path: Path, qapp: object) -> Path:
    from app.learn.certificate_pdf import render_certificate_pdf

    return render_certificate_pdf(certs.certificate_face(cert, BRANDING), path)


def qr_png(text: str, path: Path) -> Path:
    segno.make(text, error="m").save(str(path), kind="png", scale=5)
    return path


# -- who signs -----------------------------------------------------------------------------
def test_a_learner_device_gets_a_pending_certificate_the_admin_signs_later(
    store: CertificateStore, devices: Devices
) -> None:
    devices.use(devices.admin)
    certs.set_up_signing(store, ORG, ORG_NAME, SIGNED - timedelta(days=30))
    devices.use(devices.learner)  # the learner's laptop: no key in its keyring
    assert not certs.can_sign(ORG)
    pending = certs.issue(store, request(), COMPLETED)
    assert pending.state == "pending_signature" and pending.token is None
    assert pending.verification_code is None and "Pending signature" in pending.status_label
    with pytest.raises(certs.UserError):
        pending.qr_text()
    with pytest.raises(certs.UserError):
        certs.sign_pending(store, ORG, SIGNED)
    face = certs.certificate_face(pending, BRANDING)
    assert face.qr_png is None and face.code == "pending signature"
    assert face.valid_until == "20 November 2027 (once signed)"
    # sync brings the completion to the admin's device, which signs it
    devices.use(devices.admin)
    [signed] = certs.sign_pending(store, ORG, SIGNED)
    assert signed.id == pending.id and signed.signed
    assert signed.issued_at == SIGNED and signed.expires_at == COMPLETED + timedelta(days=365)
    assert store.get(pending.id) == signed
    row = certs.certification_row(signed)
    assert row["verification_code"] == signed.verification_code and row["user_id"] == (
        request().learner_id
    )
    assert certs.verify(store, signed.verification_code or "", SIGNED).verdict is Verdict.VALID
    # nothing on disk holds the private key; only the keyring does
    d = json.loads(devices.admin.values[("ByteOS", certs.signing_secret_name(ORG))])["d"]
    for path in store.root.rglob("*"):
        if path.is_file():
            assert d not in path.read_text(encoding="utf-8")
    assert devices.learner.values == {}


def test_no_keyring_means_no_signing_and_a_pending_certificate(
    store: CertificateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(secrets.DISABLE_ENV, "1")
    secrets.reset()
    try:
        with pytest.raises(secrets.SecretsUnavailable):
            certs.set_up_signing(store, ORG, ORG_NAME, SIGNED)
        assert certs.issue(store, request(), COMPLETED).state == "pending_signature"
    finally:
        secrets.reset()


def test_bad_requests_are_refused_with_a_message(store: CertificateStore, devices: Devices) -> None:
    for bad in (request(learner_name=" "), request(path_title=""), request(validity_days=0)):
        with pytest.raises(certs.UserError):
            certs.issue(store, bad, COMPLETED)
    assert store.all() == []


# -- the PDF ------------------------------------------------------------------------------
def test_the_pdf_carries_the_credential_and_verifies_offline(
    store: CertificateStore, devices: Devices, tmp_path: Path, qapp: object
) -> None:
    cert = signed_certificate(store, devices)
    pdf = pdf_for(cert, tmp_path / "out" / "certificate.pdf", qapp)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())  # Qt spaces words with tabs
    for expected in ("Sam Rivera", "Learning How to Learn", ORG_NAME, cert.verification_code):
        assert expected and expected in text
    attachments = reader.attachments
    assert attachments[certs.CREDENTIAL_JWT][0].decode() == cert.token
    assert json.loads(attachments[certs.CREDENTIAL_JSON][0]) == cert.credential()
    # a verifier on another machine, with only the organisation's published keys and list
    other = CertificateStore(tmp_path / "verifier")
    key_set = store.key_set(issuer_id_for(ORG))
    assert key_set is not None
    assert certs.verify(other, pdf, SIGNED).verdict is Verdict.UNKNOWN_ISSUER
    certs.import_trust(other, key_set.to_json())
    no_list = certs.verify(other, pdf, SIGNED)
    assert no_list.verdict is Verdict.VALID_STATUS_UNKNOWN and no_list.ok
    certs.import_trust(other, key_set.to_json(), store.revocations(key_set.issuer_id))
    assert certs.verify(other, pdf, SIGNED + timedelta(days=1)).verdict is Verdict.VALID


@pytest.mark.parametrize("template", list(CERTIFICATE_TEMPLATES))
def test_the_printed_qr_decodes_from_the_rendered_page(
    store: CertificateStore, devices: Devices, tmp_path: Path, qapp: object, template: str
) -> None:
    """Every design prints everything and a QR code a camera reads back."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    cert = signed_certificate(store, devices, template)
    assert certs.certificate_face(cert).template == template
    pdf = pdf_for(cert, tmp_path / "certificate.pdf", qapp)
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    for expected in ("Sam Rivera", "Learning How to Learn", ORG_NAME, cert.verification_code):
        assert expected and expected in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    page = tmp_path / "page.png"
    texts, _ = certs.decode_qr_image(page)
    assert texts and texts[0] == cert.qr_text()
    result = certs.verify(store, page, SIGNED)
    assert result.verdict is Verdict.VALID, result.message


def test_a_pdf_with_an_altered_credential_is_tampered(
    store: CertificateStore, devices: Devices, tmp_path: Path, qapp: object
) -> None:
    cert = signed_certificate(store, devices)
    token = cert.token or ""
    head, body, sig = token.split(".")
    vc = json.loads(b64url_decode(body))
    vc["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory Forger"
    forged = f"{head}.{b64url_encode(json.dumps(vc).encode())}.{sig}"
    pdf = pdf_for(replace(cert, token=forged), tmp_path / "forged.pdf", qapp)
    assert certs.verify(store, pdf, SIGNED).verdict is Verdict.TAMPERED
    # the readable JSON swapped but the signed JWT intact: also caught
    from app.learn.certificate_pdf import render_certificate_pdf

    face = replace(certs.certificate_face(cert, BRANDING), credential_json=json.dumps(vc).encode())
    altered = render_certificate_pdf(face, tmp_path / "altered-json.pdf")
    result = certs.verify(store, altered, SIGNED)
    assert result.verdict is Verdict.TAMPERED and "JSON" in result.reason


def test_a_pdf_that_is_not_a_certificate(
    store: CertificateStore, devices: Devices, tmp_path: Path, qapp: object
) -> None:
    signed_certificate(store, devices)
    plain = tmp_path / "invoice.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with plain.open("wb") as fh:
        writer.write(fh)
    result = certs.verify(store, plain, SIGNED)
    assert result.verdict is Verdict.NOT_A_CERTIFICATE
    assert "invoice.pdf is a PDF but not a ByteOS certificate" in result.reason
    from app.learn.certificate_pdf import render_certificate_pdf

    devices.use(devices.learner)
    pending = certs.issue(store, request(learner_name="Priya Nair"), COMPLETED)
    preview = render_certificate_pdf(certs.certificate_face(pending), tmp_path / "pending.pdf")
    waiting = certs.verify(store, preview, SIGNED)
    assert waiting.verdict is Verdict.NOT_A_CERTIFICATE and "pending signature" in waiting.reason
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not really a pdf")
    assert certs.verify(store, broken, SIGNED).verdict is Verdict.NOT_A_CERTIFICATE


# -- QR images and text -------------------------------------------------------------------
def test_qr_round_trip_through_a_png(
    store: CertificateStore, devices: Devices, tmp_path: Path
) -> None:
    cert = signed_certificate(store, devices)
    face = certs.certificate_face(cert, BRANDING)
    assert face.qr_png is not None and face.qr_text == cert.qr_text()
    png = tmp_path / "qr.png"
    png.write_bytes(face.qr_png)
    assert certs.verify(store, png, SIGNED).verdict is Verdict.VALID
    # a photo-like copy: scaled down, JPEG-compressed
    with Image.open(png) as img:
        img.convert("RGB").resize((img.width // 2, img.height // 2)).save(
            tmp_path / "photo.jpg", quality=70
        )
    assert certs.verify(store, tmp_path / "photo.jpg", SIGNED).verdict is Verdict.VALID
    assert certs.verify(store, cert.qr_text(), SIGNED).verdict is Verdict.VALID


def test_a_qr_from_another_system_and_an_image_without_a_qr(
    store: CertificateStore, devices: Devices, tmp_path: Path
) -> None:
    signed_certificate(store, devices)
    foreign = certs.verify(
        store, qr_png("https://example.org/ticket/8841", tmp_path / "t.png"), SIGNED
    )
    assert foreign.verdict is Verdict.NOT_A_CERTIFICATE and "web link" in foreign.reason
    blank = tmp_path / "blank.png"
    Image.new("RGB", (400, 300), "white").save(blank)
    empty = certs.verify(store, blank, SIGNED)
    assert empty.verdict is Verdict.NOT_A_CERTIFICATE and "no QR code was found" in empty.reason
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    assert "neither a PDF nor an image" in certs.verify(store, notes, SIGNED).reason
    text = certs.verify(store, "https://example.org/ticket/8841", SIGNED)
    assert text.verdict is Verdict.NOT_A_CERTIFICATE and "web link" in text.reason


def test_a_flipped_character_in_the_qr_text_is_tampered(
    store: CertificateStore, devices: Devices
) -> None:
    cert = signed_certificate(store, devices)
    text = cert.qr_text()
    start = len(qr_payload.PREFIX)
    positions = range(start, len(text), (len(text) - start) // 12)
    tampered = 0
    for i in positions:
        flipped = text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1 :]
        result = certs.verify(store, flipped, SIGNED)
        if result.verdict is Verdict.TAMPERED:
            tampered += 1
        else:  # only when the same signed bytes came out (see qr_payload's docstring)
            assert result.verdict is Verdict.VALID and qr_payload.decode(flipped) == cert.token
    assert tampered >= len(positions) - 2


# -- codes, expiry, revocation, rotation ---------------------------------------------------
def test_unknown_and_mistyped_codes(store: CertificateStore, devices: Devices) -> None:
    cert = signed_certificate(store, devices)
    code = cert.verification_code or ""
    assert certs.verify(store, code.lower().replace("-", " "), SIGNED).verdict is Verdict.VALID
    typo = code[:5] + ("Z" if code[5] != "Z" else "Y") + code[6:]
    result = certs.verify(store, typo, SIGNED)
    assert result.verdict is Verdict.MISTYPED_CODE and "typo" in result.reason
    short = certs.verify(store, code[:-1], SIGNED)
    assert short.verdict is Verdict.MISTYPED_CODE and "has 15" in short.reason
    from engine.certificates.codes import new_code

    stranger = certs.verify(store, str(new_code()), SIGNED)
    assert stranger.verdict is Verdict.UNKNOWN_CODE and "verify the PDF" in stranger.reason


def test_expired_revoked_and_rotated(store: CertificateStore, devices: Devices) -> None:
    cert = signed_certificate(store, devices)
    later = COMPLETED + timedelta(days=366)
    assert certs.verify(store, cert.qr_text(), later).verdict is Verdict.EXPIRED
    # the learner's list says it a month ahead, then that it expired
    assert cert.expires_at is not None
    assert cert.list_label(COMPLETED).startswith("Signed; valid until")
    soon = cert.list_label(cert.expires_at - timedelta(days=12, hours=1))
    assert soon.startswith("Expires in 12 days") and "renew" in soon
    assert cert.list_label(later).startswith("Expired on")
    # rotation: the old certificate still verifies, new ones use the new key
    rotated_at = SIGNED + timedelta(days=10)
    key_set = certs.rotate_signing_key(store, ORG, rotated_at)
    assert len(key_set.keys) == 2 and key_set.keys[0].valid_until == rotated_at
    newer = certs.issue(store, request(learner_name="Priya Nair"), rotated_at + timedelta(hours=1))
    now = rotated_at + timedelta(days=1)
    assert certs.verify(store, cert.qr_text(), now).verdict is Verdict.VALID
    assert certs.verify(store, newer.qr_text(), now).verdict is Verdict.VALID
    assert newer.token is not None
    header = json.loads(b64url_decode(newer.token.split(".")[0]))
    assert header["kid"] == key_set.keys[1].kid
    # revoke by code: the revocation list is re-signed and the verdict changes
    certs.revoke(store, ORG, cert.verification_code or "", "issued to the wrong person", now)
    revoked = certs.verify(store, cert.qr_text(), now)
    assert revoked.verdict is Verdict.REVOKED and "wrong person" in revoked.reason
    assert certs.verify(store, newer.qr_text(), now).verdict is Verdict.VALID
    # months later with no fresh list: the other one is "valid, status unknown since"
    stale = certs.verify(store, newer.qr_text(), now + timedelta(days=60))
    assert stale.verdict is Verdict.VALID_STATUS_UNKNOWN
    assert stale.headline == "Valid, revocation status unknown since 2 December 2026"


def test_a_damaged_revocation_list_is_never_republished_shorter(
    store: CertificateStore, devices: Devices
) -> None:
    cert = signed_certificate(store, devices)
    certs.revoke(store, ORG, cert.id, "", SIGNED)
    path = next(store.root.rglob("*.revocations.jwt"))
    path.write_text("damaged")
    with pytest.raises(certs.UserError, match="restore"):
        certs.revoke(store, ORG, cert.id, "", SIGNED)
    assert path.read_text() == "damaged"


# -- the CLI and the panel -----------------------------------------------------------------
def test_cli_verify_and_keys(
    store: CertificateStore,
    devices: Devices,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    qapp: object,
) -> None:
    now = datetime.now(UTC)  # the command verifies at the real time
    devices.use(devices.admin)
    certs.set_up_signing(store, ORG, ORG_NAME, now - timedelta(days=30))
    cert = certs.issue(store, request(completed_at=now - timedelta(days=1)), now)
    pdf = pdf_for(cert, tmp_path / "c.pdf", qapp)
    base = ["certificate", "verify", "--store", str(store.root)]
    assert main([*base, str(pdf)]) == 0
    assert capsys.readouterr().out.startswith("Valid")
    assert main([*base, "--json", cert.verification_code or ""]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] and out["learner"] == "Sam Rivera" and out["verdict"] == "valid"
    assert main([*base, str(new_code_text())]) == 6
    assert "Unknown code" in capsys.readouterr().out
    plain = tmp_path / "plain.pdf"
    w = PdfWriter()
    w.add_blank_page(100, 100)
    with plain.open("wb") as fh:
        w.write(fh)
    assert main([*base, str(plain)]) == 6
    assert "not a ByteOS certificate" in capsys.readouterr().out
    assert main([*base, str(qr_png("BEGIN:VCARD", tmp_path / "v.png"))]) == 6
    assert "not a ByteOS certificate" in capsys.readouterr().out
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    assert main([*base, str(blank)]) == 6
    assert "no QR code was found" in capsys.readouterr().out
    assert main([*base, str(tmp_path / "missing.pdf")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["certificate", "keys", "--store", str(store.root), "--org", ORG]) == 0
    jwks = json.loads(capsys.readouterr().out)
    assert jwks["issuer"]["name"] == ORG_NAME and all("d" not in k for k in jwks["keys"])
    # a verifier trusts the published key set and list, then verifies from stdin
    (tmp_path / "org.jwks.json").write_text(json.dumps(jwks))
    (tmp_path / "org.revocations.jwt").write_text(store.revocations(issuer_id_for(ORG)) or "")
    verifier = ["--store", str(tmp_path / "verifier")]
    assert (
        main(
            [
                "certificate",
                "trust",
                str(tmp_path / "org.jwks.json"),
                "--revocations",
                str(tmp_path / "org.revocations.jwt"),
                *verifier,
            ]
        )
        == 0
    )
    capsys.readouterr()
    import sys

    sys.stdin = io.StringIO(cert.qr_text())
    try:
        assert main(["certificate", "verify", "-", *verifier]) == 0
    finally:
        sys.stdin = sys.__stdin__
    assert "Sam Rivera" in capsys.readouterr().out


def new_code_text() -> str:
    from engine.certificates.codes import new_code

    return str(new_code())


def test_verify_panel_shows_the_verdict(
    store: CertificateStore, devices: Devices, qtbot: object
) -> None:
    from app.learn.certificates_view import VerifyCertificatePanel

    cert = signed_certificate(store, devices)
    panel = VerifyCertificatePanel(store)
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.input.setText(cert.verification_code or "")
    panel.verify()
    assert panel.last is not None and panel.last.ok
    assert "Valid" in panel.result.text()
    panel.input.setText(qr_payload.PREFIX + "GARBAGE")
    panel.verify()
    assert panel.last is not None and panel.last.verdict is Verdict.TAMPERED
    assert "Tampered" in panel.result.text()


def test_learners_see_pending_then_signed_and_can_save_and_share(
    store: CertificateStore, devices: Devices, tmp_path: Path, qtbot: object
) -> None:
    from PySide6.QtWidgets import QApplication

    from app.learn.certificates_view import CertificatesView

    devices.use(devices.admin)
    certs.set_up_signing(store, ORG, ORG_NAME, SIGNED - timedelta(days=30))
    devices.use(devices.learner)
    certs.issue(store, request(), COMPLETED)
    view = CertificatesView(store, request().learner_id, BRANDING)
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    assert "Pending signature" in view.list.item(0).text()
    assert not view.save_button.isEnabled() and view.save_pdf(tmp_path / "x.pdf") is None
    devices.use(devices.admin)
    certs.sign_pending(store, ORG, SIGNED)
    view.refresh()
    assert "valid until 20 November 2027" in view.list.item(0).text()
    assert view.save_button.isEnabled()
    saved = view.save_pdf(tmp_path / "mine.pdf")
    assert saved is not None and certs.verify(store, saved, SIGNED).verdict is Verdict.VALID
    view.copy_credential()
    shared = json.loads(QApplication.clipboard().text())
    assert shared["type"] == ["VerifiableCredential", "OpenBadgeCredential"]


def test_help_menu_opens_an_offline_certificate_check(qtbot: QtBot, ctx: AppContext) -> None:
    from app.learn.certificates_view import VerifyCertificatePanel
    from app.shell.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    help_menu = next(m for m in w.menuBar().findChildren(QMenu) if m.title() == "&Help")
    assert "&Verify a certificate…" in [a.text() for a in help_menu.actions()]
    dialog = w.verify_certificate()
    qtbot.addWidget(dialog)
    panel = dialog.findChild(VerifyCertificatePanel, "verify-certificate-panel")
    assert panel is not None and dialog.isVisible()
    panel.verify()
    assert panel.result.text() == "Enter a code or QR text, or open a file."
    panel.input.setText("this is not a certificate")
    qtbot.keyClick(panel.input, Qt.Key.Key_Return)
    assert panel.last is not None and not panel.last.ok and "✗" in panel.result.text()


def test_a_completed_path_is_pending_on_the_learner_device_and_signed_into_the_table(
    ctx: AppContext, devices: Devices, tmp_path: Path
) -> None:
    """The table wiring (0005): completion -> pending request -> the admin signs the row ->
    a code is looked up in ``certifications`` on another device's store."""
    from sqlalchemy import select

    from app.services import accounts, assignments, authoring, learning, paths
    from app.services.paths import PathCourseRef
    from sync.outbox import write_state
    from sync.store.models import CertificateIssuer, Certification

    course = "c42b5cc1-bd40-5228-b962-000813b4972e"
    profiles = {p.role: p for p in accounts.list_profiles(ctx.db)}
    admin, learner = profiles["org_admin"], profiles["learner"]
    path = paths.create_path(ctx, admin, "Onboarding")
    path.courses, path.issue_cert, path.validity_days = [PathCourseRef(course)], True, 365
    paths.save_path(ctx, admin, path)
    paths.set_status(ctx, admin, path.id, "published")
    now = datetime.now(UTC)
    assignments.assign(ctx, admin, path_id=path.id, learner_ids=[learner.id], now=now)
    devices.use(devices.learner)  # the learner's laptop: no key
    for m in authoring.load_course(ctx, course).modules:
        learning.record_event(ctx, learner, "module_start", course_id=course, module_id=m.id)
        learning.record_event(ctx, learner, "module_complete", course_id=course, module_id=m.id)
    assert assignments.refresh_my_paths(ctx, learner, now) == [path.id]
    learner_store = CertificateStore(tmp_path / "learner-certs", ctx.db)
    [pending] = certs.request_certificates(ctx.db, learner_store, learner.id, now)
    assert not pending.signed and "Pending signature" in pending.status_label
    assert certs.request_certificates(ctx.db, learner_store, learner.id, now) == []
    with pytest.raises(certs.UserError, match="does not hold"):
        certs.sign_pending_rows(ctx.db, learner_store, learner.id, ORG, now)
    # the admin's app, after sync brought the completion
    devices.use(devices.admin)
    admin_store = CertificateStore.default(ctx.db.path, ctx.db)
    certs.set_up_signing(admin_store, ORG, ORG_NAME, now - timedelta(days=1))
    # the after-sync hook signs only for the signed-in signer (not a learner on a device
    # that happens to hold the key)
    with ctx.db.transaction() as s:
        write_state(s, "account.id", learner.id)
    assert certs.sign_after_sync(ctx.db, now) == []
    with ctx.db.transaction() as s:
        write_state(s, "account.id", admin.id)
    [signed] = certs.sign_after_sync(ctx.db, now)
    assert signed.id == pending.id and signed.signed
    assert certs.sign_pending_rows(ctx.db, admin_store, admin.id, ORG, now) == []
    row = certs.certification_row(signed)
    assert row["credential_jwt"] == signed.token
    with ctx.db.transaction() as s:
        stored = s.get(Certification, signed.id)
        assert stored is not None and stored.credential_jwt == signed.token
        assert s.scalars(select(CertificateIssuer)).one().revocation_list
    # back on the learner's device: the signed row replaces the pending request, and its
    # code verifies with the synced key set only
    devices.use(devices.learner)
    [mine] = list(certs.certificates_for(learner_store, learner.id))
    assert mine.signed and mine.verification_code == signed.verification_code
    result = certs.verify(learner_store, signed.verification_code or "", now)
    assert result.verdict is Verdict.VALID, result.reason
