"""PDF: text with its structure recovered from font sizes (pypdf).

A PDF has no headings or lists, only positioned text. Lines set in a clearly larger font than
the body are headings; lines that start with a bullet or a number are list items; the rest is
joined into paragraphs. Encrypted, damaged and image-only PDFs get a clear message.

Work is bounded (``Limits``): pages read, the decompressed drawing instructions of each page
(measured by inflating them without keeping the output, before pypdf parses them) and of all
pages together (a stream shared by many pages costs its size on every page), pieces of text
per page, and the time of the whole import. What was left out, and why, is reported.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from engine.ingest.document import Document, Element, IngestError, Progress, no_progress
from engine.ingest.limits import DEFAULT_LIMITS, Budget, Limits, size_mb

_BULLET = re.compile(r"^\s*(?:[•●▪‣◦\-*–]|\(?\d{1,3}[.)])\s+(.*)$")
_ORDERED = re.compile(r"^\s*\(?\d{1,3}[.)]\s+")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_FLATE = ("/FlateDecode", "/Fl")


class _TooMuch(Exception):
    """One page asks for more work than a limit allows (``reason`` says which)."""

    def __init__(self, reason: str, *, stop: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.stop = stop  # the whole import must stop (time), not just this page


def _inflated_size(stream: Any, cap: int) -> int:
    """Decompressed size of a content stream, up to ``cap + 1`` (never holding more than a
    chunk of the output): Flate is inflated here, other filters by pypdf (its own caps)."""
    filters = stream.get("/Filter")
    if filters is None:
        return len(stream.get_data())
    if not isinstance(filters, list):
        filters = [filters]
    names = [str(f) for f in filters]
    raw = getattr(stream, "_data", None)
    if names and names[0] in _FLATE and isinstance(raw, bytes):
        inflater = zlib.decompressobj()
        total = 0
        pos, step = 0, 64 * 1024
        try:
            while pos < len(raw) or inflater.unconsumed_tail:
                data = inflater.unconsumed_tail or raw[pos : pos + step]
                if not inflater.unconsumed_tail:
                    pos += step
                total += len(inflater.decompress(data, 1024 * 1024))
                if total > cap:
                    return cap + 1
                if inflater.eof:
                    break
        except zlib.error:
            pass  # pypdf recovers what it can from damaged streams; measure that below
        else:
            return total
    return len(stream.get_data())


def _page_tree_leaves(reader: Any, cap: int) -> int:
    """Pages in the page tree, counted without building page objects, up to ``cap + 1``
    (pypdf builds every page of the tree on first access: a small file can hold 100,000)."""
    stack: list[Any] = [reader.trailer["/Root"].get("/Pages")]
    seen: set[int] = set()
    leaves = 0
    while stack:
        ref = stack.pop()
        key = getattr(ref, "idnum", None)
        if key is not None:
            if key in seen:
                continue  # a cycle or a shared node
            seen.add(key)
        node = ref.get_object() if ref is not None else None
        if not isinstance(node, dict):
            continue
        kids = node.get("/Kids")
        if kids is None:
            leaves += 1
            if leaves > cap:
                return leaves
            continue
        kids = kids.get_object()
        if isinstance(kids, list):
            if len(kids) > cap:
                return cap + 1
            stack.extend(list.__iter__(kids))  # raw items keep their object numbers
        if len(seen) > 3 * cap:
            return cap + 1
    return leaves


def _content_key(page: Any) -> tuple[int, ...] | None:
    """Object numbers of a page's content streams and resources: pages with the same key
    draw the same text (None when they are not all indirect objects)."""
    contents = page.get("/Contents")
    resources = page.get("/Resources")
    refs = [contents, resources]
    obj = contents.get_object() if contents is not None else None
    if isinstance(obj, list):
        refs += list(obj)
    nums = tuple(getattr(r, "idnum", -1) for r in refs if r is not None)
    return None if not nums or -1 in nums else nums


def _content_cost(page: Any, cap: int, cache: dict[int, int]) -> int:
    """Decompressed bytes of a page's content streams (each measured once, cached by id)."""
    contents = page.get("/Contents")
    if contents is None:
        return 0
    obj = contents.get_object()
    streams = list(obj) if isinstance(obj, list) else [contents]
    total = 0
    for ref in streams:
        key = getattr(ref, "idnum", None)
        stream = ref.get_object()
        if key is None:
            key = id(stream)
        if key not in cache:
            cache[key] = _inflated_size(stream, cap)
        total += cache[key]
        if total > cap:
            return cap + 1
    return total


