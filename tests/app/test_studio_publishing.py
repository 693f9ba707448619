"""Studio publishing (issue 11, item 10): distinct titles, the checklist before publishing,
draft versions of a published course, the course list and the empty module list."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton

from app.services import authoring, learning, publishing
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.studio_view import CourseItemDelegate, StudioView
from tests.app.test_studio import (  # the Studio test's widget drivers and fixtures
    DEMO_COURSE,
    Dialogs,
    add_module_with_blocks,
    child,
    click,
    creator,  # noqa: F401 - fixture
    ctx,  # noqa: F401 - fixture
    dialogs,  # noqa: F401 - fixture
    new_course,
    retype,
    view,  # noqa: F401 - fixture
)

DEMO_TITLE = "Learning How to Learn"


# -- duplicate titles ---------------------------------------------------------------------------
def test_a_title_the_organisation_already_has_is_refused(
    ctx: AppContext,  # noqa: F811
    creator: CurrentUser,  # noqa: F811
) -> None:
    for same in (DEMO_TITLE, "  learning how to  LEARN "):
        with pytest.raises(UserError, match="already has a course called “Learning How to Learn”"):
            authoring.create_course(ctx, creator, same)
    # the AI's proposals are numbered instead of refused
    assert authoring.create_course(ctx, creator, DEMO_TITLE, if_taken="number").title == (
        f"{DEMO_TITLE} (2)"
    )
    other = authoring.create_course(ctx, creator, "Memory basics")
    other.title = DEMO_TITLE
    with pytest.raises(UserError, match="Choose a title that tells them apart"):
        authoring.save_course(ctx, creator, other)
    assert authoring.load_course(ctx, other.id).title == "Memory basics"


def test_studio_says_why_a_duplicate_title_is_refused(
    qtbot,
    view: StudioView,  # noqa: F811
    ctx: AppContext,  # noqa: F811
    dialogs: Dialogs,  # noqa: F811
) -> None:
    dialogs.texts.append(DEMO_TITLE)
    before = view.course_list.count()
    view.new_course()
    assert view.course_list.count() == before
    assert dialogs.warnings and "already has a course called" in dialogs.warnings[-1]
    new_course(qtbot, view, dialogs, "Memory basics")
    retype(qtbot, child(view, QLineEdit, "studio-title"), DEMO_TITLE.upper())
    view.save()
    assert "already has a course called" in dialogs.warnings[-1]
    assert view.editor.dirty  # the edit is kept, to be changed


# -- the checklist ------------------------------------------------------------------------------
def test_publish_shows_a_checklist_with_warnings_and_publishes_when_confirmed(
    qtbot,
    view: StudioView,  # noqa: F811
    ctx: AppContext,  # noqa: F811
    dialogs: Dialogs,  # noqa: F811
) -> None:
    course_id = new_course(qtbot, view, dialogs, "Kitchen Safety")
    add_module_with_blocks(qtbot, view, "Knives")
    dialogs.publish = False  # first look, then cancel
    click(qtbot, view.editor.publish_button)
    [shown] = dialogs.checklists
    states = {i.key: i.state for i in shown.checklist.items}
    assert states["title"] == states["modules"] == states["content"] == "ok"
    assert states["valid"] == states["fact_check"] == "ok"
    assert states["description"] == states["quizzes"] == states["skills"] == "warning"
    assert shown.publish_button.isEnabled()  # warnings do not block
    assert authoring.load_course(ctx, course_id).status == "draft"  # cancelled
    dialogs.publish = True
    click(qtbot, view.editor.publish_button)
    assert authoring.load_course(ctx, course_id).status == "published"


def test_blocking_items_keep_publish_disabled_and_the_service_refuses_them(
    qtbot,
    view: StudioView,  # noqa: F811
    ctx: AppContext,  # noqa: F811
    creator: CurrentUser,  # noqa: F811
    dialogs: Dialogs,  # noqa: F811
) -> None:
    course_id = new_course(qtbot, view, dialogs, "Half done")
    add_module_with_blocks(qtbot, view, "Written")
    click(qtbot, child(view, QPushButton, "studio-add-module"))  # a second, empty module
    click(qtbot, view.editor.publish_button)
    [shown] = dialogs.checklists
    blocked = {i.key: i.detail for i in shown.checklist.blocking}
    assert "has no content yet" in blocked["content"]
    assert not shown.publish_button.isEnabled()
    assert shown.findChild(QLabel, "studio-publish-summary").text().startswith("1 thing must")
    assert authoring.load_course(ctx, course_id).status == "draft"
    # a fact-check flag nobody reviewed blocks too, in the service as well as the dialog
    authoring.set_course_settings(
        ctx, creator, DEMO_COURSE, {"fact_check": [{"block_id": "b1", "verdict": "unsupported"}]}
    )
    authoring.set_status(ctx, creator, DEMO_COURSE, "draft")
    doc = authoring.load_course(ctx, DEMO_COURSE)
    assert publishing.checklist(ctx, creator, doc).blocking[0].key == "fact_check"
    with pytest.raises(UserError, match="not found in, or contradicted by, the sources"):
        authoring.set_status(ctx, creator, DEMO_COURSE, "published")


# -- draft versions -----------------------------------------------------------------------------
def test_edits_to_a_published_course_wait_in_a_draft_until_published(
    qtbot,
    view: StudioView,  # noqa: F811
    ctx: AppContext,  # noqa: F811
    creator: CurrentUser,  # noqa: F811
    learner: CurrentUser,
    dialogs: Dialogs,  # noqa: F811
) -> None:
    live = authoring.load_course(ctx, DEMO_COURSE)
    first = live.modules[0]
    learning.record_event(ctx, learner, "module_start", course_id=DEMO_COURSE, module_id=first.id)
    assert view.open_course(DEMO_COURSE)
    editor = view.editor
    note = child(view, QLabel, "studio-version-note")
    assert note.isVisible() and "learners see this version" in note.text()
    assert editor.save_button.text() == "Save draft"
    retype(qtbot, child(view, QPlainTextEdit, "studio-description"), "A new description.")
    editor.tabs.setCurrentIndex(1)
    retype(qtbot, child(view, QLineEdit, "studio-module-title"), "Why we forget, revised")
    click(qtbot, editor.save_button)
    # learners still get the published version; the editor shows the draft, and says so
    seen = learning.open_course(ctx, learner, DEMO_COURSE)
    assert seen.description == live.description and seen.modules[0].title == first.title
    assert editor.description_edit.toPlainText() == "A new description."
    assert "editing a draft of this published course" in note.text()
    assert child(view, QPushButton, "studio-publish-changes").isEnabled()
    # reopening (another session) finds the draft again
    view.refresh()
    assert publishing.load_for_editing(ctx, DEMO_COURSE).has_draft
    editor.load(authoring.load_course(ctx, DEMO_COURSE))
    assert editor.modules[0].title == "Why we forget, revised"
    # publishing the changes: checklist, then learners see them; module ids (and progress) kept
    click(qtbot, child(view, QPushButton, "studio-publish-changes"))
    assert dialogs.checklists and dialogs.checklists[-1].publish_button.text() == (
        "Publish changes"
    )
    seen = learning.open_course(ctx, learner, DEMO_COURSE)
    assert seen.description == "A new description."
    assert seen.modules[0].title == "Why we forget, revised" and seen.modules[0].id == first.id
    assert learning.course_progress(ctx, learner, DEMO_COURSE).started_at is not None
    assert not publishing.load_for_editing(ctx, DEMO_COURSE).has_draft
    assert dialogs.warnings == []


def test_draft_changes_can_be_discarded(
    qtbot,
    view: StudioView,  # noqa: F811
    ctx: AppContext,  # noqa: F811
    dialogs: Dialogs,  # noqa: F811
) -> None:
    from PySide6.QtWidgets import QMessageBox

    live = authoring.load_course(ctx, DEMO_COURSE)
    view.open_course(DEMO_COURSE)
    retype(qtbot, child(view, QPlainTextEdit, "studio-description"), "Throw me away.")
    click(qtbot, view.editor.save_button)
    dialogs.answer = QMessageBox.StandardButton.Discard
    click(qtbot, child(view, QPushButton, "studio-discard-changes"))
    assert view.editor.description_edit.toPlainText() == live.description
    assert not publishing.load_for_editing(ctx, DEMO_COURSE).has_draft
    assert authoring.load_course(ctx, DEMO_COURSE).description == live.description


# -- the course list and the empty module list ------------------------------------------------
def test_course_titles_get_the_lists_whole_width(
    qtbot,
    view: StudioView,  # noqa: F811
    ctx: AppContext,  # noqa: F811
    dialogs: Dialogs,  # noqa: F811
) -> None:
    new_course(qtbot, view, dialogs, "Food Hygiene for Kitchen Staff")
    lst = view.course_list
    fm = lst.fontMetrics()
    room = lst.viewport().width() - 2 * CourseItemDelegate.PAD
    for row in range(lst.count()):
        title = lst.item(row).text()
        assert fm.horizontalAdvance(title) <= room, (title, room)  # so not elided


def test_a_course_without_modules_shows_a_hint_instead_of_a_disabled_editor(
    qtbot,
    view: StudioView,  # noqa: F811
    dialogs: Dialogs,  # noqa: F811
) -> None:
    new_course(qtbot, view, dialogs, "Blank")
    editor = view.editor
    editor.tabs.setCurrentIndex(1)
    assert editor.module_stack.currentWidget() is editor.no_module_page
    assert not editor.module_editor.isVisible()
    assert "no module yet" in child(view, QLabel, "studio-no-module-hint").text()
    click(qtbot, child(view, QPushButton, "studio-add-first-module"))
    assert editor.module_stack.currentWidget() is editor.module_editor
    assert editor.module_editor.isEnabled() and len(editor.modules) == 1


def test_removing_a_studied_module_from_a_published_course_is_refused_at_save(
    ctx: AppContext,  # noqa: F811
    creator: CurrentUser,  # noqa: F811
    learner: CurrentUser,
) -> None:
    doc = authoring.load_course(ctx, DEMO_COURSE)
    studied = doc.modules[0]
    learning.record_event(ctx, learner, "module_start", course_id=DEMO_COURSE, module_id=studied.id)
    doc.modules = doc.modules[1:]
    with pytest.raises(UserError, match="already has learner activity"):
        publishing.save_edits(ctx, creator, doc)
    assert not publishing.load_for_editing(ctx, DEMO_COURSE).has_draft
    extra = authoring.ModuleDoc("Extra", doc.modules[0].blocks)
    doc.modules = [*authoring.load_course(ctx, DEMO_COURSE).modules[:3], extra]
    assert publishing.save_edits(ctx, creator, doc).has_draft  # adding is fine
    assert len(authoring.load_course(ctx, DEMO_COURSE).modules) == 4  # learners: unchanged
