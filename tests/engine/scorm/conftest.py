"""The demo course (resources/demo) as a plain SCORM course description, and a tiny PNG."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest

from engine.content import parse_blocks, parse_quiz
from engine.scorm import Branding, ScormCourse, ScormModule

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo" / "demo_content.json"


def demo_course(**overrides: object) -> ScormCourse:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    org, course = data["organisation"], data["courses"][0]
    modules = [
        ScormModule(m["title"], parse_blocks(m["content"]), parse_quiz(m.get("quiz")), m["id"])
        for m in course["modules"]
    ]
    brand = org["branding"]
    fields: dict[str, object] = {
        "id": course["id"],
        "title": course["title"],
        "modules": modules,
        "description": course["description"],
        "branding": Branding(org["name"], brand["primary_color"], brand["secondary_color"]),
    }
    fields.update(overrides)
    return ScormCourse(**fields)  # type: ignore[arg-type]


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def course() -> ScormCourse:
    return demo_course()
