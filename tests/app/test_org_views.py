"""The organisation side through the real widgets (issue 12): an admin builds and publishes a
path with a certificate and assigns it to a learner with a due date; the learner sees it
first on the dashboard; completing it offline leaves a pending certificate; the admin's app
signs it; the PDF verifies. Two keyrings stand for the admin's and the learner's devices."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.learn.dashboard import Dashboard
from app.services import accounts, authoring, certificates, learning
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.studio.assign_dialog import AssignDialog
from app.studio.compliance_view import ComplianceView
from app.studio.paths_view import PathsView
from engine import secrets
from engine.certificates.verify import Verdict
from tests.app.test_certificates import MemoryKeyring

COURSE = "c42b5cc1-bd40-5228-b962-000813b4972e"


@pytest.fixture
def keyrings(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, MemoryKeyring]]:
    for var in (secrets.DISABLE_ENV, secrets.PASSPHRASE_ENV, secrets.PASSPHRASE_FILE_ENV):
        monkeypatch.delenv(var, raising=False)
    previous = keyring.get_keyring()
    rings = {"admin": MemoryKeyring(), "learner": MemoryKeyring()}
    yield rings
    keyring.set_keyring(previous)
    secrets.reset()


def use(ring: MemoryKeyring) -> None:
    keyring.set_keyring(ring)
    secrets.reset()


def person(ctx: AppContext, role: str) -> CurrentUser:
    p = next(p for p in accounts.list_profiles(ctx.db) if p.role == role)
    return accounts.sign_in(ctx.db, p.id)


def build_path(
    qtbot: QtBot, ctx: AppContext, admin: CurrentUser, picture: Path | None = None
) -> PathsView:
    view = PathsView(ctx, admin)
    qtbot.addWidget(view)
    # bad input first: a path with no courses cannot be published, and says why
    assert view.new_path("Onboarding")
    assert not view.publish()
    assert "at least one course" in view.message.text()
    view.description.setPlainText("Your first week")
    if picture is not None:
        assert view.set_picture(picture), view.message.text()
    view.choice.setCurrentIndex(view.choice.findData(COURSE))
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert view.courses.count() == 1
    assert view.courses.item(0).checkState() == Qt.CheckState.Checked
    view.skills.item(0).setCheckState(Qt.CheckState.Checked)  # a target skill
    view.issue_cert.setChecked(True)
    view.validity.setValue(365)
    qtbot.mouseClick(view.publish_button, Qt.MouseButton.LeftButton)
    assert view.doc is not None and view.doc.status == "published", view.message.text()
    assert view.doc.issue_cert and view.doc.validity_days == 365
    assert [p for _, p in view.doc.target_skills] == [0.8]
    return view


def test_admin_builds_assigns_learner_completes_admin_signs_pdf_verifies(
    qtbot: QtBot, ctx: AppContext, keyrings: dict[str, MemoryKeyring], tmp_path: Path
) -> None:
    admin, learner = person(ctx, "org_admin"), person(ctx, "learner")
    use(keyrings["admin"])
    store = certificates.CertificateStore.default(ctx.db.path, ctx.db)
    certificates.set_up_signing(
        store, admin.org_id or "", "ByteOS Demo Academy", datetime.now(UTC) - timedelta(days=1)
    )
    from PIL import Image

    cover = tmp_path / "cover.png"
    Image.new("RGB", (320, 180), "#12B886").save(cover)
    paths_view = build_path(qtbot, ctx, admin, cover)
    path_id = paths_view.doc.id  # type: ignore[union-attr]

    dialog = AssignDialog(ctx, admin)
    qtbot.addWidget(dialog)
    dialog.choose("path", path_id)
    assert dialog.what.currentData()[1] == path_id
    # nobody chosen: refused, the dialog keeps its choices
    assert dialog.assign() is None and "choose at least one person" in dialog.message.text()
    dialog.tick(learner.id)
    dialog.has_due.setChecked(True)
    dialog.due.setDate(QDate.currentDate().addDays(7))
    assert dialog.due.calendarPopup()
    dialog.mandatory.setChecked(True)
    done = dialog.assign()
    assert done is not None and (done.learners, done.records) == (1, 1), dialog.message.text()

    # the learner's laptop: assigned work comes first, with its due date
    use(keyrings["learner"])
    dash = Dashboard(ctx, learner)
    qtbot.addWidget(dash)
    main = next(lay for lay in dash.findChildren(QVBoxLayout) if lay.indexOf(dash.next_action) >= 0)
    assert main.indexOf(dash.assigned) < main.indexOf(dash.next_action)  # above the cards too
    assert [r.item.title for r in dash.assigned.rows] == ["Onboarding"]
    row = dash.assigned.rows[0]
    assert "due " in row.due.text() and row.item.mandatory
    assert not row.picture.pixmap().isNull()  # the path's picture, beside it
    opened: list[str] = []
    dash.open_course.connect(opened.append)
    qtbot.mouseClick(row.open_button, Qt.MouseButton.LeftButton)
    assert opened == [COURSE]
    for m in authoring.load_course(ctx, COURSE).modules:  # completed offline
        learning.record_event(ctx, learner, "module_start", course_id=COURSE, module_id=m.id)
        learning.record_event(ctx, learner, "module_complete", course_id=COURSE, module_id=m.id)
    dash.refresh()
    assert dash.assigned.rows[0].item.status == "compliant"
    certs_dialog = dash.assigned.show_certificates()
    qtbot.addWidget(certs_dialog)
    view = certs_dialog.certificates_view  # type: ignore[attr-defined]
    assert "Pending signature" in view.list.item(0).text()
    assert not view.save_button.isEnabled()

    # the admin's app after sync: the compliance view stores compliant and signs
    use(keyrings["admin"])
    comp = ComplianceView(ctx, admin)
    qtbot.addWidget(comp)
    assert comp.rows[0].status == "compliant" and comp.rows[0].learner == learner.full_name
    assert "1 certificate(s) signed" in comp.message.text()
    comp.select(comp.rows[0].id)
    assert comp.history.count() == 2  # assigned (pending) -> compliant

    # the learner downloads the PDF, which verifies offline
    use(keyrings["learner"])
    view.refresh()
    assert "Signed" in view.list.item(0).text() and view.save_button.isEnabled()
    pdf = view.save_pdf(tmp_path / "certificate.pdf")
    assert pdf is not None
    verifier = certificates.CertificateStore(tmp_path / "verifier", ctx.db)
    result = certificates.verify(verifier, pdf, datetime.now(UTC))
    assert result.verdict is Verdict.VALID, result.reason


def test_exempt_from_the_compliance_view_needs_a_reason(
    qtbot: QtBot, ctx: AppContext, keyrings: dict[str, MemoryKeyring]
) -> None:
    from app.services import assignments

    admin, learner = person(ctx, "org_admin"), person(ctx, "learner")
    use(keyrings["learner"])  # no signing key here
    now = datetime.now(UTC)
    assignments.assign(
        ctx,
        admin,
        course_id=COURSE,
        learner_ids=[learner.id],
        due=now + timedelta(days=3),
        mandatory=True,
        now=now,
    )
    comp = ComplianceView(ctx, admin)
    qtbot.addWidget(comp)
    comp.select(comp.rows[0].id)
    assert not comp.exempt("  ") and "Say why" in comp.message.text()
    assert comp.exempt("Certified elsewhere")
    assert comp.rows[0].status == "exempt"
    assert "Exempt" in comp.history.item(comp.history.count() - 1).text()


def test_org_screens_are_named_and_keyboard_reachable(
    qtbot: QtBot, ctx: AppContext, keyrings: dict[str, MemoryKeyring]
) -> None:
    """Every control of the new screens has an accessible name (or readable text), no label
    shows a literal '&', and every control takes keyboard focus."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
    )

    from app.learn.assigned_work import AssignedWork
    from tests.app.test_widget_tree_a11y import problems

    use(keyrings["learner"])
    admin, learner = person(ctx, "org_admin"), person(ctx, "learner")
    screens = [
        PathsView(ctx, admin),
        AssignDialog(ctx, admin),
        ComplianceView(ctx, admin),
        AssignedWork(ctx, learner),
    ]
    controls = (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
    )
    for screen in screens:
        qtbot.addWidget(screen)
        assert problems(screen) == []
        for w in screen.findChildren(QWidget):
            if not isinstance(w, controls) or w.parent() is None:
                continue
            if _inside(w, (QComboBox, QAbstractItemView, QAbstractSpinBox)):
                continue  # a combo box's popup list, a spin box's editor
            text = w.text() if isinstance(w, QAbstractButton) else ""
            assert w.accessibleName().strip() or text.strip(), f"{screen}: {w!r} has no name"
            assert w.focusPolicy() & Qt.FocusPolicy.TabFocus, f"{w!r} is not keyboard reachable"


