"""The checklist shown before a course (or its draft changes) is published.

Each check is one row: ✓ done, ✗ must be fixed before publishing (Publish stays disabled),
! a warning that may be published over. The checks come from ``app.services.publishing``.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services.publishing import CheckItem, Checklist
from app.studio.common import fit_size

MARKS = {
    "ok": ("✓", "#1B5E20", "#D3F9D8", "Done"),
    "blocked": ("✗", "#8A1C1C", "#FFE3E3", "Must be fixed"),
    "warning": ("!", "#7A3E00", "#FFE8CC", "Worth a look"),
}


class PublishChecklistDialog(QDialog):
    """Publish “title”? — every check, and Publish only when nothing blocks."""

    def __init__(
        self,
        checklist: Checklist,
        course_title: str,
        *,
        changes: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.checklist = checklist
        self.setObjectName("studio-publish-checklist")
        what = "changes to" if changes else ""
        self.setWindowTitle("Publish changes" if changes else "Publish course")
        self.setMinimumWidth(560)
        outer = QVBoxLayout(self)
        heading = QLabel(f"Publish {what} “{course_title}”?".replace("  ", " "))
        heading.setTextFormat(Qt.TextFormat.PlainText)  # a title is text, "&" and "<" included
        heading.setObjectName("studio-publish-heading")
        heading.setProperty("role", "subtitle")
        heading.setWordWrap(True)
        outer.addWidget(heading)
        if checklist.blocking:
            n = len(checklist.blocking)
            lead = (
                f"{n} thing{'s' if n != 1 else ''} must be fixed before learners can see "
                "this course."
            )
        elif checklist.warnings:
            lead = (
                "Ready to publish. A few things are worth a look first; you can publish "
                "without them."
            )
        else:
            lead = "Everything is ready."
        after = (
            " Learners see the new version as soon as you publish; their progress is kept."
            if changes
            else " Once published, learners of your organisation see it on their dashboard."
        )
        summary = QLabel(lead + (after if checklist.can_publish else ""))
        summary.setObjectName("studio-publish-summary")
        summary.setWordWrap(True)
        outer.addWidget(summary)

        body = QWidget()
        rows = QVBoxLayout(body)
        rows.setContentsMargins(0, 4, 0, 4)
        rows.setSpacing(6)
        order = {"blocked": 0, "warning": 1, "ok": 2}
        self.rows: dict[str, QWidget] = {}
        for item in sorted(checklist.items, key=lambda i: order[i.state]):
            row = self._row(item)
            self.rows[item.key] = row
            rows.addWidget(row)
        rows.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("studio-publish-items")
        scroll.setAccessibleName("Publishing checklist")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.publish_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.publish_button.setText("Publish changes" if changes else "Publish")
        self.publish_button.setObjectName("studio-publish-confirm")
        self.publish_button.setAccessibleName(
            "Publish now" if checklist.can_publish else "Publish (fix the items marked ✗ first)"
        )
        self.publish_button.setProperty("role", "primary")
        self.publish_button.setEnabled(checklist.can_publish)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Keep editing" if checklist.blocking else "Cancel")
        cancel.setObjectName("studio-publish-cancel")
        cancel.setAccessibleName(cancel.text())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        (self.publish_button if checklist.can_publish else cancel).setFocus()
        fit_size(self, 620, min(640, 170 + 44 * len(checklist.items)), parent)

    @staticmethod
    def _row(item: CheckItem) -> QWidget:
        mark, fg, bg, words = MARKS[item.state]
        row = QFrame()
        row.setObjectName(f"studio-check-{item.key}")
        row.setProperty("state", item.state)
        row.setAccessibleName(f"{words}: {item.label}. {item.detail}".strip())
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        badge = QLabel(mark)
        badge.setFixedSize(26, 26)
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badge.setStyleSheet(
            f"QLabel {{ background: {bg}; color: {fg}; border-radius: 13px; font-weight: 700; }}"
        )
        badge.setToolTip(words)
        badge.setAccessibleName(words)
        lay.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        text = QLabel(
            f"<b>{escape(item.label)}</b>"
            + (f"<br><span>{escape(item.detail)}</span>" if item.detail and not item.ok else "")
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(text, 1)
        return row
