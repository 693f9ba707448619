"""Assign training…: a course or a path, to whom (people, everyone, a role), by when, and
whether it is mandatory. The service (``app.services.assignments``) decides what is allowed;
a refusal is shown in the dialog, which stays open with everything as chosen."""

from __future__ import annotations

from datetime import UTC, datetime, time

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.services import assignments
from app.services.accounts import ROLE_LABELS, CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.common import named

ERROR_STYLE = "QLabel { background: #FDECEA; color: #8A1C14; padding: 6px 10px; }"
ROLE_ID = Qt.ItemDataRole.UserRole


def due_from(date: QDate) -> datetime:
    """The end of the chosen day, in this computer's time zone, as UTC."""
    local = datetime.combine(date.toPython(), time(23, 59, 59)).astimezone()
    return local.astimezone(UTC)


class AssignDialog(QDialog):
    """Public API: ``assign()`` (what OK does) returns the result or None; ``message``."""

    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        parent: QWidget | None = None,
        *,
        clock: object = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("assign-dialog")
        self.setWindowTitle("Assign training")
        self.ctx, self.user = ctx, user
        self._now = clock if callable(clock) else (lambda: datetime.now(UTC))
        self.result_: assignments.Assigned | None = None
        form = QFormLayout()
        self.what = named(QComboBox(), "assign-what", "Course or learning path to assign")
        for a in assignments.assignable(ctx, user):
            kind = "Path" if a.kind == "path" else "Course"
            self.what.addItem(f"{kind}: {a.title}", (a.kind, a.id, a.title))
        form.addRow(_label("Training", self.what), self.what)

        self.to_people = named(QRadioButton("Chosen people"), "assign-to-people", "Chosen people")
        self.to_everyone = named(
            QRadioButton("Everyone in the organisation"), "assign-to-everyone", "Everyone"
        )
        self.to_role = named(QRadioButton("Everyone with the role"), "assign-to-role", "By role")
        self.to_people.setChecked(True)
        group = QButtonGroup(self)
        for b in (self.to_people, self.to_everyone, self.to_role):
            group.addButton(b)
        self.people = named(QListWidget(), "assign-people", "People to assign")
        for p in assignments.people(ctx, user):
            item = QListWidgetItem(p.label)
            item.setData(ROLE_ID, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.people.addItem(item)
        self.role = named(QComboBox(), "assign-role", "Role to assign")
        for key, label in ROLE_LABELS.items():
            self.role.addItem(label, key)
        who = QVBoxLayout()
        who.addWidget(self.to_people)
        who.addWidget(self.people)
        who.addWidget(self.to_everyone)
        who.addWidget(self.to_role)
        who.addWidget(self.role)
        form.addRow(QLabel("Who"), who)

        self.has_due = named(QCheckBox("Due by"), "assign-has-due", "Set a due date")
        self.due = named(QDateEdit(), "assign-due", "Due date")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("d MMM yyyy")
        self.due.setDate(QDate.currentDate().addDays(14))
        self.due.setMinimumDate(QDate.currentDate())
        self.due.setEnabled(False)
        self.has_due.toggled.connect(self.due.setEnabled)
        form.addRow(self.has_due, self.due)
        self.mandatory = named(
            QCheckBox("Mandatory (tracked for compliance)"), "assign-mandatory", "Mandatory"
        )
        form.addRow(self.mandatory)
        self.message = QLabel()
        self.message.setObjectName("assign-message")
        self.message.setAccessibleName("Assignment message")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Assign")
        ok.setObjectName("assign-ok")
        ok.setAccessibleName("Assign the training")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel assigning")
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        if self.what.count() == 0:
            self.say("Nothing to assign yet: publish a course or a learning path first.", True)
            ok.setEnabled(False)

    def say(self, text: str, problem: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if problem else "")
        self.message.setText(text)

    def choose(self, kind: str, target_id: str) -> None:
        for i in range(self.what.count()):
            k, tid, _ = self.what.itemData(i)
            if (k, tid) == (kind, target_id):
                self.what.setCurrentIndex(i)

    def tick(self, person_id: str) -> None:
        for i in range(self.people.count()):
            item = self.people.item(i)
            if item.data(ROLE_ID) == person_id:
                item.setCheckState(Qt.CheckState.Checked)

    def assign(self) -> assignments.Assigned | None:
        data = self.what.currentData()
        if data is None:
            self.say("Choose a course or a learning path.", True)
            return None
        kind, target, title = data
        ids = [
            self.people.item(i).data(ROLE_ID)
            for i in range(self.people.count())
            if self.people.item(i).checkState() == Qt.CheckState.Checked
        ]
        try:
            self.result_ = assignments.assign(
                self.ctx,
                self.user,
                course_id=target if kind == "course" else None,
                path_id=target if kind == "path" else None,
                learner_ids=ids if self.to_people.isChecked() else (),
                everyone=self.to_everyone.isChecked(),
                role=self.role.currentData() if self.to_role.isChecked() else None,
                due=due_from(self.due.date()) if self.has_due.isChecked() else None,
                mandatory=self.mandatory.isChecked(),
                now=self._now(),  # type: ignore[operator]
            )
        except UserError as err:
            self.say(str(err), True)
            return None
        self.say(self.result_.message(title))
        return self.result_

    def _ok(self) -> None:
        if self.assign() is not None:
            self.accept()


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def open_assign_dialog(ctx: AppContext, user: CurrentUser, parent: QWidget | None = None):  # type: ignore[no-untyped-def]
    dialog = AssignDialog(ctx, user, parent)
    dialog.open()
    return dialog
