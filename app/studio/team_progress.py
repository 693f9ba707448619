"""Team progress: a manager's read-only view of their organisation's learners, per course.

Everything comes from ``app.services.team_progress``; nothing here writes. The view lists the
published courses (with how many learners completed, are in progress, or have not started)
and, for the chosen course, each learner's status, progress and last activity.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import team_progress
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.team_progress import CourseProgress
from app.studio.common import muted, named

COLUMNS = ["Learner", "Status", "Progress", "Last active"]


def _when(at: datetime | None) -> str:
    return at.astimezone().strftime("%d %b %Y %H:%M") if at else "—"


class TeamProgressView(QWidget):
    def __init__(self, ctx: AppContext, user: CurrentUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("team-progress")
        self.setAccessibleName("Team progress")
        self.ctx, self.user = ctx, user
        self.courses: list[CourseProgress] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        title = QLabel("Team progress")
        title.setProperty("role", "title")
        head.addWidget(title)
        head.addStretch(1)
        self.refresh_button = named(QPushButton("Refresh"), "team-refresh", "Refresh team progress")
        self.refresh_button.clicked.connect(self.refresh)
        head.addWidget(self.refresh_button)
        outer.addLayout(head)
        org = user.org_name or "your organisation"
        outer.addWidget(
            muted(
                f"How the learners of {org} are doing in each published course. Read-only: "
                "progress arrives here when learners sync."
            )
        )
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        self.course_list = named(QListWidget(), "team-courses", "Published courses")
        self.course_list.setMinimumWidth(260)
        self.course_list.setWordWrap(True)
        split.addWidget(self.course_list)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(8, 0, 0, 0)
        self.summary = named(QLabel(), "team-summary", "Course summary")
        self.summary.setWordWrap(True)
        rv.addWidget(self.summary)
        self.table = named(QTableWidget(0, len(COLUMNS)), "team-learners", "Learners' progress")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        rv.addWidget(self.table, 1)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 800])
        outer.addWidget(split, 1)
        self.empty = muted("")
        self.empty.setObjectName("team-empty")
        outer.addWidget(self.empty)
        self.course_list.currentRowChanged.connect(self._show_course)
        self.refresh()

    def refresh(self) -> None:
        row = max(0, self.course_list.currentRow())
        try:
            self.courses = team_progress.team_progress(self.ctx, self.user)
        except UserError as err:
            self.courses = []
            self.empty.setText(str(err))
        else:
            self.empty.setText(
                "" if self.courses else "Your organisation has no published course yet."
            )
        self.course_list.blockSignals(True)
        self.course_list.clear()
        for c in self.courses:
            done, going = c.count("completed"), c.count("in_progress") + c.count("overdue")
            item = QListWidgetItem(
                f"{c.title}\n{len(c.learners)} learners · {done} completed · {going} in progress"
            )
            item.setToolTip(c.title)
            self.course_list.addItem(item)
        self.course_list.blockSignals(False)
        self.course_list.setCurrentRow(min(row, len(self.courses) - 1))
        self._show_course(self.course_list.currentRow())

    def _show_course(self, row: int) -> None:
        course = self.courses[row] if 0 <= row < len(self.courses) else None
        self.table.setRowCount(0)
        if course is None:
            self.summary.setText("")
            return
        n = len(course.learners)
        self.summary.setText(
            f"<b>{course.title}</b> · {course.module_count} module"
            f"{'s' if course.module_count != 1 else ''} · {n} learner{'s' if n != 1 else ''} · "
            f"{course.count('completed')} completed, {course.count('in_progress')} in progress, "
            f"{course.count('overdue')} overdue, {course.count('not_started')} not started · "
            f"average progress {round(course.average_pct)} %"
        )
        self.table.setRowCount(n)
        for i, r in enumerate(course.learners):
            pct = f"{round(r.progress_pct)} %"
            cells = [r.full_name, r.status_label, pct, _when(r.last_active)]
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if col == 2:
                    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    cell.setTextAlignment(right)
                self.table.setItem(i, col, cell)
