"""Pick the importer for a file by its content (magic bytes), not only its name."""

from __future__ import annotations

from pathlib import Path

from engine.ingest.document import Document, IngestError, Progress, no_progress
from engine.ingest.docx_source import ingest_docx
from engine.ingest.html_source import ingest_html
from engine.ingest.pdf_source import ingest_pdf
from engine.ingest.text_source import decode, ingest_text

SUPPORTED = "PDF, Word (.docx), web page (.html), text or Markdown"


def ingest_file(path: Path, progress: Progress = no_progress) -> Document:
    if not path.is_file():
        raise IngestError(f"{path} is not a file.")
    if path.stat().st_size == 0:
        raise IngestError(f"{path.name} is empty.")
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if head.startswith(b"%PDF"):
        return ingest_pdf(path, progress)
    if head.startswith(b"PK\x03\x04"):
        if suffix in (".docx", ".docm", ""):
            return ingest_docx(path, progress)
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
    data = path.read_bytes()
    if suffix in (".html", ".htm", ".xhtml"):
        return ingest_html(decode(data, path.name), name=path.name)
    return ingest_text(data, path.name)
