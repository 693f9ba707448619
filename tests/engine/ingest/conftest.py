"""Real source documents made with real tools: python-docx writes DOCX, Qt's PDF writer
prints PDFs (as a word processor would), pypdf encrypts and multiplies pages."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

KITCHEN_HTML = """
<h1>Kitchen Safety</h1>
<p>Knives are the most common cause of kitchen injuries. Always cut away from your body.</p>
<h2>Knife handling</h2>
<p>A sharp knife is safer than a blunt one because it needs less force.</p>
<h2>Burns</h2>
<p>Cool a burn under running water for twenty minutes. Do not use ice or butter.</p>
"""


def print_pdf(html: str, dest: Path, title: str = "") -> Path:
    from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument
    from PySide6.QtWidgets import QApplication

    import app  # noqa: F401  (pydantic before Qt)

    _ = QApplication.instance() or QApplication([])
    doc = QTextDocument()
    doc.setHtml(html)
    writer = QPdfWriter(str(dest))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    if title:
        writer.setTitle(title)
    doc.print_(writer)
    return dest


def png_bytes(w: int = 64, h: int = 48) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    import app  # noqa: F401

    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor("#3B5BDB"))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(data.data())


@pytest.fixture(scope="session")
def kitchen_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return print_pdf(KITCHEN_HTML, tmp_path_factory.mktemp("pdf") / "kitchen.pdf", "Kitchen")


@pytest.fixture(scope="session")
def kitchen_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import docx
    from docx.shared import Inches

    d = docx.Document()
    d.core_properties.title = "Kitchen Safety"
    d.add_heading("Kitchen Safety", level=1)
    d.add_paragraph("Knives are the most common cause of kitchen injuries.")
    d.add_heading("Knife handling", level=2)
    d.add_paragraph("Carry a knife with the point down.", style="List Bullet")
    d.add_paragraph("Never try to catch a falling knife.", style="List Bullet")
    d.add_heading("Burn treatment", level=2)
    d.add_paragraph("Cool the burn.", style="List Number")
    d.add_paragraph("Cover it loosely.", style="List Number")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Burn", "Action"
    t.cell(1, 0).text, t.cell(1, 1).text = "Minor", "Cool for 20 minutes"
    d.add_picture(io.BytesIO(png_bytes()), width=Inches(1))
    path = tmp_path_factory.mktemp("docx") / "kitchen.docx"
    d.save(str(path))
    return path
