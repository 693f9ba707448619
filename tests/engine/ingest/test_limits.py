"""Hostile sources, generated small on disk: every limit in ``engine.ingest.limits`` holds, in
bounded time and memory (each import runs in a child process whose peak memory is measured
and whose address space is capped), with a plain message, and the file is left untouched."""

from __future__ import annotations

import binascii
import hashlib
import io
import os
from pathlib import Path

import pytest

from engine.ingest.document import IngestError
from engine.ingest.limits import DEFAULT_LIMITS, Limits
from engine.ingest.sources import ingest_file
from engine.ingest.text_source import decode_as, ingest_text
from tests.engine.ingest.hostile import (
    TEXT_LINE,
    MiB,
    Repeated,
    billion_laughs,
    body_xml,
    docx_members,
    measured_import,
    para,
    write_many_pages,
    write_pdf,
    write_zip,
    xxe,
)

# generous ceilings for a child interpreter that imports lxml, pypdf and python-docx (~40 MB)
SMALL_MB = 250


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def base_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import docx
    from docx.shared import Inches

    from tests.engine.ingest.conftest import png_bytes

    d = docx.Document()
    d.add_heading("Pictures", level=1)
    d.add_paragraph("Text before the picture.")
    d.add_picture(io.BytesIO(png_bytes()), width=Inches(1))
    d.add_paragraph("Text after the picture.")
    path = tmp_path_factory.mktemp("base") / "base.docx"
    d.save(str(path))
    return path


def _variant(base: Path, dest: Path, **members: bytes | Repeated) -> Path:
    m = docx_members(base)
    for name, data in members.items():
        m[name.replace("__", "/").replace("_xml", ".xml")] = data
    return write_zip(dest, m)


