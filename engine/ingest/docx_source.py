"""DOCX with python-docx: headings from paragraph styles, lists from list styles or
numbering, tables, and embedded pictures (size-checked), in document order."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from engine.ingest.document import Document, Element, IngestError, Progress, no_progress

MAX_DOCX_BYTES = 200 * 1024 * 1024
MAX_IMAGE_BYTES = 15 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


def _heading_level(style: str) -> int | None:
    s = style.lower()
    if s == "title":
        return 1
    if s.startswith("heading"):
        tail = s.removeprefix("heading").strip()
        return min(4, int(tail)) if tail.isdigit() else 1
    return None


def _is_list(paragraph: Any) -> tuple[bool, bool]:
    style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    numbered = paragraph._p.find(f"{_W}pPr/{_W}numPr") is not None
    if "list" in style or numbered:
        return True, "number" in style
    return False, False


def ingest_docx(path: Path, progress: Progress = no_progress) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    name = path.name
    if path.stat().st_size > MAX_DOCX_BYTES:
        raise IngestError(f"{name} is larger than {MAX_DOCX_BYTES // 1_000_000} MB.")
    try:
        d = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
        raise IngestError(f"{name} is damaged or is not a Word document ({err}).") from err
    body = list(d.element.body.iterchildren())
    elements: list[Element] = []
    warnings: list[str] = []
    items: list[str] = []
    ordered = False

    def flush() -> None:
        nonlocal items
        if items:
            elements.append(Element("list", items=tuple(items), ordered=ordered))
            items = []

    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for i, child in enumerate(body):
        if i % 50 == 0:
            progress(i / max(1, len(body)), f"Reading {name}")
        if child.tag == f"{_W}p":
            p = Paragraph(child, d)
            for blip in child.iter(f"{_A}blip"):
                rid = blip.get(f"{_R}embed")
                part = d.part.related_parts.get(rid) if rid else None
                if part is None:
                    continue
                blob: bytes = part.blob
                if len(blob) > MAX_IMAGE_BYTES:
                    warnings.append(f"An image of {len(blob) // 1_000_000} MB was left out.")
                    continue
                descr = next((dp.get("descr") or "" for dp in child.iter(f"{_WP}docPr")), "")
                kind = part.content_type.split("/")[-1]
                flush()
                elements.append(Element("image", image=blob, image_type=kind, alt=descr))
            text = p.text.strip()
            if not text:
                continue
            level = _heading_level(p.style.name if p.style is not None else "")
            is_list, numbered = _is_list(p)
            if level is not None:
                flush()
                elements.append(Element("heading", text, level=level))
            elif is_list:
                if not items:
                    ordered = numbered
                items.append(text)
            else:
                flush()
                elements.append(Element("paragraph", text))
        elif child.tag == f"{_W}tbl":
            flush()
            t = Table(child, d)
            rows = tuple(tuple(c.text.strip() for c in r.cells) for r in t.rows)
            if any(any(cell for cell in r) for r in rows):
                elements.append(Element("table", rows=rows))
    flush()
    progress(1.0, f"Read {name}")
    if not any(e.text or e.items or e.rows for e in elements):
        raise IngestError(f"{name} is empty: there is no text to build a course from.")
    title = (d.core_properties.title or "").strip() or next(
        (e.text for e in elements if e.kind == "heading"), path.stem
    )
    return Document(title, "docx", tuple(elements), warnings=tuple(warnings))
