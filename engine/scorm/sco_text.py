"""The visible text of a SCO's page, as our content blocks, so the layers that work from a
module's text (Byte the tutor, the mind map, flashcards, narration) work on an imported
course too.

Headings become heading blocks and every other block of text (paragraphs, list items,
table cells, quotes …) a paragraph; scripts, styles, what is hidden from assistive
technology (``aria-hidden``) and the page's head are skipped. Sections hidden until the
SCO's script shows them (``hidden``, ``display: none``) are kept: they are the lesson.
Authoring tools that draw their slides from JavaScript data (Storyline, iSpring) have
little text in their HTML; what little there is, is kept, and a module whose page has none
says so in one paragraph instead of being empty.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html  # type: ignore[import-untyped]

from engine.content import Block, HeadingBlock, ParagraphBlock

MAX_CHARS = 60_000  # per module: the tutor's retrieval does not need whole books
_SKIP = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 4, "h6": 4}
_BLOCKS = {
    "p", "li", "td", "th", "dd", "dt", "blockquote", "figcaption", "pre", "caption",
    "label", "legend", "summary",
}  # fmt: skip
_SPACE = re.compile(r"\s+")


def _hidden(el: object) -> bool:
    get = getattr(el, "get", None)
    if get is None:
        return False
    return bool(get("aria-hidden") == "true")


def _text(el: object) -> str:
    """The element's text without its skipped or hidden descendants."""
    parts: list[str] = []

    def walk(node: object) -> None:
        tag = getattr(node, "tag", None)
        if not isinstance(tag, str) or tag in _SKIP or _hidden(node):
            return
        parts.append(getattr(node, "text", None) or "")
        for child in node:  # type: ignore[attr-defined]
            walk(child)
            parts.append(getattr(child, "tail", None) or "")

    walk(el)
    return _SPACE.sub(" ", "".join(parts)).strip()


def visible_blocks(page: bytes, fallback: str) -> list[Block]:
    """Blocks from an HTML page; ``fallback`` is the one paragraph when it has no text."""
    try:
        doc = lxml_html.document_fromstring(page)
    except (ValueError, lxml_html.etree.ParserError):
        doc = None
    blocks: list[Block] = []
    used = 0
    if doc is not None:
        body = doc.find("body")
        root = body if body is not None else doc

        def walk(node: object) -> None:
            nonlocal used
            tag = getattr(node, "tag", None)
            if used >= MAX_CHARS or not isinstance(tag, str) or tag in _SKIP or _hidden(node):
                return
            if tag in _HEADINGS or tag in _BLOCKS:
                text = _text(node)[: MAX_CHARS - used]
                if text:
                    used += len(text)
                    if tag in _HEADINGS:
                        blocks.append(HeadingBlock(text=text, level=_HEADINGS[tag]))
                    else:
                        blocks.append(ParagraphBlock(text=text))
                return
            loose = (getattr(node, "text", None) or "").strip()
            if loose and tag in ("div", "section", "article", "main", "span", "body"):
                used += len(loose)
                blocks.append(ParagraphBlock(text=_SPACE.sub(" ", loose)))
            for child in node:  # type: ignore[attr-defined]
                walk(child)
                tail = (getattr(child, "tail", None) or "").strip()
                if tail:
                    used += len(tail)
                    blocks.append(ParagraphBlock(text=_SPACE.sub(" ", tail)))

        walk(root)
    return blocks or [ParagraphBlock(text=fallback)]