def _inside(w: QWidget, kinds: tuple[type, ...]) -> bool:
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, kinds):
            return True
        p = p.parentWidget()
    return False


def test_the_organisation_menu_follows_the_role(
    qtbot: QtBot, ctx: AppContext, keyrings: dict[str, MemoryKeyring]
) -> None:
    """Managers and admins: Learning paths, Assign training, Compliance; creators: paths and
    assign (their own content); learners: no Organisation menu. Studio opens the builder."""
    from app.shell.main_window import MainWindow

    use(keyrings["learner"])
    manager = accounts.create_profile(
        ctx.db, "Morgan Lee", "manager", person(ctx, "learner").org_id
    )
    admin_only = ("members", "org-settings", "branding", "fine-tuning")  # issues 13, 16
    expected = {
        "learner": {"paths": False, "assign": False, "compliance": False, "analytics": False},
        "creator": {"paths": True, "assign": True, "compliance": False, "analytics": True},
        "manager": {"paths": True, "assign": True, "compliance": True, "analytics": True},
        "org_admin": {"paths": True, "assign": True, "compliance": True, "analytics": True},
    }
    for role, offered in expected.items():
        offered.update(dict.fromkeys(admin_only, role == "org_admin"))
    for role, offered in expected.items():
        user = manager if role == "manager" else person(ctx, role)
        w = MainWindow(ctx)
        qtbot.addWidget(w)
        w.enter(user)
        actions = w.org_actions  # type: ignore[attr-defined]
        assert {k: a.isVisible() for k, a in actions.items()} == offered, role
        assert w.org_menu.menuAction().isVisible() == any(offered.values())  # type: ignore[attr-defined]
        if role == "manager":
            actions["compliance"].trigger()
            assert w.org_dialog.objectName() == "compliance-dialog"  # type: ignore[attr-defined]
            actions["assign"].trigger()
            assert w.org_dialog.objectName() == "assign-dialog"  # type: ignore[attr-defined]
            w.org_dialog.close()  # type: ignore[attr-defined]
        if role == "org_admin" and w.studio is not None:
            dialog = w.studio.open_paths()  # type: ignore[attr-defined]
            assert dialog.objectName() == "paths-dialog"
            dialog.close()
        w.close()


