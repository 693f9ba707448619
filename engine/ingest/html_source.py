"""Web pages (fetched online, or a saved .html file offline) with trafilatura: the main
content without navigation and ads, keeping headings, lists, tables and image references.

The page is parsed once with lxml (fast, in C) and checked before the article extractor runs:

- a page of more elements than ``Limits.html_max_elements`` is read by a linear reader
  here instead (trafilatura's time grows faster than the page: 10 MB of flat ``<div>``\\s took
  minutes), with progress, the time limit, and a warning that boilerplate was not removed;
- a page whose parse lost text (elements nested deeper than the parser accepts, badly broken
  markup) is read as plain paragraphs from its markup, with a warning, rather than silently
  keeping only the part the parser reached.
"""

from __future__ import annotations

import html as htmllib
import re
import xml.etree.ElementTree as ET
from typing import Any

from engine.ingest.document import Document, Element, IngestError, Progress, no_progress
from engine.ingest.limits import DEFAULT_LIMITS, Budget, Limits, size_mb

# Kept for callers that check a size before calling (the limit itself lives in Limits).
MAX_HTML_BYTES = DEFAULT_LIMITS.html_max_bytes

# Linear scanning only (a hostile page may hold a million unclosed "<script" or "<"): tags
# never span a "<", and invisible blocks are cut by ``_strip_invisible`` with str.find.
_INVISIBLE_OPEN = re.compile(r"<(script|style|noscript|template|svg)\b|<!--", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|tr|td|th|table|section|article|main|header|footer|nav|"
    r"blockquote|pre|br|hr|dd|dt|figure|figcaption|body|html)\b[^<>]*>",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")
_SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "svg",
        "iframe",
        "button",
        "select",
        "head",
        "title",
        "meta",
        "link",
    ]
)
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_TEXT_BLOCKS = frozenset(["p", "pre", "blockquote", "dd", "dt", "figcaption", "caption", "address"])
# the parse may lose this much of the page's text (entities, whitespace) before it is
# treated as content dropped
_LOSS_TOLERATED = 0.9


def _words(text: str) -> str:
    return " ".join(text.split())


def _strip_invisible(markup: str) -> str:
    """Markup without scripts, styles, SVG and comments (an unclosed one runs to the end,
    as in a browser). One pass: every search starts where the previous one ended."""
    lower = markup.lower()
    out: list[str] = []
    pos = 0
    while m := _INVISIBLE_OPEN.search(markup, pos):
        out.append(markup[pos : m.start()])
        end_mark = "-->" if m.group(1) is None else f"</{m.group(1).lower()}"
        end = lower.find(end_mark, m.end())
        if end < 0:
            return " ".join(out)
        close = lower.find(">", end) if m.group(1) is not None else end + 2
        pos = (close if close >= 0 else len(markup) - 1) + 1
        out.append(" ")
    out.append(markup[pos:])
    return "".join(out)


def _visible_chars(markup: str) -> int:
    """Non-space characters of text in raw markup (linear scans, no parse)."""
    text = _TAG.sub(" ", _strip_invisible(markup))
    return len(_SPACE.sub("", htmllib.unescape(text)))


def _tree_chars(root: Any) -> int:
    total = 0
    for text in root.itertext():
        total += len(_SPACE.sub("", text))
    return total


def ingest_html(
    html: str,
    *,
    url: str | None = None,
    name: str = "page",
    progress: Progress = no_progress,
    limits: Limits = DEFAULT_LIMITS,
) -> Document:
    from lxml import etree  # type: ignore[import-untyped]
    from lxml.html import HTMLParser, document_fromstring  # type: ignore[import-untyped]

    if len(html) > limits.html_max_bytes:
        raise IngestError(
            f"{name} is too large to be a web page (at most "
            f"{size_mb(limits.html_max_bytes)} are read)."
        )
    budget = Budget(name, limits)
    progress(0.05, f"Parsing {name}")
    parser = HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = document_fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as err:
        raise IngestError(f"No readable article text was found in {name} ({err}).") from err
    etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
    progress(0.15, f"Checking {name}")
    warnings: list[str] = []
    raw = _visible_chars(html)
    parsed = _tree_chars(root)
    if raw > 200 and parsed < raw * _LOSS_TOLERATED:
        deep = any("depth" in str(e).lower() for e in parser.error_log)
        why = (
            "its elements are nested deeper than a web page's structure can be read"
            if deep
            else "its markup is broken"
        )
        warnings.append(
            f"Part of {name} could not be parsed ({why}): only {parsed / raw:.0%} of its text "
            "reached the page structure. "
            "Its text was read as plain paragraphs instead, without headings, lists or "
            "tables; check the draft."
        )
        elements = _plain_paragraphs(html, name, budget, progress, warnings)
        title = next((e.text for e in elements if e.kind == "heading"), name)
        return _document(title, elements, warnings, name)
    count = sum(1 for _ in root.iter())
    if count > limits.html_max_elements or parsed > limits.html_max_extract_chars:
        warnings.append(
            f"{name} is a very large page ({count:,} elements, {parsed:,} characters of "
            f"text; the article extractor is given at most {limits.html_max_elements:,} "
            f"elements and {limits.html_max_extract_chars:,} characters), so it was read "
            "whole: navigation, adverts and footers were not told apart from the article; "
            "check the draft."
        )
        elements = _fast_read(root, count, name, budget, progress, warnings)
        title_el = root.find(".//title")
        title = _words(title_el.text_content()) if title_el is not None else ""
        title = title or next((e.text for e in elements if e.kind == "heading"), name)
        return _document(title, elements, warnings, name)
    import trafilatura

    progress(0.3, f"Finding the article in {name}")
    xml = trafilatura.extract(
        root,
        url=url,
        output_format="xml",
        include_tables=True,
        include_images=True,
        include_formatting=False,
        include_comments=False,
        favor_recall=True,
        with_metadata=True,
    )
    progress(0.9, f"Reading {name}")
    if not xml:
        raise IngestError(f"No readable article text was found in {name}.")
    try:
        out = ET.fromstring(xml)
    except ET.ParseError as err:  # trafilatura's output is XML; defend anyway
        raise IngestError(f"{name} could not be read ({err}).") from err
    elements = []
    main = out.find("main")
    _walk(main if main is not None else out, elements)
    title = (out.get("title") or "").strip() or next(
        (e.text for e in elements if e.kind == "heading"), name
    )
    return _document(title, elements, warnings, name)


