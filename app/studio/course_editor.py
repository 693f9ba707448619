"""The course editor: details, target skills, modules, save and publishing.

Edits live in memory (the details widgets and ``ModuleDraft`` objects) until Save, which
builds a ``CourseDoc`` and hands it to ``publishing.save_edits``. A refused save shows the
reason, points at the offending module/block/question, and leaves every edit in place.

A published course is never edited live: Save keeps the edits in its draft version, the
header says so, and **Publish changes** (after the checklist) or **Discard changes** ends it.
Publishing always shows the checklist first (``app.studio.publish_checklist``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services import authoring, publishing
from app.services.accounts import CurrentUser
from app.services.authoring import CourseDoc, SkillRef, TargetSkillRef
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.common import badge_style, muted, named, status_label
from app.studio.drafts import DraftError, ModuleDraft, build_modules
from app.studio.module_editor import ModuleEditor
from app.studio.publish_checklist import PublishChecklistDialog
from app.studio.template_gallery import TemplateGallery
from engine.templates import TEMPLATES, template

DIFFICULTY_CHOICES = [
    ("Not set", None),
    ("Beginner", "beginner"),
    ("Intermediate", "intermediate"),
    ("Advanced", "advanced"),
]
DEFAULT_TARGET_PCT = 80


class CourseEditor(QWidget):
    dirty_changed = Signal(bool)
    saved = Signal(str)  # course id, after a save or a status change

    def __init__(self, ctx: AppContext, user: CurrentUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("studio-course-editor")
        self.ctx, self.user = ctx, user
        self.doc: CourseDoc | None = None
        self.editable: publishing.EditableCourse | None = None
        self.modules: list[ModuleDraft] = []
        self.targets: list[TargetSkillRef] = []
        self.skills: list[SkillRef] = []
        self._dirty = False
        self._loading = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)

        # Header: course title, status badge, unsaved indicator and the actions.
        header = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setObjectName("studio-course-heading")
        self.heading.setProperty("role", "title")
        self.status_label = named(QLabel(), "studio-status", "Course status")
        self.dirty_label = named(muted(), "studio-dirty", "Save state")
        self.dirty_label.setWordWrap(False)
        header.addWidget(self.heading, 1)
        header.addWidget(self.status_label)
        header.addWidget(self.dirty_label)
        outer.addLayout(header)

        actions = QHBoxLayout()
        actions_more = QHBoxLayout()
        self.save_button = named(
            QPushButton("Save"), "studio-save", "Save course", "Save the course (Ctrl+S)"
        )
        self.save_button.setProperty("role", "primary")
        self.publish_button = named(
            QPushButton("Publish…"),
            "studio-publish",
            "Publish course",
            "Check the course and make it available to learners (saves first)",
        )
        self.publish_changes_button = named(
            QPushButton("Publish changes…"),
            "studio-publish-changes",
            "Publish the draft changes",
            "Check the draft changes and make them what learners see (saves first)",
        )
        self.publish_changes_button.setProperty("role", "primary")
        self.discard_button = named(
            QPushButton("Discard changes"),
            "studio-discard-changes",
            "Discard the draft changes",
            "Drop the unpublished changes and go back to the published version",
        )
        self.archive_button = named(
            QPushButton("Archive"),
            "studio-archive",
            "Archive course",
            "Hide the course from learners without deleting it",
        )
        self.draft_button = named(
            QPushButton("Back to draft"),
            "studio-back-to-draft",
            "Move course back to draft",
            "Take the course back to draft to revise it",
        )
        self.scorm_button = named(
            QPushButton("Export SCORM 1.2…"),
            "studio-export-scorm",
            "Export SCORM 1.2 package",
            "Write the course as a SCORM 1.2 zip that any LMS can play (saves first)",
        )
        for b in (
            self.save_button,
            self.publish_button,
            self.publish_changes_button,
            self.discard_button,
        ):
            actions.addWidget(b)
        actions.addStretch(1)
        # the rarer actions on the right of the same row would squeeze every label at
        # 1024 px ("blish change"); they sit on their own row, and no button shrinks below
        # its label (the checked/bold styles are polished first, so the hint is the real one)
        for b in (self.archive_button, self.draft_button, self.scorm_button):
            actions_more.addWidget(b)
        actions_more.addStretch(1)
        for b in (
            self.save_button,
            self.publish_button,
            self.publish_changes_button,
            self.discard_button,
            self.archive_button,
            self.draft_button,
            self.scorm_button,
        ):
            b.ensurePolished()
            b.setMinimumWidth(b.sizeHint().width())
        outer.addLayout(actions)
        outer.addLayout(actions_more)
        # which version is being edited: the published course's draft, or the course itself
        self.version_note = named(muted(), "studio-version-note", "Version being edited")
        # margins, not CSS padding: a wrapped label's height-for-width ignores padding, which
        # cut the second line off at 1024 px
        self.version_note.setStyleSheet(
            "QLabel { background: #E7F1FF; color: #0B3D91; border-radius: 6px; }"
        )
        self.version_note.setContentsMargins(10, 6, 10, 6)
        self.version_note.hide()
        outer.addWidget(self.version_note)

        self.tabs = named(QTabWidget(), "studio-course-tabs", "Course sections")
        outer.addWidget(self.tabs, 1)
        self.tabs.addTab(self._build_details(), "&Details")
        self.tabs.addTab(self._build_modules(), "&Modules")

        self.save_button.clicked.connect(lambda: self.save())
        self.publish_button.clicked.connect(lambda: self.change_status("published"))
        self.publish_changes_button.clicked.connect(lambda: self.publish_changes())
        self.discard_button.clicked.connect(lambda: self.discard_changes())
        self.archive_button.clicked.connect(lambda: self.change_status("archived"))
        self.draft_button.clicked.connect(lambda: self.change_status("draft"))
        self.scorm_button.clicked.connect(lambda: self.export_scorm())
        self._update_status()

    # ------------------------------------------------------------------ building
    def _build_details(self) -> QWidget:
        page = QWidget()
        page_layout = QVBoxLayout(page)
        form = QFormLayout()
        page_layout.addLayout(form)
        page_layout.addStretch(1)
        self.title_edit = named(QLineEdit(), "studio-title", "Course title")
        self.title_edit.setPlaceholderText("e.g. Learning How to Learn")
        self.description_edit = named(QPlainTextEdit(), "studio-description", "Course description")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMaximumHeight(110)
        self.difficulty_combo = named(QComboBox(), "studio-difficulty", "Difficulty")
        for label, value in DIFFICULTY_CHOICES:
            self.difficulty_combo.addItem(label, value)
        self.tags_edit = named(QLineEdit(), "studio-tags", "Tags, separated by commas")
        self.tags_edit.setPlaceholderText("e.g. memory, study skills")
        self.duration_spin = named(QSpinBox(), "studio-duration", "Estimated duration in minutes")
        self.duration_spin.setRange(0, 100_000)
        self.duration_spin.setSingleStep(5)
        self.duration_spin.setSuffix(" min")
        self.duration_spin.setSpecialValueText("Not set")
        form.addRow("&Title", self.title_edit)
        form.addRow("D&escription", self.description_edit)
        form.addRow("Di&fficulty", self.difficulty_combo)
        form.addRow("Ta&gs", self.tags_edit)
        form.addRow("Estimated d&uration", self.duration_spin)
        template_row = QHBoxLayout()
        self.template_combo = named(QComboBox(), "studio-template", "Course template")
        for t in TEMPLATES:
            self.template_combo.addItem(t.name, t.id)
            self.template_combo.setItemData(
                self.template_combo.count() - 1, t.description, Qt.ItemDataRole.ToolTipRole
            )
        self.gallery_button = named(
            QPushButton("Gallery…"), "studio-template-gallery", "Preview all templates"
        )
        self.gallery_button.clicked.connect(self.open_gallery)
        template_row.addWidget(self.template_combo, 1)
        template_row.addWidget(self.gallery_button)
        # a row that is a layout gets no buddy by itself: without one, the label would draw
        # its "&" instead of making it the Alt+P mnemonic
        template_label = QLabel("Tem&plate")
        template_label.setBuddy(self.template_combo)
        form.addRow(template_label, template_row)

        # Target skills: a list (skill — target %), an editor for the selected one, add/remove.
        skills_box = QWidget()
        sv = QVBoxLayout(skills_box)
        sv.setContentsMargins(0, 0, 0, 0)
        self.target_list = named(
            QListWidget(), "studio-target-skills", "Target skills of this course"
        )
        self.target_list.setMaximumHeight(130)
        sv.addWidget(self.target_list)
        pct_row = QHBoxLayout()
        pct_label = QLabel("Target for selected skill")
        self.target_spin = named(
            QSpinBox(), "studio-target-proficiency", "Target proficiency for the selected skill"
        )
        self.target_spin.setRange(0, 100)
        self.target_spin.setSuffix(" %")
        pct_label.setBuddy(self.target_spin)
        self.remove_skill_button = named(
            QPushButton("Remove skill"), "studio-remove-skill", "Remove selected target skill"
        )
        pct_row.addWidget(pct_label)
        pct_row.addWidget(self.target_spin)
        pct_row.addWidget(self.remove_skill_button)
        pct_row.addStretch(1)
        sv.addLayout(pct_row)
        add_row = QHBoxLayout()
        self.skill_combo = named(QComboBox(), "studio-skill-choice", "Skill to add")
        self.add_skill_button = named(
            QPushButton("Add skill"), "studio-add-skill", "Add the chosen skill as a target"
        )
        self.new_skill_button = named(
            QPushButton("New skill…"), "studio-new-skill", "Create a new skill"
        )
        add_row.addWidget(self.skill_combo, 1)
        add_row.addWidget(self.add_skill_button)
        add_row.addWidget(self.new_skill_button)
        sv.addLayout(add_row)
        skills_label = QLabel("Target &skills")
        skills_label.setBuddy(self.target_list)
        form.addRow(skills_label, skills_box)

        self.title_edit.textChanged.connect(self._on_title)
        self.description_edit.textChanged.connect(self._mark_dirty)
        self.difficulty_combo.currentIndexChanged.connect(self._mark_dirty)
        self.tags_edit.textChanged.connect(self._mark_dirty)
        self.duration_spin.valueChanged.connect(self._mark_dirty)
        self.template_combo.currentIndexChanged.connect(self._mark_dirty)
        self.target_list.currentRowChanged.connect(self._show_target)
        self.target_spin.valueChanged.connect(self._on_target_pct)
        self.remove_skill_button.clicked.connect(lambda: self.remove_target())
        self.add_skill_button.clicked.connect(lambda: self.add_target())
        self.new_skill_button.clicked.connect(lambda: self.new_skill())
        return page

    def _build_modules(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Modules, in learning order")
        self.module_list = named(QListWidget(), "studio-module-list", "Modules")
        self.module_list.setMaximumWidth(240)
        label.setBuddy(self.module_list)
        lv.addWidget(label)
        lv.addWidget(self.module_list, 1)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        self.add_module_button = named(QPushButton("Add module"), "studio-add-module", "Add module")
        self.remove_module_button = named(
            QPushButton("Remove"), "studio-remove-module", "Remove module"
        )
        self.module_up_button = named(QPushButton("Move up"), "studio-module-up", "Move module up")
        self.module_down_button = named(
            QPushButton("Move down"), "studio-module-down", "Move module down"
        )
        row1.addWidget(self.add_module_button)
        row1.addWidget(self.remove_module_button)
        row2.addWidget(self.module_up_button)
        row2.addWidget(self.module_down_button)
        lv.addLayout(row1)
        lv.addLayout(row2)
        split.addWidget(left)
        self.module_editor = ModuleEditor(self.ctx, self.user)
        self.module_editor.template_id = lambda: self.template_combo.currentData()
        self.module_editor.on_flag_checked = self._flag_checked
        self.module_editor.course_title = lambda: self.title_edit.text()
        # no module yet: a hint and the button to add one instead of a disabled editor
        self.no_module_page = QWidget()
        self.no_module_page.setObjectName("studio-no-module")
        nv = QVBoxLayout(self.no_module_page)
        nv.addStretch(1)
        self.no_module_hint = named(
            muted(
                "This course has no module yet. A module holds the content learners read "
                "and its quiz: add the first one to start writing."
            ),
            "studio-no-module-hint",
            "No module yet",
        )
        self.no_module_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        nv.addWidget(self.no_module_hint)
        self.first_module_button = named(
            QPushButton("Add the first module"), "studio-add-first-module", "Add the first module"
        )
        self.first_module_button.setProperty("role", "primary")
        self.first_module_button.clicked.connect(lambda: self.add_module())
        nv.addWidget(self.first_module_button, 0, Qt.AlignmentFlag.AlignHCenter)
        nv.addStretch(2)
        self.module_stack = QStackedWidget()
        self.module_stack.setObjectName("studio-module-stack")
        self.module_stack.addWidget(self.no_module_page)
        self.module_stack.addWidget(self.module_editor)
        split.addWidget(self.module_stack)
        split.setSizes([240, 760])

        self.module_list.currentRowChanged.connect(self._show_module)
        self.add_module_button.clicked.connect(lambda: self.add_module())
        self.remove_module_button.clicked.connect(lambda: self.remove_module())
        self.module_up_button.clicked.connect(lambda: self.move_module(-1))
        self.module_down_button.clicked.connect(lambda: self.move_module(1))
        self.module_editor.changed.connect(self._mark_dirty)
        self.module_editor.title_changed.connect(self._on_module_title)
        return split

    # ----------------------------------------------------------------- public API
    @property
    def dirty(self) -> bool:
        return self._dirty

    @property
    def course_id(self) -> str | None:
        return self.doc.id if self.doc else None

    def set_skills(self, skills: list[SkillRef]) -> None:
        self.skills = list(skills)
        self.module_editor.set_skills(self.skills)
        self._reload_targets(self.target_list.currentRow())

    def load(self, doc: CourseDoc) -> None:
        """Show ``doc`` for editing, dropping any unsaved edits. A published course with a
        draft version shows the draft (what the creator saved last)."""
        try:
            self.editable = publishing.load_for_editing(self.ctx, doc.id)
            doc = self.editable.doc
        except UserError as err:
            self.editable = publishing.EditableCourse(doc, False)
            QMessageBox.warning(self, "Draft changes", str(err))
        self._loading = True
        try:
            self.doc = doc
            self.title_edit.setText(doc.title)
            self.description_edit.setPlainText(doc.description)
            self.difficulty_combo.setCurrentIndex(
                max(0, self.difficulty_combo.findData(doc.difficulty)) if doc.difficulty else 0
            )
            self.tags_edit.setText(", ".join(doc.tags))
            self.duration_spin.setValue(doc.estimated_duration_mins or 0)
            self.template_combo.setCurrentIndex(
                max(0, self.template_combo.findData(template(doc.template).id))
            )
            self.targets = [
                TargetSkillRef(t.skill_id, t.target_proficiency) for t in doc.target_skills
            ]
            self._reload_targets(0 if self.targets else -1)
            self.modules = [ModuleDraft.from_doc(m) for m in doc.modules]
            self.fact_flags = list(
                authoring.course_settings(self.ctx, doc.id).get("fact_check") or []
            )
            flags: dict[str, list[dict[str, str]]] = {}
            for f in self.fact_flags:
                flags.setdefault(str(f.get("block_id")), []).append(f)
            self.module_editor.flags = flags
            self._reload_modules(0 if self.modules else -1)
        finally:
            self._loading = False
        self._update_heading()
        self._update_status()
        self._set_dirty(False)

    def _flag_checked(self, block_id: str) -> None:
        """The creator decided about a flagged statement: drop its flag for good."""
        if self.doc is None:
            return
        self.fact_flags = [f for f in self.fact_flags if f.get("block_id") != block_id]
        try:
            authoring.set_course_settings(
                self.ctx, self.user, self.doc.id, {"fact_check": self.fact_flags}
            )
        except UserError as err:
            QMessageBox.warning(self, "Fact-check", str(err))

    def open_gallery(self) -> None:
        first = self.modules[0] if self.modules else None
        try:
            blocks = build_modules([first])[0].blocks if first is not None else None
        except DraftError:  # an unfinished module: preview the sample instead
            blocks = None
        gallery = TemplateGallery(
            self.template_combo.currentData(),
            first.title if first is not None else "Module title",
            blocks or None,
            self,
        )
        if gallery.exec() and gallery.chosen:
            self.template_combo.setCurrentIndex(self.template_combo.findData(gallery.chosen))

    def build_doc(self) -> CourseDoc:
        """The course as currently edited; raises ``DraftError`` for an invalid module."""
        assert self.doc is not None
        tags = [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]
        duration = self.duration_spin.value() or None
        return CourseDoc(
            id=self.doc.id,
            org_id=self.doc.org_id,
            title=self.title_edit.text(),
            description=self.description_edit.toPlainText(),
            difficulty=self.difficulty_combo.currentData(),
            tags=tags,
            estimated_duration_mins=duration,
            target_skills=[TargetSkillRef(t.skill_id, t.target_proficiency) for t in self.targets],
            template=self.template_combo.currentData(),
            status=self.doc.status,
            modules=build_modules(self.modules),
            published_at=self.doc.published_at,
            updated_at=self.doc.updated_at,
        )

    def save(self) -> bool:
        """Save the course; on refusal show why and keep every edit. Returns success."""
        if self.doc is None:
            return False
        if not self.title_edit.text().strip():
            QMessageBox.warning(self, "Cannot save", "A course needs a title.")
            self.tabs.setCurrentIndex(0)
            self.title_edit.setFocus()
            return False
        try:
            self.editable = publishing.save_edits(self.ctx, self.user, self.build_doc())
        except DraftError as err:
            self._reveal(err)
            QMessageBox.warning(self, "Cannot save", str(err))
            return False
        except UserError as err:
            QMessageBox.warning(self, "Cannot save", str(err))
            return False
        saved = self.editable.doc
        self.doc = saved
        self._update_heading()
        self._update_status()
        self._set_dirty(False)
        self.saved.emit(saved.id)
        return True

    def change_status(self, status: str) -> bool:
        """Publish / archive / back to draft; unsaved edits are saved first."""
        if self.doc is None:
            return False
        if self._dirty and not self.save():
            return False
        if status == "published" and not self.confirm_publish(changes=False):
            return False
        try:
            doc = authoring.set_status(self.ctx, self.user, self.doc.id, status)
        except UserError as err:
            title = {
                "published": "Cannot publish",
                "archived": "Cannot archive",
                "draft": "Cannot move back to draft",
            }.get(status, "Cannot change status")
            QMessageBox.warning(self, title, str(err))
            return False
        self.doc.status, self.doc.published_at = doc.status, doc.published_at
        self.editable = publishing.load_for_editing(self.ctx, doc.id)
        self._update_status()
        self.saved.emit(doc.id)
        return True

    def confirm_publish(self, changes: bool) -> bool:
        """Show the checklist of the saved course (or its draft); ``True`` to publish."""
        assert self.doc is not None
        checklist = publishing.checklist(self.ctx, self.user, self.doc)
        dialog = PublishChecklistDialog(
            checklist, self.doc.title or "Untitled course", changes=changes, parent=self
        )
        self.last_checklist = dialog
        return dialog.exec() == QDialog.DialogCode.Accepted and checklist.can_publish

    def publish_changes(self) -> bool:
        """Publish the draft version of a published course, after the checklist."""
        if self.doc is None:
            return False
        if self._dirty and not self.save():
            return False
        if not self.confirm_publish(changes=True):
            return False
        try:
            self.editable = publishing.publish_draft(self.ctx, self.user, self.doc.id)
        except UserError as err:
            QMessageBox.warning(self, "Cannot publish the changes", str(err))
            return False
        self.load(self.editable.doc)
        self.saved.emit(self.editable.doc.id)
        return True

    def discard_changes(self) -> bool:
        """Drop the draft version (and unsaved edits) after asking; shows the published one."""
        if self.doc is None or not (self.has_draft or self._dirty):
            return False
        answer = QMessageBox.question(
            self,
            "Discard changes",
            "Discard the changes that are not published yet? Learners keep seeing the "
            "published version; the changes cannot be brought back.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Discard:
            return False
        try:
            self.editable = publishing.discard_draft(self.ctx, self.user, self.doc.id)
        except UserError as err:
            QMessageBox.warning(self, "Cannot discard the changes", str(err))
            return False
        self.load(self.editable.doc)
        self.saved.emit(self.editable.doc.id)
        return True

    def export_scorm(self, target: str | None = None) -> bool:
        """Save, ask where, write the course as a SCORM 1.2 zip (``app.services.scorm``)."""
        if self.doc is None or (self._dirty and not self.save()):
            return False
        if target is None:
            name = "".join(c if c.isalnum() else "-" for c in self.doc.title).strip("-")
            target, _ = QFileDialog.getSaveFileName(
                self, "Export SCORM 1.2", f"{name or 'course'}.zip", "SCORM package (*.zip)"
            )
            if not target:
                return False
        from app.services import scorm

        try:
            self.last_scorm_export = scorm.export_scorm(
                self.ctx, self.doc.id, Path(target), user=self.user
            )
        except UserError as err:
            QMessageBox.warning(self, "Cannot export SCORM 1.2", str(err))
            return False
        live = " It holds the published version." if self.has_draft else ""
        QMessageBox.information(
            self, "SCORM 1.2 package written", f"Wrote {self.last_scorm_export.summary()}.{live}"
        )
        return True

    @property
    def has_draft(self) -> bool:
        return self.editable is not None and self.editable.has_draft

    def add_module(self, title: str | None = None) -> ModuleDraft:
        draft = ModuleDraft(title or f"Module {len(self.modules) + 1}")
        self.modules.append(draft)
        self._reload_modules(len(self.modules) - 1)
        self._mark_dirty()
        self.tabs.setCurrentIndex(1)
        self.module_editor.title_edit.setFocus()
        self.module_editor.title_edit.selectAll()
        return draft

    def remove_module(self) -> None:
        row = self.module_list.currentRow()
        if not 0 <= row < len(self.modules):
            return
        m = self.modules[row]
        if m.blocks or m.questions:
            answer = QMessageBox.question(
                self,
                "Remove module",
                f"Remove the module “{m.title}” with its content and quiz?\n"
                "It is only deleted for good when you save.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        del self.modules[row]
        self._reload_modules(min(row, len(self.modules) - 1))
        self._mark_dirty()

    def move_module(self, delta: int) -> None:
        row = self.module_list.currentRow()
        dest = row + delta
        if not (0 <= row < len(self.modules) and 0 <= dest < len(self.modules)):
            return
        ms = self.modules
        ms[row], ms[dest] = ms[dest], ms[row]
        self._reload_modules(dest)
        self._mark_dirty()

    def add_target(self) -> None:
        skill_id = self.skill_combo.currentData()
        if not skill_id or any(t.skill_id == skill_id for t in self.targets):
            return
        self.targets.append(TargetSkillRef(skill_id, DEFAULT_TARGET_PCT / 100))
        self._reload_targets(len(self.targets) - 1)
        self._mark_dirty()

    def remove_target(self) -> None:
        row = self.target_list.currentRow()
        if not 0 <= row < len(self.targets):
            return
        del self.targets[row]
        self._reload_targets(min(row, len(self.targets) - 1))
        self._mark_dirty()

    def new_skill(self) -> SkillRef | None:
        name, ok = QInputDialog.getText(self, "New skill", "Name of the new skill:")
        if not ok or not name.strip():
            return None
        try:
            skill = authoring.create_skill(self.ctx, self.user, name)
        except UserError as err:
            QMessageBox.warning(self, "Cannot create skill", str(err))
            return None
        self.set_skills(sorted([*self.skills, skill], key=lambda s: s.name.lower()))
        self.skill_combo.setCurrentIndex(max(0, self.skill_combo.findData(skill.id)))
        if self.doc is not None:
            self.add_target()
        return skill

    # ---------------------------------------------------------------- internals
    def _set_dirty(self, dirty: bool) -> None:
        changed = dirty != self._dirty
        self._dirty = dirty
        self.dirty_label.setText("● Unsaved changes" if dirty else "All changes saved")
        if changed:
            self.dirty_changed.emit(dirty)
        self._update_status()

    def _mark_dirty(self, *_: object) -> None:
        if not self._loading and self.doc is not None:
            self._set_dirty(True)

    def _update_heading(self) -> None:
        title = self.title_edit.text().strip() or "Untitled course"
        self.heading.setText(title)
        self.heading.setAccessibleName(f"Editing course {title}")

    def _update_status(self) -> None:
        status = self.doc.status if self.doc else "draft"
        label = status_label(status)
        self.status_label.setText(label)
        self.status_label.setStyleSheet(badge_style(status))
        self.status_label.setAccessibleName(f"Status: {label}")
        has = self.doc is not None
        published = has and status == "published"
        draft = self.has_draft
        self.save_button.setEnabled(has)
        self.save_button.setText("Save draft" if published else "Save")
        self.publish_button.setEnabled(has and status == "draft")
        self.publish_button.setVisible(not published)
        self.publish_changes_button.setVisible(published)
        self.publish_changes_button.setEnabled(published and (draft or self._dirty))
        self.discard_button.setVisible(published)
        self.discard_button.setEnabled(published and (draft or self._dirty))
        self.archive_button.setEnabled(has and status != "archived")
        self.draft_button.setEnabled(has and status != "draft")
        if published and (draft or self._dirty):
            when = ""
            if draft and self.editable is not None and self.editable.draft_saved_at:
                when = f" (saved {self._when(self.editable.draft_saved_at)})"
            note = (
                f"You are editing a draft of this published course{when}. Learners keep "
                "seeing the published version until you choose “Publish changes”."
            )
        elif published:
            note = (
                "Published: learners see this version. Saved edits go to a draft version "
                "that you publish when it is ready."
            )
        elif has and draft:
            note = "Unpublished changes from when this course was live are shown here."
        else:
            note = ""
        self.version_note.setText(note)
        self.version_note.setVisible(bool(note))

    @staticmethod
    def _when(iso: str) -> str:
        from datetime import datetime

        try:
            return datetime.fromisoformat(iso).astimezone().strftime("%d %b %H:%M")
        except ValueError:
            return iso

    def _on_title(self, _text: str) -> None:
        if self._loading:
            return
        self._update_heading()
        self._mark_dirty()

    # target skills
    def _skill_name(self, skill_id: str) -> str:
        return next((s.name for s in self.skills if s.id == skill_id), "Unknown skill")

    def _reload_targets(self, select: int) -> None:
        was_loading, self._loading = self._loading, True
        self.target_list.clear()
        for t in self.targets:
            self.target_list.addItem(self._target_text(t))
        self.target_list.setCurrentRow(select)
        self.skill_combo.clear()
        taken = {t.skill_id for t in self.targets}
        for s in self.skills:
            if s.id not in taken:
                self.skill_combo.addItem(s.name, s.id)
        self.add_skill_button.setEnabled(self.skill_combo.count() > 0)
        self._loading = was_loading
        self._show_target(self.target_list.currentRow())

    def _target_text(self, t: TargetSkillRef) -> str:
        return f"{self._skill_name(t.skill_id)} — target {round(t.target_proficiency * 100)} %"

    def _show_target(self, row: int) -> None:
        valid = 0 <= row < len(self.targets)
        self.target_spin.setEnabled(valid)
        self.remove_skill_button.setEnabled(valid)
        if valid:
            was_loading, self._loading = self._loading, True
            self.target_spin.setValue(round(self.targets[row].target_proficiency * 100))
            self._loading = was_loading

    def _on_target_pct(self, value: int) -> None:
        row = self.target_list.currentRow()
        if self._loading or not 0 <= row < len(self.targets):
            return
        self.targets[row].target_proficiency = value / 100
        item = self.target_list.item(row)
        if item is not None:
            item.setText(self._target_text(self.targets[row]))
        self._mark_dirty()

    # modules
    def _module_text(self, index: int) -> str:
        return f"{index + 1}. {self.modules[index].title.strip() or 'Untitled module'}"

    def _reload_modules(self, select: int) -> None:
        self.module_list.blockSignals(True)
        self.module_list.clear()
        for i in range(len(self.modules)):
            self.module_list.addItem(QListWidgetItem(self._module_text(i)))
        self.module_list.blockSignals(False)
        self.module_list.setCurrentRow(select)
        self._show_module(self.module_list.currentRow())

    def _show_module(self, row: int) -> None:
        n = len(self.modules)
        self.remove_module_button.setEnabled(0 <= row < n)
        self.module_up_button.setEnabled(0 < row < n)
        self.module_down_button.setEnabled(0 <= row < n - 1)
        self.module_editor.set_module(self.modules[row] if 0 <= row < n else None)
        self.module_stack.setCurrentWidget(self.module_editor if n else self.no_module_page)

    def _on_module_title(self, _title: str) -> None:
        row = self.module_list.currentRow()
        item = self.module_list.item(row)
        if item is not None:
            item.setText(self._module_text(row))

    def _reveal(self, err: DraftError) -> None:
        """Show the module (and block or question) a refused save is about."""
        self.tabs.setCurrentIndex(1)
        self.module_list.setCurrentRow(err.module_index)
        if err.question_index is not None:
            self.module_editor.reveal_question(err.question_index)
        elif err.block_index is not None:
            self.module_editor.reveal_block(err.block_index)
        else:
            self.module_editor.title_edit.setFocus()
