"""Help → About / Policies: every effective setting and where it came from, and the policy
problems of this start.

Why a page: an IT admin checking a rollout, or a user wondering why a choice is greyed out,
needs to see in one place which value applies and who set it — the default, the user's
settings file, a recommended policy, an environment variable or a locked policy — and why a
policy file was not applied (file, line, reason). :func:`report_at_start` puts the first
problem in the status bar when the window goes live; nothing modal, so a test or an unattended
start never waits on it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import managed_settings
from app.studio.common import fit_size

WARNING_STYLE = "QLabel { background: #FFF4CE; color: #5C4400; padding: 6px 10px; }"
COLUMNS = ("Setting", "Value", "Source", "Set by")


class PoliciesDialog(QDialog):
    """The effective settings as a read-only table, with the policy problems above it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About ByteOS — settings and policies")
        self.setObjectName("policies-dialog")
        outer = QVBoxLayout(self)
        about = QLabel(
            "ByteOS — the operating system for learning. Below is every setting this device "
            "uses and where its value comes from. Precedence, lowest first: "
            f"{managed_settings.PRECEDENCE_TEXT}."
        )
        about.setWordWrap(True)
        about.setObjectName("policies-about")
        outer.addWidget(about)
        self.problems = QLabel()
        self.problems.setObjectName("policies-problems")
        self.problems.setAccessibleName("Policy problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(WARNING_STYLE)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.problems)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("policies-table")
        self.table.setAccessibleName("Effective settings and where they come from")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # long names and values (URLs, paths) are elided; each is whole in its tooltip
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 270)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 170)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 300)
        header.setStretchLastSection(True)
        outer.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("policies-close")
        close.setAccessibleName("Close settings and policies")
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        fit_size(self, 1040, 640, parent)
        self.refresh()

    def refresh(self) -> None:
        found = managed_settings.problems()
        self.problems.setVisible(bool(found))
        self.problems.setText("\n".join(p.message for p in found))
        rows = managed_settings.rows()
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            cells = (f"{row.label} ({row.name})", row.text, row.source_label, row.where)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(
                    f"Policy name {row.name}; environment variable {row.env_var}"
                    if col == 0
                    else text
                )
                self.table.setItem(i, col, item)

    def row_of(self, name: str) -> int:
        """The table row of the setting ``name`` (tests, and a link from Settings)."""
        return next(i for i, r in enumerate(managed_settings.rows()) if r.name == name)

    def cell(self, name: str, column: str) -> str:
        item = self.table.item(self.row_of(name), COLUMNS.index(column))
        return item.text() if item is not None else ""


def open_policies(parent: QWidget | None) -> PoliciesDialog:
    dialog = PoliciesDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def report_at_start(window: QMainWindow) -> str | None:
    """Say the first policy problem in the status bar (kept until another message), and
    return it; ``None`` when every settings source was applied."""
    summary = managed_settings.problem_summary()
    if summary:
        window.statusBar().showMessage(summary)
        window.statusBar().setToolTip("\n".join(p.message for p in managed_settings.problems()))
    return summary
