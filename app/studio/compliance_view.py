"""Compliance (managers and admins): every record of the organisation per person, with its
status (overdue first), "Exempt…" with a reason, and the history of the selected record.

Opening it (and Refresh) first stores what time and completions say (``compliance.refresh``:
overdue records become overdue, completed courses compliant), with the clock injected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import certificates, compliance
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.common import fit_size, named

ERROR_STYLE = "QLabel { background: #FDECEA; color: #8A1C14; padding: 6px 10px; }"
COLUMNS = ("Person", "Course", "Path", "Status", "Due", "Completed", "Reason")


class ComplianceView(QWidget):
    """Public API: ``refresh()``, ``select(record_id)``, ``exempt(reason)``, ``rows``."""

    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        parent: QWidget | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compliance-view")
        self.setAccessibleName("Compliance")
        self.ctx, self.user = ctx, user
        self.clock = clock or (lambda: datetime.now(UTC))
        self.rows: list[compliance.RecordRow] = []
        self.table = named(QTableWidget(0, len(COLUMNS)), "compliance-table", "Compliance records")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setCornerButtonEnabled(False)
        self.table.verticalHeader().setVisible(False)
        corner = self.table.findChild(QAbstractButton, "qt_tableview_cornerbutton")
        if corner is not None:  # one record at a time: nothing to select all of
            corner.setAccessibleName("Table corner")
            corner.hide()
        self.table.itemSelectionChanged.connect(self._show_history)
        self.refresh_button = named(QPushButton("Refresh"), "compliance-refresh", "Refresh")
        self.exempt_button = named(
            QPushButton("Exempt…"), "compliance-exempt", "Exempt the selected person, with a reason"
        )
        self.refresh_button.clicked.connect(self.refresh)
        self.exempt_button.clicked.connect(self._ask_exempt)
        self.history = named(QListWidget(), "compliance-history", "History of the record")
        self.message = QLabel()
        self.message.setObjectName("compliance-message")
        self.message.setAccessibleName("Compliance message")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.exempt_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        title = QLabel("Compliance")
        title.setProperty("role", "subtitle")
        lay.addWidget(title)
        lay.addWidget(self.table, 2)
        lay.addLayout(buttons)
        lay.addWidget(self.message)
        history = QLabel("History of the selected record")
        history.setBuddy(self.history)
        lay.addWidget(history)
        lay.addWidget(self.history, 1)
        self.refresh()

    def refresh(self) -> None:
        now = self.clock()
        try:
            compliance.refresh(self.ctx, self.user, now)
            self.rows = compliance.overview(self.ctx, self.user, now)
            signed = self.sign_pending(now)
        except UserError as err:
            self.say(str(err), True)
            return
        self.say(f"{len(signed)} certificate(s) signed." if signed else "")
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            values = (
                r.learner,
                r.course,
                r.path or "",
                r.status_label,
                f"{r.required_by:%d %b %Y}" if r.required_by else "",
                f"{r.completed_at:%d %b %Y}" if r.completed_at else "",
                r.reason or "",
            )
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                self.table.setItem(i, j, item)
        self.exempt_button.setEnabled(bool(self.rows))
        self._show_history()
        if not self.rows:
            self.say("No mandatory training assigned yet: use Assign training… first.")

    def sign_pending(self, now: datetime) -> list[certificates.Certificate]:
        """On the signer's device (an org admin holding the key): sign the completions that
        sync brought, pending signature, into ``certifications`` rows."""
        store = certificates.CertificateStore.default(self.ctx.db.path, self.ctx.db)
        u = self.user
        return certificates.sign_if_signer(self.ctx.db, store, u.id, u.role, u.org_id, now)

    def select(self, record_id: str) -> None:
        for i, r in enumerate(self.rows):
            if r.id == record_id:
                self.table.selectRow(i)
        self._show_history()

    def selected(self) -> compliance.RecordRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def exempt(self, reason: str) -> bool:
        row = self.selected()
        if row is None:
            self.say("Choose a record first.", True)
            return False
        try:
            compliance.exempt(self.ctx, self.user, row.id, reason, self.clock())
        except UserError as err:
            self.say(str(err), True)
            return False
        self.refresh()
        self.select(row.id)
        self.say(f"{row.learner} is exempt from “{row.course}”.")
        return True

    def say(self, text: str, problem: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if problem else "")
        self.message.setText(text)

    def _ask_exempt(self) -> None:
        row = self.selected()
        if row is None:
            self.say("Choose a record first.", True)
            return
        reason, ok = QInputDialog.getText(
            self, "Exempt", f"Why is {row.learner} exempt from “{row.course}”?"
        )
        if ok:
            self.exempt(reason)

    def _show_history(self) -> None:
        self.history.clear()
        row = self.selected()
        if row is None:
            return
        for entry in compliance.history(self.ctx, self.user, row.id):
            self.history.addItem(entry.line())


def open_compliance_dialog(
    ctx: AppContext, user: CurrentUser, parent: QWidget | None = None
) -> QDialog:
    dialog = QDialog(parent)
    dialog.setObjectName("compliance-dialog")
    dialog.setWindowTitle("Compliance")
    view = ComplianceView(ctx, user, dialog)
    QVBoxLayout(dialog).addWidget(view)
    dialog.compliance_view = view  # type: ignore[attr-defined]
    fit_size(dialog, 1000, 640, parent)
    dialog.show()
    return dialog
