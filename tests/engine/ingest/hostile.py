"""Hostile source files, generated small on disk, and a way to import one in a child process
whose time and peak memory are measured (and whose address space is capped, so a regression
fails with MemoryError instead of exhausting the machine)."""

from __future__ import annotations

import io
import json
import os
import resource
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    NameObject,
    NumberObject,
)

MiB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[3]
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# -- ZIP (and so DOCX) ---------------------------------------------------------------------
@dataclass(frozen=True)
class Repeated:
    """A member made of ``chunk`` repeated ``times`` (compressed without building it)."""

    chunk: bytes
    times: int
    declared_size: int | None = None  # lie in the directory when set


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _deflate_repeated(chunk: bytes, times: int) -> tuple[bytes, int]:
    """Raw deflate of chunk * times, and its CRC-32, in O(len(chunk)) memory: after a full
    flush the compressor forgets the past, so each repetition compresses to the same bytes."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert block == again
    tail = c.flush()
    crc = 0
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    return block * times + tail, crc


def write_zip(path: Path, members: dict[str, bytes | Repeated]) -> Path:
    """A ZIP written by hand, so a member may be huge (a bomb) or lie about its size."""
    out = io.BytesIO()
    central = io.BytesIO()
    for name, member in members.items():
        raw_name = name.encode()
        if isinstance(member, Repeated):
            data, crc = _deflate_repeated(member.chunk, member.times)
            size = member.declared_size or len(member.chunk) * member.times
        else:
            data, crc, size = _deflate(member), zlib.crc32(member), len(member)
        offset = out.tell()
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw_name), 0
        )
        out.write(header + raw_name + data)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(raw_name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw_name
        )
    cd = central.getvalue()
    start = out.tell()
    out.write(cd)
    n = len(members)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), start, 0))
    path.write_bytes(out.getvalue())
    return path


def docx_members(base: Path) -> dict[str, bytes | Repeated]:
    with zipfile.ZipFile(base) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def body_xml(paragraphs: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W_NS}"><w:body>{paragraphs}</w:body></w:document>'
    ).encode()


def para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def billion_laughs(levels: int = 10) -> bytes:
    ents = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!DOCTYPE w:document [{''.join(ents)}]>"
        f'<w:document xmlns:w="{W_NS}"><w:body>{para(f"&lol{levels - 1};")}</w:body>'
        "</w:document>"
    ).encode()


def xxe() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{para("&secret;")}</w:body></w:document>'
    ).encode()


# -- PDF ---------------------------------------------------------------------------------
TEXT_LINE = b"BT /F1 12 Tf 72 720 Td (The quick brown fox jumps over the lazy dog.) Tj ET\n"


def _flate_repeated(chunk: bytes, times: int) -> bytes:
    """zlib-wrapped deflate of chunk * times (a PDF FlateDecode stream), built small."""
    raw, _crc = _deflate_repeated(chunk, times)
    adler = 1
    for _ in range(times):
        adler = zlib.adler32(chunk, adler)
    return b"\x78\xda" + raw + struct.pack(">I", adler)


def write_pdf(
    path: Path,
    pages: int,
    content: bytes | Repeated,
    *,
    shared: bool = True,
) -> Path:
    """``pages`` pages with Helvetica text; ``shared``: every page draws one content stream
    (else each page has its own copy)."""
    w = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    resources = w._add_object(
        DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): w._add_object(font)})}
        )
    )

    def stream() -> object:
        if isinstance(content, Repeated):
            s = EncodedStreamObject()
            s._data = _flate_repeated(content.chunk, content.times)
            s[NameObject("/Filter")] = NameObject("/FlateDecode")
            s[NameObject("/Length")] = NumberObject(len(s._data))
            return w._add_object(s)
        d = DecodedStreamObject()
        d.set_data(content)
        return w._add_object(d.flate_encode(level=9))

    one = stream() if shared else None
    for _ in range(pages):
        page = w.add_blank_page(612, 792)
        page[NameObject("/Contents")] = one if one is not None else stream()
        page[NameObject("/Resources")] = resources
    with path.open("wb") as fh:
        w.write(fh)
    return path


# -- measured import in a child process ---------------------------------------------------
_CHILD = """
import json, resource, sys, time
from pathlib import Path
from engine.ingest.document import IngestError
from engine.ingest.limits import Limits
from engine.ingest.sources import ingest_file

