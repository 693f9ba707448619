"""Pick the importer for a file by its content (magic bytes), not only its name."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from engine.ingest.document import Document, IngestError, Progress, no_progress
from engine.ingest.docx_source import ingest_docx
from engine.ingest.html_source import ingest_html
from engine.ingest.limits import DEFAULT_LIMITS, Limits, size_mb
from engine.ingest.pdf_source import ingest_pdf
from engine.ingest.text_source import decode_as, ingest_text

SUPPORTED = "PDF, Word (.docx), web page (.html), text or Markdown"
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def ingest_file(
    path: Path,
    progress: Progress = no_progress,
    *,
    encoding: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Document:
    """Import one file. ``encoding`` (text and web pages) overrides the detected encoding.
    The file is only read, never written."""
    if not path.is_file():
        raise IngestError(f"{path} is not a file.")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"{path.name} is empty.")
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if head.startswith(b"%PDF"):
        return ingest_pdf(path, progress, limits=limits)
    if head.startswith(b"PK\x03\x04"):
        if suffix in (".docx", ".docm", ""):
            return ingest_docx(path, progress, limits=limits)
        raise IngestError(f"{path.name} is a ZIP archive; supported sources are {SUPPORTED}.")
    if suffix == ".pdf":
        raise IngestError(f"{path.name} is damaged or is not a PDF (no PDF header).")
    if suffix == ".docx":
        raise IngestError(f"{path.name} is damaged or is not a Word document.")
    if suffix in (".doc", ".ppt", ".pptx", ".xls", ".xlsx", ".odt"):
        raise IngestError(
            f"{path.name}: {suffix} files are not supported; save it as PDF or "
            f"DOCX. Supported: {SUPPORTED}."
        )
    is_html = suffix in HTML_SUFFIXES
    cap = limits.html_max_bytes if is_html else limits.text_max_bytes
    if size > cap:  # checked before reading a byte of it
        kind = "web pages" if is_html else "text sources"
        raise IngestError(f"{path.name} is {size_mb(size)}; {kind} must be under {size_mb(cap)}.")
    progress(0.0, f"Reading {path.name}")
    data = path.read_bytes()
    if is_html:
        text, used = decode_as(data, path.name, encoding, max_bytes=cap)
        doc = ingest_html(text, name=path.name, progress=progress, limits=limits)
        return replace(doc, encoding=used)
    return ingest_text(data, path.name, progress, encoding=encoding, limits=limits)
