"""Use cases without a window: profiles, authoring rules, events and progress."""

from __future__ import annotations

import pytest

from app.services import accounts, authoring, learning
from app.services.accounts import CurrentUser
from app.services.authoring import ModuleDoc
from app.services.context import AppContext
from app.services.errors import UserError
from engine.content import HeadingBlock, ParagraphBlock, Question, true_false


def test_create_profile_validates_and_builds_the_twin(ctx: AppContext) -> None:
    org = accounts.list_organisations(ctx.db)[0]
    with pytest.raises(UserError, match="name"):
        accounts.create_profile(ctx.db, "   ", "learner", org.id)
    with pytest.raises(UserError, match="email"):
        accounts.create_profile(ctx.db, "Kim", "learner", org.id, "not-an-email")
    with pytest.raises(UserError, match="organisation"):
        accounts.create_profile(ctx.db, "Kim", "learner", None)
    kim = accounts.create_profile(ctx.db, "Kim Lee", "learner", org.id, "kim@example.org")
    assert not kim.can_author
    with pytest.raises(UserError, match="already exists"):
        accounts.create_profile(ctx.db, "Kim 2", "learner", org.id, "kim@example.org")
    assert kim.id in {p.id for p in accounts.list_profiles(ctx.db)}


def test_learner_cannot_author(ctx: AppContext, learner: CurrentUser) -> None:
    with pytest.raises(UserError, match="Only creators"):
        authoring.create_course(ctx, learner, "Sneaky")


def test_course_lifecycle_and_validation(ctx: AppContext, creator: CurrentUser) -> None:
    with pytest.raises(UserError, match="title"):
        authoring.create_course(ctx, creator, "  ")
    doc = authoring.create_course(ctx, creator, "Fractions")
    with pytest.raises(UserError, match="at least one module"):
        authoring.set_status(ctx, creator, doc.id, "published")
    doc.modules.append(
        ModuleDoc(
            "Halves", [HeadingBlock(text="Halves")], [true_false("Two halves make a whole.", True)]
        )
    )
    doc = authoring.save_course(ctx, creator, doc)
    doc.title = ""
    with pytest.raises(UserError, match="title"):
        authoring.save_course(ctx, creator, doc)
    assert authoring.load_course(ctx, doc.id).title == "Fractions"  # nothing lost
    doc = authoring.set_status(ctx, creator, doc.id, "published")
    assert doc.status == "published" and doc.published_at is not None
    doc = authoring.set_status(ctx, creator, doc.id, "archived")
    assert doc.status == "archived"
    with pytest.raises(UserError, match="back to draft first"):
        authoring.set_status(ctx, creator, doc.id, "published")
    assert authoring.set_status(ctx, creator, doc.id, "draft").status == "draft"


def test_quiz_without_correct_answer_is_refused_with_its_name() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="no correct answer"):
        Question.model_validate(
            {
                "type": "single",
                "prompt": "Pick one",
                "choices": [{"text": "a"}, {"text": "b"}],
            }
        )


def test_module_with_activity_cannot_be_deleted(
    ctx: AppContext, creator: CurrentUser, learner: CurrentUser
) -> None:
    course_id = learning.list_catalogue(ctx, learner)[0].id
    doc = authoring.load_course(ctx, course_id)
    first = doc.modules[0]
    learning.record_event(ctx, learner, "module_start", course_id=course_id, module_id=first.id)
    doc.modules = doc.modules[1:]
    with pytest.raises(UserError, match="learner activity"):
        authoring.save_course(ctx, creator, doc)
    assert len(authoring.load_course(ctx, course_id).modules) == 4


def test_module_order_follows_the_document(ctx: AppContext, creator: CurrentUser) -> None:
    doc = authoring.create_course(ctx, creator, "Order")
    doc.modules = [ModuleDoc(f"M{i}", [ParagraphBlock(text=f"text {i}")]) for i in range(3)]
    doc = authoring.save_course(ctx, creator, doc)
    doc.modules.reverse()
    doc = authoring.save_course(ctx, creator, doc)
    assert [m.title for m in doc.modules] == ["M2", "M1", "M0"]


def test_events_drive_enrolment(ctx: AppContext, learner: CurrentUser) -> None:
    card = learning.list_catalogue(ctx, learner)[0]
    assert (card.status, card.progress_pct) == ("not_started", 0.0)
    doc = learning.open_course(ctx, learner, card.id)
    m = doc.modules[0]
    r = learning.record_event(ctx, learner, "module_start", course_id=doc.id, module_id=m.id)
    assert r.progress.status == "in_progress"
    r = learning.record_event(
        ctx, learner, "module_complete", course_id=doc.id, module_id=m.id, duration_secs=90
    )
    assert r.progress.progress_pct == 25.0
    with pytest.raises(UserError, match="event type"):
        learning.record_event(ctx, learner, "teleport", course_id=doc.id)
    with pytest.raises(UserError, match="modality"):
        learning.record_event(ctx, learner, "module_start", course_id=doc.id, modality="smell")


def test_other_organisation_cannot_see_the_course(ctx: AppContext, learner: CurrentUser) -> None:
    demo_course = learning.list_catalogue(ctx, learner)[0]
    other = accounts.create_organisation(ctx.db, "Elsewhere Ltd")
    outsider = accounts.create_profile(ctx.db, "Out Sider", "learner", other.id)
    assert learning.list_catalogue(ctx, outsider) == []
    with pytest.raises(UserError, match="another organisation"):
        learning.open_course(ctx, outsider, demo_course.id)


def test_import_image_checks_the_file(ctx: AppContext, creator: CurrentUser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "cat.png"
    fake.write_text("not really a png")
    with pytest.raises(UserError, match="not a PNG"):
        authoring.import_image(ctx, creator, fake)
    png = tmp_path / "dot.png"
    png.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    )
    img = authoring.import_image(ctx, creator, png)
    assert img.path.read_bytes() == png.read_bytes()
    assert img.src.startswith("asset://")
