"""The analytics dashboard (Organisation → Analytics…): filters, the source line, one tab
per view, the learners behind a click, and the exports.

Loading runs on the app's one task runner (a large organisation's figures take a moment);
the tabs are filled when it ends. Click-throughs are one small query each and answer at
once. Everything comes from ``app.services.analytics*``: no SQL here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services import analytics, analytics_dashboard, analytics_drill
from app.services.accounts import CurrentUser
from app.services.analytics import Filters
from app.services.analytics_dashboard import TITLES, VIEWS, Dashboard
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.analytics import views
from app.studio.analytics.chart_panel import ChartPanel
from app.studio.analytics.palette import series
from app.studio.common import fit_size, muted, named
from app.tasks import TaskRunner, runner_for


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class AnalyticsView(QWidget):
    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        parent: QWidget | None = None,
        runner: TaskRunner | None = None,
        now: datetime | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("analytics")
        self.setAccessibleName("Analytics")
        self.ctx, self.user = ctx, user
        self.runner = runner or runner_for(parent)
        self.fixed_now = now
        self.board: Dashboard | None = None
        self.loading = False
        self.generation = 0
        self.funnel_course: str | None = None
        self.colours = series(analytics.brand_colour(ctx, user))
        choices = analytics.filter_choices(ctx, user)
        self.course_choices = [(c.id, c.label) for c in choices.courses]
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        title = QLabel("Analytics")
        title.setProperty("role", "title")
        outer.addWidget(title)
        who = "your courses" if user.role == "creator" else (user.org_name or "your organisation")
        outer.addWidget(
            muted(f"How the learners of {who} are doing. Click a bar for the learners behind it.")
        )
        self.source = named(muted(""), "analytics-source", "Where these figures come from")
        outer.addWidget(self.source)
        bar = QHBoxLayout()
        self.scope_box = named(QComboBox(), "analytics-scope", "Course or path")
        self.scope_box.addItem("All courses" if user.role != "creator" else "All my courses", None)
        for c in choices.courses:
            self.scope_box.addItem(c.label, f"course:{c.id}")
        for p in choices.paths:
            self.scope_box.addItem(f"Path: {p.label}", f"path:{p.id}")
        self.role_box = named(QComboBox(), "analytics-role", "Learners' role")
        self.role_box.addItem("Everyone", None)
        for r in choices.roles:
            self.role_box.addItem(r.label, r.id)
        today = self.now().date()
        default = Filters().validated(today)
        assert default.start is not None
        self.start = named(QDateEdit(_qdate(default.start)), "analytics-from", "From (date)")
        self.end = named(QDateEdit(_qdate(today)), "analytics-to", "To (date)")
        for d in (self.start, self.end):
            d.setCalendarPopup(True)
            d.setDisplayFormat("dd MMM yyyy")
        for text, widget in (
            ("C&ourse or path:", self.scope_box),
            ("&Role:", self.role_box),
            ("&From:", self.start),
            ("&To:", self.end),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            bar.addWidget(label)
            bar.addWidget(widget)
        self.apply_button = named(QPushButton("&Apply"), "analytics-apply", "Apply the filters")
        self.apply_button.clicked.connect(self.refresh)
        bar.addWidget(self.apply_button)
        bar.addStretch(1)
        self.csv_button = named(
            QPushButton("Export &CSV…"), "analytics-csv", "Export every table as CSV"
        )
        self.csv_button.clicked.connect(self.export_csv_dialog)
        self.pdf_button = named(QPushButton("Export &PDF…"), "analytics-pdf", "Export a PDF report")
        self.pdf_button.clicked.connect(self.export_pdf_dialog)
        bar.addWidget(self.csv_button)
        bar.addWidget(self.pdf_button)
        outer.addLayout(bar)
        self.message = named(muted(""), "analytics-message", "Analytics message")
        self.message.setProperty("role", "error")
        outer.addWidget(self.message)
        self.tabs = named(QTabWidget(), "analytics-tabs", "Analytics views")
        self.tab: dict[str, views.Tab] = {}
        for key in VIEWS:
            tab = views.Tab(key, TITLES[key])
            self.tab[key] = tab
            self.tabs.addTab(tab, TITLES[key])
        outer.addWidget(self.tabs, 1)
        self.refresh()

    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    # -- filters and loading ------------------------------------------------------------------
    def filters(self) -> Filters:
        kind, _, ident = str(self.scope_box.currentData() or "").partition(":")
        course = ident if kind == "course" else None
        path = ident if kind == "path" else None
        return Filters(
            course,
            path,
            self.role_box.currentData(),
            _pydate(self.start.date()),
            _pydate(self.end.date()),
        )

    def refresh(self) -> None:
        """Load every view in the background with the current filters."""
        try:
            f = self.filters().validated(self.now().astimezone(UTC).date())
        except UserError as err:
            self.message.setText(str(err))
            return
        self.message.setText("")
        self.loading = True
        self.source.setText("Loading…")
        ctx, user, now, course = self.ctx, self.user, self.now(), self.funnel_course
        self.generation += 1
        mine = self.generation  # a later refresh wins, whichever load ends first
        self.runner.run(
            "Loading analytics",
            lambda _control: analytics_dashboard.load(ctx, user, f, now, course),
            on_success=lambda board: self._landed(mine, board),
            on_error=lambda msg: self._landed(mine, None, msg),
        )

    def _landed(self, generation: int, board: Dashboard | None, error: str = "") -> None:
        if generation != self.generation:
            return  # a later refresh is on its way
        if board is None:
            self._failed(error)
        else:
            self.show_board(board)

    def _failed(self, message: str) -> None:
        self.loading = False
        self.source.setText("")
        self.message.setText(f"The analytics could not be loaded: {message}")

    def show_board(self, board: Dashboard) -> None:
        self.loading = False
        self.board = board
        meta = board.meta
        self.source.setText(meta.line() if meta else "")
        r = board.results
        builders: dict[str, Any] = {
            "completions": lambda t, x: views.build_completions(t, x, self.colours),
            "funnel": lambda t, x: views.build_funnel(
                t, x, self.course_choices, self.choose_funnel_course
            ),
            "skills": lambda t, x: views.build_skills(t, x, self._skill_cell),
            "compliance": lambda t, x: views.build_compliance(t, x),
            "engagement": lambda t, x: views.build_engagement(t, x, self.colours),
            "modalities": lambda t, x: views.build_modalities(t, x, self.colours),
            "tutor": lambda t, x: views.build_tutor(t, x, self.colours),
        }
        for key in VIEWS:
            tab = self.tab[key]
            if key in r:
                builders[key](tab, r[key])
                tab.say("")
                for panel in tab.panels.values():
                    if not panel.property("wired"):
                        panel.drill_requested.connect(
                            lambda k, part, p=panel: self.drill(p, k, part)
                        )
                        panel.setProperty("wired", True)
            else:
                tab.say(board.problems.get(key, ""))
            self.tabs.setTabEnabled(VIEWS.index(key), True)

    def choose_funnel_course(self, course_id: str) -> None:
        self.funnel_course = course_id
        self.refresh()

    # -- click-through ------------------------------------------------------------------------
    def drill(self, panel: ChartPanel, key: Any, part: Any) -> None:
        try:
            f = self.filters().validated(self.now().astimezone(UTC).date())
            found = analytics_drill.learners_behind(
                self.ctx, self.user, f, self.now(), tuple(key), part
            )
        except UserError as err:
            panel.show_message(str(err))
            return
        panel.show_drill(found)

    def _skill_cell(self, skill_id: str, _user_id: str) -> None:
        self.drill(self.tab["skills"].panels["skills"], ("skill", skill_id), None)

    # -- export -------------------------------------------------------------------------------
    def export_csv_dialog(self) -> None:
        if self.board is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export analytics as CSV", "analytics.csv", "CSV (*.csv)"
        )
        if path:
            from app.studio.analytics.export import write_csv

            self.message.setText(write_csv(self.board, path))

    def export_pdf_dialog(self) -> None:
        if self.board is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export an analytics report", "analytics.pdf", "PDF (*.pdf)"
        )
        if path:
            from app.studio.analytics.export import write_pdf

            self.message.setText(write_pdf(self, path))


def open_analytics_dialog(
    ctx: AppContext, user: CurrentUser, parent: QWidget | None = None
) -> QDialog:
    dialog = QDialog(parent)
    dialog.setObjectName("analytics-dialog")
    dialog.setWindowTitle("Analytics")
    dialog.setAccessibleName("Analytics")
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(0, 0, 0, 0)
    runner = getattr(parent, "runner", None)
    view = AnalyticsView(
        ctx, user, dialog, runner=runner if isinstance(runner, TaskRunner) else None
    )
    layout.addWidget(view)
    dialog.view = view  # type: ignore[attr-defined]
    fit_size(dialog, 1280, 860, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
