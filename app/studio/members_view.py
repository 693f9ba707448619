"""Organisation → Members… and Organisation settings… (issue 13), for organisation admins.

One dialog with two tabs. *Members*: who belongs to the organisation and in which role; add
someone (a local profile on this device, invited by email once online), change a role,
remove. *Settings*: the organisation's name, default language and time zone. The rules
(nobody changes their own role, the last admin stays) are the service's
(``app.services.members``); the view shows its refusals as they are worded there.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services import members
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.common import fit_size, muted, named
from app.tasks import TaskRunner
from engine.org.vocabulary import MEMBER_ROLES

COLUMNS = ("Name", "Email", "Role", "Status")


def _role_box(name: str, accessible: str) -> QComboBox:
    box = named(QComboBox(), name, accessible)
    for role in MEMBER_ROLES:
        box.addItem(members.MEMBER_LABELS[role], role)
    return box


class MembersTab(QWidget):
    changed = Signal()

    def __init__(
        self, ctx: AppContext, user: CurrentUser, runner: TaskRunner | None, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.ctx, self.user, self.runner = ctx, user, runner
        self.rows: list[members.Member] = []
        lay = QVBoxLayout(self)
        lay.addWidget(muted("Nobody changes their own role, and the last admin stays an admin."))
        self.table = named(QTableWidget(0, len(COLUMNS)), "members-table", "Members")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        lay.addWidget(self.table, 1)

        actions = QHBoxLayout()
        actions.addWidget(QLabel("Selected member:"))
        self.role = _role_box("member-role", "Role of the selected member")
        actions.addWidget(self.role)
        self.change_button = named(
            QPushButton("Change role"), "member-change-role", "Change the selected member's role"
        )
        self.change_button.clicked.connect(self.change_role)
        actions.addWidget(self.change_button)
        self.invite_button = named(
            QPushButton("Send invitation"),
            "member-invite",
            "Ask the server for an invitation code for the selected member",
        )
        self.invite_button.clicked.connect(self.invite)
        actions.addWidget(self.invite_button)
        actions.addStretch(1)
        self.remove_button = named(
            QPushButton("Remove…"), "member-remove", "Remove the selected member"
        )
        self.remove_button.clicked.connect(self.remove)
        actions.addWidget(self.remove_button)
        lay.addLayout(actions)

        add = QFormLayout()
        add.addRow(QLabel("Add a member"))
        self.new_name = named(QLineEdit(), "member-new-name", "New member's full name")
        add.addRow("Full &name", self.new_name)
        self.new_email = named(QLineEdit(), "member-new-email", "New member's email")
        self.new_email.setPlaceholderText("to invite them when online")
        add.addRow("&Email", self.new_email)
        self.new_role = _role_box("member-new-role", "New member's role")
        self.new_role.setCurrentIndex(self.new_role.findData("learner"))
        add.addRow("&Role", self.new_role)
        self.new_passphrase = named(
            QLineEdit(), "member-new-passphrase", "First passphrase for the new member"
        )
        self.new_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_passphrase.setPlaceholderText("needed above learner; they can change it")
        add.addRow("First &passphrase", self.new_passphrase)
        self.add_button = named(QPushButton("Add member"), "member-add", "Add the member")
        self.add_button.setProperty("role", "primary")
        self.add_button.clicked.connect(self.add)
        add.addRow(self.add_button)
        lay.addLayout(add)
        self.refresh()

    def refresh(self) -> None:
        self.rows = members.list_members(self.ctx, self.user)
        self.table.setRowCount(len(self.rows))
        for r, m in enumerate(self.rows):
            status = "Invitation to send" if m.invite_pending else ""
            if m.user_id == self.user.id:
                status = "You"
            for c, text in enumerate((m.full_name, m.email or "", m.role_label, status)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, m.user_id)
                self.table.setItem(r, c, item)
        self._selected()

    def selected(self) -> members.Member | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.rows[rows[0].row()] if rows else None

    def select(self, user_id: str) -> None:
        for r, m in enumerate(self.rows):
            if m.user_id == user_id:
                self.table.selectRow(r)

    def _selected(self) -> None:
        m = self.selected()
        other = m is not None and m.user_id != self.user.id
        for w in (self.role, self.change_button, self.remove_button):
            w.setEnabled(other)
        self.invite_button.setEnabled(m is not None and m.invite_pending)
        if m is not None:
            self.role.setCurrentIndex(max(0, self.role.findData(m.role)))

    def _warn(self, err: UserError | str) -> None:
        QMessageBox.warning(self, "Members", str(err))

    def change_role(self) -> None:
        m = self.selected()
        if m is None:
            return
        try:
            members.change_role(self.ctx, self.user, m.user_id, str(self.role.currentData()))
        except UserError as err:
            self._warn(err)
        self.refresh()
        self.select(m.user_id)
        self.changed.emit()

    def remove(self) -> None:
        m = self.selected()
        if m is None:
            return
        sure = QMessageBox.question(
            self,
            "Remove member",
            f"Remove {m.full_name} from the organisation? They keep their profile as a "
            "learner with no organisation.",
        )
        if sure != QMessageBox.StandardButton.Yes:
            return
        from app.shell.sync_glue import sync_service

        service = sync_service(self.ctx)
        status = service.status()
        if status.configured and status.account_id and self.runner is not None:
            # connected to the organisation: removed on the server first (offline: nothing)
            ctx, user, member_id = self.ctx, self.user, m.user_id

            def done(_result: object) -> None:
                self.refresh()
                self.changed.emit()

            self.runner.run(
                f"Removing {m.full_name}",
                lambda _control: members.remove_on_server(service, ctx, user, member_id),
                on_success=done,
                on_error=self._warn,
            )
            return
        try:
            members.remove_member(self.ctx, self.user, m.user_id)
        except UserError as err:
            self._warn(err)
        self.refresh()
        self.changed.emit()

    def add(self) -> None:
        try:
            m = members.add_member(
                self.ctx,
                self.user,
                self.new_name.text(),
                self.new_email.text(),
                str(self.new_role.currentData()),
                self.new_passphrase.text() or None,
            )
        except UserError as err:
            self._warn(err)
            return
        for w in (self.new_name, self.new_email, self.new_passphrase):
            w.clear()
        self.refresh()
        self.select(m.user_id)
        self.changed.emit()

    def invite(self) -> None:
        m = self.selected()
        if m is None or self.runner is None:
            return
        ctx, user, member_id = self.ctx, self.user, m.user_id

        def work(_control: object) -> object:
            from app.shell.sync_glue import sync_service

            return members.invite(sync_service(ctx), ctx, user, member_id)

        def done(invitation: object) -> None:
            self.refresh()
            QMessageBox.information(
                self,
                "Invitation",
                f"Invitation for {getattr(invitation, 'email', '')}: give them this code "
                f"(shown once): {getattr(invitation, 'code', '')}",
            )

        self.runner.run("Sending the invitation", work, on_success=done, on_error=self._warn)


class SettingsTab(QWidget):
    def __init__(self, ctx: AppContext, user: CurrentUser, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx, self.user = ctx, user
        doc = members.load_settings(ctx, user)
        form = QFormLayout(self)
        self.name = named(QLineEdit(doc.name), "org-name", "Organisation name")
        form.addRow("&Name", self.name)
        self.language = named(
            QLineEdit(doc.default_language or ""), "org-language", "Default language"
        )
        self.language.setPlaceholderText("for example en, fr or pt-BR")
        form.addRow("Default &language", self.language)
        self.timezone = named(QComboBox(), "org-timezone", "Time zone")
        self.timezone.setEditable(True)
        self.timezone.addItem("")
        self.timezone.addItems(members.time_zones())
        self.timezone.setCurrentText(doc.timezone or "")
        form.addRow("&Time zone", self.timezone)
        self.save_button = named(QPushButton("Save settings"), "org-save", "Save the settings")
        self.save_button.setProperty("role", "primary")
        self.save_button.clicked.connect(self.save)
        form.addRow(self.save_button)
        self.status = muted()
        self.status.setObjectName("org-settings-status")
        form.addRow(self.status)

    def save(self) -> None:
        try:
            doc = members.save_settings(
                self.ctx,
                self.user,
                self.name.text(),
                self.language.text(),
                self.timezone.currentText(),
            )
        except UserError as err:
            QMessageBox.warning(self, "Organisation settings", str(err))
            return
        self.status.setText(f"Saved: {doc.name}.")


def open_members_dialog(
    ctx: AppContext, user: CurrentUser, parent: QWidget | None = None, tab: str = "members"
) -> QDialog:
    if not members.may_manage(user):
        raise UserError("Only an organisation admin manages members.")
    dialog = QDialog(parent)
    dialog.setObjectName("members-dialog")
    dialog.setWindowTitle(f"Organisation — {user.org_name or 'members'}")
    tabs = named(QTabWidget(), "members-tabs", "Organisation administration")
    runner = getattr(parent, "runner", None)
    dialog.members_tab = MembersTab(ctx, user, runner, dialog)  # type: ignore[attr-defined]
    dialog.settings_tab = SettingsTab(ctx, user, dialog)  # type: ignore[attr-defined]
    tabs.addTab(dialog.members_tab, "Members")  # type: ignore[attr-defined]
    tabs.addTab(dialog.settings_tab, "Settings")  # type: ignore[attr-defined]
    tabs.setCurrentIndex(1 if tab == "settings" else 0)
    QVBoxLayout(dialog).addWidget(tabs)
    dialog.tabs = tabs  # type: ignore[attr-defined]
    fit_size(dialog, 900, 640, parent)
    dialog.show()
    return dialog


__all__ = ["MembersTab", "SettingsTab", "open_members_dialog"]
