"""Sync in the main window: status in the status bar, "Sync now", connect, conflicts.

The view never waits on the network: signing in and syncing run through ``TaskRunner`` on a
worker thread (with progress and Cancel in the status bar), and the status line is read
from the local database only. A timer syncs in the background every few minutes while a
synced account is signed in; being offline costs one quick TCP probe.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.context import AppContext
from app.shell.sync_glue import sync_service
from app.tasks import TaskControl, TaskHandle, TaskRunner
from sync.service import ConflictView, SyncService, SyncStatus

BACKGROUND_INTERVAL_MS = 5 * 60 * 1000


def _ago(when: datetime | None) -> str:
    if when is None:
        return "never"
    secs = max(0, int((datetime.now(UTC) - when).total_seconds()))
    if secs < 60:
        return "just now"
    if secs < 3600:
        return f"{secs // 60} min ago"
    if secs < 86400:
        return f"{secs // 3600} h ago"
    return when.astimezone().strftime("%d %b %H:%M")


def describe(status: SyncStatus, running: bool = False) -> tuple[str, str]:
    """The status-bar text and its tooltip."""
    if not status.configured or status.account_id is None:
        return "Sync: not connected", "Sign in to your organisation to sync."
    parts = ["Syncing…" if running else f"Synced {_ago(status.last_synced)}"]
    if status.pending:
        parts.append(f"{status.pending} to send")
    if status.rejected:
        parts.append(f"{status.rejected} refused")
    if status.last_error and not running:
        parts[0] = "Offline" if status.last_error.startswith("Offline") else "Sync problem"
    tip = [f"Account: {status.email or status.account_id}", f"Server: {status.url}"]
    if status.last_error:
        tip.append(status.last_error)
    return " · ".join(parts), "\n".join(tip)


class SyncController(QObject):
    """Runs syncs off the UI thread and tells the widgets when the status changed."""

    changed = Signal()
    synced = Signal(object)  # SyncReport

    def __init__(self, ctx: AppContext, runner: TaskRunner, service: SyncService | None = None):
        super().__init__()
        self.ctx = ctx
        self.runner = runner
        self.service = service or sync_service(ctx)
        self.handle: TaskHandle | None = None
        self._busy = False
        self.timer = QTimer(self)
        self.timer.setInterval(BACKGROUND_INTERVAL_MS)
        self.timer.timeout.connect(lambda: self.sync_now(quiet=True))
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(1500)
        self.soon.timeout.connect(lambda: self.sync_now(quiet=True))

    @property
    def running(self) -> bool:
        return self._busy

    def status(self) -> SyncStatus:
        return self.service.status()

    def start_background(self) -> None:
        st = self.status()
        if st.configured and st.account_id:
            self.timer.start()
            self.soon.start()

    def stop_background(self) -> None:
        self.timer.stop()
        self.soon.stop()

    def sync_now(self, quiet: bool = False) -> TaskHandle | None:
        if self.running:
            return self.handle
        st = self.status()
        if not st.configured or st.account_id is None:
            if not quiet:
                self.changed.emit()
            return None

        def work(control: TaskControl) -> Any:
            return self.service.sync_now(control)

        def finished(report: object = None) -> None:
            self._busy = False
            self.changed.emit()
            if report is not None:
                self.synced.emit(report)

        self._busy = True
        self.handle = self.runner.run(
            "Sync",
            work,
            on_success=finished,
            on_error=lambda _msg: finished(),
            on_cancel=finished,
        )
        self.changed.emit()
        return self.handle


class SyncStatusWidget(QWidget):
    """Status-bar item: what sync is doing, how much waits, and "Sync now" (or "Connect…")."""

    connect_requested = Signal()
    conflicts_requested = Signal()

    def __init__(self, controller: SyncController) -> None:
        super().__init__()
        self.connected = False
        self.setObjectName("sync-status")
        self.controller = controller
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setObjectName("sync-label")
        self.label.setAccessibleName("Sync status")
        self.conflicts = QPushButton()
        self.conflicts.setObjectName("sync-conflicts")
        self.conflicts.setFlat(True)
        self.conflicts.setAccessibleName("Review sync conflicts")
        self.conflicts.clicked.connect(self.conflicts_requested.emit)
        self.button = QPushButton("Sync now")
        self.button.setObjectName("sync-now")
        self.button.setAccessibleName("Sync now")
        for w in (self.label, self.conflicts, self.button):
            lay.addWidget(w)
        self.button.clicked.connect(self._clicked)
        controller.changed.connect(self.refresh)
        self.refresh()

    def _clicked(self) -> None:
        if self.connected:
            self.controller.sync_now()
        else:
            self.connect_requested.emit()

    def refresh(self) -> None:
        st = self.controller.status()
        text, tip = describe(st, self.controller.running)
        self.label.setText(text)
        self.label.setToolTip(tip)
        self.connected = st.configured and st.account_id is not None
        self.button.setText("Sync now" if self.connected else "Connect…")
        self.button.setAccessibleName(
            "Sync now" if self.connected else "Connect to your organisation"
        )
        self.button.setEnabled(not self.controller.running)
        self.conflicts.setVisible(st.conflicts > 0)
        self.conflicts.setText(f"{st.conflicts} conflict{'s' if st.conflicts != 1 else ''}")


def server_url(address: str) -> str:
    """The server behind what a creator types as their organisation's address: a full URL is
    kept, ``acme.supabase.co`` gets ``https://``, a bare project name ``acme`` becomes
    ``https://acme.supabase.co``."""
    text = address.strip().rstrip("/")
    if not text:
        return ""
    if text.startswith(("http://", "https://")):
        return text
    if "." not in text and ":" not in text:
        return f"https://{text}.supabase.co"
    return f"https://{text}"