def peak_mb():
    # VmHWM: this interpreter's own peak resident memory (ru_maxrss would include the
    # forked test process before exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

args = json.loads(sys.argv[1])
limits = Limits(**args["limits"])
calls = []
t0 = time.monotonic()
out = {}
try:
    doc = ingest_file(Path(args["path"]), lambda f, m: calls.append((f, m)),
                      encoding=args["encoding"], limits=limits)
    out.update(kinds=[e.kind for e in doc.elements], warnings=list(doc.warnings),
               pages=doc.pages, title=doc.title, text=doc.plain_text()[:2000],
               tail=doc.plain_text()[-2000:],
               encoding=doc.encoding)
except IngestError as err:
    out.update(error=str(err))
except MemoryError:
    out.update(error="MemoryError")
out.update(seconds=round(time.monotonic() - t0, 3), progress_calls=len(calls),
           last_progress=calls[-1] if calls else None,
           peak_mb=peak_mb())
print("RESULT " + json.dumps(out))
"""


@dataclass(frozen=True)
class Measured:
    error: str | None
    kinds: list[str]
    warnings: list[str]
    text: str
    seconds: float
    peak_mb: int
    progress_calls: int
    raw: dict[str, object]


def measured_import(
    path: Path,
    *,
    limits: dict[str, object] | None = None,
    encoding: str | None = None,
    address_space_mb: int = 3072,
    timeout: float = 120,
) -> Measured:
    """Import ``path`` in a fresh interpreter with its address space capped."""

    def cap() -> None:
        lim = address_space_mb * MiB
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))

    arg = json.dumps({"path": str(path), "limits": limits or {}, "encoding": encoding})
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, arg],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap,
        env=env,
        cwd=ROOT,
        check=False,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line is not None, proc.stderr[-3000:]
    out = json.loads(line.removeprefix("RESULT "))
    m = Measured(
        error=out.get("error"),
        kinds=out.get("kinds", []),
        warnings=out.get("warnings", []),
        text=out.get("text", ""),
        seconds=out["seconds"],
        peak_mb=out["peak_mb"],
        progress_calls=out["progress_calls"],
        raw=out,
    )
    print(f"{path.name}: {m.seconds:.2f} s, peak {m.peak_mb} MB, {m.error or m.warnings}")
    return m


def write_many_pages(path: Path, pages: int, per_node: int = 10_000) -> Path:
    """A PDF of ``pages`` empty pages written by hand (pypdf would take minutes), in a page
    tree of ``per_node`` kids per node: a lot of page objects from a small file."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets: dict[int, int] = {}

    def obj(num: int, body: bytes) -> None:
        offsets[num] = out.tell()
        out.write(f"{num} 0 obj\n".encode() + body + b"\nendobj\n")

    nodes = (pages + per_node - 1) // per_node
    first_page = 3 + nodes
    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    node_refs = " ".join(f"{3 + i} 0 R" for i in range(nodes)).encode()
    obj(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, node_refs))
    for i in range(nodes):
        lo, hi = i * per_node, min(pages, (i + 1) * per_node)
        kids = " ".join(f"{first_page + k} 0 R" for k in range(lo, hi)).encode()
        obj(3 + i, b"<< /Type /Pages /Parent 2 0 R /Count %d /Kids [%s] >>" % (hi - lo, kids))
    for k in range(pages):
        parent = 3 + k // per_node
        obj(first_page + k, b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] >>" % parent)
    xref = out.tell()
    size = first_page + pages
    out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
    for num in range(1, size):
        out.write(f"{offsets[num]:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    path.write_bytes(out.getvalue())
    return path
