"""PDF: text with its structure recovered from font sizes (pypdf).

A PDF has no headings or lists, only positioned text. Lines set in a clearly larger font than
the body are headings; lines that start with a bullet or a number are list items; the rest is
joined into paragraphs. Encrypted, damaged and image-only PDFs get a clear message.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from engine.ingest.document import Document, Element, IngestError, Progress, no_progress

_BULLET = re.compile(r"^\s*(?:[•●▪‣◦\-*–]|\(?\d{1,3}[.)])\s+(.*)$")
_ORDERED = re.compile(r"^\s*\(?\d{1,3}[.)]\s+")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
MAX_PDF_BYTES = 300 * 1024 * 1024


def _lines_with_sizes(page: Any) -> list[tuple[str, float]]:
    """(line text, font size) for a page, from pypdf's text visitor."""
    runs: list[tuple[str, float]] = []

    def visit(text: str, _cm: Any, tm: Any, _font: Any, size: float) -> None:
        if text:
            scale = abs(float(tm[3])) if tm and float(tm[3]) else 1.0
            runs.append((text, round(float(size or 0) * scale, 1)))

    page.extract_text(visitor_text=visit)
    lines: list[tuple[str, float]] = []
    current, sizes = "", Counter[float]()
    for text, size in runs:
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if part:
                current += part
                sizes[size] += len(part)
            if i < len(parts) - 1:
                if current.strip():
                    lines.append((current.strip(), sizes.most_common(1)[0][0] if sizes else 0))
                current, sizes = "", Counter()
    if current.strip():
        lines.append((current.strip(), sizes.most_common(1)[0][0] if sizes else 0))
    return lines


def ingest_pdf(path: Path, progress: Progress = no_progress) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    name = path.name
    if path.stat().st_size > MAX_PDF_BYTES:
        raise IngestError(f"{name} is larger than {MAX_PDF_BYTES // 1_000_000} MB.")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as err:
                raise IngestError(
                    f"{name} is password-protected; remove the password and import it again."
                ) from err
            if not ok:
                raise IngestError(
                    f"{name} is password-protected; remove the password and import it again."
                )
        n = len(reader.pages)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as err:
        raise IngestError(f"{name} is damaged or is not a PDF ({err}).") from err
    if n == 0:
        raise IngestError(f"{name} has no pages.")
    pages: list[list[tuple[str, float]]] = []
    warnings: list[str] = []
    for i, page in enumerate(reader.pages, start=1):
        progress((i - 1) / n, f"Reading page {i} of {n}")
        try:
            pages.append(_lines_with_sizes(page))
        except Exception as err:
            warnings.append(f"Page {i} could not be read ({err}); it was skipped.")
            pages.append([])
    progress(1.0, f"Read {n} pages")
    chars = Counter[float]()
    for lines in pages:
        for text, size in lines:
            chars[size] += len(text)
    no_text = IngestError(
        f"{name} has no text layer (it may be scanned images). Export it with text, or "
        "paste its text instead."
    )
    if not chars:
        raise no_text
    body = chars.most_common(1)[0][0]
    elements: list[Element] = []
    para: list[str] = []
    items: list[str] = []
    ordered = False

    def flush(page_no: int) -> None:
        nonlocal para, items
        if para:
            elements.append(Element("paragraph", " ".join(para), page=page_no))
            para = []
        if items:
            elements.append(Element("list", items=tuple(items), ordered=ordered, page=page_no))
            items = []

    heading_sizes = sorted({s for s in chars if body and s >= body * 1.15}, reverse=True)
    for page_no, lines in enumerate(pages, start=1):
        for raw, size in lines:
            text = " ".join(raw.split())  # tabs and runs of spaces between words
            if _PAGE_NUMBER.match(text):
                continue  # running headers' and footers' page numbers are not content
            if size in heading_sizes and len(text) <= 120:
                flush(page_no)
                level = min(3, heading_sizes.index(size) + 1)
                elements.append(Element("heading", text, level=level, page=page_no))
            elif m := _BULLET.match(text):
                if para:
                    flush(page_no)
                if not items:
                    ordered = bool(_ORDERED.match(text))
                items.append(m.group(1).strip())
            else:
                if items:
                    flush(page_no)
                para.append(text)
                if text.endswith((".", "!", "?", ":")) and len(text) < 60:
                    flush(page_no)  # a short line ending a sentence closes its paragraph
        flush(page_no)
    if not elements:
        raise no_text  # only page numbers and blank lines
    meta_title = ""
    try:
        meta = reader.metadata
        meta_title = str(meta.title or "") if meta is not None else ""
    except Exception:
        meta_title = ""
    first_heading = next((e.text for e in elements if e.kind == "heading"), "")
    title = meta_title.strip() or first_heading or path.stem
    return Document(title, "pdf", tuple(elements), pages=n, warnings=tuple(warnings))