def test_path_builder_reorders_and_keeps_what_was_typed_on_a_refusal(
    qtbot: QtBot, ctx: AppContext
) -> None:
    from tests.app.test_paths_service import published_course

    creator = person(ctx, "creator")
    second = published_course(ctx, creator, "Safety basics")
    view = PathsView(ctx, creator)
    qtbot.addWidget(view)
    view.new_path("Onboarding")
    for cid in (COURSE, second):
        view.choice.setCurrentIndex(view.choice.findData(cid))
        view.add_course()
    view.courses.setCurrentRow(1)
    qtbot.mouseClick(view.up_button, Qt.MouseButton.LeftButton)
    view.courses.item(1).setCheckState(Qt.CheckState.Unchecked)  # optional
    assert view.save(), view.message.text()
    assert view.doc is not None
    assert [(c.course_id, c.is_required) for c in view.doc.courses] == [
        (second, True),
        (COURSE, False),
    ]
    view.title.setText("   ")
    assert not view.save() and "title" in view.message.text()
    assert view.title.text() == "   " and view.courses.count() == 2  # nothing lost on screen


def test_path_builder_picture_and_certificate_design(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    from PIL import Image

    creator = person(ctx, "creator")
    view = PathsView(ctx, creator)
    qtbot.addWidget(view)
    view.new_path("Onboarding")
    assert view.picture.text() == "No picture" and not view.drop_picture.isEnabled()
    cover = tmp_path / "cover.png"
    Image.new("RGB", (320, 180), "#1F3A93").save(cover)
    assert view.set_picture(cover), view.message.text()
    assert not view.picture.pixmap().isNull() and view.drop_picture.isEnabled()
    bad = tmp_path / "cover.txt"
    bad.write_text("hello")
    assert not view.set_picture(bad)
    assert "is not a PNG, JPEG, GIF or WebP image" in view.message.text()
    assert not view.picture.pixmap().isNull()  # the picture it had is still shown
    # the design is picked from the named ones, saved, and shown again on reopening
    view.issue_cert.setChecked(True)
    view.template.setCurrentIndex(view.template.findData("formal"))
    assert view.save(), view.message.text()
    assert view.doc is not None and view.doc.cert_template == "formal"
    again = PathsView(ctx, creator)
    qtbot.addWidget(again)
    again.open_path(view.doc.id)
    assert again.template.currentData() == "formal"
    assert not again.picture.pixmap().isNull()
    assert again.pick_picture.accessibleName() and again.template.accessibleName()
