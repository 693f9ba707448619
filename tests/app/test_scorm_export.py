"""SCORM 1.2 export of a course from the local database: the service, ``byteos scorm
export`` and Studio's "Export SCORM 1.2…" button."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton
from sqlalchemy import select

from app.services import accounts, authoring
from app.services.authoring import ModuleDoc
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.scorm import export_scorm
from app.studio.studio_view import StudioView
from engine.content import ImageBlock, ParagraphBlock
from engine.scorm import validate_package
from sync.store.models import ContentAsset, Course
from tests.app.test_cli import byteos
from tests.app.test_studio import (  # the Studio test's widget drivers and fixtures
    DEMO_COURSE,
    Dialogs,
    child,
    click,
    creator,  # noqa: F401 - fixture
    ctx,  # noqa: F401 - fixture
    dialogs,  # noqa: F401 - fixture
    view,  # noqa: F401 - fixture
)


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_demo_course_exports_valid_and_recorded(ctx: AppContext, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "demo.zip"
    result = export_scorm(ctx, DEMO_COURSE, out)
    files = read_zip(out)
    validate_package(files)  # the XSDs, hrefs, offline: again, on what was written
    assert next(iter(files)) == "imsmanifest.xml"
    assert {"m01.html", "m02.html", "m03.html", "m04.html"} <= set(files)
    assert (result.sco_count, result.module_count, result.question_count) == (4, 4, 11)
    assert result.bytes == out.stat().st_size < 40_000
    assert result.suspend_data_max == 15
    assert "4 SCOs, 4 modules, 11 questions" in result.summary()
    assert b"Learning How to Learn" in files["imsmanifest.xml"]
    assert b"#3B5BDB" in files["shared/course.css"]  # the demo organisation's branding
    with ctx.db.transaction() as s:
        asset = s.get(ContentAsset, result.asset_id)
        assert asset is not None and asset.type == "scorm"
        assert asset.metadata_["course_id"] == DEMO_COURSE
        assert s.get(Course, DEMO_COURSE).scorm_url == asset.url
        stored = ctx.assets.path(asset.storage_path)
    assert stored.read_bytes() == out.read_bytes()


def test_single_sco_export(ctx: AppContext, tmp_path: Path) -> None:  # noqa: F811
    result = export_scorm(ctx, DEMO_COURSE, tmp_path / "one.zip", sco_mode="single")
    assert result.sco_count == 1 and result.suspend_data_max == 42
    assert "index.html" in read_zip(tmp_path / "one.zip")


@pytest.mark.parametrize(
    ("course_id", "name", "message"),
    [
        ("no-such-course", "x.zip", "There is no course with id “no-such-course”"),
        (DEMO_COURSE, "x.tar", "must be a .zip file"),
        (DEMO_COURSE, "missing/x.zip", "does not exist"),
    ],
)
def test_bad_input_gives_a_clear_error_and_writes_nothing(
    ctx: AppContext,  # noqa: F811
    tmp_path: Path,
    course_id: str,
    name: str,
    message: str,
) -> None:
    with pytest.raises(UserError, match=message):
        export_scorm(ctx, course_id, tmp_path / name)
    assert not (tmp_path / name).exists()
    with ctx.db.transaction() as s:
        assert s.scalars(select(ContentAsset).where(ContentAsset.type == "scorm")).all() == []


def test_only_authors_of_the_organisation_export(ctx: AppContext, tmp_path: Path) -> None:  # noqa: F811
    learner = next(p for p in accounts.list_profiles(ctx.db) if p.role == "learner")
    with pytest.raises(UserError, match="Only creators and admins"):
        export_scorm(ctx, DEMO_COURSE, tmp_path / "x.zip", user=learner)
    org = accounts.create_organisation(ctx.db, "Other Org")
    outsider = accounts.create_profile(ctx.db, "Olu Other", "creator", org.id)
    with pytest.raises(UserError, match="another organisation"):
        export_scorm(ctx, DEMO_COURSE, tmp_path / "x.zip", user=outsider)


def test_images_mastery_score_and_unexportable_courses(
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    tmp_path: Path,
) -> None:
    png = tmp_path / "chart.png"
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("#12B886"))
    assert image.save(str(png))
    imported = authoring.import_image(ctx, creator, png)
    doc = authoring.create_course(ctx, creator, "Charts")
    block = ImageBlock(asset_id=imported.asset_id, src=imported.src, alt="A chart")
    doc.modules = [ModuleDoc("Reading charts", [block, ParagraphBlock(text="Look.")])]
    authoring.save_course(ctx, creator, doc)
    authoring.set_course_settings(ctx, creator, doc.id, {"mastery_score": 60})
    files = read_zip(export_scorm(ctx, doc.id, tmp_path / "charts.zip", user=creator).path)
    assert files["media/image001.png"] == png.read_bytes()
    assert b"masteryscore" not in files["imsmanifest.xml"]  # no quiz: completed when read
    assert b'"mastery":60' in files["m01.html"]

    web = ImageBlock(src="https://example.org/chart.png", alt="A web chart")
    doc = authoring.load_course(ctx, doc.id)
    doc.modules[0].blocks = [web]
    authoring.save_course(ctx, creator, doc)
    with pytest.raises(UserError, match=r"cannot be exported as SCORM 1\.2.*not available"):
        export_scorm(ctx, doc.id, tmp_path / "web.zip", user=creator)


def test_command_line_export(tmp_path: Path) -> None:
    db = tmp_path / "byteos.db"
    assert byteos("demo", "--db", str(db)).returncode == 0
    out = tmp_path / "demo.zip"
    r = byteos("scorm", "export", DEMO_COURSE, str(out), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("wrote demo.zip: 4 SCOs, 4 modules, 11 questions")
    validate_package(read_zip(out))
    bad = byteos("scorm", "export", "nope", str(tmp_path / "n.zip"), "--db", str(db))
    assert bad.returncode == 1
    assert "There is no course with id “nope” in this database." in bad.stderr
    assert not (tmp_path / "n.zip").exists()
    seen = byteos("scorm", "inspect", str(out))
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.startswith("demo.zip: SCORM 1.2, “Learning How to Learn”, 4 item(s)")
    assert "sco   Why we forget → m01.html, mastery 80 %" in seen.stdout
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    refused = byteos("scorm", "inspect", str(tmp_path / "bad.zip"))
    assert refused.returncode == 1
    assert "bad.zip: The file is not a zip archive." in refused.stderr


def test_studio_export_button(
    qtbot,
    view: StudioView,  # noqa: F811
    dialogs: Dialogs,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "from-studio.zip"
    shown: list[str] = []
    asked: list[str] = []

    def save_name(_parent: object, _title: str, name: str, *_a: object) -> tuple[str, str]:
        asked.append(name)
        return str(out), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    monkeypatch.setattr(
        QMessageBox, "information", staticmethod(lambda _p, _t, text, *a: shown.append(text))
    )
    assert view.open_course(DEMO_COURSE)
    button = child(view, QPushButton, "studio-export-scorm")
    assert button.text() == "Export SCORM 1.2…"
    click(qtbot, button)
    assert asked == ["Learning-How-to-Learn.zip"]
    assert out.is_file() and shown and shown[0].startswith("Wrote from-studio.zip: 4 SCOs")
    assert not dialogs.warnings

    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(tmp_path / "x.doc"), ""))
    )
    click(qtbot, button)
    assert dialogs.warnings == ["The package must be a .zip file (got “x.doc”)."]


def test_rendered_narration_goes_into_the_package(
    ctx: AppContext,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.services import media_variants

    mp3, vtt = tmp_path / "n.mp3", tmp_path / "n.vtt"
    mp3.write_bytes(b"ID3 narration")
    vtt.write_text("WEBVTT\n", encoding="utf-8")
    first = authoring.load_course(ctx, DEMO_COURSE).modules[0].id

    def cached(_ctx: AppContext, module_id: str, kind: str) -> object | None:
        if module_id != first or kind != "audio":
            return None
        return media_variants.MediaFile(module_id, "audio", mp3, vtt, 2.0, "voice", "h", False)

    monkeypatch.setattr(media_variants, "cached_media", cached)
    result = export_scorm(ctx, DEMO_COURSE, tmp_path / "narrated.zip")
    files = read_zip(result.path)
    assert files["media/m01-audio.mp3"] == b"ID3 narration"
    assert files["media/m01-audio.vtt"] == b"WEBVTT\n"
    assert result.media_files == 1 and "1 audio/video files" in result.summary()
    bare = export_scorm(ctx, DEMO_COURSE, tmp_path / "bare.zip", media=False)
    assert bare.media_files == 0 and "media/m01-audio.mp3" not in read_zip(bare.path)
