"""The Learn dashboard's first section: work assigned to the learner, overdue first, with
due dates, and the entry to their certificates.

Refreshing it brings the learner's own derived state up to date first (path enrolments from
their courses; a certificate request, pending signature, for a completed path that awards
one) and sends the reminders that are due (once per record: ``reminder_sent_at``), shown
here and, where the desktop has a system tray, as a notification. The clock is injected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from app.services import assignments, compliance, path_progress
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError

if TYPE_CHECKING:
    from types import ModuleType

    from app.services.certificates import CertificateStore

log = logging.getLogger(__name__)


def _certificates() -> ModuleType:
    from app.services import certificates  # signing and the PDF: loaded when needed

    return certificates


OVERDUE_STYLE = "QLabel { color: #B42318; font-weight: 600; }"


class WorkRow(QFrame):
    open_requested = Signal(str)

    def __init__(self, item: assignments.WorkItem, target: str | None, lock: str | None) -> None:
        super().__init__()
        self.item = item
        self.setObjectName("assigned-item")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(f"Assigned: {item.title}")
        lay = QHBoxLayout(self)
        if item.picture is not None:
            pixmap = QPixmap(str(item.picture))
            if not pixmap.isNull():
                self.picture = QLabel()
                self.picture.setObjectName("assigned-picture")
                self.picture.setAccessibleName(f"Picture of {item.title}")
                self.picture.setPixmap(
                    pixmap.scaled(
                        96,
                        54,
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
                )
                lay.addWidget(self.picture)
        kind = "Path" if item.kind == "path" else "Course"
        mandatory = " · mandatory" if item.mandatory else ""
        self.title = QLabel(f"<b>{_esc(item.title)}</b> · {kind}{mandatory}")
        self.due = QLabel(item.due_text() + (" · completed late" if item.late else ""))
        self.due.setObjectName("assigned-due")
        if item.overdue:
            self.due.setStyleSheet(OVERDUE_STYLE)
        self.status = QLabel(f"{item.status_label} · {item.progress_pct:.0f} %")
        self.status.setProperty("role", "muted")
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.due)
        if lock:
            self.lock = QLabel(lock)
            self.lock.setProperty("role", "muted")
            text.addWidget(self.lock)
        lay.addLayout(text, 1)
        lay.addWidget(self.status)
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("assigned-open")
        self.open_button.setAccessibleName(f"Open {item.title}")
        self.open_button.setEnabled(target is not None)
        self.open_button.clicked.connect(lambda: target and self.open_requested.emit(target))
        lay.addWidget(self.open_button)


class AssignedWork(QFrame):
    """Public API: ``refresh()``, ``rows``, ``reminders`` (sent by the last refresh),
    ``certificates_button``; ``open_course(course_id)`` when the learner opens an item."""

    open_course = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        parent: QWidget | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("assigned-work")
        self.setAccessibleName("Assigned to you")
        self.ctx, self.user = ctx, user
        self.clock = clock or (lambda: datetime.now(UTC))
        self._store: CertificateStore | None = None
        self.rows: list[WorkRow] = []
        self.reminders: list[compliance.SentReminder] = []
        self.heading = QLabel("Assigned to you")
        self.heading.setProperty("role", "subtitle")
        self.certificates_button = QPushButton("My certificates…")
        self.certificates_button.setObjectName("open-certificates")
        self.certificates_button.setAccessibleName("Show my certificates")
        self.certificates_button.clicked.connect(self.show_certificates)
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.certificates_button)
        self.nudge = QLabel()
        self.nudge.setObjectName("assigned-nudge")
        self.nudge.setWordWrap(True)
        self.list = QVBoxLayout()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.nudge)
        lay.addLayout(self.list)
        self.dialog: QWidget | None = None
        self._tray: QSystemTrayIcon | None = None

    def refresh(self) -> None:
        now = self.clock()
        try:
            u = self.user
            if assignments.refresh_my_paths(self.ctx, u, now):  # a path just completed
                certificates = _certificates()
                certificates.request_certificates(self.ctx.db, self.store, u.id, now)
            # a manager's app: store what time and completions say (no keyring here: the
            # signer signs in Compliance and after a sync, certificates.sign_after_sync)
            compliance.refresh(self.ctx, u, now)
            self.reminders = compliance.send_reminders(self.ctx, self.user, now)
            items = assignments.assigned_work(self.ctx, self.user, now)
        except UserError as err:
            self.nudge.setText(str(err))
            return
        except Exception:  # never let this section hide the courses below it
            log.exception("Could not refresh the assigned work")
            return
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        for item in items:
            target, lock = self._target(item)
            row = WorkRow(item, target, lock)
            row.open_requested.connect(self.open_course)
            self.list.addWidget(row)
            self.rows.append(row)
        self.nudge.setText(" ".join(r.message for r in self.reminders))
        self.nudge.setVisible(bool(self.reminders))
        self._notify(self.reminders)
        self.heading.setVisible(bool(items))

    @property
    def store(self) -> CertificateStore:
        """The certificate store (loaded when first needed: not at start-up)."""
        if self._store is None:
            self._store = _certificates().CertificateStore.default(self.ctx.db.path, self.ctx.db)
        return self._store

    def _target(self, item: assignments.WorkItem) -> tuple[str | None, str | None]:
        if item.kind == "course":
            return item.id, path_progress.lock_for(self.ctx, self.user, item.id)
        try:
            lp = path_progress.learner_path(self.ctx, self.user, item.id)
        except UserError as err:
            return None, str(err)
        for step in lp.steps:
            if step.status != "completed":
                if step.locked:
                    return None, step.lock_message
                return step.course_id, None
        return (lp.steps[0].course_id if lp.steps else None), None

    def _notify(self, sent: list[compliance.SentReminder]) -> None:
        if not sent or not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:  # one tray icon for the section's lifetime
            app = QApplication.instance()
            icon = app.windowIcon() if isinstance(app, QApplication) else None
            self._tray = QSystemTrayIcon(icon, self) if icon is not None else QSystemTrayIcon(self)
            self._tray.setToolTip("ByteOS")
        self._tray.show()
        self._tray.showMessage("Training due", "\n".join(r.message for r in sent))

    def show_certificates(self) -> QWidget:
        from app.learn.certificates_view import open_certificates_dialog

        branding = _certificates().org_branding(self.ctx.db, self.user.org_id)
        self.dialog = open_certificates_dialog(self.store, self.user.id, branding, self)
        return self.dialog


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