def _document(title: str, elements: list[Element], warnings: list[str], name: str) -> Document:
    if not any(e.text for e in elements if e.kind != "image") and not any(
        e.items or e.rows for e in elements
    ):
        raise IngestError(f"No readable article text was found in {name}.")
    return Document(title, "html", tuple(elements), warnings=tuple(warnings))


def _stopped(done: int, total: int, what: str, budget: Budget) -> str:
    return (
        f"Stopped after {done:,} of {total:,} {what}: {budget.seconds_message()}. "
        "The rest was left out."
    )


def _plain_paragraphs(
    markup: str, name: str, budget: Budget, progress: Progress, warnings: list[str]
) -> list[Element]:
    """Text of raw markup split at block tags (linear; no tree, so no depth limit)."""
    text = _BLOCK_TAG.sub("\n", _strip_invisible(markup))
    blocks = text.split("\n")
    elements: list[Element] = []
    for i, block in enumerate(blocks):
        if i % 20_000 == 0:
            progress(0.2 + 0.75 * i / max(1, len(blocks)), f"Reading {name}")
            if budget.over():
                warnings.append(_stopped(i, len(blocks), "blocks", budget))
                break
        words = _words(htmllib.unescape(_TAG.sub(" ", block)))
        if words:
            elements.append(Element("paragraph", words))
    progress(1.0, f"Read {name}")
    return elements


def _fast_read(
    root: Any, count: int, name: str, budget: Budget, progress: Progress, warnings: list[str]
) -> list[Element]:
    """Document order in one pass over the parsed tree (iterative: no recursion)."""
    from lxml import etree

    elements: list[Element] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    seen = 0
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "end":
            if el is not root and (tail := _words(el.tail or "")):
                elements.append(Element("paragraph", tail))
            continue
        seen += 1
        if seen % 5_000 == 0:
            progress(0.2 + 0.75 * seen / max(1, count), f"Reading {name}")
            if budget.over():
                warnings.append(_stopped(seen, count, "elements", budget))
                break
        if tag in _SKIP:
            walker.skip_subtree()
        elif tag in _HEADINGS:
            if text := _words(el.text_content()):
                elements.append(Element("heading", text, level=min(4, _HEADINGS[tag])))
            walker.skip_subtree()
        elif tag in ("ul", "ol"):
            items = tuple(t for t in (_words(li.text_content()) for li in el.iter("li")) if t)
            if items:
                elements.append(Element("list", items=items, ordered=tag == "ol"))
            walker.skip_subtree()
        elif tag == "table":
            rows = tuple(
                tuple(_words(c.text_content()) for c in tr if c.tag in ("td", "th"))
                for tr in el.iter("tr")
            )
            if any(any(r) for r in rows):
                elements.append(Element("table", rows=rows))
            walker.skip_subtree()
        elif tag == "img":
            if src := el.get("src") or "":
                elements.append(Element("image", text=src, alt=el.get("alt") or ""))
        elif tag in _TEXT_BLOCKS:
            if text := _words(el.text_content()):
                elements.append(Element("paragraph", text))
            walker.skip_subtree()
        elif text := _words(el.text or ""):
            elements.append(Element("paragraph", text))
    progress(1.0, f"Read {name}")
    return elements


def _text(node: ET.Element) -> str:
    return " ".join("".join(node.itertext()).split())


def _walk(parent: ET.Element, out: list[Element]) -> None:
    """Document order, without descending into lists and tables (they are read whole)."""
    for node in parent:
        tag = node.tag
        if tag == "head":
            rend = node.get("rend", "h2")
            level = int(rend[1]) if len(rend) == 2 and rend[1].isdigit() else 2
            if text := _text(node):
                out.append(Element("heading", text, level=min(4, level)))
        elif tag == "p":
            if text := _text(node):
                out.append(Element("paragraph", text))
            _walk(node, out)  # images inside paragraphs
        elif tag == "list":
            items = tuple(t for t in (_text(i) for i in node.findall("item")) if t)
            if items:
                out.append(Element("list", items=items, ordered=node.get("rend") == "ol"))
        elif tag == "table":
            rows = tuple(tuple(_text(c) for c in r.findall("cell")) for r in node.findall("row"))
            if rows:
                out.append(Element("table", rows=rows))
        elif tag == "graphic":
            if src := node.get("src") or "":
                out.append(Element("image", text=src, alt=node.get("alt") or ""))
        else:
            _walk(node, out)
