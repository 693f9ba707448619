"""DOCX with python-docx: headings from paragraph styles, lists from list styles or
numbering, tables, and embedded pictures (size-checked), in document order.

A .docx is a ZIP archive of XML parts and media, and python-docx reads every member whole.
So the archive is checked first, from its directory (member count, unpacked sizes,
compression ratios), then copied member by member into a private temporary package while the
bytes actually unpacked are counted (a directory can lie): pictures over the image limit are
left out without being unpacked, XML parts that declare entities (<!DOCTYPE>, "billion
laughs") are refused, and python-docx only ever sees the checked copy. The user's file is only
read.
"""

from __future__ import annotations

import contextlib
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

from engine.ingest.document import Document, Element, IngestError, Progress, no_progress
from engine.ingest.limits import DEFAULT_LIMITS, Budget, Limits, MiB, size_mb

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_CHUNK = 1 * MiB
_DTD_MARKS = tuple(
    mark.encode(enc)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for enc in ("ascii", "utf-16-le", "utf-16-be")
)


def _entities_refused(name: str) -> IngestError:
    return IngestError(
        f"{name} was refused: it declares XML entities (a <!DOCTYPE>), which Word never "
        "writes; expanding them could use up all memory (a “billion laughs” file) or read "
        "other files, and ByteOS never expands them. Open it in Word, save a new copy and "
        "import that."
    )


def _is_xml(member: str) -> bool:
    return member.lower().endswith((".xml", ".rels", ".vml"))


def _checked_package(
    path: Path, limits: Limits, budget: Budget, progress: Progress
) -> tuple[IO[bytes], dict[str, int], list[str]]:
    """A private copy of the package python-docx may read, the members left out (name →
    declared size, replaced by empty members so relationships still resolve) and warnings."""
    name = path.name
    damaged = f"{name} is damaged or is not a Word document"
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise IngestError(f"{damaged} ({err}).") from err
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > limits.docx_max_members:
            raise IngestError(
                f"{name} holds {len(infos):,} files; a Word document has far fewer (at most "
                f"{limits.docx_max_members:,} are read). It may be built to exhaust memory."
            )
        dropped: dict[str, int] = {}
        warnings: list[str] = []
        total = 0
        kept: list[zipfile.ZipInfo] = []
        for info in infos:
            ratio = info.file_size / max(1, info.compress_size)
            bomb = limits.ratio_applies(info.file_size) and ratio > limits.docx_max_ratio
            if not _is_xml(info.filename):
                if info.file_size > limits.image_max_bytes or bomb:
                    dropped[info.filename] = info.file_size
                    why = (
                        f"pictures must be under {size_mb(limits.image_max_bytes)}"
                        if info.file_size > limits.image_max_bytes
                        else f"it is packed {ratio:,.0f} times, like a “zip bomb”"
                    )
                    warnings.append(
                        f"A picture of {size_mb(info.file_size)} ({info.filename}) was left "
                        f"out: {why}."
                    )
                    continue
            elif info.file_size > limits.docx_max_part_bytes:
                raise IngestError(
                    f"{name} was refused: its part {info.filename} unpacks to "
                    f"{size_mb(info.file_size)}, more than the "
                    f"{size_mb(limits.docx_max_part_bytes)} ByteOS reads (the file is "
                    f"{size_mb(path.stat().st_size)}; it may be a “zip bomb”)."
                )
            elif bomb:
                raise IngestError(
                    f"{name} was refused: its part {info.filename} is packed {ratio:,.0f} "
                    f"times (more than {limits.docx_max_ratio:,.0f}), as a “zip bomb” is; "
                    "real Word documents pack far less."
                )
            total += info.file_size
            if total > limits.docx_max_unpacked_bytes:
                raise IngestError(
                    f"{name} was refused: it unpacks to more than "
                    f"{size_mb(limits.docx_max_unpacked_bytes)}, the most ByteOS reads from "
                    "one Word document."
                )
            kept.append(info)
        out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=32 * MiB)  # noqa: SIM115
        done = 0
        try:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
                for info in kept:
                    xml = _is_xml(info.filename)
                    cap = min(
                        info.file_size,
                        limits.docx_max_part_bytes if xml else limits.image_max_bytes,
                    )
                    read = 0
                    with zf.open(info) as src, dst.open(info.filename, "w") as w:
                        carry = b""  # the end of the previous chunk, for marks across two
                        while chunk := src.read(_CHUNK):
                            read += len(chunk)
                            if read > cap:  # zipfile stops at the declared size; be sure
                                raise IngestError(
                                    f"{damaged}: {info.filename} unpacks to more than its "
                                    "directory says."
                                )
                            if xml:
                                window = carry + chunk
                                if any(m in window for m in _DTD_MARKS):
                                    raise _entities_refused(name)
                                carry = chunk[-32:]
                            w.write(chunk)
                            done += len(chunk)
                            if budget.over():
                                budget.check(f"unpacking {size_mb(done)}")
                            if done % (8 * MiB) < _CHUNK:
                                progress(0.3 * done / max(1, total), f"Unpacking {name}")
                for member in dropped:
                    dst.writestr(member, b"")
        except IngestError:
            out.close()
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as err:
            out.close()  # bad CRC, truncated data, encrypted or unsupported members
            raise IngestError(f"{damaged} ({err}).") from err
        except NotImplementedError as err:
            out.close()
            raise IngestError(f"{damaged} ({err}).") from err
    out.seek(0)
    return out, dropped, warnings


