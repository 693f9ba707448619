"""Offline sign-in: pick a local profile, or create one with a role and organisation.

Profiles above learner are protected by a passphrase on a shared device (issue 13,
``app.services.accounts``): it is chosen when such a profile is created, asked for when it is
opened, and offered once more to an existing one that has none yet. Learners stay one click.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
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


def _secret(name: str, accessible: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setAccessibleName(accessible)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _passphrase_problem(passphrase: str, again: str) -> str | None:
    if len(passphrase) < accounts.MIN_PASSPHRASE:
        return f"Choose a passphrase of at least {accounts.MIN_PASSPHRASE} characters."
    if passphrase != again:
        return "The two passphrases are not the same."
    return None


class PassphraseDialog(QDialog):
    """One passphrase (or a new one, typed twice): ``submitted`` when the person confirms; the
    caller checks it and either accepts the dialog or shows why not, keeping it open."""

    submitted = Signal()

    def __init__(self, text: str, action: str, *, confirm: bool, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Passphrase")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        form = QFormLayout(self)
        intro = QLabel(text)
        intro.setWordWrap(True)
        form.addRow(intro)
        self.secret = _secret("passphrase", "Passphrase")
        form.addRow("&Passphrase", self.secret)
        self.again = _secret("passphrase-again", "Passphrase again")
        if confirm:
            form.addRow("Passphrase a&gain", self.again)
        self.error = QLabel()
        self.error.setObjectName("passphrase-error")
        self.error.setWordWrap(True)
        self.error.setProperty("role", "muted")
        self.error.setAccessibleName("Passphrase problem")
        self.error.hide()
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(action)
        ok.setObjectName("passphrase-ok")
        ok.setAccessibleName(action)
        ok.setProperty("role", "primary")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Not now" if confirm else "Cancel")
        cancel.setObjectName("passphrase-cancel")
        cancel.setAccessibleName(cancel.text())
        buttons.accepted.connect(self.submitted.emit)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.secret.setFocus()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.secret.selectAll()
        self.secret.setFocus()


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
        self.passphrase = _secret("profile-passphrase", "Passphrase")
        self.passphrase_again = _secret("profile-passphrase-again", "Passphrase again")
        self.passphrase_note = QLabel(
            "Creators, managers and admins need a passphrase on a shared device "
            f"(at least {accounts.MIN_PASSPHRASE} characters)."
        )
        self.passphrase_note.setWordWrap(True)
        self.passphrase_note.setProperty("role", "muted")
        form.addRow(self.passphrase_note)
        form.addRow("&Passphrase", self.passphrase)
        form.addRow("Passphrase a&gain", self.passphrase_again)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
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

    def _role_changed(self) -> None:
        elevated = accounts.needs_passphrase(str(self.role.currentData()))
        for w in (self.passphrase, self.passphrase_again):
            w.setEnabled(elevated)
        self.passphrase_note.setVisible(elevated)

    def create(self) -> None:
        org_id = self.org.currentData()
        passphrase = None
        if accounts.needs_passphrase(str(self.role.currentData())):
            passphrase = self.passphrase.text()
            problem = _passphrase_problem(passphrase, self.passphrase_again.text())
            if problem:
                QMessageBox.warning(self, "Cannot create the profile", problem)
                return
        try:
            if org_id == NEW_ORG:
                name, ok = QInputDialog.getText(self, "New organisation", "Organisation name:")
                if not ok:
                    return
                org_id = accounts.create_organisation(self.ctx.db, name).id
                self.org.insertItem(0, name.strip(), org_id)
                self.org.setCurrentIndex(0)
            self.created = accounts.create_local_profile(
                self.ctx.db,
                self.name.text(),
                self.role.currentData(),
                org_id,
                self.email.text(),
                passphrase=passphrase,
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
        self.passphrase_dialog: PassphraseDialog | None = None
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
        refusal = accounts.local_profiles_refusal()
        self.create_button.setEnabled(refusal is None)
        self.create_button.setToolTip(refusal or "")
        self.create_button.setAccessibleDescription(refusal or "")
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
        profile_id = item.data(Qt.ItemDataRole.UserRole)
        if accounts.has_passphrase(self.ctx.db, profile_id):
            self.ask_passphrase(profile_id, item.text().split("\n")[0])
            return
        try:
            user = accounts.sign_in(self.ctx.db, profile_id)
        except UserError as err:
            QMessageBox.warning(self, "Cannot sign in", str(err))
            self.refresh()
            return
        self.signed_in.emit(user)
        if accounts.needs_passphrase(user.role):  # an elevated profile without one yet
            QTimer.singleShot(0, lambda: self.offer_passphrase(user))

    def ask_passphrase(self, profile_id: str, name: str) -> None:
        """The protected profile's passphrase, asked in a window-modal dialog."""
        dialog = PassphraseDialog(
            f"Enter the passphrase of {name}.", "Sign in", confirm=False, parent=self
        )
        dialog.setObjectName("passphrase-dialog")

        def attempt() -> None:
            try:
                user = accounts.sign_in(self.ctx.db, profile_id, dialog.secret.text())
            except UserError as err:
                dialog.show_error(str(err))
                return
            dialog.accept()
            self.signed_in.emit(user)

        dialog.submitted.connect(attempt)
        self.passphrase_dialog = dialog
        dialog.open()

    def offer_passphrase(self, user: CurrentUser) -> None:
        """Ask the owner of an elevated profile with no passphrase to choose one now."""
        dialog = PassphraseDialog(
            f"{user.full_name} is a {user.role_label.lower()} profile: protect it with a "
            "passphrase, so nobody else on this device can open it.",
            "Set passphrase",
            confirm=True,
            parent=self.window(),
        )
        dialog.setObjectName("set-passphrase-dialog")

        def save() -> None:
            problem = _passphrase_problem(dialog.secret.text(), dialog.again.text())
            try:
                if problem:
                    raise UserError(problem)
                accounts.set_passphrase(self.ctx.db, user.id, dialog.secret.text())
            except UserError as err:
                dialog.show_error(str(err))
                return
            dialog.accept()

        dialog.submitted.connect(save)
        self.passphrase_dialog = dialog
        dialog.open()

    def create_profile(self) -> None:
        dialog = CreateProfileDialog(self.ctx, self)
        if dialog.exec() and dialog.created is not None:
            self.refresh()
            self.select_profile(dialog.created.id)
