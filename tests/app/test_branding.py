"""White-label per organisation (issue 13): the branding document, refused colours, the app's
theme for the organisation's members, course templates, certificates, SCORM packages, the
logo as a media-library asset, and the branding screen's live preview."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.services import accounts, branding
from app.services.accounts import CurrentUser
from app.services.certificates import org_branding
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.scorm import export_scorm
from app.shell import theme
from app.shell.main_window import MainWindow
from app.studio.branding_view import BrandingView
from engine.accessibility import contrast_ratio
from engine.templates import TEMPLATES, branded, template
from sync.store.models import ContentAsset, Course, Organisation

TEAL = "#0F766E"  # 5.5:1 on white
GOLD = "#B7791F"  # a bar colour: 3.2:1 on white


def _admin(ctx: AppContext) -> CurrentUser:
    p = next(p for p in accounts.list_profiles(ctx.db) if p.role == "org_admin")
    return accounts.sign_in(ctx.db, p.id)


def _stored(ctx: AppContext, org_id: str | None) -> dict[str, object]:
    with ctx.db.transaction() as s:
        org = s.get(Organisation, org_id)
        return dict(org.branding or {}) if org is not None else {}


def _png(path: Path) -> Path:
    img = QImage(64, 32, QImage.Format.Format_RGB32)
    img.fill(QColor(TEAL))
    assert img.save(str(path))
    return path


def test_failing_colours_are_refused_with_the_ratio_and_a_suggestion(
    ctx: AppContext, learner: CurrentUser
) -> None:
    admin = _admin(ctx)
    before = _stored(ctx, admin.org_id)
    with pytest.raises(UserError) as info:
        branding.save(ctx, admin, "#FFD400", GOLD, "Inter")
    ratio = contrast_ratio("#FFD400", "#FFFFFF")
    assert f"{ratio:.2f}:1" in str(info.value) and "4.5:1" in str(info.value)
    found = re.search(r"passes is (#[0-9A-F]{6})", str(info.value))
    assert found is not None and contrast_ratio(found.group(1), "#F4F6FB") >= 4.5
    assert _stored(ctx, admin.org_id) == before  # nothing changed
    with pytest.raises(UserError, match=r"needs 3:1"):
        branding.save(ctx, admin, TEAL, "#E0E0E0", None)
    with pytest.raises(UserError, match="Only an organisation admin"):
        branding.save(ctx, learner, TEAL, None, None)
    doc = branding.save(ctx, admin, found.group(1), GOLD, "Inter")
    assert (doc.primary_color, doc.secondary_color, doc.font) == (found.group(1), GOLD, "Inter")


def test_the_members_app_wears_the_organisation_theme(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    admin = _admin(ctx)
    branding.save(ctx, admin, TEAL, GOLD, "DejaVu Sans")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before_sheet, before_palette = app.styleSheet(), QPalette(app.palette())
    app.setStyleSheet(theme.STYLESHEET)
    other_org = accounts.create_organisation(ctx.db, "Plain Org")
    outsider = accounts.create_profile(ctx.db, "Pat Plain", "learner", other_org.id)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    try:
        w.enter(accounts.sign_in(ctx.db, learner.id))  # a member: their organisation's look
        sheet = app.styleSheet()
        assert TEAL in sheet and GOLD in sheet and 'font-family: "DejaVu Sans"' in sheet
        assert app.palette().color(QPalette.ColorRole.Highlight).name().upper() == TEAL
        assert theme.contrast_ratio("#FFFFFF", TEAL) >= 4.5
        w.sign_out()  # nobody: ByteOS's own
        assert app.styleSheet() == theme.STYLESHEET
        w.enter(accounts.sign_in(ctx.db, outsider.id))  # another organisation: no branding
        assert app.styleSheet() == theme.STYLESHEET and TEAL not in app.styleSheet()
    finally:
        app.setStyleSheet(before_sheet)
        app.setPalette(before_palette)
        app.setProperty("byteos-branded", False)


def test_a_dark_primary_keeps_a_visible_focus_ring() -> None:
    dark = theme.brand_for({"primary_color": "#1E293B"})
    assert dark is not None
    assert theme.contrast_ratio(theme.FOCUS_RING, dark.accent) < 3.0
    assert 'QPushButton[role="primary"]:focus { background: #FFFFFF' in theme.stylesheet(dark)
    assert ":focus { background" not in theme.STYLESHEET


def test_templates_certificates_and_scorm_follow_the_branding(
    ctx: AppContext, tmp_path: Path
) -> None:
    admin = _admin(ctx)
    logo = branding.import_logo(ctx, admin, _png(tmp_path / "logo.png"))
    assert logo.startswith("asset://")
    (tmp_path / "x.png").write_text("not a picture")
    with pytest.raises(UserError, match="not a PNG"):
        branding.import_logo(ctx, admin, tmp_path / "x.png")
    branding.save(ctx, admin, TEAL, GOLD, "Inter", logo)
    with ctx.db.transaction() as s:  # the logo is a content asset of the organisation
        asset = s.scalar(select(ContentAsset).where(ContentAsset.url == logo))
        assert asset is not None and asset.org_id == admin.org_id and asset.type == "image"
        assert asset.metadata_ and "Logo of" in str(asset.metadata_.get("alt"))
        course_id = s.scalars(
            select(Course.id).where(Course.org_id == admin.org_id, Course.status == "published")
        ).first()
    assert branding.logo_file(ctx, logo) is not None
    # course templates: the brand's accent where it reads on the template's background
    light = branded(template("classic"), TEAL, "Inter")
    assert light.accent == TEAL and light.heading_font.startswith("'Inter'")
    for t in TEMPLATES:
        b = branded(t, TEAL)
        assert contrast_ratio(b.accent, t.background) >= 4.5, t.id
    # certificates read the same document
    assert org_branding(ctx.db, admin.org_id)["primary_color"] == TEAL
    # SCORM packages: colours and the logo
    assert course_id is not None
    out = tmp_path / "course.zip"
    export_scorm(ctx, course_id, out, media=False)
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        css = z.read("shared/course.css").decode()
    assert TEAL in css and GOLD in css
    assert "media/logo.png" in names


def test_the_branding_screen_previews_live_and_offers_the_nearest_passing_colour(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(
        "app.studio.branding_view.QMessageBox.warning", lambda *a: warnings.append(a[2])
    )
    admin = _admin(ctx)
    view = BrandingView(ctx, admin)
    qtbot.addWidget(view)
    saved: list[bool] = []
    view.saved.connect(lambda: saved.append(True))
    view.primary.setText("#88AAFF")
    assert "#88AAFF" in view.preview.styleSheet()  # the preview follows at once
    assert "needs 4.5:1" in view.problems.text() and view.use_suggested.isEnabled()
    view.save_button.click()
    assert warnings and "#88AAFF" in warnings[-1] and not saved
    view.use_suggested.click()
    suggestion = view.primary.text()
    assert suggestion != "#88AAFF" and contrast_ratio(suggestion, "#FFFFFF") >= 4.5
    assert "pass WCAG AA" in view.problems.text() and not view.use_suggested.isEnabled()
    assert suggestion in view.course.document().defaultStyleSheet()  # the course page too
    view.secondary.setText("nope")
    assert "not a colour" in view.problems.text()
    view.secondary.setText(GOLD)
    view.save_button.click()
    assert saved and _stored(ctx, admin.org_id)["primary_color"] == suggestion
