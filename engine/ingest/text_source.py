"""Plain text and Markdown, in any encoding, and a typed prompt."""

from __future__ import annotations

import codecs
import re
from dataclasses import replace

from engine.ingest.document import Document, Element, IngestError, Progress, no_progress
from engine.ingest.limits import DEFAULT_LIMITS, Limits, size_mb

# Linear patterns only: a source may hold one line of megabytes (the former heading and table
# patterns backtracked for minutes on a line of spaces).
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*)")
_RULE_CELL = re.compile(r":?-{2,}:?")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+(.*)$")
_ORDERED = re.compile(r"^\s*\d+[.)]\s+")
# control characters that never occur in text (tab, newlines and form feed do)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Single-byte encodings tried when the high bytes of a text stand alone between ASCII ones
# (accented letters in a European language; multi-byte CJK encodings pair them). On short
# texts charset-normalizer guesses wildly (a German "Übung" as johab, a French "très" as
# cp1250's "trčs"), so the guess is restricted to these, and Windows-1252 wins a near tie.
# The creator can always choose the encoding.
_SINGLE_BYTE = (
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1257",
    "iso8859_2",
    "iso8859_15",
    "koi8_r",
    "mac_roman",
)

ENCODINGS = (
    ("utf-8", "Unicode (UTF-8)"),
    ("utf-16", "Unicode (UTF-16)"),
    ("cp1252", "Western (Windows-1252)"),
    ("latin-1", "Western (ISO-8859-1)"),
    ("cp1250", "Central European (Windows-1250)"),
    ("cp1251", "Cyrillic (Windows-1251)"),
    ("shift_jis", "Japanese (Shift JIS)"),
    ("gb18030", "Chinese (GB18030)"),
)
"""Encodings a creator can pick instead of the detected one (any Python codec name works)."""


def _check_codec(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError as err:
        raise IngestError(f"“{encoding}” is not a text encoding ByteOS knows.") from err


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark has a zero byte in most pairs (Latin scripts),
    always on the same side: that side says the byte order."""
    sample = data[: 64 * 1024]
    pairs = len(sample) // 2
    if pairs < 2 or len(data) % 2:
        return None
    even = sample[0 : pairs * 2 : 2].count(0)
    odd = sample[1 : pairs * 2 : 2].count(0)
    if odd >= pairs * 0.3 and even <= pairs * 0.02:
        return "utf-16-le"
    if even >= pairs * 0.3 and odd <= pairs * 0.02:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:100_000]
    return len(_CONTROL.findall(sample)) > max(2, len(sample) // 200)


def detect(data: bytes, name: str) -> str:
    """The encoding of ``data`` (a Python codec name): BOMs, UTF-8, BOM-less UTF-16, else the
    best guess of charset-normalizer. Refuses binary data rather than importing garbage."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    if utf16 := _utf16_without_bom(data):
        try:
            data.decode(utf16)
        except UnicodeDecodeError:
            pass
        else:
            return utf16
    if b"\x00" in data[:4096]:
        raise IngestError(f"{name} looks like a binary file, not text.")
    from charset_normalizer import from_bytes

    sample = data[: 2 * 1024 * 1024]
    if _isolated_high_bytes(sample):
        matches = from_bytes(sample, cp_isolation=list(_SINGLE_BYTE))
        best = matches.best()
        if best is not None:
            western = next((m for m in matches if m.encoding == "cp1252"), None)
            if western is not None and western.chaos <= best.chaos + 0.02:
                return "cp1252"
            guess = str(best.encoding)
            if _decodes(data, "cp1252") and data.decode(guess) == data.decode("cp1252"):
                return "cp1252"  # the same text either way: name the common encoding
            return guess
        if _decodes(data, "cp1252"):
            return "cp1252"
    best = from_bytes(sample).best()
    if best is None:
        raise IngestError(
            f"The text encoding of {name} could not be recognised; choose its encoding "
            "and add it again."
        )
    return str(best.encoding)


def _isolated_high_bytes(data: bytes) -> bool:
    """Most bytes ≥ 0x80 stand between ASCII bytes (single-byte European text)."""
    high = alone = 0
    for i, b in enumerate(data[:200_000]):
        if b >= 0x80:
            high += 1
            before = data[i - 1] if i else 0
            after = data[i + 1] if i + 1 < len(data) else 0
            if before < 0x80 and after < 0x80:
                alone += 1
    return high > 0 and alone >= high * 0.6


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def decode_as(
    data: bytes,
    name: str,
    encoding: str | None = None,
    *,
    max_bytes: int = DEFAULT_LIMITS.text_max_bytes,
) -> tuple[str, str]:
    """(text, encoding used): ``encoding`` when the creator chose one, else detected."""
    if len(data) > max_bytes:
        raise IngestError(
            f"{name} is {size_mb(len(data))}; text sources must be under {size_mb(max_bytes)}."
        )
    if encoding:
        codec = _check_codec(encoding)
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as err:
            raise IngestError(
                f"{name} is not {encoding} text (byte {err.start:,} cannot be read that "
                "way); choose another encoding, or let ByteOS detect it."
            ) from err
        return text, codec
    codec = detect(data, name)
    text = data.decode(codec, errors="replace")
    if _looks_binary(text):
        raise IngestError(f"{name} looks like a binary file, not text.")
    return text, codec


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Bytes → text (see ``decode_as``)."""
    return decode_as(data, name, encoding)[0]


def _heading_text(raw: str) -> str:
    """A heading's text without its optional closing #s ("## Title ##")."""
    text = raw.strip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):
        text = bare.strip()
    return text


def _is_table_rule(line: str) -> bool:
    """| --- | :---: | (the line under a Markdown table's header)."""
    cells = line.strip().strip("|").split("|")
    return all(_RULE_CELL.fullmatch(c.strip()) for c in cells)


def parse_markdown(
    text: str, title: str, source: str = "markdown", progress: Progress = no_progress
) -> Document:
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

    lines = text.splitlines()
    for n, raw in enumerate(lines):
        if n % 20_000 == 0:
            progress(n / max(1, len(lines)), f"Reading {title}")
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
            elements.append(Element("heading", _heading_text(m.group(2)), level=len(m.group(1))))
        elif "|" in line and line.strip().startswith("|"):
            if para or items:
                flush()
            if not _is_table_rule(line):
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


def ingest_text(
    data: bytes,
    name: str,
    progress: Progress = no_progress,
    *,
    encoding: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Document:
    """A text or Markdown file; ``encoding`` overrides the detected one."""
    text, used = decode_as(data, name, encoding, max_bytes=limits.text_max_bytes)
    kind = "markdown" if name.lower().endswith((".md", ".markdown")) else "text"
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    doc = parse_markdown(text, stem, kind, progress)
    progress(1.0, f"Read {name}")
    return replace(doc, encoding=used)


def ingest_prompt(prompt: str) -> Document:
    """A typed brief: the topic the creator wants a course about (no source text)."""
    prompt = prompt.strip()
    if len(prompt) < 3:
        raise IngestError("Describe the course you want in a few words.")
    if len(prompt) > 20_000:
        raise IngestError("The prompt is too long; paste long material as a text source.")
    return Document(prompt.splitlines()[0][:120], "prompt", (Element("paragraph", prompt),))