def address_of(url: str | None) -> str:
    """What to show as the organisation's address for a stored server URL."""
    text = (url or "").strip().rstrip("/")
    return text.removeprefix("https://")


class ConnectDialog(QDialog):
    """Sign in to the organisation: its address, your email and password.

    The server's URL and public (anon) key are what IT sets up once: they come from the
    environment (``BYTEOS_SUPABASE_URL``/``BYTEOS_SUPABASE_ANON_KEY``) or an earlier
    connection, and otherwise sit under *Advanced*, so a creator is asked only for what they
    know. Signing in runs on a worker thread.
    """

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to your organisation")
        self.setObjectName("sync-connect")
        self.setMinimumWidth(520)
        self.controller = controller
        url, key = controller.service.settings()
        intro = QLabel(
            "Sign in with your work account to sync your courses and progress with your "
            "organisation. Everything keeps working offline."
        )
        intro.setWordWrap(True)
        intro.setObjectName("sync-connect-intro")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.address = QLineEdit(address_of(url))
        self.address.setObjectName("sync-connect-address")
        self.address.setAccessibleName("Organisation address")
        self.address.setPlaceholderText("e.g. acme.supabase.co")
        self.address.setToolTip("The address your organisation gave you for ByteOS")
        self.email = QLineEdit(controller.status().email or "")
        self.email.setObjectName("sync-connect-email")
        self.email.setAccessibleName("Work email")
        self.email.setPlaceholderText("you@example.org")
        self.password = QLineEdit()
        self.password.setObjectName("sync-connect-password")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        address_label = QLabel("Organisation &address")
        address_label.setBuddy(self.address)
        email_label = QLabel("&Email")
        email_label.setBuddy(self.email)
        password_label = QLabel("&Password")
        password_label.setBuddy(self.password)
        form.addRow(address_label, self.address)
        form.addRow(email_label, self.email)
        form.addRow(password_label, self.password)

        # Advanced: what IT sets up once (server URL and the project's public key).
        self.advanced_toggle = QPushButton("Advanced ▸")
        self.advanced_toggle.setObjectName("sync-connect-advanced-toggle")
        self.advanced_toggle.setAccessibleName("Show advanced connection settings")
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setFlat(True)
        self.advanced = QWidget()
        self.advanced.setObjectName("sync-connect-advanced")
        adv = QFormLayout(self.advanced)
        adv.setContentsMargins(0, 0, 0, 0)
        adv.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.url = QLineEdit(url or "")
        self.url.setObjectName("sync-connect-url")
        self.url.setAccessibleName("Server address")
        self.url.setPlaceholderText("https://acme.supabase.co")
        self.key = QLineEdit(key or "")
        self.key.setObjectName("sync-connect-key")
        self.key.setAccessibleName("Public access key")
        self.key.setPlaceholderText("given by your IT team")
        self.key.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        url_label = QLabel("Ser&ver")
        url_label.setBuddy(self.url)
        key_label = QLabel("Public access &key")
        key_label.setBuddy(self.key)
        adv.addRow(url_label, self.url)
        adv.addRow(key_label, self.key)
        adv_note = QLabel(
            "Your IT team sets these up once (or provides them through "
            "BYTEOS_SUPABASE_URL and BYTEOS_SUPABASE_ANON_KEY). The public access key is "
            "the project's anon key: it identifies your organisation's server, it is not a "
            "password."
        )
        adv_note.setWordWrap(True)
        adv_note.setProperty("role", "muted")
        adv.addRow(adv_note)
        self.advanced.setVisible(False)
        self.advanced_toggle.toggled.connect(self.show_advanced)
        self.address.textEdited.connect(lambda text: self.url.setText(server_url(text)))

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("sync-connect-message")
        self.message.setAccessibleName("Connection message")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Sign in")
        ok.setProperty("role", "primary")
        ok.setObjectName("sync-connect-sign-in")
        ok.setAccessibleName("Sign in to your organisation")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("sync-connect-cancel")
        cancel.setAccessibleName("Cancel connecting")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.advanced_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.advanced)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        (self.email if self.address.text() else self.address).setFocus()

    def show_advanced(self, shown: bool = True) -> None:
        if self.advanced_toggle.isChecked() != shown:
            self.advanced_toggle.setChecked(shown)  # comes back here through toggled
            return
        self.advanced.setVisible(shown)
        self.advanced_toggle.setText("Advanced ▾" if shown else "Advanced ▸")
        self.advanced_toggle.setAccessibleName(
            ("Hide" if shown else "Show") + " advanced connection settings"
        )
        self.adjustSize()

    def submit(self) -> None:
        service = self.controller.service
        url = self.url.text().strip() or server_url(self.address.text())
        if not url:
            self.message.setText("Enter your organisation's address.")
            self.address.setFocus()
            return
        if not self.key.text().strip():
            self.show_advanced(True)
            self.message.setText(
                "This device does not know your organisation's public access key yet. Ask "
                "your IT team for it (or for ByteOS's connection settings) and paste it "
                "under Advanced."
            )
            self.key.setFocus()
            return
        if not self.email.text().strip() or not self.password.text():
            self.message.setText("Enter your work email and password.")
            (self.email if not self.email.text().strip() else self.password).setFocus()
            return
        try:
            service.configure(url, self.key.text())
        except Exception as err:
            self.show_advanced(True)
            self.message.setText(str(err))
            return
        email, password = self.email.text(), self.password.text()
        self.buttons.setEnabled(False)
        self.message.setText("Signing in…")

        def work(_control: TaskControl) -> Any:
            return service.sign_in(email, password)

        def ok(_session: object) -> None:
            self.password.clear()
            if service.store.warning:  # no keyring here: say so once, plainly
                QMessageBox.information(self, "Signed in for this session", service.store.warning)
            self.accept()
            self.controller.changed.emit()
            self.controller.start_background()

        def failed(msg: str) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(msg)

        self.controller.runner.run("Signing in", work, on_success=ok, on_error=failed)


