"""Source documents as retrievable passages for grounding (and for the fact-checker)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.ingest.document import Document
from engine.retrieval.embedding import Embedder

TARGET_CHARS = 700


@dataclass(frozen=True)
class Passage:
    id: str
    source: str  # the source's title
    heading: str
    text: str

    def cite(self) -> str:
        return f"{self.source} › {self.heading}" if self.heading else self.source


def passages(doc: Document, source_id: str = "") -> list[Passage]:
    """Consecutive elements grouped into ~700-character passages, each under its heading."""
    out: list[Passage] = []
    heading = ""
    buf: list[str] = []

    def flush() -> None:
        nonlocal buf
        text = "\n".join(buf).strip()
        if text:
            pid = hashlib.sha1(f"{source_id}:{len(out)}:{text}".encode()).hexdigest()[:16]
            out.append(Passage(pid, doc.title, heading, text))
        buf = []

    for e in doc.elements:
        if e.kind == "heading":
            flush()
            heading = e.text
            continue
        piece = (
            "; ".join(e.items)
            if e.kind == "list"
            else " | ".join(" / ".join(r) for r in e.rows)
            if e.kind == "table"
            else e.alt
            if e.kind == "image"
            else e.text
        )
        if not piece:
            continue
        if sum(map(len, buf)) + len(piece) > TARGET_CHARS:
            flush()
        buf.append(piece)
    flush()
    return out


class PassageIndex:
    """Cosine search over passages with any ``Embedder`` (MiniLM by default in the app)."""

    def __init__(self, items: Sequence[Passage], embedder: Embedder) -> None:
        self.items = list(items)
        self.embedder = embedder
        texts = [f"{p.heading}. {p.text}" for p in self.items]
        self.vectors = embedder.embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)

    def search(self, query: str, k: int = 3) -> list[tuple[Passage, float]]:
        if not self.items:
            return []
        q = self.embedder.embed([query])[0]
        scores = self.vectors @ q
        order = np.argsort(-scores)[:k]
        return [(self.items[int(i)], float(scores[int(i)])) for i in order]
