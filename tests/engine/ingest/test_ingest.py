"""Importers on real documents, and bad input that must fail clearly without losing work."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.ingest.document import IngestError
from engine.ingest.limits import Limits
from engine.ingest.sources import ingest_file
from engine.ingest.text_source import ingest_prompt, ingest_text
from tests.engine.ingest.conftest import print_pdf


def _kinds(doc) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.kind for e in doc.elements]


def test_pdf_structure(kitchen_pdf: Path) -> None:
    doc = ingest_file(kitchen_pdf)
    assert doc.source == "pdf" and doc.pages == 1 and doc.title == "Kitchen"
    heads = [(e.level, e.text) for e in doc.elements if e.kind == "heading"]
    assert heads == [(1, "Kitchen Safety"), (2, "Knife handling"), (2, "Burns")]
    text = doc.plain_text()
    assert "Cool a burn under running water for twenty minutes." in text
    assert "\t" not in text


def test_docx_structure(kitchen_docx: Path) -> None:
    doc = ingest_file(kitchen_docx)
    assert doc.source == "docx" and doc.title == "Kitchen Safety"
    assert _kinds(doc) == [
        "heading",
        "paragraph",
        "heading",
        "list",
        "heading",
        "list",
        "table",
        "image",
    ]
    lists = [e for e in doc.elements if e.kind == "list"]
    assert lists[0].items == (
        "Carry a knife with the point down.",
        "Never try to catch a falling knife.",
    )
    assert not lists[0].ordered and lists[1].ordered
    [table] = [e for e in doc.elements if e.kind == "table"]
    assert table.rows == (("Burn", "Action"), ("Minor", "Cool for 20 minutes"))
    [image] = [e for e in doc.elements if e.kind == "image"]
    assert image.image is not None and image.image.startswith(b"\x89PNG")


def test_docx_oversized_image_is_left_out_with_a_warning(kitchen_docx: Path) -> None:
    doc = ingest_file(kitchen_docx, limits=Limits(image_max_bytes=10))
    assert "image" not in _kinds(doc) and any("image" in w for w in doc.warnings)


def test_markdown_and_encodings(tmp_path: Path) -> None:
    md = (
        "# Café safety\n\nHot drinks burn — carefully.\n\n- Use lids\n- Warn customers\n\n"
        "| Drink | Temp |\n|---|---|\n| Tea | 85 |\n\n```\nsteam = danger\n```\n"
    )
    for enc, name in (("utf-8", "a.md"), ("cp1252", "b.md"), ("utf-16", "c.md")):
        doc = ingest_text(md.encode(enc), name)
        assert doc.title == "Café safety", enc
        assert _kinds(doc) == ["heading", "paragraph", "list", "table", "code"]
        assert doc.elements[1].text == "Hot drinks burn — carefully."
    with pytest.raises(IngestError, match="binary"):
        ingest_text(b"\x00\x01\x02\xff" * 100, "blob.txt")


def test_prompt() -> None:
    doc = ingest_prompt("Onboarding for new baristas: hygiene, espresso, customer care")
    assert doc.source == "prompt" and doc.title.startswith("Onboarding")
    with pytest.raises(IngestError):
        ingest_prompt("  ")


def test_encrypted_pdf(kitchen_pdf: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter()
    for page in PdfReader(kitchen_pdf).pages:
        w.add_page(page)
    w.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        w.write(fh)
    with pytest.raises(IngestError, match="password-protected"):
        ingest_file(locked)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cut.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", "damaged"),
        ("fake.pdf", b"hello, not a pdf", "not a PDF"),
        ("broken.docx", b"PK\x03\x04not really a zip", "damaged"),
        ("empty.txt", b"", "empty"),
        ("old.doc", b"\xd0\xcf\x11\xe0 legacy", "not supported"),
        ("blank.md", b"\n\n   \n", "empty"),
    ],
)
def test_bad_files_get_clear_messages(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError, match=message):
        ingest_file(path)
    assert path.read_bytes() == data  # the user's file is never touched


def test_image_only_pdf(tmp_path: Path) -> None:
    pdf = print_pdf("<p></p>", tmp_path / "blank.pdf")
    with pytest.raises(IngestError, match="no text layer"):
        ingest_file(pdf)


@pytest.mark.slow
def test_500_pages_with_progress_and_cancel(kitchen_pdf: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    page = PdfReader(kitchen_pdf).pages[0]
    w = PdfWriter()
    for _ in range(500):
        w.add_page(page)
    big = tmp_path / "big.pdf"
    with big.open("wb") as fh:
        w.write(fh)
    seen: list[float] = []
    doc = ingest_file(big, lambda f, _m: seen.append(f))
    assert doc.pages == 500 and seen[-1] == 1.0 and len(seen) > 500
    assert sum(e.kind == "heading" for e in doc.elements) == 1500

    class Stop(Exception):
        pass

    def cancel_at_10(fraction: float, _m: str) -> None:
        if fraction > 0.02:
            raise Stop

    with pytest.raises(Stop):
        ingest_file(big, cancel_at_10)


def test_saved_web_page(tmp_path: Path) -> None:
    page = tmp_path / "fire.html"
    page.write_text(
        "<html><head><title>Fire safety</title></head><body><nav>Home | About</nav><article>"
        "<h1>Fire safety</h1><p>Every workplace needs a fire risk assessment of what could "
        "start a fire and who is at risk.</p><h2>Evacuation</h2><ul><li>Know your exit</li>"
        "<li>Never use lifts</li></ul><table><tr><td>A</td><td>Solids</td></tr></table>"
        "</article><footer>Copyright</footer></body></html>",
        encoding="cp1252",
    )
    doc = ingest_file(page)
    assert doc.source == "html" and doc.title == "Fire safety"
    assert "heading" in _kinds(doc) and "list" in _kinds(doc) and "table" in _kinds(doc)
    assert "Home | About" not in doc.plain_text()  # navigation is not content