class ConflictsDialog(QDialog):
    """Values that lost a merge: keep what won, or bring the other value back."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync conflicts")
        self.setObjectName("sync-conflicts-dialog")
        self.resize(640, 360)
        self.controller = controller
        intro = QLabel(
            "The same thing was changed in two places. ByteOS kept the later change; the "
            "other one is listed here so that nothing is lost."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("conflict-list")
        self.restore = QPushButton("Bring back the other value")
        self.restore.setObjectName("conflict-restore")
        self.keep = QPushButton("Keep the current value")
        self.keep.setObjectName("conflict-keep")
        self.restore.clicked.connect(lambda: self._resolve(True))
        self.keep.clicked.connect(lambda: self._resolve(False))
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        for b in (self.restore, self.keep):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.list, 1)
        lay.addLayout(row)
        self.refresh()

    @staticmethod
    def _text(c: ConflictView) -> str:
        what = c.table.replace("_", " ").rstrip("s")
        if c.field == "*":
            if c.lost_value is None:
                return f"A {what} deleted here was changed elsewhere, so it was kept."
            return f"A {what} changed here was deleted elsewhere; the changed version is kept."
        if c.field == "!unreadable":
            return f"A {what} from the server needs a newer ByteOS; skipped ({c.kept_value})."
        side = "here" if c.lost_side == "local" else "on another device"
        return (
            f"{what} · {c.field}: now “{c.kept_value}”; the value set {side} was “{c.lost_value}”."
        )

    def refresh(self) -> None:
        self.list.clear()
        for c in self.controller.service.conflicts():
            item = QListWidgetItem(self._text(c))
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            self.list.addItem(item)
        has = self.list.count() > 0
        if has:
            self.list.setCurrentRow(0)
        else:  # say so, rather than show an empty box
            empty = QListWidgetItem("No conflicts: every change merged cleanly.")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)
        self.restore.setEnabled(has)
        self.keep.setEnabled(has)

    def _resolve(self, restore: bool) -> None:
        item = self.list.currentItem()
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        try:
            self.controller.service.resolve(int(item.data(Qt.ItemDataRole.UserRole)), restore)
        except Exception as err:
            QMessageBox.warning(self, "Sync conflicts", str(err))
        self.refresh()
        self.controller.changed.emit()
