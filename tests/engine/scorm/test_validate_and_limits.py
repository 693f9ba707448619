"""What the export refuses: bad hrefs, network references, missing or unlisted files, a
manifest the XSDs reject, and courses whose progress would not fit in suspend_data."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.content import ImageBlock, ParagraphBlock, Question
from engine.scorm import (
    SUSPEND_DATA_LIMIT,
    ScormCourse,
    ScormExportError,
    ScormModule,
    ScormPackageError,
    build_package,
    href_problem,
    validate_package,
)
from engine.scorm.suspend import QuestionState, decode, encode, worst_case_length
from tests.engine.scorm.conftest import demo_course, png_bytes


@pytest.fixture
def files(course: ScormCourse) -> dict[str, bytes]:
    return dict(build_package(course).files)


def problems(files: dict[str, bytes]) -> list[str]:
    with pytest.raises(ScormPackageError) as err:
        validate_package(files)
    return err.value.problems


@pytest.mark.parametrize(
    "href",
    [
        "/etc/passwd",
        "../outside.html",
        "media/../../x.png",
        "C:/course/m01.html",
        "media\\image.png",
        "https://cdn.example.com/x.js",
        "file:///tmp/x.html",
        "",
    ],
)
def test_bad_hrefs_are_named(href: str) -> None:
    assert href_problem(href) is not None


@pytest.mark.parametrize("href", ["m01.html", "shared/course.css", "media/image001.png"])
def test_good_hrefs_pass(href: str) -> None:
    assert href_problem(href) is None


@pytest.mark.parametrize("bad", ["../m01.html", "/m01.html", "https://lms.example/m01.html"])
def test_manifest_with_a_bad_href_is_rejected(files: dict[str, bytes], bad: str) -> None:
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
        b'<file href="m01.html"/>', f'<file href="{bad}"/>'.encode()
    )
    assert any("absolute" in p or "leaves the package" in p for p in problems(files))


def test_missing_and_unlisted_files_are_named(files: dict[str, bytes]) -> None:
    del files["shared/course.css"]
    files["stray.txt"] = b"?"
    found = problems(files)
    assert any("lists shared/course.css, which is not in the package" in p for p in found)
    assert any("m01.html refers to shared/course.css" in p for p in found)
    assert "stray.txt is in the package but no resource lists it" in found


@pytest.mark.parametrize(
    "snippet",
    [
        b'<script src="https://cdn.example.com/lib.js"></script>',
        b'<img src="//cdn.example.com/x.png" alt="">',
        b"<style>body { background: url(http://x.example/b.png); }</style>",
    ],
)
def test_network_references_are_refused(files: dict[str, bytes], snippet: bytes) -> None:
    files["m02.html"] = files["m02.html"].replace(b"</body>", snippet + b"</body>")
    assert any("m02.html refers to the network" in p for p in problems(files))


def test_network_reference_in_css_or_js_is_refused(files: dict[str, bytes]) -> None:
    files["shared/scorm12.js"] += b'\nfetch("https://tracker.example/x");\n'
    assert any("shared/scorm12.js refers to the network" in p for p in problems(files))


def test_manifest_the_xsds_reject(files: dict[str, bytes]) -> None:
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
        b'adlcp:scormtype="sco"', b'adlcp:scormtype="lesson"', 1
    )
    assert any("[facet 'enumeration']" in p for p in problems(files))


def test_unknown_element_in_the_manifest_is_rejected(files: dict[str, bytes]) -> None:
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
        b"<schema>ADL SCORM</schema>", b"<schema>ADL SCORM</schema><surprise/>"
    )
    assert any("surprise" in p for p in problems(files))


def test_missing_manifest_xsd_or_broken_xml(files: dict[str, bytes]) -> None:
    no_xsd = dict(files)
    del no_xsd["adlcp_rootv1p2.xsd"]
    assert "the XSD adlcp_rootv1p2.xsd is missing from the package root" in problems(no_xsd)
    broken = dict(files, **{"imsmanifest.xml": b"<manifest"})
    assert "not well-formed" in problems(broken)[0]
    no_manifest = {k: v for k, v in files.items() if k != "imsmanifest.xml"}
    assert problems(no_manifest) == ["imsmanifest.xml is missing from the package root"]


def test_two_organisations_are_rejected(files: dict[str, bytes]) -> None:
    xml = files["imsmanifest.xml"]
    start, end = xml.index(b"<organization "), xml.index(b"</organization>") + 15
    second = xml[start:end].replace(b'identifier="ORG-', b'identifier="ORG2-', 1)
    second = second.replace(b'identifier="ITEM-', b'identifier="ITEM2-')
    files["imsmanifest.xml"] = xml[:end] + second + xml[end:]
    assert any("exactly one organization (it has 2)" in p for p in problems(files))


# -- suspend_data ------------------------------------------------------------------------


def test_encoding_round_trips() -> None:
    qs = [QuestionState(1, "c"), None, QuestionState(6, "w"), QuestionState(0, "g")]
    text = encode([True, False], 3, qs)
    assert text == "1|10|3|1c,,6w,0g"
    assert decode(text) == ([True, False], 3, qs)
    with pytest.raises(ValueError):
        decode("{json: 1}")


def test_demo_course_suspend_data_is_tiny(course: ScormCourse) -> None:
    per_module = build_package(course)
    assert per_module.suspend_data_max == 15
    single = build_package(replace(course, sco_mode="single"))
    assert single.suspend_data_max == 42 < SUSPEND_DATA_LIMIT


def quiz(n: int, choices: int = 4) -> list[Question]:
    return [
        Question.model_validate(
            {
                "type": "multiple",
                "prompt": f"Question {i}",
                "choices": [{"text": f"Option {c}", "correct": c == 0} for c in range(choices)],
            }
        )
        for i in range(n)
    ]


def test_worst_case_is_what_the_runtime_can_write() -> None:
    # 4 options: mask up to 15 = "f", flag, comma
    assert worst_case_length(1, [4, 4]) == len("1|1|zz|fc,fc")


def test_a_course_that_cannot_fit_is_refused_with_a_clear_message() -> None:
    modules = [ScormModule(f"M{i}", [ParagraphBlock(text="x")], quiz(250, 8)) for i in range(5)]
    course = ScormCourse("big", "Huge course", modules, sco_mode="single")
    with pytest.raises(ScormExportError, match=r"needs up to \d+ characters of suspend_data"):
        build_package(course)
    # one SCO per module: each fits
    package = build_package(replace(course, sco_mode="per_module"))
    assert max(s.suspend_data_max for s in package.scos) <= SUSPEND_DATA_LIMIT


def test_one_module_too_big_even_on_its_own() -> None:
    course = ScormCourse("big", "Huge", [ScormModule("Exam", (), quiz(1400, 4))])
    with pytest.raises(ScormExportError, match="“Exam” cannot be resumed"):
        build_package(course)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": " "}, "needs a title"),
        ({"modules": []}, "no modules"),
        ({"mastery_score": 120}, "between 0 and 100"),
        ({"modules": [ScormModule("Empty")]}, "is empty"),
        ({"modules": [ScormModule(" ", [ParagraphBlock(text="x")])]}, "Module 1 needs a title"),
        ({"modules": [ScormModule("Q", (), quiz(1, 27))]}, "at most 26"),
    ],
)
def test_course_problems_are_named(change: dict[str, object], message: str) -> None:
    with pytest.raises(ScormExportError, match=message):
        build_package(demo_course(**change))


def test_missing_or_bad_image_is_named() -> None:
    image = ImageBlock(src="asset://gone.png", alt="Diagram")
    course = ScormCourse("c", "C", [ScormModule("Pictures", [image])])
    with pytest.raises(ScormExportError, match=r"“Diagram” .* is not available"):
        build_package(course)
    with pytest.raises(ScormExportError, match="not a PNG, JPEG, GIF or WebP"):
        build_package(replace(course, images={image.src: b"%PDF-1.4"}))
    assert build_package(replace(course, images={image.src: png_bytes()}))
