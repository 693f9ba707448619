"""Importing SCORM packages: a third-party-style 1.2 package and our own export become draft
courses with the SCOs' text as blocks; every bad package gets its own message and changes
nothing (no row, no file); ``byteos scorm import`` and Studio's "Import SCORM…"."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from app.services import accounts, flashcards
from app.services.authoring import load_course
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.scorm import export_scorm
from app.services.scorm_import import import_scorm
from app.studio.studio_view import StudioView
from engine.content import plain_text
from engine.modalities.mindmap import build_mindmap
from sync.store.models import ContentAsset, Course, Module
from tests.app.test_cli import byteos
from tests.app.test_studio import (
    DEMO_COURSE,
    creator,  # noqa: F401 - fixture
    ctx,  # noqa: F401 - fixture
)
from tests.engine.scorm.packages import MANIFEST_12, storyline_files, zip_of
from tests.engine.scorm.test_importer import MANIFEST_2004, package_2004


def snapshot(app_ctx: AppContext) -> tuple[object, ...]:
    with app_ctx.db.transaction() as s:
        counts = tuple(
            s.scalar(select(func.count()).select_from(t)) for t in (Course, Module, ContentAsset)
        )
    root = app_ctx.assets.root
    files = sorted(p.relative_to(root) for p in root.rglob("*"))
    return counts, files


def write(tmp_path: Path, data: bytes, name: str = "pkg.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_third_party_package_becomes_a_draft_course(
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    tmp_path: Path,
) -> None:
    result = import_scorm(ctx, creator, write(tmp_path, zip_of(storyline_files())))
    assert result.version == "1.2" and result.module_count == 1 and result.files == 5
    doc = load_course(ctx, result.course_id)
    assert doc.status == "draft" and doc.org_id == creator.org_id
    assert doc.title == "Workplace Safety Basics"
    [module] = doc.modules
    assert module.title == "Safety at work"
    text = plain_text(module.blocks)
    assert "Workplace Safety Basics" in text and "needs JavaScript" not in text  # <noscript>
    with ctx.db.transaction() as s:
        course = s.get(Course, result.course_id)
        assert course.created_by == creator.id
        link = course.settings["scorm"]
        asset = s.get(ContentAsset, result.asset_id)
        assert asset.type == "scorm" and asset.org_id == creator.org_id
        meta = dict(asset.metadata_)
    item = link["items"][module.id]
    assert item["launch"] == "scormcontent/index_lms.html" and item["mastery_score"] == 75
    folder = ctx.assets.path(meta["unpacked"])
    assert (folder / "scormcontent" / "lib" / "scormdriver.js").is_file()
    assert ctx.assets.path(asset.storage_path).read_bytes()[:2] == b"PK"
    again = import_scorm(ctx, creator, write(tmp_path, zip_of(storyline_files())))
    assert again.title == "Workplace Safety Basics (2)"  # the folder is shared, not copied


def test_our_export_imports_with_its_text(
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "demo.zip"
    export_scorm(ctx, DEMO_COURSE, out)
    demo = load_course(ctx, DEMO_COURSE)
    result = import_scorm(ctx, creator, out)
    doc = load_course(ctx, result.course_id)
    assert [m.title for m in doc.modules] == [m.title for m in demo.modules]
    for mine, theirs in zip(doc.modules, demo.modules, strict=True):
        first = next(b.text for b in theirs.blocks if hasattr(b, "text"))
        assert first in plain_text(mine.blocks)
    # the layers that work from a module's text work from the SCO's
    module = doc.modules[0]
    graph = build_mindmap(module.title, module.blocks)
    assert "The forgetting curve" in {d["label"] for _, d in graph.nodes(data=True)}
    learner = next(p for p in accounts.list_profiles(ctx.db) if p.role == "learner")
    assert len(flashcards.deck(ctx, learner, module)) >= 3


def test_a_scorm_2004_package_imports(
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    tmp_path: Path,
) -> None:
    files = package_2004(**{"content/index_lms.html": b"<h1>Fire</h1><p>Leave calmly.</p>"})
    result = import_scorm(ctx, creator, write(tmp_path, zip_of(files)))
    assert result.version == "2004"
    [module] = load_course(ctx, result.course_id).modules
    assert plain_text(module.blocks) == "Fire\nLeave calmly."


def _encrypted() -> bytes:
    data = bytearray(zip_of(storyline_files()))
    at = data.find(b"PK\x01\x02")
    data[at + 8] |= 0x1
    return bytes(data)


def _bad_crc() -> bytes:
    """Passes every check of the central directory, fails while unpacking."""
    data = bytearray(zip_of(storyline_files()))
    at = data.rfind(b"PK\x01\x02")  # the last entry's CRC, in both headers
    crc = bytes(data[at + 16 : at + 20])
    for where in (at + 16, data.find(b"PK\x03\x04" + data[at + 4 : at + 14]) + 14):
        data[where : where + 4] = bytes(b ^ 0xFF for b in crc)
    return bytes(data)


BAD = [
    ("not-zip", b"%PDF-1.7", "not a zip archive"),
    ("no-manifest", zip_of({"index.html": b"<p>x</p>"}), "no imsmanifest.xml at the root"),
    (
        "nested",
        zip_of({f"course/{k}": v for k, v in storyline_files().items()}),
        "in the folder “course/”, not at the root",
    ),
    (
        "bad-xml",
        zip_of(storyline_files(**{"imsmanifest.xml": b"<manifest><organizations>"})),
        "imsmanifest.xml is not valid XML",
    ),
    (
        "no-org",
        zip_of(
            storyline_files(
                **{
                    "imsmanifest.xml": MANIFEST_12.replace(b"<organization ", b"<x ").replace(
                        b"</organization>", b"</x>"
                    )
                }
            )
        ),
        "no organization",
    ),
    (
        "missing-file",
        zip_of({k: v for k, v in storyline_files().items() if not k.endswith("slides.js")}),
        "lists “scormcontent/data/slides.js”, which is not in the zip",
    ),
    ("aicc", zip_of({"course.au": b"", "course.crs": b"", "course.des": b""}), "AICC course"),
    (
        "traversal",
        zip_of(storyline_files(**{"../../evil.sh": b"rm -rf"})),
        "leaves the package",
    ),
    (
        "manifest-traversal",
        zip_of(
            package_2004(
                **{"imsmanifest.xml": MANIFEST_2004.replace(b'href="story.js"', b'href="../x.js"')}
            )
        ),
        "leaves the package",
    ),
    ("absolute", zip_of(storyline_files(**{"/etc/cron.d/x": b""})), "is absolute"),
    (
        "symlink",
        zip_of(storyline_files(), external_attr=(stat.S_IFLNK | 0o777) << 16),
        "symbolic link",
    ),
    (
        "zip-bomb",
        zip_of(storyline_files(**{"scormcontent/pad.bin": b"\0" * (30 * 1024 * 1024)})),
        "only zip bombs do",
    ),
    ("encrypted", _encrypted(), "is encrypted"),
    ("damaged", _bad_crc(), "is damaged"),
]


@pytest.mark.parametrize(("data", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_packages_say_why_and_change_nothing(
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    tmp_path: Path,
    data: bytes,
    message: str,
) -> None:
    before = snapshot(ctx)
    with pytest.raises(UserError, match=message) as err:
        import_scorm(ctx, creator, write(tmp_path, data))
    assert str(err.value).startswith("pkg.zip cannot be imported: ")
    assert snapshot(ctx) == before


def test_who_may_import_and_what(
    ctx: AppContext,  # noqa: F811
    tmp_path: Path,
) -> None:
    learner = next(p for p in accounts.list_profiles(ctx.db) if p.role == "learner")
    before = snapshot(ctx)
    with pytest.raises(UserError, match="Only creators and admins can import"):
        import_scorm(ctx, learner, write(tmp_path, zip_of(storyline_files())))
    author = next(p for p in accounts.list_profiles(ctx.db) if p.role == "creator")
    with pytest.raises(UserError, match=r"is a \.zip file"):
        import_scorm(ctx, author, write(tmp_path, b"x", "course.rar"))
    assert snapshot(ctx) == before


def test_command_line_import(tmp_path: Path) -> None:
    db = tmp_path / "byteos.db"
    assert byteos("demo", "--db", str(db)).returncode == 0
    good = write(tmp_path, zip_of(storyline_files()))
    r = byteos("scorm", "import", str(good), "--db", str(db), "--as", "ada@demo.byteos.local")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("imported “Workplace Safety Basics”: SCORM 1.2, 1 module(s)")
    bad = write(tmp_path, zip_of({"course.au": b"", "course.crs": b""}), "aicc.zip")
    r = byteos("scorm", "import", str(bad), "--db", str(db), "--as", "ada@demo.byteos.local")
    assert r.returncode == 1 and "aicc.zip cannot be imported: This is an AICC course" in r.stderr
    r = byteos("scorm", "import", str(good), "--db", str(db))
    assert r.returncode == 1 and "--as EMAIL" in r.stderr  # a creator and an admin: which?


def test_studio_import_button(
    qtbot,
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: shown.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: shown.append(text))
    view = StudioView(ctx, creator)
    qtbot.addWidget(view)
    button = view.scorm_import_button
    assert button.accessibleName() == "Import a SCORM package" and button.text() == "Import SCORM…"
    view.import_scorm(str(write(tmp_path, zip_of(storyline_files()))))
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert shown[0].startswith("Imported “Workplace Safety Basics”: SCORM 1.2")
    assert view.editor.doc is not None and view.editor.doc.title == "Workplace Safety Basics"
    shots = Path(__file__).resolve().parents[3] / "notes" / "shots" / "scorm"
    if shots.parent.parent.is_dir():
        view.resize(1280, 800)
        shots.mkdir(parents=True, exist_ok=True)
        view.grab().save(str(shots / "studio_imported.png"))
    view.import_scorm(str(write(tmp_path, zip_of({"index.html": b""}), "bad.zip")))
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=20_000)
    assert "bad.zip cannot be imported: There is no imsmanifest.xml" in shown[1]
    assert button.isEnabled()
