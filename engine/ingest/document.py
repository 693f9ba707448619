"""The structured document every importer produces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

ElementKind = Literal["heading", "paragraph", "list", "table", "image", "code"]
SourceKind = Literal["pdf", "docx", "html", "text", "markdown", "prompt"]

# progress(fraction 0..1, message); raising from it (e.g. a Cancelled) stops the import
Progress = Callable[[float, str], None]


class IngestError(ValueError):
    """The source cannot be imported; the message says why in words a creator understands."""


@dataclass(frozen=True)
class Element:
    kind: ElementKind
    text: str = ""
    level: int = 0  # heading level (1 = top)
    items: tuple[str, ...] = ()  # list items
    ordered: bool = False
    rows: tuple[tuple[str, ...], ...] = ()  # table rows, first row = header when present
    image: bytes | None = None
    image_type: str = ""  # "png", "jpeg", ...
    alt: str = ""
    page: int | None = None  # 1-based page of a PDF


@dataclass(frozen=True)
class Document:
    title: str
    source: SourceKind
    elements: tuple[Element, ...]
    pages: int | None = None
    warnings: tuple[str, ...] = field(default=())
    encoding: str | None = None  # the text encoding read (text and web pages)

    def plain_text(self) -> str:
        out: list[str] = []
        for e in self.elements:
            if e.kind == "list":
                out.extend(f"- {i}" for i in e.items)
            elif e.kind == "table":
                out.extend(" | ".join(r) for r in e.rows)
            elif e.kind == "image":
                if e.alt:
                    out.append(e.alt)
            else:
                out.append(e.text)
        return "\n".join(t for t in out if t)

    @property
    def word_count(self) -> int:
        return len(self.plain_text().split())


def no_progress(_fraction: float, _message: str) -> None:
    return None
