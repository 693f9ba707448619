"""Studio → Learning paths: the path builder (creators, managers and admins).

Left: the organisation's paths and "New path". Right: the selected path: title, description,
its picture, its courses in order (drag to reorder, or Move up / Move down; each with a
"Required" checkbox), the certificate options (design, validity), and Save / Publish /
Archive. Every rule lives in
``app.services.paths``; a refused save shows the service's message and keeps what was typed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.services import authoring, paths
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.paths import PathCourseRef, PathDoc
from app.studio.common import fit_size, muted, named
from engine.certificates.templates import CERTIFICATE_TEMPLATES, template_or_default

ERROR_STYLE = "QLabel { background: #FDECEA; color: #8A1C14; padding: 6px 10px; }"
ROLE_ID = Qt.ItemDataRole.UserRole
DEFAULT_TARGET = 0.8
PICTURE_SIZE = (192, 108)
PICTURE_FILTER = "Images (*.png *.jpg *.jpeg *.gif *.webp)"


class PathsView(QWidget):
    """The path builder. Public API: ``refresh()``, ``new_path(title)``, ``open_path(id)``,
    ``save()``, ``publish()``, ``archive()``, ``set_picture(file | None)``; ``message`` shows
    the last outcome."""

    def __init__(self, ctx: AppContext, user: CurrentUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paths-view")
        self.setAccessibleName("Learning paths")
        self.ctx, self.user = ctx, user
        self.doc: PathDoc | None = None
        split = QSplitter(Qt.Orientation.Horizontal)
        QHBoxLayout(self).addWidget(split)

        left = QWidget()
        lv = QVBoxLayout(left)
        heading = QLabel("Learning paths")
        heading.setProperty("role", "subtitle")
        self.path_list = named(QListWidget(), "paths-list", "Learning paths")
        heading.setBuddy(self.path_list)
        self.new_title = named(QLineEdit(), "paths-new-title", "Title of a new path")
        self.new_title.setPlaceholderText("New path title")
        self.new_button = named(QPushButton("New path"), "paths-new", "Create a new path")
        lv.addWidget(heading)
        lv.addWidget(self.path_list, 1)
        lv.addWidget(self.new_title)
        lv.addWidget(self.new_button)
        split.addWidget(left)

        right = QWidget()
        form = QFormLayout()
        self.title = named(QLineEdit(), "path-title", "Path title")
        self.description = named(QPlainTextEdit(), "path-description", "Path description")
        self.description.setTabChangesFocus(True)
        self.description.setMaximumHeight(90)
        self.status = muted()
        self.status.setObjectName("path-status")
        self.status.setAccessibleName("Path status")
        form.addRow(_label("Title", self.title), self.title)
        form.addRow(_label("Description", self.description), self.description)
        self.picture = QLabel("No picture")
        self.picture.setObjectName("path-picture")
        self.picture.setAccessibleName("Path picture")
        self.picture.setFixedSize(*PICTURE_SIZE)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setFrameShape(QLabel.Shape.StyledPanel)
        self.pick_picture = named(
            QPushButton("Choose picture…"), "path-picture-pick", "Choose a picture for the path"
        )
        self.drop_picture = named(
            QPushButton("Remove picture"), "path-picture-remove", "Remove the path's picture"
        )
        picture_row = QHBoxLayout()
        picture_row.addWidget(self.picture)
        picture_buttons = QVBoxLayout()
        picture_buttons.addWidget(self.pick_picture)
        picture_buttons.addWidget(self.drop_picture)
        picture_buttons.addStretch(1)
        picture_row.addLayout(picture_buttons)
        picture_row.addStretch(1)
        form.addRow(_label("Picture", self.pick_picture), picture_row)
        form.addRow("Status", self.status)

        self.courses = named(QListWidget(), "path-courses", "Courses of the path, in order")
        self.courses.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.courses.setToolTip("Drag to reorder; tick a course to make it required")
        self.choice = named(QComboBox(), "path-course-choice", "Course to add")
        self.add_button = named(QPushButton("Add course"), "path-add-course", "Add the course")
        self.remove_button = named(QPushButton("Remove"), "path-remove-course", "Remove course")
        self.up_button = named(QPushButton("Move up"), "path-move-up", "Move the course up")
        self.down_button = named(QPushButton("Move down"), "path-move-down", "Move course down")
        add_row = QHBoxLayout()
        add_row.addWidget(self.choice, 1)
        add_row.addWidget(self.add_button)
        move_row = QHBoxLayout()
        for b in (self.up_button, self.down_button, self.remove_button):
            move_row.addWidget(b)
        move_row.addStretch(1)

        self.skills = named(QListWidget(), "path-skills", "Target skills of the path")
        self.skills.setToolTip("Tick the skills this path builds (target 80 % unless set)")
        self.skills.setMaximumHeight(110)

        self.issue_cert = named(
            QCheckBox("Award a certificate on completion"), "path-issue-cert", "Award a certificate"
        )
        self.template = named(QComboBox(), "path-cert-template", "Certificate design")
        for name, label in CERTIFICATE_TEMPLATES.items():
            self.template.addItem(label, name)
        self.validity = named(QSpinBox(), "path-validity-days", "Certificate valid for, in days")
        self.validity.setRange(0, 3650)
        self.validity.setSpecialValueText("does not expire")
        self.validity.setSuffix(" days")
        cert_form = QFormLayout()
        cert_form.addRow(self.issue_cert)
        cert_form.addRow(_label("Design", self.template), self.template)
        cert_form.addRow(_label("Valid for", self.validity), self.validity)

        self.save_button = named(QPushButton("Save"), "path-save", "Save the path")
        self.publish_button = named(QPushButton("Publish"), "path-publish", "Publish the path")
        self.archive_button = named(QPushButton("Archive"), "path-archive", "Archive the path")
        actions = QHBoxLayout()
        for b in (self.save_button, self.publish_button, self.archive_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.message = QLabel()
        self.message.setObjectName("path-message")
        self.message.setAccessibleName("Path builder message")
        self.message.setWordWrap(True)

        rv = QVBoxLayout(right)
        rv.addLayout(form)
        courses_label = _label("Courses (in order)", self.courses)
        rv.addWidget(courses_label)
        rv.addWidget(self.courses, 1)
        rv.addLayout(move_row)
        rv.addLayout(add_row)
        rv.addWidget(_label("Target skills", self.skills))
        rv.addWidget(self.skills)
        rv.addWidget(QLabel("<b>Certificate</b>"))
        rv.addLayout(cert_form)
        rv.addWidget(self.message)
        rv.addLayout(actions)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        self.editor = right

        self.path_list.currentItemChanged.connect(self._on_pick)
        self.new_button.clicked.connect(lambda: self.new_path(self.new_title.text()))
        self.new_title.returnPressed.connect(lambda: self.new_path(self.new_title.text()))
        self.add_button.clicked.connect(self.add_course)
        self.remove_button.clicked.connect(self.remove_course)
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        self.save_button.clicked.connect(self.save)
        self.publish_button.clicked.connect(self.publish)
        self.archive_button.clicked.connect(self.archive)
        self.pick_picture.clicked.connect(self._choose_picture)
        self.drop_picture.clicked.connect(lambda: self.set_picture(None))
        self.refresh()

    # -- public API ------------------------------------------------------------------------
    def refresh(self) -> None:
        current = self.doc.id if self.doc else None
        self.path_list.blockSignals(True)
        self.path_list.clear()
        for p in paths.list_paths(self.ctx, self.user):
            label = f"{p.title} · {paths.STATUS_LABELS.get(p.status, p.status)}"
            item = QListWidgetItem(label)
            item.setData(ROLE_ID, p.id)
            self.path_list.addItem(item)
            if p.id == current:
                self.path_list.setCurrentItem(item)
        self.path_list.blockSignals(False)
        self.choice.clear()
        for c in paths.course_choices(self.ctx, self.user):
            self.choice.addItem(f"{c.title} ({c.status})", c.id)
        self.editor.setEnabled(self.doc is not None)

    def new_path(self, title: str) -> str | None:
        try:
            self.doc = paths.create_path(self.ctx, self.user, title)
        except UserError as err:
            return self.say(str(err), problem=True)
        self.new_title.clear()
        self._show(self.doc)
        self.refresh()
        self.say(f"Path “{self.doc.title}” created as a draft: add its courses.")
        return self.doc.id

    def open_path(self, path_id: str) -> None:
        self._show(paths.load_path(self.ctx, path_id))
        self.refresh()

    def save(self) -> bool:
        if self.doc is None:
            return False
        try:
            self.doc = paths.save_path(self.ctx, self.user, self._collect())
        except UserError as err:
            self.say(str(err), problem=True)
            return False
        self._show(self.doc)
        self.refresh()
        self.say("Saved.")
        return True

    def publish(self) -> bool:
        return self.save() and self._set_status("published", "Published: it can be assigned now.")

    def archive(self) -> bool:
        return self._set_status("archived", "Archived: learners no longer see it.")

    def set_picture(self, file: Path | None) -> bool:
        """Give the path ``file`` as its picture (None: take it away); saved at once."""
        if self.doc is None:
            return False
        try:
            self.doc = paths.set_thumbnail(self.ctx, self.user, self.doc.id, file)
        except UserError as err:
            self.say(str(err), problem=True)
            return False
        self._show_picture(self.doc)
        self.say("Picture saved." if file else "Picture removed.")
        return True

    def say(self, text: str, problem: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if problem else "")
        self.message.setText(text)

    # -- editing ---------------------------------------------------------------------------
    def add_course(self) -> None:
        cid = self.choice.currentData()
        if cid is None:
            return
        title = self.choice.currentText().rsplit(" (", 1)[0]
        self._add_item(PathCourseRef(cid, True, title))

    def remove_course(self) -> None:
        row = self.courses.currentRow()
        if row >= 0:
            self.courses.takeItem(row)

    def move(self, step: int) -> None:
        row = self.courses.currentRow()
        to = row + step
        if row < 0 or not 0 <= to < self.courses.count():
            return
        item = self.courses.takeItem(row)
        self.courses.insertItem(to, item)
        self.courses.setCurrentRow(to)

    def _add_item(self, ref: PathCourseRef) -> None:
        item = QListWidgetItem(ref.title)
        item.setData(ROLE_ID, (ref.course_id, ref.title))
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if ref.is_required else Qt.CheckState.Unchecked)
        item.setToolTip("Ticked: required to complete the path")
        self.courses.addItem(item)

    def _collect(self) -> PathDoc:
        assert self.doc is not None
        refs = []
        for i in range(self.courses.count()):
            item = self.courses.item(i)
            cid, title = item.data(ROLE_ID)
            refs.append(PathCourseRef(cid, item.checkState() == Qt.CheckState.Checked, title))
        days = self.validity.value()
        return PathDoc(
            id=self.doc.id,
            org_id=self.doc.org_id,
            title=self.title.text(),
            description=self.description.toPlainText(),
            status=self.doc.status,
            courses=refs,
            target_skills=self._checked_skills(),
            issue_cert=self.issue_cert.isChecked(),
            cert_template=self.template.currentData(),
            validity_days=days or None,
        )

    def _checked_skills(self) -> list[tuple[str, float]]:
        out = []
        for i in range(self.skills.count()):
            item = self.skills.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(ROLE_ID))
        return out

    def _show(self, doc: PathDoc) -> None:
        self.doc = doc
        self.title.setText(doc.title)
        self.description.setPlainText(doc.description)
        self.status.setText(paths.STATUS_LABELS.get(doc.status, doc.status))
        self.courses.clear()
        for ref in doc.courses:
            self._add_item(ref)
        targets = dict(doc.target_skills)
        self.skills.clear()
        for skill in authoring.list_skills(self.ctx, self.user):
            item = QListWidgetItem(skill.name)
            item.setData(ROLE_ID, (skill.id, targets.get(skill.id, DEFAULT_TARGET)))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = skill.id in targets
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.skills.addItem(item)
        self.issue_cert.setChecked(doc.issue_cert)
        self.template.setCurrentIndex(
            self.template.findData(template_or_default(doc.cert_template))
        )
        self._show_picture(doc)
        self.validity.setValue(doc.validity_days or 0)
        self.editor.setEnabled(True)

    def _set_status(self, status: str, done: str) -> bool:
        if self.doc is None:
            return False
        try:
            self.doc = paths.set_status(self.ctx, self.user, self.doc.id, status)
        except UserError as err:
            self.say(str(err), problem=True)
            return False
        self._show(self.doc)
        self.refresh()
        self.say(done)
        return True

    def _show_picture(self, doc: PathDoc) -> None:
        file = paths.thumbnail_file(self.ctx, doc.thumbnail_url)
        pixmap = QPixmap(str(file)) if file else QPixmap()
        if pixmap.isNull():
            self.picture.setPixmap(QPixmap())
            self.picture.setText(
                "Picture not on this device" if doc.thumbnail_url else "No picture"
            )
        else:
            w, h = PICTURE_SIZE
            self.picture.setPixmap(
                pixmap.scaled(
                    w,
                    h,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        self.drop_picture.setEnabled(bool(doc.thumbnail_url))

    def _choose_picture(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose a picture for the path", "", PICTURE_FILTER
        )
        if name:
            self.set_picture(Path(name))

    def _on_pick(self, item: QListWidgetItem | None, _prev: object = None) -> None:
        if item is not None:
            self._show(paths.load_path(self.ctx, item.data(ROLE_ID)))
            self.say("")


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def open_paths_dialog(ctx: AppContext, user: CurrentUser, parent: QWidget | None = None) -> QDialog:
    """The path builder in its own window (from Studio or the Organisation menu)."""
    dialog = QDialog(parent)
    dialog.setObjectName("paths-dialog")
    dialog.setWindowTitle("Learning paths")
    view = PathsView(ctx, user, dialog)
    QVBoxLayout(dialog).addWidget(view)
    dialog.paths_view = view  # type: ignore[attr-defined]
    fit_size(dialog, 980, 680, parent)
    dialog.show()
    return dialog