# -- Word ----------------------------------------------------------------------------------
def test_docx_zip_bomb_is_refused_from_the_directory(base_docx: Path, tmp_path: Path) -> None:
    chunk = (para("lol lol lol lol") * (MiB // 30)).encode()[:MiB]
    bomb = _variant(
        base_docx, tmp_path / "bomb.docx", word__document_xml=Repeated(chunk, 1024)
    )  # 1 GiB of XML in a ~3 MB file
    assert bomb.stat().st_size < 5 * MiB
    before = _digest(bomb)
    m = measured_import(bomb)
    assert m.error is not None and "unpacks to 1,024 MB" in m.error and "zip bomb" in m.error
    assert m.seconds < 5 and m.peak_mb < SMALL_MB
    assert _digest(bomb) == before


def test_docx_giant_picture_is_left_out_unread(base_docx: Path, tmp_path: Path) -> None:
    image = next(n for n in docx_members(base_docx) if n.startswith("word/media/"))
    big = docx_members(base_docx)
    big[image] = Repeated(b"\x89PNG" + b"\0" * (MiB - 4), 1024)  # a 1 GiB picture
    path = write_zip(tmp_path / "picture.docx", big)
    m = measured_import(path)
    assert m.error is None, m.error
    assert "image" not in m.kinds and "Text after the picture." in m.text
    assert any("picture of 1,024 MB" in w and "left out" in w for w in m.warnings)
    assert m.seconds < 5 and m.peak_mb < SMALL_MB


def test_docx_compression_ratio(base_docx: Path, tmp_path: Path) -> None:
    packed = body_xml(para("x") + " " * (4 * MiB))  # 4 MB that packs ~1000 times
    path = _variant(base_docx, tmp_path / "ratio.docx", word__document_xml=packed)
    m = measured_import(path)
    assert m.error is not None and "packed" in m.error and "zip bomb" in m.error
    assert m.seconds < 5 and m.peak_mb < SMALL_MB


def test_docx_too_many_members(base_docx: Path, tmp_path: Path) -> None:
    members = docx_members(base_docx)
    for i in range(DEFAULT_LIMITS.docx_max_members + 1):
        members[f"customXml/item{i}.bin"] = b"x"
    path = write_zip(tmp_path / "members.docx", members)
    m = measured_import(path)
    assert m.error is not None and "10,0" in m.error and "files" in m.error
    assert m.seconds < 10 and m.peak_mb < SMALL_MB


def test_docx_total_unpacked_size(base_docx: Path) -> None:
    with pytest.raises(IngestError, match="unpacks to more than"):
        ingest_file(base_docx, limits=Limits(docx_max_unpacked_bytes=20_000))


def test_docx_whose_directory_lies_is_damaged(base_docx: Path, tmp_path: Path) -> None:
    real = body_xml(para("Honest text. ") * 20_000)
    liar = _variant(
        base_docx,
        tmp_path / "liar.docx",
        word__document_xml=Repeated(real, 1, declared_size=1000),
    )
    m = measured_import(liar)
    assert m.error is not None and "damaged" in m.error
    assert m.peak_mb < SMALL_MB


@pytest.mark.parametrize("hidden", [False, True])
def test_billion_laughs_and_xxe_are_refused_in_plain_words(
    base_docx: Path, tmp_path: Path, hidden: bool
) -> None:
    # hidden: the DTD comes after 2 MB of comment (past the first chunk the scan reads)
    pad = b"<!-- " + binascii.hexlify(os.urandom(MiB)) + b" -->" if hidden else b""
    for name, xml in (("laughs", billion_laughs()), ("xxe", xxe())):
        head, rest = xml.split(b"\n", 1)
        path = _variant(
            base_docx, tmp_path / f"{name}.docx", word__document_xml=head + b"\n" + pad + rest
        )
        m = measured_import(path)
        assert m.error is not None, name
        assert "declares XML entities" in m.error and "never expands" in m.error
        assert "libxml" not in m.error.lower() and "line " not in m.error
        assert "root:" not in m.text  # /etc/passwd never reaches the document
        assert m.seconds < 5 and m.peak_mb < SMALL_MB


# -- PDF -----------------------------------------------------------------------------------
def test_pdf_pages_sharing_one_content_stream(tmp_path: Path) -> None:
    content = TEXT_LINE * (256 * 1024 // len(TEXT_LINE))  # 256 KB of text per page
    path = write_pdf(tmp_path / "shared.pdf", 2_000, content)
    assert path.stat().st_size < 1 * MiB
    before = _digest(path)
    m = measured_import(path)
    assert m.error is None, m.error
    assert any(
        w.startswith("Stopped after 256 of 2,000 pages") and "64 MB of unpacked page" in w
        for w in m.warnings
    ), m.warnings
    assert m.seconds < 30 and m.peak_mb < 600
    assert m.progress_calls >= 256
    assert _digest(path) == before


def test_pdf_deflate_bomb_is_named_not_called_textless(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "bomb.pdf", 1, Repeated(TEXT_LINE * (MiB // len(TEXT_LINE)), 1024))
    m = measured_import(path)  # one page whose content inflates to ~1 GiB
    assert m.error is not None
    assert "decompression bomb" in m.error and "no text layer" not in m.error
    assert "Page 1 was skipped" in m.error
    assert m.seconds < 10 and m.peak_mb < SMALL_MB


def test_pdf_time_limit(tmp_path: Path) -> None:
    content = TEXT_LINE * (64 * 1024 // len(TEXT_LINE))
    path = write_pdf(tmp_path / "slow.pdf", 300, content, shared=False)
    m = measured_import(path, limits={"max_seconds": 2})
    assert m.error is None, m.error
    [stop] = [w for w in m.warnings if w.startswith("Stopped after")]
    assert "of 300 pages" in stop and "(2 seconds)" in stop
    assert m.seconds < 8


def test_pdf_page_count_and_text_pieces(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "ten.pdf", 10, TEXT_LINE * 3, shared=False)
    doc = ingest_file(path, limits=Limits(pdf_max_pages=3))
    assert doc.pages == 10 and any("the first 3 were read" in w for w in doc.warnings)
    busy = write_pdf(tmp_path / "busy.pdf", 1, TEXT_LINE * 3000)
    with pytest.raises(IngestError, match="more than 1,000 pieces of text"):
        ingest_file(busy, limits=Limits(pdf_max_page_runs=1000))


def test_pdf_page_tree_is_counted_before_pypdf_builds_it(tmp_path: Path) -> None:
    path = write_many_pages(tmp_path / "many.pdf", 25_000, per_node=5_000)
    assert path.stat().st_size < 4 * MiB
    m = measured_import(path)
    assert m.error is not None and "more than 20,000 pages" in m.error
    assert m.seconds < 10 and m.peak_mb < SMALL_MB


def test_pdf_cancel_inside_a_long_page(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "long.pdf", 2, TEXT_LINE * 20_000)

    class Stop(Exception):
        pass

    calls = 0

    def cancel_soon(_f: float, _m: str) -> None:
        nonlocal calls
        calls += 1
        if calls == 4:  # from inside pypdf's extraction of page 1
            raise Stop

    with pytest.raises(Stop):
        ingest_file(path, cancel_soon)


# -- web pages -------------------------------------------------------------------------------
def _flat_divs(n: int) -> str:
    divs = "".join(f"<div>Flat paragraph {i} says something useful.</div>" for i in range(n))
    return f"<html><head><title>Flat</title></head><body>{divs}</body></html>"


def test_html_ten_megabytes_of_flat_divs(tmp_path: Path) -> None:
    path = tmp_path / "flat.html"
    path.write_text(_flat_divs(10_000_000 // 50), encoding="utf-8")
    assert path.stat().st_size > 9_000_000
    m = measured_import(path)
    assert m.error is None, m.error
    assert any("very large page" in w for w in m.warnings)
    assert m.raw["title"] == "Flat" and "Flat paragraph 0 says" in m.text
    assert m.progress_calls > 20 and m.seconds < 30 and m.peak_mb < 800


def test_html_ten_megabytes_of_nested_divs_warns_and_keeps_the_text(tmp_path: Path) -> None:
    n = 10_000_000 // 50
    path = tmp_path / "nested.html"
    path.write_text(
        "<html><body>"
        + "".join(f"<div><p>Nested paragraph {i} of the page.</p>" for i in range(n))
        + "</div>" * n
        + "</body></html>",
        encoding="utf-8",
    )
    m = measured_import(path)
    assert m.error is None, m.error
    assert any("nested deeper" in w and "plain paragraphs" in w for w in m.warnings)
    assert m.kinds.count("paragraph") == n  # every paragraph, far past the parser's depth
    assert str(m.raw["tail"]).endswith(f"Nested paragraph {n - 1} of the page.")
    assert m.seconds < 30 and m.peak_mb < 800


def test_html_time_limit_and_cancel() -> None:
    from engine.ingest.html_source import ingest_html

    doc = ingest_html(_flat_divs(60_000), name="flat.html", limits=Limits(max_seconds=0))
    assert any(w.startswith("Stopped after 5,000 of") for w in doc.warnings)

    class Stop(Exception):
        pass

    def cancel(fraction: float, _m: str) -> None:
        if fraction > 0.2:
            raise Stop

    with pytest.raises(Stop):
        ingest_html(_flat_divs(60_000), name="flat.html", progress=cancel)


# -- text ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["huge.txt", "huge.html"])
def test_huge_text_is_refused_before_reading(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with path.open("wb") as fh:  # 200 MB, sparse: nothing is written to disk
        fh.truncate(200 * 1_000_000)
    m = measured_import(path)
    assert m.error is not None and "191 MB" in m.error and "must be under" in m.error
    assert m.seconds < 2 and m.peak_mb < 100  # the 200 MB were never read


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec: str) -> None:
    text = "# Übung\n\nDie Übung für Anfänger: Größe und Maß.\n"
    doc = ingest_text(text.encode(codec), "notes.md")
    assert doc.title == "Übung" and doc.encoding == codec
    assert doc.elements[1].text == "Die Übung für Anfänger: Größe und Maß."


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
@pytest.mark.parametrize("text", ["Übung", "C'est très bien.", "Übung macht den Meister."])
def test_western_single_byte_text(codec: str, text: str) -> None:
    decoded, used = decode_as(text.encode(codec), "notes.txt")
    assert decoded == text and used == "cp1252"


def test_other_encodings_are_still_detected() -> None:
    for text, codec in (
        ("Příliš žluťoučký kůň úpěl ďábelské ódy. Zkouška česky.", "cp1250"),
        ("Привет, как дела? Это тест кодировки.", "cp1251"),
        ("日本語のテキストです。", "shift_jis"),
    ):
        assert decode_as(text.encode(codec), "x.txt")[0] == text, codec


def test_encoding_override(tmp_path: Path) -> None:
    path = tmp_path / "czech.txt"
    path.write_bytes("Kůň a čaj".encode("cp1250"))
    before = _digest(path)
    doc = ingest_file(path, encoding="cp1250")
    assert doc.plain_text() == "Kůň a čaj" and doc.encoding == "cp1250"
    assert ingest_file(path, encoding="latin-1").plain_text() != "Kůň a čaj"
    with pytest.raises(IngestError, match="is not utf-8 text"):
        ingest_file(path, encoding="utf-8")
    with pytest.raises(IngestError, match="not a text encoding"):
        ingest_file(path, encoding="klingon")
    assert _digest(path) == before
    page = tmp_path / "page.html"
    page.write_bytes(
        "<html><body><article><h1>Éléments</h1><p>Le café est très chaud, attention à la "
        "tasse et à la soucoupe.</p></article></body></html>".encode("cp1252")
    )
    doc = ingest_file(page, encoding="cp1252")
    assert doc.encoding == "cp1252" and "très chaud" in doc.plain_text()


def test_patterns_stay_linear_on_hostile_lines(tmp_path: Path) -> None:
    """One line of megabytes must not make a pattern backtrack (the former Markdown heading
    pattern ran for minutes on a heading followed by spaces)."""
    import time

    from engine.ingest.html_source import ingest_html
    from engine.ingest.text_source import parse_markdown

    start = time.monotonic()
    doc = parse_markdown("# Title ##\n\n# a" + " " * 2_000_000 + "b\n|" + "----|" * 200_000, "t")
    assert doc.elements[0].text == "Title"
    for markup in (
        "<p>Intro.</p>" + "<script>x" * 500_000,  # scripts never closed
        "<p>Intro.</p>" + "<!--x" * 500_000,  # comments never closed
        "<p>Intro.</p>" + "<" * 3_000_000,  # no tag ever closed
    ):
        ingest_html(markup, name="page.html")
    assert time.monotonic() - start < 20


def test_html_with_a_huge_text_node_is_not_given_to_the_extractor() -> None:
    from engine.ingest.html_source import ingest_html

    doc = ingest_html("<html><body><p>" + "word " * 600_000 + "</p></body></html>", name="p")
    assert any("very large page" in w and "2,400,000 characters" in w for w in doc.warnings)
    assert doc.word_count == 600_000
