"""Plain text and Markdown, in any encoding, and a typed prompt."""

from __future__ import annotations

import re

from engine.ingest.document import Document, Element, IngestError

MAX_TEXT_BYTES = 50 * 1024 * 1024

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+(.*)$")
_ORDERED = re.compile(r"^\s*\d+[.)]\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def decode(data: bytes, name: str) -> str:
    """Bytes → text: UTF-8 (with or without BOM), UTF-16 with BOM, else the best guess of
    charset-normalizer; refuses binary data rather than importing garbage."""
    if len(data) > MAX_TEXT_BYTES:
        raise IngestError(
            f"{name} is {len(data) // 1_000_000} MB; text sources must be under "
            f"{MAX_TEXT_BYTES // 1_000_000} MB."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise IngestError(f"{name} looks like a binary file, not text.")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise IngestError(f"The text encoding of {name} could not be recognised.")
    return str(best)


def parse_markdown(text: str, title: str, source: str = "markdown") -> Document:
    """Markdown (or plain text, which is Markdown without marks) → elements."""
    elements: list[Element] = []
    para: list[str] = []
    items: list[str] = []
    ordered = False
    table: list[tuple[str, ...]] = []
    code: list[str] | None = None

    def flush() -> None:
        nonlocal para, items, table
        if para:
            elements.append(Element("paragraph", " ".join(s.strip() for s in para)))
            para = []
        if items:
            elements.append(Element("list", items=tuple(items), ordered=ordered))
            items = []
        if table:
            elements.append(Element("table", rows=tuple(table)))
            table = []

    for raw in text.splitlines():
        line = raw.rstrip()
        if code is not None:
            if line.strip().startswith("```"):
                elements.append(Element("code", "\n".join(code)))
                code = None
            else:
                code.append(raw)
            continue
        if line.strip().startswith("```"):
            flush()
            code = []
            continue
        if not line.strip():
            flush()
            continue
        if m := _HEADING.match(line):
            flush()
            elements.append(Element("heading", m.group(2), level=len(m.group(1))))
        elif "|" in line and line.strip().startswith("|"):
            if para or items:
                flush()
            if not _TABLE_RULE.match(line):
                table.append(tuple(c.strip() for c in line.strip().strip("|").split("|")))
        elif m := _BULLET.match(line):
            if para or table:
                flush()
            if not items:
                ordered = bool(_ORDERED.match(line))
            items.append(m.group(1).strip())
        else:
            if items or table:
                flush()
            para.append(line)
    if code is not None:
        elements.append(Element("code", "\n".join(code)))
    flush()
    first_heading = next((e.text for e in elements if e.kind == "heading"), None)
    if not any(e.text or e.items or e.rows for e in elements):
        raise IngestError(f"{title} is empty: there is no text to build a course from.")
    return Document(first_heading or title, source, tuple(elements))  # type: ignore[arg-type]


def ingest_text(data: bytes, name: str) -> Document:
    text = decode(data, name)
    kind = "markdown" if name.lower().endswith((".md", ".markdown")) else "text"
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return parse_markdown(text, stem, kind)


def ingest_prompt(prompt: str) -> Document:
    """A typed brief: the topic the creator wants a course about (no source text)."""
    prompt = prompt.strip()
    if len(prompt) < 3:
        raise IngestError("Describe the course you want in a few words.")
    if len(prompt) > 20_000:
        raise IngestError("The prompt is too long; paste long material as a text source.")
    return Document(prompt.splitlines()[0][:120], "prompt", (Element("paragraph", prompt),))
