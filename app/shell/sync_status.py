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
        return "Sync: not connected", "Connect to your organisation's Supabase to sync."
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
            "Sync now" if self.connected else "Connect to your organisation's Supabase"
        )
        self.button.setEnabled(not self.controller.running)
        self.conflicts.setVisible(st.conflicts > 0)
        self.conflicts.setText(f"{st.conflicts} conflict{'s' if st.conflicts != 1 else ''}")


class ConnectDialog(QDialog):
    """Supabase URL, anon key, email and password; signs in on a worker thread."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to Supabase")
        self.setObjectName("sync-connect")
        self.controller = controller
        url, key = controller.service.settings()
        form = QFormLayout()
        self.url = QLineEdit(url or "")
        self.url.setPlaceholderText("https://your-project.supabase.co")
        self.key = QLineEdit(key or "")
        self.key.setPlaceholderText("the project's anon (public) key")
        self.email = QLineEdit(controller.status().email or "")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Project URL", self.url)
        form.addRow("Anon key", self.key)
        form.addRow("Email", self.email)
        form.addRow("Password", self.password)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("sync-connect-message")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)

    def submit(self) -> None:
        service = self.controller.service
        try:
            service.configure(self.url.text(), self.key.text())
        except Exception as err:
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
        self.restore.setEnabled(has)
        self.keep.setEnabled(has)

    def _resolve(self, restore: bool) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        try:
            self.controller.service.resolve(int(item.data(Qt.ItemDataRole.UserRole)), restore)
        except Exception as err:
            QMessageBox.warning(self, "Sync conflicts", str(err))
        self.refresh()
        self.controller.changed.emit()