def _heading_level(style: str) -> int | None:
    s = style.lower()
    if s == "title":
        return 1
    if s.startswith("heading"):
        tail = s.removeprefix("heading").strip()
        return min(4, int(tail)) if tail.isdigit() else 1
    return None


def _is_list(p: Any, style_name: str) -> tuple[bool, bool]:
    style = style_name.lower()
    numbered = p.find(f"{_W}pPr/{_W}numPr") is not None
    if "list" in style or numbered:
        return True, "number" in style
    return False, False


def _style_names(d: Any) -> tuple[dict[str, str], str]:
    """Paragraph style id → name, and the default paragraph style's name, read once
    (python-docx looks the default up again for every paragraph: minutes on a long file)."""
    from docx.enum.style import WD_STYLE_TYPE

    names: dict[str, str] = {}
    default = ""
    for style in d.styles.element.iterchildren(f"{_W}style"):
        if style.get(f"{_W}type", "paragraph") != "paragraph":
            continue
        sid = style.get(f"{_W}styleId")
        name_el = style.find(f"{_W}name")
        name = name_el.get(f"{_W}val", "") if name_el is not None else ""
        if sid:
            names[sid] = name
        if style.get(f"{_W}default") in ("1", "true", "on") and not default:
            default = name
    if not default:
        with contextlib.suppress(Exception):
            default = d.styles.default(WD_STYLE_TYPE.PARAGRAPH).name or ""
    return names, default


def ingest_docx(
    path: Path, progress: Progress = no_progress, *, limits: Limits = DEFAULT_LIMITS
) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree  # type: ignore[import-untyped]

    name = path.name
    size = path.stat().st_size
    if size > limits.docx_max_bytes:
        raise IngestError(
            f"{name} is {size_mb(size)}; Word documents must be under "
            f"{size_mb(limits.docx_max_bytes)}."
        )
    budget = Budget(name, limits)
    progress(0.0, f"Checking {name}")
    package, dropped, warnings = _checked_package(path, limits, budget, progress)
    progress(0.3, f"Opening {name}")
    try:
        with package:
            d = docx.Document(package)
    except etree.XMLSyntaxError as err:
        if "entit" in str(err).lower():
            raise _entities_refused(name) from err
        raise IngestError(
            f"{name} is damaged: part of its text could not be read (line {err.lineno})."
        ) from err
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as err:
        raise IngestError(f"{name} is damaged or is not a Word document ({err}).") from err
    body = list(d.element.body.iterchildren())
    style_names, default_style = _style_names(d)
    elements: list[Element] = []
    items: list[str] = []
    ordered = False

    def flush() -> None:
        nonlocal items
        if items:
            elements.append(Element("list", items=tuple(items), ordered=ordered))
            items = []

    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for i, child in enumerate(body):
        if i % 50 == 0:
            progress(0.3 + 0.7 * i / max(1, len(body)), f"Reading {name}")
            if budget.over():
                warnings.append(
                    f"Stopped after {i:,} of {len(body):,} paragraphs and tables: "
                    f"{budget.seconds_message()}. The rest was left out."
                )
                break
        if child.tag == f"{_W}p":
            p = Paragraph(child, d)
            for blip in child.iter(f"{_A}blip"):
                rid = blip.get(f"{_R}embed")
                part = d.part.related_parts.get(rid) if rid else None
                if part is None or part.partname.lstrip("/") in dropped:
                    continue  # left out while unpacking (and already reported)
                blob: bytes = part.blob
                if not blob:
                    continue
                descr = next((dp.get("descr") or "" for dp in child.iter(f"{_WP}docPr")), "")
                kind = part.content_type.split("/")[-1]
                flush()
                elements.append(Element("image", image=blob, image_type=kind, alt=descr))
            text = p.text.strip()
            if not text:
                continue
            style_el = child.find(f"{_W}pPr/{_W}pStyle")
            sid = style_el.get(f"{_W}val") if style_el is not None else None
            style = style_names.get(sid, default_style) if sid else default_style
            level = _heading_level(style)
            is_list, numbered = _is_list(child, style)
            if level is not None:
                flush()
                elements.append(Element("heading", text, level=level))
            elif is_list:
                if not items:
                    ordered = numbered
                items.append(text)
            else:
                flush()
                elements.append(Element("paragraph", text))
        elif child.tag == f"{_W}tbl":
            flush()
            t = Table(child, d)
            rows = tuple(tuple(c.text.strip() for c in r.cells) for r in t.rows)
            if any(any(cell for cell in r) for r in rows):
                elements.append(Element("table", rows=rows))
    flush()
    progress(1.0, f"Read {name}")
    if not any(e.text or e.items or e.rows for e in elements):
        raise IngestError(f"{name} is empty: there is no text to build a course from.")
    title = (d.core_properties.title or "").strip() or next(
        (e.text for e in elements if e.kind == "heading"), path.stem
    )
    return Document(title, "docx", tuple(elements), warnings=tuple(warnings))
