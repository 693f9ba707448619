"""Studio through its real widgets: create, edit, save, publish, archive a course."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QImage
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QToolButton,
    QWidget,
)

from app.services import accounts, authoring
from app.services.context import AppContext
from app.services.demo import load_demo
from app.studio.publish_checklist import PublishChecklistDialog
from app.studio.studio_view import STATUS_ROLE, StudioView

DEMO_COURSE = "c42b5cc1-bd40-5228-b962-000813b4972e"


@dataclass
class Dialogs:
    """Answers for the modal dialogs, and a record of what they were asked to show."""

    texts: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    answer: QMessageBox.StandardButton = QMessageBox.StandardButton.Save
    warnings: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    # the publish checklists shown, and whether to confirm them (when nothing blocks)
    checklists: list[PublishChecklistDialog] = field(default_factory=list)
    publish: bool = True


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    d = Dialogs()

    def warning(_parent: QWidget, _title: str, text: str, *a: object, **k: object) -> object:
        d.warnings.append(text)
        return QMessageBox.StandardButton.Ok

    def question(_parent: QWidget, _title: str, text: str, *a: object, **k: object) -> object:
        d.questions.append(text)
        return d.answer

    def get_text(*a: object, **k: object) -> tuple[str, bool]:
        return (d.texts.pop(0), True) if d.texts else ("", False)

    def get_open_file_name(*a: object, **k: object) -> tuple[str, str]:
        return (d.files.pop(0), "") if d.files else ("", "")

    def checklist_exec(dialog: PublishChecklistDialog) -> int:
        d.checklists.append(dialog)
        confirm = d.publish and dialog.publish_button.isEnabled()
        return int(QDialog.DialogCode.Accepted if confirm else QDialog.DialogCode.Rejected)

    monkeypatch.setattr(PublishChecklistDialog, "exec", checklist_exec)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(warning))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(get_open_file_name))
    return d


@pytest.fixture
def ctx(tmp_path: Path):
    c = AppContext.open(tmp_path / "t.db", tmp_path / "assets")
    load_demo(c)
    yield c
    c.close()


@pytest.fixture
def creator(ctx: AppContext) -> accounts.CurrentUser:
    return next(p for p in accounts.list_profiles(ctx.db) if p.role == "creator")


@pytest.fixture
def view(qtbot, ctx: AppContext, creator: accounts.CurrentUser, dialogs: Dialogs) -> StudioView:
    v = StudioView(ctx, creator)
    qtbot.addWidget(v)
    v.resize(1280, 800)
    v.show()
    return v


def child(view: StudioView, kind: type, name: str):
    w = view.findChild(kind, name)
    assert w is not None, name
    return w


def retype(qtbot, widget: QLineEdit | QPlainTextEdit, text: str) -> None:
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def type_lines(qtbot, widget: QPlainTextEdit, lines: list[str]) -> None:
    for i, line in enumerate(lines):
        if i:
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        qtbot.keyClicks(widget, line)


def click(qtbot, button: QPushButton) -> None:
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def new_course(qtbot, view: StudioView, dialogs: Dialogs, title: str) -> str:
    dialogs.texts.append(title)
    click(qtbot, child(view, QPushButton, "studio-new-course"))
    assert view.current_course_id is not None
    return view.current_course_id


def add_block(qtbot, view: StudioView, kind: str, *lines: str) -> None:
    action = view.findChild(QAction, f"studio-add-block-{kind}")
    assert action is not None
    action.trigger()
    me = view.editor.module_editor
    if kind == "heading":
        qtbot.keyClicks(me.forms["heading"].text_edit, lines[0])
    elif kind == "paragraph":
        type_lines(qtbot, me.forms["paragraph"].text_edit, list(lines))
    elif kind == "list":
        type_lines(qtbot, me.forms["list"].items_edit, list(lines))


def add_module_with_blocks(qtbot, view: StudioView, title: str) -> None:
    click(qtbot, child(view, QPushButton, "studio-add-module"))
    retype(qtbot, child(view, QLineEdit, "studio-module-title"), title)
    add_block(qtbot, view, "heading", f"{title}: overview")
    add_block(qtbot, view, "paragraph", "First paragraph.", "", "Second paragraph.")
    add_block(qtbot, view, "list", "one", "", "two")


def add_question(
    qtbot, view: StudioView, kind: str, prompt: str, options: list[tuple[str, bool]]
) -> None:
    quiz = view.editor.module_editor.quiz_editor
    view.editor.module_editor.tabs.setCurrentIndex(1)
    click(qtbot, quiz.add_button)
    quiz.type_combo.setCurrentIndex(quiz.type_combo.findData(kind))
    qtbot.keyClicks(quiz.prompt_edit, prompt)
    while len(quiz.option_rows()) < len(options):
        click(qtbot, quiz.add_option_button)
    for row, (text, correct) in zip(quiz.option_rows(), options, strict=True):
        if not row.text_edit.isReadOnly():
            qtbot.keyClicks(row.text_edit, text)
        if correct:
            row.correct_box.click()


def test_create_edit_save_publish_through_widgets(qtbot, view, ctx, dialogs) -> None:
    course_id = new_course(qtbot, view, dialogs, "Draft title")
    editor = view.editor
    assert editor.title_edit.text() == "Draft title"
    assert editor.status_label.text() == "Draft"

    retype(qtbot, child(view, QLineEdit, "studio-title"), "Testing 101")
    assert editor.dirty and "Unsaved" in editor.dirty_label.text()
    qtbot.keyClicks(child(view, QPlainTextEdit, "studio-description"), "Learn to test.")
    editor.difficulty_combo.setCurrentIndex(editor.difficulty_combo.findData("intermediate"))
    qtbot.keyClicks(editor.tags_edit, "qa, testing ,, ")
    editor.duration_spin.setValue(45)
    editor.skill_combo.setCurrentIndex(editor.skill_combo.findText("Retrieval practice"))
    click(qtbot, editor.add_skill_button)
    editor.target_spin.setValue(70)
    dialogs.texts.append("Test design")
    click(qtbot, editor.new_skill_button)
    assert [editor.target_list.item(i).text() for i in range(2)] == [
        "Retrieval practice — target 70 %",
        "Test design — target 80 %",
    ]

    add_module_with_blocks(qtbot, view, "Basics")
    add_question(qtbot, view, "single", "Pick one", [("A", True), ("B", False)])
    add_question(qtbot, view, "multiple", "Pick many", [("X", True), ("Y", True), ("Z", False)])
    add_question(qtbot, view, "true_false", "Tests help", [("", True), ("", False)])
    quiz = editor.module_editor.quiz_editor
    quiz.skill_list.item(0).setCheckState(Qt.CheckState.Checked)  # tag the T/F question
    add_module_with_blocks(qtbot, view, "Next steps")
    assert editor.module_list.count() == 2

    click(qtbot, child(view, QPushButton, "studio-save"))
    assert dialogs.warnings == []
    assert not editor.dirty and editor.dirty_label.text() == "All changes saved"

    click(qtbot, child(view, QPushButton, "studio-publish"))
    assert dialogs.warnings == []
    assert editor.status_label.text() == "Published"
    row = view._row_of(course_id)
    assert view.course_list.item(row).data(STATUS_ROLE) == "published"
    assert view.course_list.item(row).text() == "Testing 101"

    doc = authoring.load_course(ctx, course_id)
    assert doc.status == "published" and doc.published_at is not None
    assert doc.title == "Testing 101"
    assert doc.description == "Learn to test."
    assert doc.difficulty == "intermediate"
    assert doc.tags == ["qa", "testing"]
    assert doc.estimated_duration_mins == 45
    names = {s.id: s.name for s in authoring.list_skills(ctx, view.user)}
    assert [(names[t.skill_id], t.target_proficiency) for t in doc.target_skills] == [
        ("Retrieval practice", 0.7),
        ("Test design", 0.8),
    ]
    assert [m.title for m in doc.modules] == ["Basics", "Next steps"]
    for m in doc.modules:
        assert [b.type for b in m.blocks] == ["heading", "paragraph", "list"]
        assert m.blocks[0].text == f"{m.title}: overview"
        assert m.blocks[1].text == "First paragraph.\n\nSecond paragraph."
        assert m.blocks[2].items == ["one", "two"]
    quiz_doc = doc.modules[0].quiz
    assert [q.type for q in quiz_doc] == ["single", "multiple", "true_false"]
    assert [[c.text for c in q.choices if c.correct] for q in quiz_doc] == [
        ["A"],
        ["X", "Y"],
        ["True"],
    ]
    assert quiz_doc[2].skill_ids == [quiz.skill_list.item(0).data(Qt.ItemDataRole.UserRole)]
    assert doc.modules[1].quiz == []


def test_empty_title_is_refused_and_nothing_is_saved(qtbot, view, ctx, dialogs) -> None:
    course_id = new_course(qtbot, view, dialogs, "Keep me")
    editor = view.editor
    editor.title_edit.clear()
    qtbot.keyClicks(editor.description_edit, "Typed but not saved")
    click(qtbot, editor.save_button)
    assert dialogs.warnings == ["A course needs a title."]
    assert editor.dirty
    assert editor.description_edit.toPlainText() == "Typed but not saved"
    doc = authoring.load_course(ctx, course_id)
    assert (doc.title, doc.description) == ("Keep me", "")


def test_quiz_problems_name_the_question_and_keep_edits(qtbot, view, ctx, dialogs) -> None:
    course_id = new_course(qtbot, view, dialogs, "Quiz course")
    editor = view.editor
    add_module_with_blocks(qtbot, view, "Only module")
    add_question(qtbot, view, "single", "Which one?", [("Left", False), ("Right", False)])
    quiz = editor.module_editor.quiz_editor
    qtbot.keyClicks(quiz.explanation_edit, "Because.")

    click(qtbot, editor.save_button)
    assert len(dialogs.warnings) == 1
    message = dialogs.warnings[0]
    assert "Module 1 “Only module”" in message
    assert "question 1" in message and "Which one?" in message
    assert "no correct answer" in message
    # Everything typed is still there, and the editor shows the offending question.
    assert editor.tabs.currentIndex() == 1
    assert editor.module_editor.tabs.currentIndex() == 1
    assert quiz.question_list.currentRow() == 0
    assert quiz.prompt_edit.toPlainText() == "Which one?"
    assert quiz.explanation_edit.toPlainText() == "Because."
    assert [r.text_edit.text() for r in quiz.option_rows()] == ["Left", "Right"]
    assert editor.dirty
    assert authoring.load_course(ctx, course_id).modules == []

    # Two correct answers on a single-choice question are refused as well.
    for row in quiz.option_rows():
        row.correct_box.click()
    click(qtbot, editor.save_button)
    assert "exactly one correct answer" in dialogs.warnings[-1]
    assert "Which one?" in dialogs.warnings[-1]
    assert authoring.load_course(ctx, course_id).modules == []

    # Fixed, it saves.
    quiz.option_rows()[1].correct_box.click()
    click(qtbot, editor.save_button)
    assert len(dialogs.warnings) == 2
    saved = authoring.load_course(ctx, course_id).modules[0].quiz[0]
    assert [c.correct for c in saved.choices] == [True, False]
    assert saved.explanation == "Because."


def test_true_false_keeps_options_typed_before_switching(qtbot, view, dialogs) -> None:
    new_course(qtbot, view, dialogs, "Switching")
    add_module_with_blocks(qtbot, view, "M")
    add_question(qtbot, view, "single", "Q", [("Alpha", True), ("Beta", False)])
    quiz = view.editor.module_editor.quiz_editor
    quiz.type_combo.setCurrentIndex(quiz.type_combo.findData("true_false"))
    rows = quiz.option_rows()
    assert [r.text_edit.text() for r in rows] == ["True", "False"]
    assert all(r.text_edit.isReadOnly() for r in rows)
    assert not quiz.add_option_button.isEnabled()
    quiz.type_combo.setCurrentIndex(quiz.type_combo.findData("single"))
    assert [r.text_edit.text() for r in quiz.option_rows()] == ["Alpha", "Beta"]


def test_image_import(qtbot, view, ctx, dialogs, tmp_path: Path) -> None:
    course_id = new_course(qtbot, view, dialogs, "Pictures")
    editor = view.editor
    click(qtbot, editor.add_module_button)
    view.findChild(QAction, "studio-add-block-image").trigger()
    form = editor.module_editor.forms["image"]

    not_image = tmp_path / "notes.png"
    not_image.write_text("just text")
    dialogs.files.append(str(not_image))
    click(qtbot, child(view, QPushButton, "studio-image-choose"))
    assert dialogs.warnings == ["notes.png is not a PNG, JPEG, GIF or WebP image."]
    assert form.block["src"] == ""

    # Saving without an image or alt text names the block.
    click(qtbot, editor.save_button)
    assert "block 1 (Image): choose an image file" in dialogs.warnings[-1]

    png = tmp_path / "chart.png"
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#3B5BDB"))
    assert image.save(str(png))
    dialogs.files.append(str(png))
    click(qtbot, form.choose_button)
    assert len(dialogs.warnings) == 2
    assert form.block["src"].startswith("asset://")
    assert not form.preview.pixmap().isNull()
    assert form.file_label.text() == "chart.png"

    click(qtbot, editor.save_button)
    assert "alt text must not be empty" in dialogs.warnings[-1]
    qtbot.keyClicks(child(view, QLineEdit, "studio-image-alt"), "A blue chart")
    qtbot.keyClicks(form.caption_edit, "Figure 1")
    click(qtbot, editor.save_button)
    assert len(dialogs.warnings) == 3
    block = authoring.load_course(ctx, course_id).modules[0].blocks[0]
    assert block.type == "image" and block.alt == "A blue chart" and block.caption == "Figure 1"
    assert block.asset_id and ctx.assets.path(block.src.removeprefix("asset://")).is_file()


def test_archive_and_back_to_draft(qtbot, view, ctx, dialogs) -> None:
    assert view.open_course(DEMO_COURSE)
    editor = view.editor
    assert editor.status_label.text() == "Published"
    assert not editor.publish_button.isEnabled()
    click(qtbot, child(view, QPushButton, "studio-archive"))
    assert editor.status_label.text() == "Archived"
    assert authoring.load_course(ctx, DEMO_COURSE).status == "archived"
    assert view.course_list.item(view._row_of(DEMO_COURSE)).data(STATUS_ROLE) == "archived"
    assert not editor.archive_button.isEnabled()
    click(qtbot, child(view, QPushButton, "studio-back-to-draft"))
    assert editor.status_label.text() == "Draft"
    assert authoring.load_course(ctx, DEMO_COURSE).status == "draft"
    click(qtbot, editor.publish_button)
    assert authoring.load_course(ctx, DEMO_COURSE).status == "published"
    assert dialogs.warnings == []


def test_publish_refuses_a_course_without_content(qtbot, view, ctx, dialogs) -> None:
    course_id = new_course(qtbot, view, dialogs, "Empty")
    click(qtbot, view.editor.publish_button)
    [checklist] = dialogs.checklists  # the checklist says why, and Publish is disabled
    assert not checklist.publish_button.isEnabled()
    blocked = [i.detail for i in checklist.checklist.blocking]
    assert "Add at least one module before publishing." in blocked
    assert view.editor.status_label.text() == "Draft"
    assert authoring.load_course(ctx, course_id).status == "draft"


def test_switching_courses_asks_about_unsaved_changes(qtbot, view, ctx, dialogs) -> None:
    new_id = new_course(qtbot, view, dialogs, "Mine")
    qtbot.keyClicks(view.editor.description_edit, "draft text")
    demo_row = view._row_of(DEMO_COURSE)

    dialogs.answer = QMessageBox.StandardButton.Cancel
    view.course_list.setCurrentRow(demo_row)
    assert len(dialogs.questions) == 1 and "Mine" in dialogs.questions[0]
    assert view.current_course_id == new_id
    assert view.course_list.currentRow() == view._row_of(new_id)
    assert view.editor.description_edit.toPlainText() == "draft text"

    dialogs.answer = QMessageBox.StandardButton.Save
    view.course_list.setCurrentRow(demo_row)
    assert view.current_course_id == DEMO_COURSE
    assert authoring.load_course(ctx, new_id).description == "draft text"

    view.editor.title_edit.setText("Changed, then discarded")
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert view.open_course(new_id)
    assert authoring.load_course(ctx, DEMO_COURSE).title == "Learning How to Learn"


def test_reorder_and_remove_modules_and_blocks(qtbot, view, ctx, dialogs) -> None:
    course_id = new_course(qtbot, view, dialogs, "Order")
    editor = view.editor
    add_module_with_blocks(qtbot, view, "First")
    add_module_with_blocks(qtbot, view, "Second")
    add_module_with_blocks(qtbot, view, "Third")
    click(qtbot, editor.module_up_button)  # Third above Second
    me = editor.module_editor
    me.block_list.setCurrentRow(2)
    click(qtbot, me.block_up_button)  # list above paragraph
    me.block_list.setCurrentRow(0)
    click(qtbot, me.delete_block_button)  # drop the heading
    editor.module_list.setCurrentRow(0)
    dialogs.answer = QMessageBox.StandardButton.No
    click(qtbot, editor.remove_module_button)
    assert len(dialogs.questions) == 1  # it had content, so it asked
    assert editor.module_list.count() == 3
    dialogs.answer = QMessageBox.StandardButton.Yes
    click(qtbot, editor.remove_module_button)
    click(qtbot, editor.save_button)
    assert dialogs.warnings == []
    doc = authoring.load_course(ctx, course_id)
    assert [m.title for m in doc.modules] == ["Third", "Second"]
    assert [b.type for b in doc.modules[0].blocks] == ["list", "paragraph"]


def test_keyboard_shortcuts_and_accessible_names(qtbot, view, ctx, dialogs) -> None:
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    view.course_list.setFocus()
    dialogs.texts.append("By keyboard")
    qtbot.keyClick(view.course_list, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    course_id = view.current_course_id
    assert course_id is not None and view.editor.title_edit.text() == "By keyboard"
    qtbot.keyClicks(view.editor.tags_edit, "kbd")
    qtbot.keyClick(view.editor.tags_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not view.editor.dirty
    assert authoring.load_course(ctx, course_id).tags == ["kbd"]

    add_module_with_blocks(qtbot, view, "Named")
    add_question(qtbot, view, "single", "Q", [("a", True), ("b", False)])
    controls = (
        QPushButton,
        QToolButton,
        QLineEdit,
        QPlainTextEdit,
        QCheckBox,
        QComboBox,
        QSpinBox,
        QListWidget,
        QTabWidget,
    )
    for kind in controls:
        for w in view.findChildren(kind):
            if w.objectName().startswith("qt_") or isinstance(w.parent(), QSpinBox):
                continue
            assert w.accessibleName(), f"{kind.__name__} {w.objectName()!r} has no name"


def test_learner_cannot_author(qtbot, ctx, dialogs) -> None:
    learner = next(p for p in accounts.list_profiles(ctx.db) if p.role == "learner")
    v = StudioView(ctx, learner)
    qtbot.addWidget(v)
    assert v.course_list.count() == 0
    assert not v.new_course_button.isEnabled()
    assert "Only creators and admins" in v.empty_label.text()


def test_browsing_a_course_changes_nothing(qtbot, view, dialogs) -> None:
    assert view.open_course(DEMO_COURSE)
    editor = view.editor
    me = editor.module_editor
    for m in range(editor.module_list.count()):
        editor.module_list.setCurrentRow(m)
        for b in range(me.block_list.count()):
            me.block_list.setCurrentRow(b)
        for q in range(me.quiz_editor.question_list.count()):
            me.quiz_editor.select_question(q)
    for t in range(editor.target_list.count()):
        editor.target_list.setCurrentRow(t)
    view.refresh()
    assert not editor.dirty and not view.has_unsaved_changes


def test_callout_and_code_blocks(qtbot, view, ctx, dialogs) -> None:
    course_id = new_course(qtbot, view, dialogs, "Blocks")
    click(qtbot, view.editor.add_module_button)
    me = view.editor.module_editor
    view.findChild(QAction, "studio-add-block-callout").trigger()
    callout = me.forms["callout"]
    callout.style_combo.setCurrentIndex(callout.style_combo.findData("warning"))
    qtbot.keyClicks(callout.text_edit, "Careful now")
    view.findChild(QAction, "studio-add-block-code").trigger()
    code = me.forms["code"]
    qtbot.keyClicks(code.language_edit, "python")
    type_lines(qtbot, code.code_edit, ["def f():", "    return 1"])
    assert me.block_list.item(1).text() == "Code · python: def f():"
    assert view.save()
    blocks = authoring.load_course(ctx, course_id).modules[0].blocks
    assert [(b.type, getattr(b, "style", None)) for b in blocks] == [
        ("callout", "warning"),
        ("code", None),
    ]
    assert blocks[0].text == "Careful now"
    assert (blocks[1].language, blocks[1].code) == ("python", "def f():\n    return 1")


def test_template_picker_and_gallery(qtbot, view, ctx, dialogs, monkeypatch) -> None:
    from app.studio.template_gallery import TemplateGallery

    view.open_course(DEMO_COURSE)
    editor = view.editor
    assert editor.template_combo.count() == 14
    assert editor.template_combo.currentData() == "classic"

    def pick_night(gallery: TemplateGallery) -> int:
        assert len(gallery.buttons) == 14
        previews = gallery.findChildren(QWidget)
        assert any(w.objectName() == "template-preview-night" for w in previews)
        gallery.buttons["night"].click()
        return 1

    monkeypatch.setattr(TemplateGallery, "exec", pick_night)
    click(qtbot, editor.gallery_button)
    assert editor.template_combo.currentData() == "night" and editor.dirty
    click(qtbot, child(view, QPushButton, "studio-save"))
    # the demo course is published: the change waits in its draft version until published
    assert authoring.load_course(ctx, DEMO_COURSE).template is None
    click(qtbot, child(view, QPushButton, "studio-publish-changes"))
    assert authoring.load_course(ctx, DEMO_COURSE).template == "night"


def test_slide_mode_presents_the_module_in_the_course_template(
    qtbot, view, ctx, dialogs, monkeypatch
) -> None:
    from app.studio.slide_mode import SlideModeDialog

    view.open_course(DEMO_COURSE)
    editor = view.editor
    editor.template_combo.setCurrentIndex(editor.template_combo.findData("night"))
    shown: list[SlideModeDialog] = []

    def capture(dialog: SlideModeDialog) -> int:
        shown.append(dialog)
        return 0

    monkeypatch.setattr(SlideModeDialog, "exec", capture)
    click(qtbot, child(view, QPushButton, "studio-slide-mode"))
    [dlg] = shown
    qtbot.addWidget(dlg)
    assert dlg.template.id == "night" and dlg.count >= 3
    assert dlg.position.text() == f"Slide 1 of {dlg.count}"
    qtbot.keyClick(dlg, Qt.Key.Key_Right)
    assert dlg.index == 1 and dlg.notes.text().startswith("Narration:")
    qtbot.keyClick(dlg, Qt.Key.Key_End)
    assert dlg.index == dlg.count - 1 and not dlg.next_button.isEnabled()
    title, content = dlg.pixmap(0).toImage(), dlg.pixmap(1).toImage()
    assert title.width() == 1280
    assert title.pixelColor(5, 700).name().upper() == "#93C5FD"  # Night's accent band
    assert content.pixelColor(5, 700).name().upper() == "#111827"  # Night's background


def test_fact_check_flags_show_in_the_editor(qtbot, view, ctx, dialogs) -> None:
    doc = authoring.load_course(ctx, DEMO_COURSE)
    block = doc.modules[0].blocks[1]
    authoring.set_course_settings(
        ctx,
        view.user,
        DEMO_COURSE,
        {
            "fact_check": [
                {
                    "module": doc.modules[0].id,
                    "block_id": block.id,
                    "claim": "Memory never fades.",
                    "verdict": "contradicted",
                    "reason": "The source says memory falls steeply.",
                    "source": "Notes › Forgetting",
                    "passage": "Memory fell steeply at first.",
                }
            ]
        },
    )
    view.open_course(DEMO_COURSE)
    view.refresh()  # the course may already have been open: reload it with its settings
    me = view.editor.module_editor
    assert me.block_list.item(1).text().startswith("⚠")
    me.block_list.setCurrentRow(1)
    assert not me.flag_box.isHidden() and "Memory never fades." in me.flag_label.text()
    assert "Nearest source" in me.flag_label.text()
    click(qtbot, me.flag_checked_button)
    assert not me.block_list.item(1).text().startswith("⚠") and me.flag_box.isHidden()
    assert authoring.course_settings(ctx, DEMO_COURSE)["fact_check"] == []
