"""One analytics figure: a chart first, the same figures as a table beside it, and the
learners behind whatever was clicked below.

The table is the accessible twin of the chart (a screen reader reads it; the keyboard
walks it): it is built from the service's :class:`~app.services.analytics.Table`, the very
rows the CSV and PDF exports write. Hovering a bar says its value (tooltip and the line
under the chart, which assistive tech reads); clicking a bar, or choosing a row of the
table, asks for the learners behind it (:attr:`ChartPanel.drill_requested`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.services.analytics import Table
from app.services.analytics_drill import Drill
from app.shell.theme import MUTED, TEXT
from app.studio.analytics.palette import CHART_BACKGROUND, SERIES
from app.studio.common import muted, named


@dataclass(frozen=True)
class Bars:
    """One bar set: its legend name, a value per category, and the drill part it stands
    for (``"stopped"``, a compliance bucket; None: the whole bar)."""

    name: str
    values: Sequence[float]
    part: str | None = None
    colour: str | None = None


class ChartPanel(QWidget):
    drill_requested = Signal(object, object)  # drill key, part (or None)

    def __init__(
        self,
        key: str,
        title: str,
        parent: QWidget | None = None,
        figure: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"analytics-{key}")
        self.setAccessibleName(title)
        self.key = key
        self.table_data: Table | None = None
        self.chart: QChart | None = None
        self.bar_sets: list[QBarSet] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        head = QLabel(title)
        head.setProperty("role", "subtitle")
        font = head.font()
        font.setBold(True)
        head.setFont(font)
        outer.addWidget(head)
        self.summary = named(muted(), f"{key}-summary", f"{title}: summary")
        outer.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        self.view: QWidget = figure or named(QChartView(), f"{key}-chart", f"{title}: chart")
        if isinstance(self.view, QChartView):
            self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumSize(360, 240)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        split.addWidget(self.view)
        self.table = named(QTableWidget(0, 0), f"{key}-table", f"{title}: table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)
        self.table.setMinimumWidth(280)
        self.table.itemSelectionChanged.connect(self._row_chosen)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([600, 420])
        outer.addWidget(split, 1)
        self.hover_line = named(muted(""), f"{key}-hover", f"{title}: value under the pointer")
        outer.addWidget(self.hover_line)
        drill = QHBoxLayout()
        self.drill_title = named(QLabel(""), f"{key}-drill-title", "Learners behind the selection")
        self.drill_title.setWordWrap(True)
        drill.addWidget(self.drill_title, 1)
        outer.addLayout(drill)
        self.drill_list = named(
            QListWidget(), f"{key}-drill", f"{title}: learners behind the selected bar"
        )
        self.drill_list.setMaximumHeight(130)
        self.drill_list.setVisible(False)
        outer.addWidget(self.drill_list)

    # -- content ------------------------------------------------------------------------------
    def set_table(self, table: Table) -> None:
        self.table_data = table
        self.table.blockSignals(True)
        self.table.clear()
        self.table.setColumnCount(len(table.headers))
        self.table.setHorizontalHeaderLabels(list(table.headers))
        self.table.setRowCount(len(table.rows))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, row in enumerate(table.rows):
            for c, value in enumerate(row):
                text = f"{value:g}" if isinstance(value, float) else str(value)
                item = QTableWidgetItem(text)
                if isinstance(value, int | float):
                    item.setTextAlignment(right)
                    item.setData(Qt.ItemDataRole.UserRole, value)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setAccessibleDescription(
            f"{table.title}: {len(table.rows)} rows. Choose a row to list the learners behind it."
        )
        self.table.blockSignals(False)

    def set_bars(
        self,
        categories: Sequence[str],
        bars: Sequence[Bars],
        keys: Sequence[Any],
        *,
        horizontal: bool = False,
        stacked: bool = False,
        colours: Sequence[str] = SERIES,
        axis_title: str = "",
    ) -> None:
        """Draw ``bars`` over ``categories``; a click on category ``i`` drills ``keys[i]``.

        Horizontal charts draw their first category at the bottom; they are given in reverse,
        so the chart reads top-down in the table's order."""
        if horizontal:
            categories, keys = list(reversed(categories)), list(reversed(keys))
            bars = [Bars(b.name, list(reversed(b.values)), b.part, b.colour) for b in bars]
        chart = _chart()
        kinds = {
            (False, False): QBarSeries,
            (True, False): QHorizontalBarSeries,
            (False, True): QStackedBarSeries,
            (True, True): QHorizontalStackedBarSeries,
        }
        series: QAbstractBarSeries = kinds[(horizontal, stacked)]()
        self.bar_sets = []
        top = 0.0
        for i, spec in enumerate(bars):
            bar_set = QBarSet(spec.name)
            bar_set.append([float(v) for v in spec.values])
            colour = QColor(spec.colour or colours[i % len(colours)])
            bar_set.setColor(colour)
            bar_set.setBorderColor(colour.darker(130))
            bar_set.setLabelColor(QColor(TEXT))
            bar_set.hovered.connect(lambda on, idx, s=spec: self._hover(on, categories, idx, s))
            bar_set.clicked.connect(lambda idx, s=spec: self._clicked(keys, idx, s.part))
            series.append(bar_set)
            self.bar_sets.append(bar_set)
            top = max([top, *(float(v) for v in spec.values)])
        if stacked:
            totals = [sum(float(b.values[i]) for b in bars) for i in range(len(categories))]
            top = max([0.0, *totals])
        chart.addSeries(series)
        cats = QBarCategoryAxis()
        cats.append([_short(c) for c in categories])
        cats.setLabelsColor(QColor(TEXT))
        cats.setTruncateLabels(False)  # "02 N…" says nothing; the names are short already
        if not horizontal and len(categories) > 8:
            cats.setLabelsAngle(-45)  # a quarter of weeks: turned, so they fit
        values = QValueAxis()
        nice = _nice(top)
        values.setRange(0, nice)
        values.setTickType(QValueAxis.TickType.TicksDynamic)
        values.setTickAnchor(0)
        values.setTickInterval(nice / 5)
        values.setLabelFormat("%.0f" if nice / 5 >= 1 and float(nice / 5).is_integer() else "%.1f")
        values.setLabelsColor(QColor(TEXT))
        values.setTitleText(axis_title)
        values.setTitleBrush(QColor(MUTED))
        if horizontal:
            chart.addAxis(cats, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(cats)
        series.attachAxis(values)
        chart.legend().setVisible(len(bars) > 1)
        self.set_chart(chart)

    def set_chart(self, chart: QChart) -> None:
        old = self.chart
        self.chart = chart
        assert isinstance(self.view, QChartView)
        self.view.setChart(chart)
        if old is not None:
            old.deleteLater()

    def set_summary(self, text: str) -> None:
        self.summary.setText(text)
        self.view.setAccessibleDescription(text + " The table beside the chart has every value.")

    # -- interaction --------------------------------------------------------------------------
    def _hover(self, on: bool, categories: Sequence[str], index: int, spec: Bars) -> None:
        if not on or not 0 <= index < len(spec.values):
            self.hover_line.setText("")
            QToolTip.hideText()
            return
        value = float(spec.values[index])
        shown = f"{value:g}"
        text = f"{categories[index]} · {spec.name}: {shown}"
        self.hover_line.setText(text + " (click for the learners)")
        QToolTip.showText(QCursor.pos(), text, self.view)

    def _clicked(self, keys: Sequence[Any], index: int, part: str | None) -> None:
        if 0 <= index < len(keys) and keys[index] is not None:
            self.drill_requested.emit(keys[index], part)

    def _row_chosen(self) -> None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or self.table_data is None or not self.table_data.keys:
            return
        row = rows[0].row()
        if row < len(self.table_data.keys) and self.table_data.keys[row] is not None:
            self.drill_requested.emit(self.table_data.keys[row], None)

    def show_drill(self, drill: Drill) -> None:
        n = len(drill.people)
        self.drill_title.setText(f"<b>{drill.title}</b> · {n} learner{'s' if n != 1 else ''}")
        self.drill_list.clear()
        for p in drill.people:
            self.drill_list.addItem(f"{p.name} — {p.detail}" if p.detail else p.name)
        self.drill_list.setVisible(True)

    def show_message(self, text: str) -> None:
        self.drill_title.setText(text)


def _chart() -> QChart:
    chart = QChart()
    chart.setBackgroundBrush(QColor(CHART_BACKGROUND))
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setLabelColor(QColor(TEXT))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    font = QFont(chart.font())
    font.setPointSize(max(9, font.pointSize()))
    chart.setFont(font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


def _nice(top: float) -> float:
    """An axis maximum a person reads easily (1, 2, 5 × 10^n), never below 1."""
    if top <= 1:
        return 1.0
    import math

    exp = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if top <= step * exp:
            return float(step * exp)
    return float(10 * exp)


def _short(label: str, width: int = 22) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"
