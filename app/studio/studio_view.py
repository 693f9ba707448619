"""The Studio surface: the organisation's courses on the left, the course editor on the right.

Everything goes through ``app.services.authoring``; this module never touches the database.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.services import authoring
from app.services.accounts import CurrentUser
from app.services.authoring import CourseSummary
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.common import STATUS_COLOURS, muted, named, status_label
from app.studio.course_editor import CourseEditor
from app.tasks import TaskRunner, shared_runner

COURSE_ID_ROLE = Qt.ItemDataRole.UserRole
STATUS_ROLE = Qt.ItemDataRole.UserRole + 1
MODULES_ROLE = Qt.ItemDataRole.UserRole + 2


class CourseItemDelegate(QStyledItemDelegate):
    """Paints a course row in two lines: the title across the whole row (elided only when it
    does not fit the list's width), then a coloured status badge and the module count."""

    PAD = 8

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title = opt.text
        status = index.data(STATUS_ROLE) or "draft"
        label = status_label(status)
        modules = index.data(MODULES_ROLE)
        fm = opt.fontMetrics
        rect = opt.rect
        # the style (and the shell's stylesheet) draws the row: selection, hover, focus
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        # the theme's selection is a light tint with the normal text colour (theme.py), so the
        # text keeps the palette's Text colour whether or not the row is selected
        text_role = opt.palette.ColorRole.Text
        line_h = fm.height()
        top = rect.top() + self.PAD // 2 + 2
        title_rect = QRect(rect.left() + self.PAD, top, rect.width() - 2 * self.PAD, line_h)
        painter.setPen(opt.palette.color(text_role))
        painter.drawText(
            title_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            fm.elidedText(title, Qt.TextElideMode.ElideRight, title_rect.width()),
        )
        badge_w = fm.horizontalAdvance(label) + 2 * self.PAD
        badge_h = line_h + 2
        badge = QRect(rect.left() + self.PAD, title_rect.bottom() + 5, badge_w, badge_h)
        bg, fg = STATUS_COLOURS.get(status, STATUS_COLOURS["draft"])
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(bg))
        painter.drawRoundedRect(badge, badge_h / 2, badge_h / 2)
        painter.setPen(QColor(fg))
        painter.drawText(badge, int(Qt.AlignmentFlag.AlignCenter), label)
        if modules is not None:
            count = f"{modules} module{'s' if modules != 1 else ''}"
            painter.setPen(opt.palette.color(text_role))
            painter.drawText(
                QRect(badge.right() + self.PAD, badge.top(), rect.width(), badge_h),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                count,
            )
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        # Narrow on purpose: rows take the list's width and long titles are elided, so the
        # list never needs a horizontal scroll bar.
        size = super().sizeHint(option, index)
        return QSize(min(size.width(), 160), 2 * option.fontMetrics.height() + 20)


