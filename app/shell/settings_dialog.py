"""Settings: the user's preferences (narration, language, proxy, ...) and the API keys for
cloud AI and image search, kept in the keyring.

Preferences go through ``app.services.managed_settings`` (the one settings object,
``engine.config``); a value IT locked by policy is shown read-only, with a lock note saying
who set it and why it cannot be changed, and the service refuses a change to it anyway.
Keys go through ``app.services.api_keys`` (and from there the one secrets helper,
``engine.secrets``). A stored key is never shown back: the row says "•••••••• 4f2a" and the
field to paste a new one starts empty. When this machine has nowhere to keep a secret, the
dialog says so (the keyring status message) and saving shows why it failed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services import api_keys, managed_settings
from app.services.api_keys import KeyDef
from app.services.errors import UserError
from app.studio.common import fit_size

LOCK_NOTE = "Locked by IT"
"""Short, beside the control; the tooltip and accessible description say who and why."""

WARNING_STYLE = "QLabel { background: #FFF4CE; color: #5C4400; padding: 6px 10px; }"


class KeyRow:
    """One key: its name, what is stored (masked), a field for a new value, Save, Remove."""

    def __init__(self, dialog: SettingsDialog, key: KeyDef, grid: QGridLayout, row: int) -> None:
        self.dialog, self.key = dialog, key
        slug = key.name.lower().replace("_", "-")
        self.label = QLabel(key.label)
        self.label.setToolTip(f"{key.hint} · stored as {key.name}" if key.hint else key.name)
        self.state = QLabel()
        self.state.setObjectName(f"settings-{slug}-state")
        self.state.setProperty("role", "muted")
        self.state.setAccessibleName(f"{key.label}: stored key")
        self.edit = QLineEdit()
        self.edit.setObjectName(f"settings-{slug}")
        self.edit.setAccessibleName(f"New {key.label} key")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText("Paste a new key")
        self.edit.setMinimumWidth(220)
        self.label.setBuddy(self.edit)
        self.save = QPushButton("Save")
        self.save.setObjectName(f"settings-{slug}-save")
        self.save.setAccessibleName(f"Save the {key.label} key")
        self.remove = QPushButton("Remove")
        self.remove.setObjectName(f"settings-{slug}-remove")
        self.remove.setAccessibleName(f"Remove the {key.label} key")
        grid.addWidget(self.label, row, 0)
        grid.addWidget(self.state, row, 1)
        grid.addWidget(self.edit, row, 2)
        grid.addWidget(self.save, row, 3)
        grid.addWidget(self.remove, row, 4)
        self.edit.textChanged.connect(lambda text: self.save.setEnabled(bool(text.strip())))
        self.edit.returnPressed.connect(self.store)
        self.save.clicked.connect(self.store)
        self.remove.clicked.connect(self.clear)
        self.save.setEnabled(False)

    def show(self, state: api_keys.KeyState) -> None:
        self.state.setText(state.summary)
        reason = api_keys.locked_reason(self.key.name)
        self.edit.setEnabled(reason is None)
        self.edit.setPlaceholderText(LOCK_NOTE if reason else "Paste a new key")
        self.edit.setToolTip(reason or "")
        self.save.setEnabled(reason is None and bool(self.edit.text().strip()))
        self.remove.setEnabled(state.stored)

    def store(self) -> None:
        try:
            api_keys.save_key(self.key.name, self.edit.text())
        except UserError as err:
            self.dialog.say(str(err), problem=True)
            return
        self.edit.clear()
        self.dialog.say(f"{self.key.label} key saved in the keyring.")
        self.dialog.refresh()

    def clear(self) -> None:
        api_keys.remove_key(self.key.name)
        self.dialog.say(f"{self.key.label} key removed.")
        self.dialog.refresh()


class PreferenceRow:
    """One preference: a control fit for its type, disabled with a lock note when locked."""

    def __init__(
        self, dialog: SettingsDialog, row: managed_settings.SettingRow, grid: QGridLayout, at: int
    ) -> None:
        self.dialog, self.name = dialog, row.name
        slug = row.name.replace("_", "-")
        self.label = QLabel(row.label)
        choices = managed_settings.choices(row.name)
        self.control: QWidget
        if managed_settings.is_flag(row.name):
            box = QCheckBox()
            self.control = box
        elif choices is not None:
            combo = QComboBox()
            combo.addItems(list(choices))
            self.control = combo
        else:
            line = QLineEdit()
            line.setMinimumWidth(220)
            self.control = line
        self.control.setObjectName(f"settings-pref-{slug}")
        self.control.setAccessibleName(row.label)
        self.label.setBuddy(self.control)
        self.lock = QLabel()
        self.lock.setObjectName(f"settings-pref-{slug}-lock")
        self.lock.setProperty("role", "muted")
        grid.addWidget(self.label, at, 0)
        grid.addWidget(self.control, at, 1, 1, 2)
        grid.addWidget(self.lock, at, 3, 1, 2)

    @property
    def locked(self) -> bool:
        return not self.control.isEnabled()

    def show(self, row: managed_settings.SettingRow) -> None:
        value = row.value
        if isinstance(self.control, QCheckBox):
            self.control.setChecked(bool(value))
        elif isinstance(self.control, QComboBox):
            self.control.setCurrentText(str(value))
        elif isinstance(self.control, QLineEdit):
            self.control.setText("" if value is None else str(value))
        self.control.setEnabled(not row.locked)
        if row.locked:
            self.lock.setText(LOCK_NOTE)
            why = f"{managed_settings.LOCK_EXPLANATION} Set in {row.where}."
            self.lock.setToolTip(why)
            self.control.setToolTip(why)
            self.control.setAccessibleDescription(why)
        else:
            note = {"recommended policy": "Recommended by IT", "environment": "From environment"}
            self.lock.setText(note.get(row.source.value, ""))
            self.lock.setToolTip(row.where)
            self.control.setToolTip("")
            self.control.setAccessibleDescription(
                "" if row.source.value == "default" else row.source_label
            )

    def value(self) -> Any:
        if isinstance(self.control, QCheckBox):
            return self.control.isChecked()
        if isinstance(self.control, QComboBox):
            return self.control.currentText()
        assert isinstance(self.control, QLineEdit)
        return self.control.text()


class SettingsDialog(QDialog):
    """File → Settings…: where ByteOS keeps secrets, and the cloud AI and image-search keys."""

    def __init__(self, parent: QWidget | None = None, *, show_image_keys: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settings-dialog")
        self.setMinimumWidth(720)
        outer = QVBoxLayout(self)
        title = QLabel("Preferences and API keys")
        title.setProperty("role", "subtitle")
        outer.addWidget(title)
        intro = QLabel(
            "Settings your organisation locked are shown greyed out with a lock. "
            "ByteOS works offline without any key. Add a key to let Byte and Generate with AI "
            "use a cloud model when you are online, or to search free image libraries from "
            "the media library. Keys are kept in your system keyring, never in a file in "
            "plain text, and are never shown again in full."
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)
        self.store = QLabel()
        self.store.setObjectName("settings-keyring-status")
        self.store.setAccessibleName("Where keys are kept")
        self.store.setWordWrap(True)
        self.store.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.store)

        # one grid for every group, so names, stored keys and fields line up across groups
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(2, 1)
        grid.setColumnMinimumWidth(1, 130)
        self.rows: dict[str, KeyRow] = {}
        self.prefs: dict[str, PreferenceRow] = {}
        row = 0
        prefs_title = QLabel("Preferences")
        prefs_title.setProperty("role", "subtitle")
        grid.addWidget(prefs_title, row, 0, 1, 5)
        row += 1
        by_name = {r.name: r for r in managed_settings.rows()}
        for name in managed_settings.EDITABLE:
            self.prefs[name] = PreferenceRow(self, by_name[name], grid, row)
            row += 1
        self.save_prefs = QPushButton("Save preferences")
        self.save_prefs.setObjectName("settings-save-preferences")
        self.save_prefs.setAccessibleName("Save preferences")
        self.save_prefs.clicked.connect(self.store_preferences)
        grid.addWidget(self.save_prefs, row, 1)
        self.show_policies = QPushButton("Where each setting comes from…")
        self.show_policies.setObjectName("settings-show-policies")
        self.show_policies.setAccessibleName("Show every setting and where it comes from")
        self.show_policies.clicked.connect(self.open_policies)
        grid.addWidget(self.show_policies, row, 2, 1, 3)
        row += 1
        groups = [("Cloud AI — Byte and Generate with AI", api_keys.AI_KEYS)]
        if show_image_keys:
            groups.append(("Image search — the media library", api_keys.IMAGE_KEYS))
        for heading, keys in groups:
            title_label = QLabel(heading)
            title_label.setProperty("role", "subtitle")
            grid.addWidget(title_label, row, 0, 1, 5)
            row += 1
            for key in keys:
                self.rows[key.name] = KeyRow(self, key, grid, row)
                row += 1
        grid.setRowStretch(row, 1)
        scroll = QScrollArea()
        scroll.setObjectName("settings-keys")
        scroll.setAccessibleName("API keys")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.message = QLabel()
        self.message.setObjectName("settings-message")
        self.message.setAccessibleName("Settings message")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("settings-close")
        close.setAccessibleName("Close settings")
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        fit_size(self, 780, 620 if show_image_keys else 400, parent)
        self.refresh()

    def refresh(self) -> None:
        st = api_keys.store_state()
        self.store.setText(st.message)
        self.store.setStyleSheet("" if st.persistent else WARNING_STYLE)
        for state in api_keys.key_states():
            row = self.rows.get(state.key.name)
            if row is not None:
                row.show(state)
        for setting in managed_settings.rows():
            pref = self.prefs.get(setting.name)
            if pref is not None:
                pref.show(setting)

    def store_preferences(self) -> bool:
        """Save what changed; a locked or invalid value is refused with the reason."""
        changes = {n: p.value() for n, p in self.prefs.items() if not p.locked}
        before = managed_settings.effective().values.llm_model_path
        try:
            after = managed_settings.save(changes).values.llm_model_path
        except UserError as err:
            self.say(str(err), problem=True)
            return False
        model_note = " Byte uses the new model from the next start." if after != before else ""
        self.say("Preferences saved." + model_note)
        self.refresh()
        return True

    def open_policies(self) -> QWidget:
        from app.shell.policies_page import open_policies

        return open_policies(self)

    def say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(WARNING_STYLE if problem else "")
