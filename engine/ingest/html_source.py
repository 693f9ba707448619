"""Web pages (fetched online, or a saved .html file offline) with trafilatura: the main
content without navigation and ads, keeping headings, lists, tables and image references."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from engine.ingest.document import Document, Element, IngestError

MAX_HTML_BYTES = 30 * 1024 * 1024


def ingest_html(html: str, *, url: str | None = None, name: str = "page") -> Document:
    import trafilatura

    if len(html.encode("utf-8", "ignore")) > MAX_HTML_BYTES:
        raise IngestError(f"{name} is too large to be a web page.")
    xml = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        include_tables=True,
        include_images=True,
        include_formatting=False,
        include_comments=False,
        favor_recall=True,
        with_metadata=True,
    )
    if not xml:
        raise IngestError(f"No readable article text was found in {name}.")
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as err:  # trafilatura's output is XML; defend anyway
        raise IngestError(f"{name} could not be read ({err}).") from err
    elements: list[Element] = []
    main = root.find("main")
    _walk(main if main is not None else root, elements)
    if not any(e.text for e in elements if e.kind != "image") and not any(
        e.items or e.rows for e in elements
    ):
        raise IngestError(f"No readable article text was found in {name}.")
    title = (root.get("title") or "").strip() or next(
        (e.text for e in elements if e.kind == "heading"), name
    )
    return Document(title, "html", tuple(elements))


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