class _Interrupted(Exception):
    """The progress callback raised (a cancel) inside pypdf: re-raised as it was."""

    def __init__(self, err: BaseException) -> None:
        super().__init__(str(err))
        self.err = err


def _lines_with_sizes(
    page: Any,
    limits: Limits = DEFAULT_LIMITS,
    budget: Budget | None = None,
    tick: Callable[[], None] | None = None,
) -> list[tuple[str, float]]:
    """(line text, font size) for a page, from pypdf's text visitor; ``tick()`` (a
    cancellation point) is called every thousand pieces of text."""
    runs: list[tuple[str, float]] = []
    calls = 0

    def visit(text: str, _cm: Any, tm: Any, _font: Any, size: float) -> None:
        nonlocal calls
        calls += 1
        if calls % 1000 == 0:
            if calls > limits.pdf_max_page_runs:
                raise _TooMuch(f"it has more than {limits.pdf_max_page_runs:,} pieces of text")
            if budget is not None and budget.over():
                raise _TooMuch(budget.seconds_message(), stop=True)
            if tick is not None:
                try:
                    tick()
                except Exception as err:
                    raise _Interrupted(err) from err
        if text:
            scale = abs(float(tm[3])) if tm and float(tm[3]) else 1.0
            runs.append((text, round(float(size or 0) * scale, 1)))

    page.extract_text(visitor_text=visit)
    lines: list[tuple[str, float]] = []
    current, sizes = "", Counter[float]()
    for text, size in runs:
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if part:
                current += part
                sizes[size] += len(part)
            if i < len(parts) - 1:
                if current.strip():
                    lines.append((current.strip(), sizes.most_common(1)[0][0] if sizes else 0))
                current, sizes = "", Counter()
    if current.strip():
        lines.append((current.strip(), sizes.most_common(1)[0][0] if sizes else 0))
    return lines


