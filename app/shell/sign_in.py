"""Offline sign-in: pick a local profile, or create one with a role and organisation."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services import accounts
from app.services.accounts import ROLE_LABELS, CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError

NEW_ORG = "__new__"


class CreateProfileDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.created: CurrentUser | None = None
        self.setWindowTitle("Create a local profile")
        self.setObjectName("create-profile-dialog")
        self.setMinimumWidth(460)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        intro = QLabel("A profile keeps one person's learning on this device.")
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")
        form.addRow(intro)
        self.name = QLineEdit()
        self.name.setObjectName("profile-name")
        self.name.setAccessibleName("Full name")
        form.addRow("Full &name", self.name)
        self.email = QLineEdit()
        self.email.setObjectName("profile-email")
        self.email.setAccessibleName("Email (optional)")
        self.email.setPlaceholderText("optional")
        form.addRow("&Email", self.email)
        self.role = QComboBox()
        self.role.setObjectName("profile-role")
        self.role.setAccessibleName("Role")
        for key, label in ROLE_LABELS.items():
            self.role.addItem(label, key)
        form.addRow("&Role", self.role)
        self.org = QComboBox()
        self.org.setObjectName("profile-org")
        self.org.setAccessibleName("Organisation")
        for org in accounts.list_organisations(ctx.db):
            self.org.addItem(org.name, org.id)
        self.org.addItem("New organisation…", NEW_ORG)
        form.addRow("&Organisation", self.org)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Create profile")
        ok.setObjectName("profile-create")
        ok.setAccessibleName("Create the profile")
        ok.setProperty("role", "primary")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("profile-cancel")
        cancel.setAccessibleName("Cancel without creating a profile")
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def create(self) -> None:
        org_id = self.org.currentData()
        try:
            if org_id == NEW_ORG:
                name, ok = QInputDialog.getText(self, "New organisation", "Organisation name:")
                if not ok:
                    return
                org_id = accounts.create_organisation(self.ctx.db, name).id
                self.org.insertItem(0, name.strip(), org_id)
                self.org.setCurrentIndex(0)
            self.created = accounts.create_profile(
                self.ctx.db, self.name.text(), self.role.currentData(), org_id, self.email.text()
            )
        except UserError as err:
            QMessageBox.warning(self, "Cannot create the profile", str(err))
            return
        self.accept()


class SignInPage(QWidget):
    signed_in = Signal(object)  # CurrentUser

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("page")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        card = QFrame()
        card.setProperty("role", "card")
        card.setObjectName("sign-in-card")
        card.setFixedWidth(520)
        lay = QVBoxLayout(card)
        lay.setContentsMargins(28, 24, 28, 24)
        title = QLabel("Welcome to ByteOS")
        title.setProperty("role", "title")
        lay.addWidget(title)
        sub = QLabel("Learns with you, for you. Choose who is learning on this device.")
        sub.setProperty("role", "subtitle")
        sub.setWordWrap(True)
        lay.addWidget(sub)
        self.profiles = QListWidget()
        self.profiles.setObjectName("profile-list")
        self.profiles.setAccessibleName("Local profiles")
        self.profiles.itemActivated.connect(lambda _item: self.continue_())
        lay.addWidget(self.profiles, 1)
        row = QHBoxLayout()
        self.create_button = QPushButton("Create profile…")
        self.create_button.setObjectName("create-profile")
        self.create_button.setAccessibleName("Create a new local profile")
        self.create_button.clicked.connect(self.create_profile)
        row.addWidget(self.create_button)
        row.addStretch(1)
        self.continue_button = QPushButton("Continue")
        self.continue_button.setProperty("role", "primary")
        self.continue_button.setObjectName("sign-in")
        self.continue_button.setAccessibleName("Sign in with the selected profile")
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.continue_)
        row.addWidget(self.continue_button)
        lay.addLayout(row)
        note = QLabel("Works offline. Your learning stays on this device until you sync.")
        note.setProperty("role", "muted")
        note.setWordWrap(True)
        lay.addWidget(note)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.refresh()

    def refresh(self) -> None:
        self.profiles.clear()
        for p in accounts.list_profiles(self.ctx.db):
            where = f" · {p.org_name}" if p.org_name else ""
            item = QListWidgetItem(f"{p.full_name}\n{p.role_label}{where}")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{p.full_name}, {p.role_label}")
            self.profiles.addItem(item)
        if self.profiles.count():
            self.profiles.setCurrentRow(0)
        self.continue_button.setEnabled(self.profiles.count() > 0)
        self.profiles.setFocus()

    def select_profile(self, profile_id: str) -> None:
        for i in range(self.profiles.count()):
            if self.profiles.item(i).data(Qt.ItemDataRole.UserRole) == profile_id:
                self.profiles.setCurrentRow(i)

    def continue_(self) -> None:
        item = self.profiles.currentItem()
        if item is None:
            QMessageBox.information(self, "Sign in", "Create a profile first.")
            return
        try:
            user = accounts.sign_in(self.ctx.db, item.data(Qt.ItemDataRole.UserRole))
        except UserError as err:
            QMessageBox.warning(self, "Cannot sign in", str(err))
            self.refresh()
            return
        self.signed_in.emit(user)

    def create_profile(self) -> None:
        dialog = CreateProfileDialog(self.ctx, self)
        if dialog.exec() and dialog.created is not None:
            self.refresh()
            self.select_profile(dialog.created.id)
