"""The dashboard's tabs: each builds its panels once and fills them from a service result.

A tab never computes a figure: every number drawn comes from the result's own fields, and
every table from the result's :class:`~app.services.analytics.Table` (so the chart, the
table, the CSV and the PDF agree by construction).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.analytics import Table
from app.services.analytics_activity import Completions, Engagement, FunnelView
from app.services.analytics_outcomes import (
    BUCKET_LABELS,
    Compliance,
    Modalities,
    SkillGaps,
    TutorUse,
)
from app.studio.analytics.chart_panel import Bars, ChartPanel
from app.studio.analytics.heatmap import HeatMapWidget
from app.studio.analytics.palette import PARTS, SERIES
from app.studio.common import muted, named
from engine.analytics.compliance import BUCKETS

PEOPLE_ON_CHART = 12


def plain_table(key: str, title: str) -> QTableWidget:
    table = named(QTableWidget(0, 0), key, title)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setTabKeyNavigation(False)
    table.setMinimumHeight(140)
    return table


def fill_plain(table: QTableWidget, data: Table) -> None:
    table.clear()
    table.setColumnCount(len(data.headers))
    table.setHorizontalHeaderLabels(list(data.headers))
    table.setRowCount(len(data.rows))
    for r, row in enumerate(data.rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(str(value)))
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if data.headers:
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)


class Tab(QScrollArea):
    """A scrolling column of panels; ``panels`` by key, for the dashboard and the tests."""

    def __init__(self, key: str, title: str) -> None:
        super().__init__()
        self.setObjectName(f"analytics-tab-{key}")
        self.setAccessibleName(title)
        self.setWidgetResizable(True)
        body = QWidget()
        self.column = QVBoxLayout(body)
        self.column.setContentsMargins(8, 8, 8, 8)
        self.column.setSpacing(14)
        self.setWidget(body)
        self.panels: dict[str, ChartPanel] = {}
        self.note = named(muted(""), f"{key}-note", f"{title}: note")
        self.note.setVisible(False)
        self.column.addWidget(self.note)

    def panel(self, key: str, title: str, figure: QWidget | None = None) -> ChartPanel:
        p = ChartPanel(key, title, figure=figure)
        p.setMinimumHeight(380)
        self.column.addWidget(p)
        self.panels[key] = p
        return p

    def say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))


def build_completions(tab: Tab, r: Completions, colours: Sequence[str]) -> None:
    weekly = tab.panels.get("completions") or tab.panel("completions", "Completions per week")
    rates = tab.panels.get("rates") or tab.panel("rates", "Completion rate per course and path")
    t = r.table()
    weekly.set_table(t)
    labels = [f"{w:%d %b}" for w, _ in r.weeks]
    weekly.set_bars(
        labels,
        [Bars("Courses completed", [n for _, n in r.weeks])],
        list(t.keys),
        colours=colours,
        axis_title="completions",
    )
    weekly.set_summary(f"{r.total} course completions in {len(r.weeks)} weeks.")
    rt = r.rate_table()
    rates.set_table(rt)
    rates.set_bars(
        [x.title for x in r.rates],
        [
            Bars("Completed", [x.completed for x in r.rates], "completed", PARTS["finished"]),
            Bars(
                "Not completed yet",
                [max(0, x.enrolled - x.completed) for x in r.rates],
                "not_completed",
                PARTS["pending"],
            ),
        ],
        [("enrolled", x.key) for x in r.rates],
        horizontal=True,
        stacked=True,
        axis_title="learners enrolled",
    )
    best = max(r.rates, key=lambda x: x.rate.value or -1, default=None)
    rates.set_summary(
        f"{len(r.rates)} courses and paths."
        + (f" Highest completion rate: {best.title}, {best.rate.percent()}." if best else "")
    )


def build_funnel(
    tab: Tab, r: FunnelView, choices: Sequence[tuple[str, str]], on_course: Callable[[str], None]
) -> None:
    if "funnel" not in tab.panels:
        row = QHBoxLayout()
        label = QLabel("&Course:")
        combo = named(QComboBox(), "funnel-course", "Course of the funnel")
        label.setBuddy(combo)
        row.addWidget(label)
        row.addWidget(combo, 1)
        tab.column.insertLayout(1, row)
        tab.course_combo = combo  # type: ignore[attr-defined]
        combo.activated.connect(lambda i: on_course(combo.itemData(i)))
        tab.panel("funnel", "Drop-off funnel")
    combo = tab.course_combo  # type: ignore[attr-defined]
    combo.blockSignals(True)
    combo.clear()
    for cid, title in choices:
        combo.addItem(title, cid)
    combo.setCurrentIndex(max(0, combo.findData(r.course_id)))
    combo.blockSignals(False)
    p = tab.panels["funnel"]
    t = r.table()
    p.set_table(t)
    stages = r.funnel.stages
    p.set_bars(
        [s.label for s in stages],
        [
            Bars("Started", [s.counts.started for s in stages], "started", PARTS["started"]),
            Bars("Finished", [s.counts.finished for s in stages], "finished", PARTS["finished"]),
            Bars("Stopped here", [s.counts.stopped for s in stages], "stopped", PARTS["stopped"]),
            Bars(
                "Drop-off events",
                [s.counts.drop_offs for s in stages],
                "drop_offs",
                PARTS["drop_offs"],
            ),
        ],
        list(t.keys),
        axis_title="learners",
    )
    worst = r.funnel.biggest_drop
    p.set_summary(
        f"{r.title}: {r.funnel.entrants} learners started the first module."
        + (
            f" Biggest drop: {worst.label}, where {worst.counts.stopped} learners stopped."
            if worst
            else " Nobody stopped part-way."
        )
    )


def build_skills(tab: Tab, r: SkillGaps, on_cell: Callable[[str, str], None]) -> None:
    if "skills" not in tab.panels:
        heat = HeatMapWidget()
        p = tab.panel("skills", "Skill gaps: skills × learners, biggest first", figure=heat)
        heat.cell_clicked.connect(on_cell)
        heat.hovered_text.connect(p.hover_line.setText)
        p.setMinimumHeight(520)
    p = tab.panels["skills"]
    painted = p.view
    assert isinstance(painted, HeatMapWidget)
    painted.set_heat(r.heat)
    p.set_table(r.table())
    hm = r.heat
    extra = []
    if hm.hidden_skills:
        extra.append(f"{hm.hidden_skills} more skills in the table")
    if hm.hidden_learners:
        extra.append(f"{hm.hidden_learners} more learners not drawn")
    top = hm.skills[0] if hm.skills else None
    p.set_summary(
        (
            f"Biggest gap: {top.name} (mean {top.mean_gap:.2f} over {top.assessed} learners). "
            if top
            else "No skill assessed yet. "
        )
        + ("; ".join(extra) + "." if extra else "")
        + (" Only the skills your courses target." if r.limited_to_targets else "")
    )


def build_compliance(tab: Tab, r: Compliance) -> None:
    if "compliance" not in tab.panels:
        tab.panel("compliance", "Compliance per course")
        tab.panel("people", "Compliance per person (most overdue first)")
        head = QLabel("Overdue")
        head.setProperty("role", "subtitle")
        tab.column.addWidget(head)
        tab.overdue = plain_table("compliance-overdue", "Overdue records")  # type: ignore[attr-defined]
        tab.column.addWidget(tab.overdue)  # type: ignore[attr-defined]
    parts = [b for b in BUCKETS]

    def stacked(panel: ChartPanel, rows: Sequence[tuple[str, str, Any]], table: Table) -> None:
        panel.set_table(table)
        panel.set_bars(
            [name for _, name, _ in rows],
            [Bars(BUCKET_LABELS[b], [t.count(b) for _, _, t in rows], b, PARTS[b]) for b in parts],
            list(table.keys[: len(rows)]),
            horizontal=True,
            stacked=True,
            axis_title="records",
        )

    stacked(tab.panels["compliance"], r.per_course, r.table())
    stacked(tab.panels["people"], r.per_person[:PEOPLE_ON_CHART], r.person_table())
    total = sum(t.total for _, _, t in r.per_course)
    tab.panels["compliance"].set_summary(
        f"{total} records: {len(r.overdue)} overdue, "
        f"{sum(t.count('due_soon') for _, _, t in r.per_course)} due soon."
    )
    more = len(r.per_person) - PEOPLE_ON_CHART
    tab.panels["people"].set_summary(
        f"{len(r.per_person)} people."
        + (
            f" The chart shows the first {PEOPLE_ON_CHART}; the table has everyone."
            if more > 0
            else ""
        )
    )
    fill_plain(tab.overdue, r.overdue_table())  # type: ignore[attr-defined]


def build_engagement(tab: Tab, r: Engagement, colours: Sequence[str]) -> None:
    if "engagement" not in tab.panels:
        tab.panel("engagement", "Active learners per week")
        tab.panel("minutes", "Minutes of learning per week")
        tab.panel("streaks", "Current streaks")
    t = r.table()
    labels = [f"{w.start:%d %b}" for w in r.weeks]
    for key, bars in (
        ("engagement", Bars("Active learners", [w.active_learners for w in r.weeks])),
        ("minutes", Bars("Minutes", [w.minutes for w in r.weeks], None, colours[1 % len(colours)])),
    ):
        p = tab.panels[key]
        p.set_table(t)
        p.set_bars(labels, [bars], list(t.keys), colours=colours)
    peak = max(r.weeks, key=lambda w: w.active_learners, default=None)
    tab.panels["engagement"].set_summary(
        f"Most active week: {peak.start:%d %b %Y} with {peak.active_learners} learners."
        if peak
        else ""
    )
    tab.panels["minutes"].set_summary(f"{round(sum(w.minutes for w in r.weeks))} minutes in all.")
    st = r.streak_table()
    s = tab.panels["streaks"]
    s.set_table(st)
    s.set_bars(
        [b for b, _ in r.streaks],
        [Bars("Learners", [n for _, n in r.streaks])],
        list(st.keys),
        colours=SERIES[2:],
    )
    s.set_summary(f"{sum(n for _, n in r.streaks)} learners by their current streak.")


def build_modalities(tab: Tab, r: Modalities, colours: Sequence[str]) -> None:
    p = tab.panels.get("modalities") or tab.panel(
        "modalities", "First-attempt quiz results after each modality"
    )
    t = r.table()
    p.set_table(t)
    p.set_bars(
        [o.modality for o in r.outcomes],
        [
            Bars(
                "Correct first attempts (%)",
                [round(100 * (o.correct.value or 0.0), 1) for o in r.outcomes],
            )
        ],
        list(t.keys),
        colours=colours,
        axis_title="% correct",
    )
    good = [o for o in r.outcomes if o.enough]
    p.set_summary(
        f"Best measured: {good[0].modality}, {good[0].correct.percent()} right first time."
        if good
        else "Too few quiz answers yet to compare modalities."
    )


def build_tutor(tab: Tab, r: TutorUse, colours: Sequence[str]) -> None:
    if "tutor" not in tab.panels:
        tab.panel("tutor", "Questions to Byte per course")
        head = QLabel("Not covered by the course (the topics it is missing)")
        head.setProperty("role", "subtitle")
        tab.column.addWidget(head)
        tab.topics = plain_table("tutor-topics", "Questions the course did not cover")  # type: ignore[attr-defined]
        tab.column.addWidget(tab.topics)  # type: ignore[attr-defined]
    p = tab.panels["tutor"]
    t = r.table()
    p.set_table(t)
    p.set_bars(
        [c.title for c in r.courses],
        [
            Bars("Questions", [c.questions for c in r.courses]),
            Bars("Not covered", [c.not_covered for c in r.courses], None, PARTS["stopped"]),
        ],
        list(t.keys),
        colours=colours,
        axis_title="questions",
    )
    asked = sum(c.questions for c in r.courses)
    p.set_summary(
        f"{asked} questions; {sum(c.not_covered for c in r.courses)} not covered by the course."
    )
    fill_plain(tab.topics, r.topic_table())  # type: ignore[attr-defined]