def ingest_pdf(
    path: Path, progress: Progress = no_progress, *, limits: Limits = DEFAULT_LIMITS
) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    name = path.name
    file_size = path.stat().st_size
    if file_size > limits.pdf_max_bytes:
        raise IngestError(
            f"{name} is {size_mb(file_size)}; PDFs must be under {size_mb(limits.pdf_max_bytes)}."
        )
    budget = Budget(name, limits)
    progress(0.0, f"Opening {name}")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as err:
                raise IngestError(
                    f"{name} is password-protected; remove the password and import it again."
                ) from err
            if not ok:
                raise IngestError(
                    f"{name} is password-protected; remove the password and import it again."
                )
        leaves = _page_tree_leaves(reader, 10 * limits.pdf_max_pages)
        if leaves > 10 * limits.pdf_max_pages:
            raise IngestError(
                f"{name} has more than {10 * limits.pdf_max_pages:,} pages; ByteOS reads at "
                f"most {limits.pdf_max_pages:,} from one PDF. Split it and import a part."
            )
        n = len(reader.pages)
    except IngestError:
        raise
    except LimitReachedError as err:
        raise IngestError(
            f"{name} was refused: its structure unpacks to more than ByteOS reads ({err})."
        ) from err
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as err:
        raise IngestError(f"{name} is damaged or is not a PDF ({err}).") from err
    if n == 0:
        raise IngestError(f"{name} has no pages.")
    todo = min(n, limits.pdf_max_pages)
    pages: list[list[tuple[str, float]]] = []
    warnings: list[str] = []
    if n > todo:
        warnings.append(
            f"{name} has {n:,} pages; the first {todo:,} were read (the most ByteOS reads "
            "from one PDF)."
        )
    skipped: dict[str, list[int]] = {}  # reason → pages skipped for it
    stopped = ""
    cache: dict[int, int] = {}
    lines_of: dict[tuple[int, ...], list[tuple[str, float]]] = {}  # pages sharing content
    work = 0
    page_cap = limits.pdf_max_page_content_bytes
    for i in range(1, todo + 1):
        progress((i - 1) / todo, f"Reading page {i:,} of {todo:,}")
        if budget.over():
            stopped = budget.seconds_message()
            break
        try:
            page = reader.pages[i - 1]
            cost = _content_cost(page, page_cap, cache)
            if cost > page_cap:
                raise _TooMuch(
                    f"its drawing instructions unpack to more than {size_mb(page_cap)}, the "
                    "most ByteOS reads for one page (a “decompression bomb” does this)"
                )
            if work + cost > limits.pdf_max_content_bytes:
                stopped = (
                    "the file asks for more work than ByteOS allows for one import "
                    f"({size_mb(limits.pdf_max_content_bytes)} of unpacked page content)"
                )
                break
            work += cost  # a shared stream still costs its size on every page
            key = _content_key(page)
            if key is not None and key in lines_of:
                pages.append(list(lines_of[key]))
                continue
            tick = partial(progress, (i - 1) / todo, f"Reading page {i:,} of {todo:,}")
            lines = _lines_with_sizes(page, limits, budget, tick)
            if key is not None:
                lines_of[key] = lines
            pages.append(lines)
        except _Interrupted as err:
            raise err.err from None
        except _TooMuch as err:
            if err.stop:
                stopped = err.reason
                break
            skipped.setdefault(err.reason, []).append(i)
            pages.append([])
        except LimitReachedError:
            skipped.setdefault("it unpacks to more than ByteOS reads", []).append(i)
            pages.append([])
        except Exception as err:
            warnings.append(f"Page {i} could not be read ({err}); it was skipped.")
            pages.append([])
    for reason, nums in skipped.items():
        warnings.append(f"{_pages_label(nums)} skipped: {reason}.")
    if stopped:
        read = len(pages)
        warnings.append(f"Stopped after {read:,} of {n:,} pages: {stopped}. The rest was left out.")
    if not any(pages) and (stopped or skipped):
        raise IngestError(f"{name}: nothing could be read. {' '.join(warnings)}")
    progress(1.0, f"Read {n} pages")
    chars = Counter[float]()
    for lines in pages:
        for text, size in lines:
            chars[size] += len(text)
    no_text = IngestError(
        f"{name} has no text layer (it may be scanned images). Export it with text, or "
        "paste its text instead."
    )
    if not chars:
        raise no_text
    body = chars.most_common(1)[0][0]
    elements: list[Element] = []
    para: list[str] = []
    items: list[str] = []
    ordered = False

    def flush(page_no: int) -> None:
        nonlocal para, items
        if para:
            elements.append(Element("paragraph", " ".join(para), page=page_no))
            para = []
        if items:
            elements.append(Element("list", items=tuple(items), ordered=ordered, page=page_no))
            items = []

    heading_sizes = sorted({s for s in chars if body and s >= body * 1.15}, reverse=True)
    for page_no, lines in enumerate(pages, start=1):
        for raw, size in lines:
            text = " ".join(raw.split())  # tabs and runs of spaces between words
            if _PAGE_NUMBER.match(text):
                continue  # running headers' and footers' page numbers are not content
            if size in heading_sizes and len(text) <= 120:
                flush(page_no)
                level = min(3, heading_sizes.index(size) + 1)
                elements.append(Element("heading", text, level=level, page=page_no))
            elif m := _BULLET.match(text):
                if para:
                    flush(page_no)
                if not items:
                    ordered = bool(_ORDERED.match(text))
                items.append(m.group(1).strip())
            else:
                if items:
                    flush(page_no)
                para.append(text)
                if text.endswith((".", "!", "?", ":")) and len(text) < 60:
                    flush(page_no)  # a short line ending a sentence closes its paragraph
        flush(page_no)
    if not elements:
        raise no_text  # only page numbers and blank lines
    meta_title = ""
    try:
        meta = reader.metadata
        meta_title = str(meta.title or "") if meta is not None else ""
    except Exception:
        meta_title = ""
    first_heading = next((e.text for e in elements if e.kind == "heading"), "")
    title = meta_title.strip() or first_heading or path.stem
    return Document(title, "pdf", tuple(elements), pages=n, warnings=tuple(warnings))


def _pages_label(nums: list[int]) -> str:
    """E.g. "Page 3 was", "Pages 3, 5 and 9 were", "2,000 pages (from … to …) were"."""
    if len(nums) == 1:
        return f"Page {nums[0]:,} was"
    if len(nums) <= 5:
        return f"Pages {', '.join(f'{x:,}' for x in nums[:-1])} and {nums[-1]:,} were"
    return f"{len(nums):,} pages (from page {nums[0]:,} to {nums[-1]:,}) were"
