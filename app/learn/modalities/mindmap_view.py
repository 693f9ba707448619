"""ByteMind: the module's concepts as an interactive, zoomable mind map.

Wheel or Ctrl +/- zooms, dragging pans, clicking a node shows what it stands for (the source
sentence), and Tab / Shift+Tab walk the nodes for keyboard users.

Two rules keep it readable: zoom never goes below ``MIN_SCALE`` (Fit included: a map too big
for the window at a readable size is centred and panned instead of shrunk to 6 px text), and
concept bubbles show whole words and phrases as the module writes them (``whole_phrases``:
"Hermann Ebbinghaus", not "hermann"; "Storage strength", not "storage" and "strength").
"""

from __future__ import annotations

import re

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
from engine.modalities.mindmap import ROOT, MindMap, build_mindmap, radial_layout

MIN_SCALE = 0.8  # smallest zoom: 10.5 pt concept text stays >= 8.4 pt (about 11 px)
MAX_SCALE = 4.0

# single words the offline term picker can return that name no concept on their own
_NOT_A_CONCEPT = frozenset(
    {
        "able",
        "within",
        "without",
        "across",
        "around",
        "instead",
        "later",
        "rather",
        "whether",
        "though",
        "although",
        "really",
        "simply",
        "usually",
        "another",
        "enough",
    }
)
_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" “\"'(")
    return before == "" or before.endswith((".", "!", "?", ":"))


def _phrase_in(sentence: str, term: str) -> tuple[int, int] | None:
    m = re.search(rf"(?<![\w'’-]){re.escape(term)}(?![\w'’-])", sentence, re.IGNORECASE)
    return (m.start(), m.end()) if m else None


def _extend_name(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Grow a capitalised word in mid-sentence into the whole name ("Hermann Ebbinghaus")."""
    if not sentence[start].isupper() or _sentence_start(sentence, start):
        return start, end
    words = [(m.start(), m.end()) for m in _WORDS.finditer(sentence)]
    idx = next(i for i, (a, b) in enumerate(words) if a <= start < b)
    lo = hi = idx
    while hi + 1 < len(words) and sentence[words[hi + 1][0]].isupper():
        if sentence[words[hi][1] : words[hi + 1][0]].strip():  # punctuation between
            break
        hi += 1
    while lo > 0 and sentence[words[lo - 1][0]].isupper():
        a = words[lo - 1][0]
        if _sentence_start(sentence, a) or sentence[words[lo - 1][1] : words[lo][0]].strip():
            break
        lo -= 1
    return words[lo][0], words[hi][1]


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def whole_phrases(graph: MindMap) -> MindMap:
    """Concept labels as whole words and phrases from the module's own sentence.

    The offline term picker lower-cases single words and can split a phrase into siblings;
    here each concept is found in the sentence it stands for and shown as written there:
    a name grows to the full name, two sibling words that stand side by side become one
    phrase (the second node is dropped), internal capitals are kept ("ByteOS"), and a lone
    word that names nothing ("able", "within") is dropped. Other nodes are untouched.
    """
    g = graph.copy()
    for section in [n for n in g.successors(ROOT)] if ROOT in g else []:
        kids = [k for k in g.successors(section) if g.nodes[k].get("kind") == "concept"]
        terms = {k: str(g.nodes[k]["label"]) for k in kids}
        spans: dict[str, tuple[str, int, int]] = {}
        for k in kids:
            sentence = str(g.nodes[k].get("detail") or "")
            found = _phrase_in(sentence, terms[k])
            if found is not None:
                spans[k] = (sentence, *found)
        dropped: set[str] = set()
        for k in kids:
            if k in dropped:
                continue
            if k not in spans:
                g.nodes[k]["label"] = _sentence_case(terms[k])
                continue
            sentence, a, b = spans[k]
            written = sentence[a:b]
            common = written.islower() or (_sentence_start(sentence, a) and written[1:].islower())
            # absorb the sibling terms that follow directly ("storage" + "strength"), for
            # common nouns only ("ByteOS records" is a name and a verb, not a phrase)
            while common:
                nxt = re.match(r"[ -]([a-z][\w'’-]*)", sentence[b:])
                if nxt is None:
                    break
                word = nxt.group(1)
                if word not in terms.values() or word in _NOT_A_CONCEPT:
                    break
                b += nxt.end()
                dropped.update(o for o in kids if o != k and terms[o] == word)
            a, b = _extend_name(sentence, a, b)
            g.nodes[k]["label"] = _sentence_case(" ".join(sentence[a:b].split()))
        for k in kids:
            label = str(g.nodes[k]["label"])
            if k not in dropped and " " not in label and label.lower() in _NOT_A_CONCEPT:
                dropped.add(k)
        # a phrase now covering another sibling's word makes that sibling redundant
        labels = {k: str(g.nodes[k]["label"]).lower() for k in kids if k not in dropped}
        for k, label in labels.items():
            if " " in label:
                continue
            if any(o != k and label in other.split() for o, other in labels.items()):
                dropped.add(k)
        g.remove_nodes_from(dropped)
    return g


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
        font.setPointSizeF(11.5 if kind in ("module", "section") else 10.5)
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
    def zoom_by(self, factor: float) -> None:
        """Scale by ``factor``, kept within [MIN_SCALE, MAX_SCALE] so text stays readable."""
        current = self.transform().m11()
        target = min(MAX_SCALE, max(MIN_SCALE, current * factor))
        if abs(target - current) > 1e-9:
            self.scale(target / current, target / current)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)


class MindMapView(ModalityView):
    name = "mindmap"
    label = "ByteMind"

    def __init__(self, host: ModalityHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        m = host.module
        self.graph = whole_phrases(build_mindmap(m.title, m.blocks))
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
        self.view.zoom_by(factor)

    def fit(self) -> None:
        """The whole map when it fits at a readable size; else readable, centred on the
        module (drag or scroll to see the rest)."""
        rect = self.scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
        self.view.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        scale = self.view.transform().m11()
        if scale < MIN_SCALE or scale > MAX_SCALE:
            self.view.resetTransform()
            s = min(MAX_SCALE, max(MIN_SCALE, scale))
            self.view.scale(s, s)
            if scale < MIN_SCALE and ROOT in self.nodes:
                self.view.centerOn(self.nodes[ROOT])

    def activate(self) -> None:
        self.fit()
        self.view.setFocus()

    def showEvent(self, event: object) -> None:  # fit once the view has its real size
        super().showEvent(event)  # type: ignore[arg-type]
        self.fit()
