"""Every limit an importer enforces, in one place.

A source is untrusted input: a small file can ask for gigabytes of memory (a ZIP or deflate
bomb, XML entity expansion) or hours of work (thousands of pages sharing one huge content
stream, a web page of millions of elements). Each importer checks these limits *before* it
does the work where it can (file sizes, ZIP directory sizes and ratios) and while it works
(bytes actually unpacked, pages read, elapsed time), and says what happened in plain words.

The defaults are generous for real course material (a 2,000-page textbook, a 200 MB Word file
full of photos) and are documented in the README ("Studio AI authoring").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from engine.ingest.document import IngestError

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # -- every importer ---------------------------------------------------------------------
    max_seconds: float = 90.0
    """Wall-clock time for one import; past it the import stops (keeping what was read)."""
    # -- text and Markdown ------------------------------------------------------------------
    text_max_bytes: int = 50 * MiB
    """Size of a text or Markdown file (checked on disk, before reading)."""
    # -- web pages --------------------------------------------------------------------------
    html_max_bytes: int = 30 * MiB
    """Size of a saved web page or a downloaded one (the download stops there)."""
    html_max_elements: int = 50_000
    """Elements above which a page is read by ByteOS's fast linear reader instead of the
    article extractor (trafilatura: ~0.25 ms per element, uninterruptible), with a warning."""
    html_max_extract_chars: int = 2_000_000
    """Characters of text above which the same happens (trafilatura: ~3-4 s per million)."""
    # -- Word (.docx) -----------------------------------------------------------------------
    docx_max_bytes: int = 200 * MiB
    """Size of the .docx file on disk."""
    docx_max_members: int = 10_000
    """Files inside the .docx (a ZIP archive)."""
    docx_max_part_bytes: int = 64 * MiB
    """Unpacked size of one XML part (the text is word/document.xml)."""
    docx_max_unpacked_bytes: int = 256 * MiB
    """Unpacked size of everything read from the archive together."""
    docx_max_ratio: float = 200.0
    """Unpacked / packed size of a member larger than 1 MiB (real XML packs 5-50x)."""
    image_max_bytes: int = 15 * MiB
    """One embedded picture; larger ones are left out with a warning, never unpacked."""
    # -- PDF --------------------------------------------------------------------------------
    pdf_max_bytes: int = 300 * MiB
    """Size of the PDF file on disk."""
    pdf_max_pages: int = 2_000
    """Pages read; the rest of a longer PDF is left out with a warning. A page tree of more
    than ten times this is refused (counted before pypdf builds a Python object per page)."""
    pdf_max_page_content_bytes: int = 4 * MiB
    """Decompressed drawing instructions of one page; a larger page is skipped unread (pypdf
    parses text instructions at ~0.3 MB/s before a time check can run, so this also bounds
    the wait for one page)."""
    pdf_max_content_bytes: int = 64 * MiB
    """Decompressed drawing instructions of all pages together (a stream shared by many pages
    counts once per page: each page costs that work)."""
    pdf_max_page_runs: int = 200_000
    """Pieces of text one page may produce (a real dense page has a few thousand)."""

    def ratio_applies(self, unpacked: int) -> bool:
        return unpacked > 1 * MiB


DEFAULT_LIMITS = Limits()


@dataclass
class Budget:
    """The time an import may take, and a cheap check to call inside loops."""

    name: str
    limits: Limits = field(default_factory=Limits)
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def over(self) -> bool:
        return self.elapsed > self.limits.max_seconds

    def seconds_message(self) -> str:
        return (
            f"the file asks for more work than ByteOS allows for one import "
            f"({self.limits.max_seconds:.0f} seconds)"
        )

    def check(self, what: str) -> None:
        """Raise a clear ``IngestError`` once the time is up; ``what`` = how far it got."""
        if self.over():
            raise IngestError(f"{self.name}: stopped after {what}: {self.seconds_message()}.")


def size_mb(n: int) -> str:
    """A size for a creator to read (binary megabytes, as file managers show them)."""
    if n >= 10 * MiB:
        return f"{n / MiB:,.0f} MB"
    if n >= MiB:
        return f"{n / MiB:,.0f} MB" if n % MiB == 0 else f"{n / MiB:,.1f} MB"
    return f"{max(1, round(n / 1024)):,} KB"
