"""Exports of the dashboard: CSV (every table, from ``analytics_dashboard.to_csv``) and a PDF
report (``QPdfWriter``): a cover with the source and filters, then per view its charts as
drawn on screen and its tables as text, so a printed report says what the screen said.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter

from app.services.analytics import Table
from app.services.analytics_dashboard import TITLES, VIEWS, Dashboard, to_csv
from app.shell.theme import MUTED, TEXT

if TYPE_CHECKING:
    from app.studio.analytics.dashboard import AnalyticsView


def write_csv(board: Dashboard, path: str | Path) -> str:
    """Write the CSV; returns what to tell the person (written, or why not)."""
    try:
        Path(path).write_text(to_csv(board), encoding="utf-8", newline="")
    except OSError as err:
        return f"The CSV could not be written: {err.strerror or err}."
    return f"Saved {Path(path).name}."


def write_pdf(view: AnalyticsView, path: str | Path) -> str:
    board = view.board
    if board is None:
        return "Nothing loaded yet."
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    writer.setPageMargins(QMarginsF(12, 12, 12, 12))
    writer.setResolution(110)
    writer.setTitle("ByteOS analytics report")
    painter = QPainter()
    if not painter.begin(writer):
        return "The PDF could not be written (is the folder writable?)."
    page = writer.pageLayout().paintRectPixels(writer.resolution())
    width, height = page.width(), page.height()
    y = _text(painter, 0, "Analytics report", 18, bold=True, width=width)
    meta = board.meta
    y = _text(painter, y + 6, meta.line() if meta else "", 10, colour=MUTED, width=width)
    f = board.filters
    y = _text(
        painter,
        y + 2,
        f"Dates {f.start} to {f.end} · role: {f.role or 'everyone'}",
        10,
        colour=MUTED,
        width=width,
    )
    first = True
    for key in VIEWS:
        tab = view.tab[key]
        result = board.results.get(key)
        if not first:
            writer.newPage()
            y = 0
        first = False
        y = _text(painter, y + 10, TITLES[key], 15, bold=True, width=width)
        if result is None:
            _text(painter, y + 6, board.problems.get(key, ""), 10, width=width)
            continue
        for panel in tab.panels.values():
            shot = panel.view.grab()
            if shot.isNull() or shot.width() == 0:
                continue
            target = QSize(min(width // 2, shot.width()), 0)
            target.setHeight(shot.height() * target.width() // max(1, shot.width()))
            if y + target.height() > height:
                writer.newPage()
                y = 0
            painter.drawPixmap(QRect(0, y + 6, target.width(), target.height()), shot)
            bottom = y + 6 + target.height()
            end = _table(
                painter, width // 2 + 16, y + 6, width // 2 - 16, height, panel.table_data, writer
            )
            # a table that ran onto a new page ends above the picture's bottom: take the table's
            y = (end if end < y else max(end, bottom)) + 12
    painter.end()
    return f"Saved {Path(path).name}."


def _text(
    painter: QPainter,
    y: int,
    text: str,
    size: int,
    *,
    bold: bool = False,
    colour: str = TEXT,
    width: int = 800,
    x: int = 0,
) -> int:
    font = QFont()
    font.setPointSize(size)
    font.setBold(bold)
    painter.setFont(font)
    painter.setPen(QColor(colour))
    rect = painter.boundingRect(QRect(x, y, width, 2000), Qt.TextFlag.TextWordWrap, text)
    painter.drawText(rect, Qt.TextFlag.TextWordWrap, text)
    return rect.bottom()


def _table(
    painter: QPainter,
    x: int,
    y: int,
    width: int,
    height: int,
    table: Table | None,
    writer: QPdfWriter,
) -> int:
    if table is None:
        return y
    y = _text(painter, y, table.title, 10, bold=True, width=width, x=x)
    y = _text(painter, y + 2, " | ".join(table.headers), 8, bold=True, width=width, x=x)
    for row in table.rows[:40]:
        if y > height - 20:
            writer.newPage()
            y = 0
        y = _text(painter, y + 1, " | ".join(str(c) for c in row), 8, width=width, x=x)
    if len(table.rows) > 40:
        y = _text(
            painter,
            y + 2,
            f"… and {len(table.rows) - 40} more rows (see the CSV).",
            8,
            colour=MUTED,
            width=width,
            x=x,
        )
    return y
