"""ByteMind: the module's concepts as an interactive, zoomable mind map.

Wheel or Ctrl +/- zooms, dragging pans, clicking a node shows what it stands for (the source
sentence), and Tab / Shift+Tab walk the nodes for keyboard users.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.learn.modalities.base import ModalityHost, ModalityView, local_shortcut
from app.shell.theme import ACCENT, BORDER, INFO_BG, TEXT, TIP_BG
from engine.modalities.mindmap import build_mindmap, radial_layout

_FILL = {
    "module": ACCENT,
    "section": INFO_BG,
    "concept": "#FFFFFF",
    "point": "#FFFFFF",
    "tip": TIP_BG,
}
_W = {"module": 200, "section": 190, "concept": 150, "point": 210, "tip": 210}
_H = 46


class MindNode(QGraphicsRectItem):
    """A bubble whose text wraps inside a fixed width; its height follows the text."""

    def __init__(self, node_id: str, label: str, kind: str, detail: str) -> None:
        w = _W.get(kind, 160)
        super().__init__()
        self.node_id, self.label, self.kind, self.detail = node_id, label, kind, detail
        text = QGraphicsTextItem(label, parent=self)
        self.text = text
        font = QFont()
        font.setPointSizeF(11 if kind in ("module", "section") else 10)
        font.setBold(kind in ("module", "section"))
        text.setFont(font)
        text.setDefaultTextColor(QColor("#FFFFFF" if kind == "module" else TEXT))
        text.setTextWidth(w - 12)
        text.setPlainText(label)
        doc = text.document()
        option = doc.defaultTextOption()
        option.setAlignment(Qt.AlignmentFlag.AlignCenter)
        doc.setDefaultTextOption(option)
        h = max(_H, doc.size().height() + 10)
        self.setRect(QRectF(-w / 2, -h / 2, w, h))
        text.setPos(-w / 2 + 6, -doc.size().height() / 2)
        self.setBrush(QBrush(QColor(_FILL.get(kind, "#FFFFFF"))))
        self.setPen(QPen(QColor(ACCENT if kind != "concept" else BORDER), 1.5))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, True)
        self.setToolTip(detail)


class MindView(QGraphicsView):
    def wheelEvent(self, event: QWheelEvent) -> None:
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(factor, factor)


class MindMapView(ModalityView):
    name = "mindmap"
    label = "ByteMind"

    def __init__(self, host: ModalityHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        m = host.module
        self.graph = build_mindmap(m.title, m.blocks)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        hint = QLabel("Scroll or Ctrl +/− to zoom, drag to move, click a bubble to see why.")
        hint.setProperty("role", "muted")
        bar.addWidget(hint, 1)
        for text, name, fn in (
            ("−", "mindmap-zoom-out", lambda: self.zoom(1 / 1.25)),
            ("+", "mindmap-zoom-in", lambda: self.zoom(1.25)),
            ("Fit", "mindmap-fit", self.fit),
        ):
            b = QPushButton(text)
            b.setObjectName(name)
            b.setAccessibleName({"−": "Zoom out", "+": "Zoom in"}.get(text, "Fit map to view"))
            b.clicked.connect(fn)
            bar.addWidget(b)
        lay.addLayout(bar)
        self.scene = QGraphicsScene(self)
        self.view = MindView(self.scene)
        self.view.setObjectName("mindmap-canvas")
        self.view.setAccessibleName(f"Mind map of {m.title}")
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        lay.addWidget(self.view, 1)
        self.detail = QLabel("Select a bubble to see where it comes from in the module.")
        self.detail.setObjectName("mindmap-detail")
        self.detail.setWordWrap(True)
        lay.addWidget(self.detail)
        self.nodes: dict[str, MindNode] = {}
        self._draw()
        self.scene.selectionChanged.connect(self._selected)
        local_shortcut(self, "Ctrl+=", lambda: self.zoom(1.25))
        local_shortcut(self, "Ctrl+-", lambda: self.zoom(1 / 1.25))
        local_shortcut(self, "Ctrl+0", self.fit)
        self.view.setAccessibleDescription(
            "; ".join(f"{a['label']} ({a['kind']})" for _n, a in self.graph.nodes(data=True))
        )

    def _draw(self) -> None:
        pos = radial_layout(self.graph)
        pen = QPen(QColor(BORDER), 1.6)
        for a, b in self.graph.edges:
            (x1, y1), (x2, y2) = pos[a], pos[b]
            line = QGraphicsLineItem(x1, y1, x2, y2)
            line.setPen(pen)
            line.setZValue(-1)
            self.scene.addItem(line)
        for nid, attrs in self.graph.nodes(data=True):
            node = MindNode(nid, attrs["label"], attrs["kind"], attrs["detail"])
            node.setPos(*pos[nid])
            self.scene.addItem(node)
            self.nodes[nid] = node

    def _selected(self) -> None:
        items = [i for i in self.scene.selectedItems() if isinstance(i, MindNode)]
        if items:
            n = items[0]
            self.detail.setText(f"<b>{n.label}</b> — {n.detail}")
            self.detail.setAccessibleName(f"{n.label}: {n.detail}")

    def select(self, node_id: str) -> None:
        self.scene.clearSelection()
        self.nodes[node_id].setSelected(True)
        self.view.centerOn(self.nodes[node_id])

    def zoom(self, factor: float) -> None:
        self.view.scale(factor, factor)

    def fit(self) -> None:
        rect = self.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        self.view.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def activate(self) -> None:
        self.fit()
        self.view.setFocus()

    def showEvent(self, event: object) -> None:  # fit once the view has its real size
        super().showEvent(event)  # type: ignore[arg-type]
        self.fit()
