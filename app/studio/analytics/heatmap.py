"""The skill-gap heat map: skills down the side (biggest gap first), learners across, one
cell per known gap, coloured in five AA-checked bands (``palette.HEAT_BANDS``) with the
value written in the cell when it fits.

QtCharts has no heat map, so it is painted here. It behaves like the charts: hovering a
cell says "learner · skill: gap 0.72"; clicking a cell (or Enter on the current one — the
arrow keys move it) asks for the learners behind that skill. The skill table beside it holds
every figure for screen readers.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.shell.theme import BORDER, FOCUS_RING, MUTED, TEXT
from app.studio.analytics.palette import HEAT_BANDS, NO_DATA, heat, text_on
from engine.analytics.skill_gaps import HeatMap

LEFT = 150
TOP = 96
CELL_W = 34
CELL_H = 26
LEGEND_H = 40


class HeatMapWidget(QWidget):
    cell_clicked = Signal(str, str)  # skill_id, user_id
    hovered_text = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("skills-heatmap")
        self.setAccessibleName("Skill gaps heat map")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.heat: HeatMap | None = None
        self.current = (0, 0)

    def set_heat(self, heat_map: HeatMap) -> None:
        self.heat = heat_map
        self.current = (0, 0)
        n_s, n_l = len(heat_map.shown_skills), len(heat_map.learners)
        self.setAccessibleDescription(
            f"{n_s} skills by {n_l} learners, biggest gaps at the top left. "
            "Arrow keys move between cells, Enter lists the learners with a gap in that skill."
        )
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        if self.heat is None:
            return QSize(400, 240)
        w = LEFT + CELL_W * max(1, len(self.heat.learners)) + 16
        h = TOP + CELL_H * max(1, len(self.heat.shown_skills)) + LEGEND_H + 16
        return QSize(w, h)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 200)

    # -- geometry -----------------------------------------------------------------------------
    def _cell_size(self) -> tuple[int, int]:
        if self.heat is None or not self.heat.learners:
            return CELL_W, CELL_H
        room = max(12, (self.width() - LEFT - 16) // len(self.heat.learners))
        return min(CELL_W * 2, room), CELL_H

    def cell_rect(self, row: int, col: int) -> QRect:
        w, h = self._cell_size()
        return QRect(LEFT + col * w, TOP + row * h, w, h)

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        if self.heat is None:
            return None
        w, h = self._cell_size()
        col, row = (pos.x() - LEFT) // w, (pos.y() - TOP) // h
        if pos.x() < LEFT or pos.y() < TOP:
            return None
        if 0 <= row < len(self.heat.shown_skills) and 0 <= col < len(self.heat.learners):
            return row, col
        return None

    def describe(self, row: int, col: int) -> str:
        assert self.heat is not None
        sid = self.heat.shown_skills[row]
        uid, name = self.heat.learners[col]
        skill = next((s.name for s in self.heat.skills if s.skill_id == sid), sid)
        gap = self.heat.value(sid, uid)
        return f"{name} · {skill}: " + ("not assessed" if gap is None else f"gap {gap:.2f}")

    # -- painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.fillRect(self.rect(), QColor("#FFFFFF"))
        hm = self.heat
        if hm is None or not hm.shown_skills or not hm.learners:
            p.setPen(QColor(MUTED))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No skill has been assessed yet.")
            return
        names = {s.skill_id: s.name for s in hm.skills}
        w, h = self._cell_size()
        small = QFont(self.font())
        small.setPointSize(max(7, small.pointSize() - 1))
        p.setFont(small)
        for row, sid in enumerate(hm.shown_skills):
            p.setPen(QColor(TEXT))
            label = QRect(4, TOP + row * h, LEFT - 8, h)
            text = p.fontMetrics().elidedText(
                names.get(sid, sid), Qt.TextElideMode.ElideRight, LEFT - 8
            )
            p.drawText(label, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text)
            for col, (uid, _) in enumerate(hm.learners):
                r = self.cell_rect(row, col)
                gap = hm.value(sid, uid)
                colour = NO_DATA if gap is None else heat(gap)
                p.fillRect(r, QColor(colour))
                if gap is None:  # not assessed: hatched, never mistaken for a small gap
                    p.fillRect(r, QBrush(QColor(BORDER), Qt.BrushStyle.BDiagPattern))
                p.setPen(QPen(QColor(BORDER), 1))
                p.drawRect(r.adjusted(0, 0, -1, -1))
                if gap is not None and w >= 28:
                    p.setPen(QColor(text_on(colour)))
                    p.drawText(r, Qt.AlignmentFlag.AlignCenter, f"{gap:.1f}")
        p.setPen(QColor(TEXT))
        for col, (_, name) in enumerate(hm.learners):  # learner names, turned up the column
            p.save()
            p.translate(LEFT + col * w + w // 2 + 4, TOP - 6)
            p.rotate(-60)
            p.drawText(
                0, 0, p.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, TOP + 10)
            )
            p.restore()
        if self.hasFocus():
            row, col = self.current
            p.setPen(QPen(QColor(FOCUS_RING), 2))
            p.drawRect(self.cell_rect(row, col).adjusted(1, 1, -1, -1))
        y = TOP + len(hm.shown_skills) * h + 12
        x = LEFT
        for _, colour, band in HEAT_BANDS:  # the legend: colour never the only cue
            p.fillRect(QRect(x, y, 18, 14), QColor(colour))
            p.setPen(QColor(BORDER))
            p.drawRect(QRect(x, y, 18, 14))
            p.setPen(QColor(TEXT))
            p.drawText(x + 22, y + 12, band)
            x += 28 + p.fontMetrics().horizontalAdvance(band)
        p.fillRect(QRect(x, y, 18, 14), QColor(NO_DATA))
        p.fillRect(QRect(x, y, 18, 14), QBrush(QColor(BORDER), Qt.BrushStyle.BDiagPattern))
        p.setPen(QColor(BORDER))
        p.drawRect(QRect(x, y, 18, 14))
        p.setPen(QColor(TEXT))
        p.drawText(x + 22, y + 12, "not assessed")

    # -- interaction --------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().toPoint())
        if cell is None:
            QToolTip.hideText()
            self.hovered_text.emit("")
            return
        text = self.describe(*cell)
        QToolTip.showText(event.globalPosition().toPoint(), text, self)
        self.hovered_text.emit(text)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().toPoint())
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:
            self.current = cell
            self._activate()
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.heat is None or not self.heat.learners:
            super().keyPressEvent(event)
            return
        row, col = self.current
        moves = {
            Qt.Key.Key_Up: (-1, 0),
            Qt.Key.Key_Down: (1, 0),
            Qt.Key.Key_Left: (0, -1),
            Qt.Key.Key_Right: (0, 1),
        }
        key = Qt.Key(event.key())
        if key in moves:
            dr, dc = moves[key]
            row = min(max(0, row + dr), len(self.heat.shown_skills) - 1)
            col = min(max(0, col + dc), len(self.heat.learners) - 1)
            self.current = (row, col)
            self.hovered_text.emit(self.describe(row, col))
            self.update()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self._activate()
        else:
            super().keyPressEvent(event)

    def _activate(self) -> None:
        assert self.heat is not None
        row, col = self.current
        self.cell_clicked.emit(self.heat.shown_skills[row], self.heat.learners[col][0])
        self.update()
