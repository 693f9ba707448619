"""The learner's skills: a drawn skill tree coloured by mastery, and the same data as a table.

The graph is laid out by hand (layered tree: leaves side by side, parents centred over their
children). Each node shows the skill, the mastery percentage and the target; an open gap gets
a red outline and the word "gap", so colour is never the only cue. A skill no answer has
measured yet is its own state — grey, a dashed outline and "Not yet assessed" — never a gap.
The table below carries the same information for screen readers and keyboard users.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import practice, twin
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.shell.theme import BORDER, DANGER, MUTED, TEXT

STATUS_TEXT = {
    "not_assessed": "Not yet assessed",
    "gap": "Gap",
    "on_target": "On target",
    "in_progress": "In progress",
}

NODE_W, NODE_H = 230.0, 70.0
MIN_GRAPH_SCALE, MAX_GRAPH_SCALE = 0.8, 1.5  # readable when small, not huge when large
GAP_X, GAP_Y = 24.0, 56.0

_NO_DATA = QColor("#EEF0F5")
_LOW = QColor("#FDE2E1")
_MID = QColor("#FFF1C7")
_HIGH = QColor("#D3F2DF")


def mastery_colour(mastery: float | None) -> QColor:
    """Light fills (dark text stays readable): red-ish → amber → green with mastery."""
    if mastery is None:
        return QColor(_NO_DATA)
    m = min(1.0, max(0.0, mastery))
    a, b, t = (_LOW, _MID, m / 0.5) if m < 0.5 else (_MID, _HIGH, (m - 0.5) / 0.5)
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


def describe(skill: twin.SkillView) -> str:
    """The sentence a screen reader hears for one skill."""
    parts = [skill.name]
    parts.append("not yet assessed" if skill.mastery is None else f"mastery {skill.mastery:.0%}")
    if skill.target is not None:
        parts.append(f"target {skill.target:.0%}")
    if skill.state == "gap":
        parts.append("skill gap")
    elif skill.state == "on_target":
        parts.append("on target")
    return ", ".join(parts)


class SkillNode(QGraphicsRectItem):
    def __init__(self, skill: twin.SkillView, x: float, y: float) -> None:
        super().__init__(0.0, 0.0, NODE_W, NODE_H)
        self.skill = skill
        self.setPos(x, y)
        self.setBrush(QBrush(mastery_colour(skill.mastery)))
        gap = skill.state == "gap"
        pen = QPen(QColor(DANGER) if gap else QColor(MUTED if skill.mastery is None else BORDER))
        pen.setWidthF(3.0 if gap else 1.0)
        if skill.mastery is None:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
        self.accessible_name = describe(skill)
        self.setToolTip(self.accessible_name)
        self.setData(0, skill.id)
        self.setFlag(QGraphicsRectItem.GraphicsItemFlag.ItemIsFocusable, True)

        name = QGraphicsSimpleTextItem(skill.name, self)
        bold = QFont()
        bold.setBold(True)
        name.setFont(bold)
        name.setBrush(QColor(TEXT))
        name.setPos(10.0, 8.0)
        if skill.mastery is None:
            line = "Not yet assessed"
            if skill.target is not None:
                line += f" · target {skill.target:.0%}"
        else:
            pct = f"{skill.mastery:.0%}"
            line = pct if skill.target is None else f"{pct} · target {skill.target:.0%}"
        self.mastery_text = QGraphicsSimpleTextItem(line, self)
        self.mastery_text.setBrush(QColor(MUTED if skill.mastery is None else TEXT))
        self.mastery_text.setPos(10.0, 30.0)
        self.gap_text: QGraphicsSimpleTextItem | None = None
        if gap:
            self.gap_text = QGraphicsSimpleTextItem("gap", self)
            self.gap_text.setFont(bold)
            self.gap_text.setBrush(QColor(DANGER))
            self.gap_text.setPos(NODE_W - 10.0 - self.gap_text.boundingRect().width(), 48.0)
        evidence = QGraphicsSimpleTextItem(
            f"{skill.evidence} answer{'s' if skill.evidence != 1 else ''}", self
        )
        evidence.setBrush(QColor(MUTED))
        evidence.setPos(10.0, 48.0)


def layout_tree(skills: list[twin.SkillView]) -> dict[str, tuple[float, float]]:
    """Top-left corner per skill: depth gives the row, leaves take consecutive columns.

    The skill hierarchy (``parent_skill_id``) is a networkx graph; a DFS forest of it decides
    placement, so a parent loop in bad data still gives every skill exactly one place.
    (networkx is imported here, on first use, so it does not slow the app's start.)
    """
    import networkx as nx

    order = {s.id: i for i, s in enumerate(skills)}  # parents before children, by name
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(order)
    graph.add_edges_from(
        (s.parent_id, s.id) for s in skills if s.parent_id in order and s.parent_id != s.id
    )
    starts = [n for n in order if graph.in_degree(n) == 0] + list(order)
    forest: nx.DiGraph[str] = nx.DiGraph()
    for start in starts:
        if start in forest:
            continue
        rest = graph.subgraph(n for n in graph if n not in forest)
        forest.add_node(start)
        forest.add_edges_from(nx.dfs_edges(rest, start))
    pos: dict[str, tuple[float, float]] = {}
    next_col = 0.0

    def place(sid: str, depth: int) -> float:
        nonlocal next_col
        kids = sorted(forest.successors(sid), key=order.__getitem__)
        if kids:
            xs = [place(k, depth + 1) for k in kids]
            x = (xs[0] + xs[-1]) / 2.0
        else:
            x = next_col * (NODE_W + GAP_X)
            next_col += 1
        pos[sid] = (x, depth * (NODE_H + GAP_Y))
        return x

    for root in sorted((n for n in forest if forest.in_degree(n) == 0), key=order.__getitem__):
        place(root, 0)
    return pos


class _FittingView(QGraphicsView):
    """Shows the whole tree, scaled to the view within readable limits."""

    def fit(self) -> None:
        rect = self.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        scale = self.transform().m11()
        clamped = min(MAX_GRAPH_SCALE, max(MIN_GRAPH_SCALE, scale))
        if clamped != scale:
            self.resetTransform()
            self.scale(clamped, clamped)
            self.centerOn(rect.center())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()


class SkillsView(QWidget):
    back_requested = Signal()
    practise_requested = Signal(str, str)  # course id, skill id

    COLUMNS = ("Skill", "Part of", "Mastery", "Target", "Answers", "Status")

    def __init__(self, ctx: AppContext, user: CurrentUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.user = ctx, user
        self.setObjectName("skills-view")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        header = QHBoxLayout()
        self.back_button = QPushButton("← Dashboard")
        self.back_button.setObjectName("skills-back")
        self.back_button.setAccessibleName("Back to the dashboard")
        self.back_button.clicked.connect(self.back_requested)
        header.addWidget(self.back_button)
        title = QLabel("Your skills")
        title.setProperty("role", "title")
        header.addWidget(title, 1)
        outer.addLayout(header)
        self.summary = QLabel()
        self.summary.setObjectName("skills-summary")
        self.summary.setProperty("role", "subtitle")
        self.summary.setWordWrap(True)
        outer.addWidget(self.summary)
        legend = QLabel(
            "Colour shows mastery: red low, amber middling, green strong. A red outline and "
            "the word “gap” mark a measured skill below its course target. Grey with a dashed "
            "outline: not yet assessed — answer its questions to see where you stand."
        )
        legend.setProperty("role", "muted")
        legend.setWordWrap(True)
        outer.addWidget(legend)

        self.scene = QGraphicsScene(self)
        self.graph = _FittingView(self.scene)
        self.graph.setObjectName("skills-graph")
        self.graph.setAccessibleName("Skills graph")
        self.graph.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.graph.setMinimumHeight(260)
        outer.addWidget(self.graph, 3)

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("skills-table")
        self.table.setAccessibleName("Skills table")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        outer.addWidget(self.table, 2)
        row = QHBoxLayout()
        self.practise_hint = QLabel("Select a skill in the table to practise it.")
        self.practise_hint.setProperty("role", "muted")
        row.addWidget(self.practise_hint, 1)
        self.practise_button = QPushButton("Practise selected skill")
        self.practise_button.setObjectName("practise-skill")
        self.practise_button.setAccessibleName("Practise the selected skill")
        self.practise_button.setProperty("role", "primary")
        self.practise_button.clicked.connect(self._practise)
        row.addWidget(self.practise_button)
        outer.addLayout(row)
        self.nodes: dict[str, SkillNode] = {}
        self.skills: list[twin.SkillView] = []
        self.refresh()

    def _practise(self) -> None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.skills):
            self.practise_hint.setText("Select a skill in the table first.")
            return
        skill = self.skills[row]
        course_id = practice.course_for_skill(self.ctx, self.user, skill.id)
        if course_id is None:
            self.practise_hint.setText(f"No course of yours has questions on {skill.name} yet.")
            return
        self.practise_requested.emit(course_id, skill.id)

    def refresh(self) -> None:
        self.skills = twin.skills_overview(self.ctx, self.user)
        self._draw()
        self._fill_table()
        gaps = sum(s.state == "gap" for s in self.skills)
        assessed = sum(s.mastery is not None for s in self.skills)
        if not self.skills:
            self.summary.setText("No skills are defined for your organisation yet.")
        else:
            self.summary.setText(
                f"{len(self.skills)} skills · {assessed} assessed · "
                f"{gaps} gap{'s' if gaps != 1 else ''} to close"
            )
        self.graph.setAccessibleDescription(
            "; ".join(describe(s) for s in self.skills) or "No skills"
        )

    def _draw(self) -> None:
        self.scene.clear()
        self.nodes = {}
        pos = layout_tree(self.skills)
        edge_pen = QPen(QColor(MUTED))
        edge_pen.setWidthF(1.5)
        for s in self.skills:
            if s.parent_id is not None and s.parent_id in pos and s.id in pos:
                px, py = pos[s.parent_id]
                cx, cy = pos[s.id]
                line = self.scene.addLine(
                    px + NODE_W / 2, py + NODE_H, cx + NODE_W / 2, cy, edge_pen
                )
                line.setZValue(-1)
        for s in self.skills:
            x, y = pos[s.id]
            node = SkillNode(s, x, y)
            self.scene.addItem(node)
            self.nodes[s.id] = node
        self.scene.setSceneRect(self.scene.itemsBoundingRect().adjusted(-12, -12, 12, 12))
        if not self.skills:
            self.scene.setSceneRect(QRectF(0, 0, 10, 10))
        self.graph.fit()

    def _fill_table(self) -> None:
        names = {s.id: s.name for s in self.skills}
        self.table.setRowCount(len(self.skills))
        for row, s in enumerate(self.skills):
            status = STATUS_TEXT[s.state]
            cells = (
                s.name,
                names.get(s.parent_id or "", "—"),
                "—" if s.mastery is None else f"{s.mastery:.0%}",
                "—" if s.target is None else f"{s.target:.0%}",
                str(s.evidence),
                status,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{self.COLUMNS[col]}: {text}")
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, s.id)
                    item.setToolTip(describe(s))
                self.table.setItem(row, col, item)