class StudioView(QWidget):
    """Course authoring. Public API: ``refresh()``, ``save()``, ``new_course()``,
    ``open_course(id)``, ``confirm_leave()`` and ``has_unsaved_changes``."""

    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner or shared_runner()  # the main window's, handed down
        self.setObjectName("studio-view")
        self.setAccessibleName("Studio")
        self.ctx, self.user = ctx, user
        self._current_id: str | None = None

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(split)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(12, 12, 6, 12)
        heading = QLabel("Your courses")
        heading.setProperty("role", "subtitle")
        self.course_list = named(QListWidget(), "studio-course-list", "Courses")
        self.course_list.setItemDelegate(CourseItemDelegate(self.course_list))
        self.course_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        heading.setBuddy(self.course_list)
        self.new_course_button = named(
            QPushButton("New course"),
            "studio-new-course",
            "New course",
            "Create a new course (Ctrl+N)",
        )
        self.new_course_button.setProperty("role", "primary")
        lv.addWidget(heading)
        lv.addWidget(self.course_list, 1)
        lv.addWidget(self.new_course_button)
        self.media_button = named(
            QPushButton("Media library…"), "studio-media-library", "Open the media library"
        )
        self.media_button.clicked.connect(self.open_media_library)
        lv.addWidget(self.media_button)
        self.generate_button = named(
            QPushButton("Generate with AI…"), "studio-generate", "Generate a course with AI"
        )
        self.generate_button.clicked.connect(self.generate_course)
        lv.addWidget(self.generate_button)
        self.paths_button = named(  # issue 12: the path builder
            QPushButton("Learning paths…"), "studio-paths", "Open the learning path builder"
        )
        self.paths_button.clicked.connect(self.open_paths)
        lv.addWidget(self.paths_button)
        self.scorm_import_button = named(  # issue 14: a SCORM package as a draft course
            QPushButton("Import SCORM…"), "studio-import-scorm", "Import a SCORM package"
        )
        self.scorm_import_button.clicked.connect(lambda: self.import_scorm())
        lv.addWidget(self.scorm_import_button)
        split.addWidget(left)

        self.stack = QStackedWidget()
        self.stack.setObjectName("studio-editor-stack")
        self.empty_label = muted("Choose a course on the left, or create one with “New course”.")
        self.empty_label.setObjectName("studio-empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.editor = CourseEditor(ctx, user)
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.editor)
        split.addWidget(self.stack)
        split.setStretchFactor(1, 1)
        left.setMinimumWidth(260)
        split.setSizes([320, 960])

        self.course_list.currentItemChanged.connect(self._on_current_changed)
        self.new_course_button.clicked.connect(lambda: self.new_course())
        self.editor.saved.connect(lambda _id: self._reload_list())

        for seq, slot in (
            (QKeySequence.StandardKey.Save, self.save),
            (QKeySequence.StandardKey.New, self.new_course),
        ):
            shortcut = QShortcut(QKeySequence(seq), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.refresh()

    # ----------------------------------------------------------------- public API
    @property
    def current_course_id(self) -> str | None:
        return self._current_id

    @property
    def has_unsaved_changes(self) -> bool:
        return self._current_id is not None and self.editor.dirty

    def generate_course(self) -> str | None:
        """Draft a course from sources with AI, then open the draft for review."""
        from app.studio.generate_dialog import GenerateCourseDialog

        if not self.confirm_leave():
            return None
        dialog = GenerateCourseDialog(self.ctx, self.user, self.runner, parent=self)
        dialog.exec()
        if dialog.course_id is None:
            return None
        self.refresh()
        self.open_course(dialog.course_id)
        return dialog.course_id

    def open_paths(self) -> QWidget:
        from app.studio.paths_view import open_paths_dialog

        self.paths_dialog = open_paths_dialog(self.ctx, self.user, self)
        return self.paths_dialog

    def import_scorm(self, source: str | None = None) -> None:
        """Ask for a SCORM zip and import it as a draft course (on the task runner)."""
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        from app.services.scorm_import import ScormImportResult, import_scorm

        if source is None:
            source, _ = QFileDialog.getOpenFileName(
                self, "Import SCORM package", "", "SCORM package (*.zip)"
            )
        if not source or not self.confirm_leave():
            return
        self.scorm_import_button.setEnabled(False)

        def done(result: ScormImportResult) -> None:
            self.scorm_import_button.setEnabled(True)
            self._reload_list()
            self.open_course(result.course_id)
            QMessageBox.information(self, "SCORM package imported", f"Imported {result.summary()}.")

        def failed(message: str) -> None:
            self.scorm_import_button.setEnabled(True)
            QMessageBox.warning(self, "Cannot import SCORM package", message)

        self.last_scorm_import = self.runner.run(
            "Importing SCORM package",
            lambda _control: import_scorm(self.ctx, self.user, Path(source)),
            on_success=done,
            on_error=failed,
        )

    def open_media_library(self) -> None:
        from app.studio.media_library import MediaLibraryDialog

        MediaLibraryDialog(self.ctx, self.user, runner=self.runner, parent=self).exec()

    def refresh(self) -> None:
        """Re-read courses and skills; reload the open course unless it has unsaved edits."""
        try:
            skills = authoring.list_skills(self.ctx, self.user)
        except UserError:
            skills = []
        self.editor.set_skills(skills)
        if not self._reload_list():
            return
        if self._current_id is not None and not self.editor.dirty:
            self._load_editor(self._current_id)

    def save(self) -> bool:
        return self.editor.save() if self._current_id else False

    def confirm_leave(self) -> bool:
        """Ask about unsaved edits before leaving the course; ``False`` means stay."""
        if not self.has_unsaved_changes:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"“{self.editor.heading.text()}” has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.editor.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_course(self) -> str | None:
        """Ask for a title, create the course and open it. Returns its id."""
        if not self.new_course_button.isEnabled() or not self.confirm_leave():
            return None
        title, ok = QInputDialog.getText(self, "New course", "Title of the new course:")
        if not ok:
            return None
        try:
            doc = authoring.create_course(self.ctx, self.user, title)
        except UserError as err:
            QMessageBox.warning(self, "Cannot create course", str(err))
            return None
        self._current_id = doc.id
        self._reload_list()
        self.editor.load(doc)
        self.stack.setCurrentWidget(self.editor)
        self.editor.tabs.setCurrentIndex(0)
        self.editor.title_edit.setFocus()
        return doc.id

    def open_course(self, course_id: str) -> bool:
        """Select and open a course (asking about unsaved edits first)."""
        if course_id == self._current_id:
            return True
        if not self.confirm_leave():
            return False
        if not self._load_editor(course_id):
            return False
        self._current_id = course_id
        self._select_row(course_id)
        return True

    # ---------------------------------------------------------------- internals
    def _reload_list(self) -> bool:
        try:
            courses = authoring.list_courses(self.ctx, self.user)
        except UserError as err:
            self.course_list.clear()
            self.new_course_button.setEnabled(False)
            self.empty_label.setText(str(err))
            self.stack.setCurrentWidget(self.empty_label)
            return False
        self.new_course_button.setEnabled(True)
        self.course_list.blockSignals(True)
        self.course_list.clear()
        for c in courses:
            self.course_list.addItem(self._item(c))
        self.course_list.blockSignals(False)
        if self._current_id is not None and not self._select_row(self._current_id):
            self._current_id = None
            self.stack.setCurrentWidget(self.empty_label)
        return True

    def _item(self, c: CourseSummary) -> QListWidgetItem:
        item = QListWidgetItem(c.title)
        item.setData(COURSE_ID_ROLE, c.id)
        item.setData(STATUS_ROLE, c.status)
        item.setData(MODULES_ROLE, c.module_count)
        label = status_label(c.status)
        modules = f"{c.module_count} module{'s' if c.module_count != 1 else ''}"
        item.setToolTip(f"{c.title}\n{label} · {modules}")
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{c.title}, {label}, {modules}")
        return item

    def _row_of(self, course_id: str) -> int:
        for row in range(self.course_list.count()):
            if self.course_list.item(row).data(COURSE_ID_ROLE) == course_id:
                return row
        return -1

    def _select_row(self, course_id: str | None) -> bool:
        row = self._row_of(course_id) if course_id else -1
        self.course_list.blockSignals(True)
        self.course_list.setCurrentRow(row)
        self.course_list.blockSignals(False)
        return row >= 0

    def _load_editor(self, course_id: str) -> bool:
        try:
            doc = authoring.load_course(self.ctx, course_id)
        except UserError as err:
            QMessageBox.warning(self, "Cannot open course", str(err))
            self._reload_list()
            return False
        self.editor.load(doc)
        self.stack.setCurrentWidget(self.editor)
        return True

    def _on_current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        new_id = current.data(COURSE_ID_ROLE) if current is not None else None
        if new_id is None or new_id == self._current_id:
            return
        if not self.confirm_leave() or not self._load_editor(new_id):
            self._select_row(self._current_id)  # stay on the course being edited
            return
        self._current_id = new_id
