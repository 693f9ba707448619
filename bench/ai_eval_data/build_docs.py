"""Rebuild the converted benchmark documents from their trimmed Markdown in ``src/``.

    .venv/bin/python bench/ai_eval_data/build_docs.py

Some originals exist only as Markdown in their repositories; SOURCES.md says which files were
converted here. ``src/<name>.md`` becomes ``docs/<name>.<ext>`` for the format in TARGETS:

* ``html`` — a plain HTML page (headings, paragraphs, lists),
* ``docx`` — python-docx with Word's built-in Heading / List styles,
* ``pdf`` — Qt's PDF writer (headings in larger type, as a PDF importer sees them).
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = {
    "turing_way_reviewing_contributions": "html",
    "18f_sensitive_information": "docx",
    "pep8_code_layout": "pdf",
}


def blocks(md: str) -> list[tuple[str, object]]:
    """('h1'|'h2'|'h3', text) / ('p', text) / ('ul'|'ol', [items]) from a Markdown subset."""
    out: list[tuple[str, object]] = []
    para: list[str] = []
    items: list[str] = []
    kind = ""

    def flush() -> None:
        nonlocal para, items, kind
        if para:
            out.append(("p", " ".join(para)))
        if items:
            out.append((kind, list(items)))
        para, items, kind = [], [], ""

    for raw in md.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        m = re.match(r"^(#{1,3})\s+(.*)", line)
        if m:
            flush()
            out.append((f"h{len(m.group(1))}", m.group(2)))
            continue
        m = re.match(r"^(?:[-*]|(\d+)\.)\s+(.*)", line)
        if m:
            if para:
                out.append(("p", " ".join(para)))
                para = []
            kind = "ol" if m.group(1) else "ul"
            items.append(m.group(2))
            continue
        para.append(line)
    flush()
    return out


def to_html(title: str, bl: list[tuple[str, object]]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title></head><body><main>",
    ]
    for kind, value in bl:
        if kind in ("ul", "ol"):
            assert isinstance(value, list)
            lis = "".join(f"<li>{html.escape(v)}</li>" for v in value)
            parts.append(f"<{kind}>{lis}</{kind}>")
        else:
            parts.append(f"<{kind}>{html.escape(str(value))}</{kind}>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def to_docx(title: str, bl: list[tuple[str, object]], dest: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = title
    for kind, value in bl:
        if kind.startswith("h"):
            d.add_heading(str(value), level=int(kind[1]))
        elif kind in ("ul", "ol"):
            assert isinstance(value, list)
            style = "List Number" if kind == "ol" else "List Bullet"
            for v in value:
                d.add_paragraph(v, style=style)
        else:
            d.add_paragraph(str(value))
    d.save(str(dest))


def to_pdf(title: str, bl: list[tuple[str, object]], dest: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument
    from PySide6.QtWidgets import QApplication

    _ = QApplication.instance() or QApplication([])
    doc = QTextDocument()
    doc.setHtml(to_html(title, bl))
    doc.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, title)
    w = QPdfWriter(str(dest))
    w.setTitle(title)
    w.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    doc.print_(w)


def main() -> int:
    for name, fmt in TARGETS.items():
        md = (HERE / "src" / f"{name}.md").read_text(encoding="utf-8")
        bl = blocks(md)
        title = next((str(v) for k, v in bl if k == "h1"), name)
        dest = HERE / "docs" / f"{name}.{fmt}"
        if fmt == "html":
            dest.write_text(to_html(title, bl) + "\n", encoding="utf-8")
        elif fmt == "docx":
            to_docx(title, bl, dest)
        else:
            to_pdf(title, bl, dest)
        print(dest.relative_to(HERE), dest.stat().st_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
