"""Learning paths through the service: build, validate on write, publish, archive, follow."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services import accounts, authoring, learning, media_library, path_progress, paths
from app.services.accounts import CurrentUser
from app.services.authoring import ModuleDoc
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.paths import PathCourseRef
from engine.content import HeadingBlock, ParagraphBlock

DEMO_COURSE = "c42b5cc1-bd40-5228-b962-000813b4972e"


def admin_of(ctx: AppContext) -> CurrentUser:
    p = next(p for p in accounts.list_profiles(ctx.db) if p.role == "org_admin")
    return accounts.sign_in(ctx.db, p.id)


def published_course(ctx: AppContext, author: CurrentUser, title: str) -> str:
    doc = authoring.create_course(ctx, author, title)
    doc.modules.append(
        ModuleDoc(
            "Basics",
            [HeadingBlock(text=title), ParagraphBlock(text=f"What {title} is about, in short.")],
        )
    )
    authoring.save_course(ctx, author, doc)
    return authoring.set_status(ctx, author, doc.id, "published").id


def test_learner_cannot_build_paths(ctx: AppContext, learner: CurrentUser) -> None:
    with pytest.raises(UserError, match="Only creators, managers and admins"):
        paths.create_path(ctx, learner, "Onboarding")


def test_path_lifecycle_and_validation(ctx: AppContext, creator: CurrentUser) -> None:
    with pytest.raises(UserError, match="title"):
        paths.create_path(ctx, creator, "   ")
    doc = paths.create_path(ctx, creator, "Onboarding", "First week")
    assert doc.status == "draft" and doc.courses == []
    # an empty draft saves; it cannot be published
    doc = paths.save_path(ctx, creator, doc)
    with pytest.raises(UserError, match="at least one course"):
        paths.set_status(ctx, creator, doc.id, "published")
    # bad certificate options are refused with the engine's words, nothing written
    doc.courses = [PathCourseRef(DEMO_COURSE, True)]
    doc.issue_cert, doc.validity_days = True, 0
    with pytest.raises(UserError, match="validity_days"):
        paths.save_path(ctx, creator, doc)
    assert paths.load_path(ctx, doc.id).courses == []
    # a course listed twice, and an unknown one: every problem at once
    doc.validity_days = 365
    doc.courses = [PathCourseRef(DEMO_COURSE), PathCourseRef(DEMO_COURSE), PathCourseRef("nope")]
    with pytest.raises(UserError) as err:
        paths.save_path(ctx, creator, doc)
    assert "twice" in str(err.value) and "not a course of this organisation" in str(err.value)
    # a draft course blocks publishing
    draft = authoring.create_course(ctx, creator, "Safety basics")
    doc.courses = [PathCourseRef(DEMO_COURSE), PathCourseRef(draft.id, False)]
    doc = paths.save_path(ctx, creator, doc)
    assert [c.title for c in doc.courses] == ["Learning How to Learn", "Safety basics"]
    assert [c.is_required for c in doc.courses] == [True, False]
    with pytest.raises(UserError, match="Publish “Safety basics” first"):
        paths.set_status(ctx, creator, doc.id, "published")
    # reorder and publish
    doc.courses = [PathCourseRef(DEMO_COURSE)]
    doc = paths.save_path(ctx, creator, doc)
    doc = paths.set_status(ctx, creator, doc.id, "published")
    assert doc.status == "published" and doc.issue_cert and doc.validity_days == 365
    assert [p.title for p in paths.list_paths(ctx, creator)] == ["Onboarding"]
    with pytest.raises(UserError, match="back to draft first"):
        paths.set_status(
            ctx, creator, paths.set_status(ctx, creator, doc.id, "archived").id, "published"
        )


def test_locks_follow_the_courses_require_completion_order(
    ctx: AppContext, creator: CurrentUser, learner: CurrentUser
) -> None:
    second = published_course(ctx, creator, "Safety basics")
    authoring.set_course_settings(ctx, creator, second, {"require_completion_order": True})
    doc = paths.create_path(ctx, creator, "Onboarding")
    doc.courses = [PathCourseRef(DEMO_COURSE), PathCourseRef(second)]
    paths.save_path(ctx, creator, doc)
    paths.set_status(ctx, creator, doc.id, "published")
    lp = path_progress.learner_path(ctx, learner, doc.id)
    assert [s.locked for s in lp.steps] == [False, True]
    assert lp.steps[1].lock_message == "Locked: complete “Learning How to Learn” first"
    assert lp.progress_pct == 0 and not lp.complete
    for m in authoring.load_course(ctx, DEMO_COURSE).modules:
        learning.record_event(ctx, learner, "module_start", course_id=DEMO_COURSE, module_id=m.id)
        learning.record_event(
            ctx, learner, "module_complete", course_id=DEMO_COURSE, module_id=m.id
        )
    lp = path_progress.learner_path(ctx, learner, doc.id)
    assert [s.locked for s in lp.steps] == [False, False] and lp.progress_pct == 50


def _png(path: Path, colour: str = "#3355CC") -> Path:
    from PIL import Image

    Image.new("RGB", (64, 36), colour).save(path)
    return path


def test_a_manager_gives_a_path_its_picture_and_a_bad_file_changes_nothing(
    ctx: AppContext, tmp_path: Path
) -> None:
    org = admin_of(ctx).org_id
    manager = accounts.create_profile(ctx.db, "Morgan Lee", "manager", org)
    doc = paths.create_path(ctx, manager, "Onboarding")
    doc = paths.set_thumbnail(ctx, manager, doc.id, _png(tmp_path / "cover.png"))
    assert doc.thumbnail_url and doc.thumbnail_url.startswith("asset://")
    file = paths.thumbnail_file(ctx, doc.thumbnail_url)
    assert file is not None and file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    images = media_library.list_images(ctx, manager)
    alt = next(i.alt for i in images if i.src == doc.thumbnail_url)
    assert alt == "Picture of the path Onboarding"
    # a file that is not a picture is refused by name; the path keeps its picture
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(UserError, match=r"notes\.png is not a PNG, JPEG, GIF or WebP image"):
        paths.set_thumbnail(ctx, manager, doc.id, text)
    assert paths.load_path(ctx, doc.id).thumbnail_url == doc.thumbnail_url
    with pytest.raises(UserError, match="is not a file"):
        paths.set_thumbnail(ctx, manager, doc.id, tmp_path / "missing.png")
    # taken away, and a picture that never reached this device is simply not shown
    assert paths.set_thumbnail(ctx, manager, doc.id, None).thumbnail_url is None
    assert paths.thumbnail_file(ctx, "asset://images/elsewhere.png") is None
    assert paths.thumbnail_file(ctx, "https://example.org/x.png") is None


def test_learners_cannot_set_a_picture_and_the_design_must_be_known(
    ctx: AppContext, creator: CurrentUser, learner: CurrentUser, tmp_path: Path
) -> None:
    doc = paths.create_path(ctx, creator, "Onboarding")
    with pytest.raises(UserError, match="Only creators, managers and admins"):
        paths.set_thumbnail(ctx, learner, doc.id, _png(tmp_path / "c.png"))
    doc.issue_cert, doc.cert_template = True, "gothic"
    with pytest.raises(UserError, match="Unknown certificate template “gothic”: choose one of"):
        paths.save_path(ctx, creator, doc)
    assert paths.load_path(ctx, doc.id).issue_cert is False  # nothing written
    doc.cert_template = "formal"
    assert paths.save_path(ctx, creator, doc).cert_template == "formal"
