"""The package: a manifest the SCORM 1.2 XSDs accept, every file listed, pages that play
offline, and the course's template, branding, images and quiz in them."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree  # type: ignore[import-untyped]

from engine.content import ImageBlock, ParagraphBlock
from engine.scorm import ScormCourse, ScormModule, build_package, write_zip
from engine.scorm.manifest import NS_ADLCP, NS_IMSCP, XSD_FILES
from engine.scorm.package import runtime_js
from tests.engine.scorm.conftest import demo_course, png_bytes

CP = f"{{{NS_IMSCP}}}"


def manifest(files: dict[str, bytes]) -> etree._Element:
    return etree.fromstring(files["imsmanifest.xml"])


def test_manifest_is_scorm_12_with_an_item_per_module(course: ScormCourse) -> None:
    package = build_package(course)  # validates against the XSDs in the package
    root = manifest(package.files)
    assert root.tag == f"{CP}manifest"
    assert root.nsmap[None] == NS_IMSCP and root.nsmap["adlcp"] == NS_ADLCP
    assert root.findtext(f"{CP}metadata/{CP}schema") == "ADL SCORM"
    assert root.findtext(f"{CP}metadata/{CP}schemaversion") == "1.2"
    orgs = root.findall(f"{CP}organizations/{CP}organization")
    assert len(orgs) == 1
    assert root.find(f"{CP}organizations").get("default") == orgs[0].get("identifier")
    items = orgs[0].findall(f"{CP}item")
    assert [i.findtext(f"{CP}title") for i in items] == [m.title for m in course.modules]
    assert [i.findtext(f"{{{NS_ADLCP}}}masteryscore") for i in items] == ["80"] * 4
    resources = root.findall(f"{CP}resources/{CP}resource")
    assert len(resources) == 4
    for item, res in zip(items, resources, strict=True):
        assert item.get("identifierref") == res.get("identifier")
        assert res.get(f"{{{NS_ADLCP}}}scormtype") == "sco"
        files = [f.get("href") for f in res.findall(f"{CP}file")]
        assert files[0] == res.get("href")
        assert {"shared/course.css", "shared/scorm12.js"} <= set(files)
    listed = {f.get("href") for f in root.iter(f"{CP}file")}
    assert set(package.files) - listed == {"imsmanifest.xml", *XSD_FILES}


def test_zip_has_the_manifest_first_at_the_root_and_the_four_xsds(course: ScormCourse) -> None:
    buffer = io.BytesIO()
    size = write_zip(build_package(course), buffer)
    assert size == len(buffer.getvalue()) < 60_000
    with zipfile.ZipFile(buffer) as zf:
        names = zf.namelist()
        assert names[0] == "imsmanifest.xml"
        assert set(XSD_FILES) <= set(names)
        assert b"IMS Content Packaging" in zf.read("imscp_rootv1p1p2.xsd")
        assert b'targetNamespace="http://www.adlnet.org/xsd/adlcp_rootv1p2"' in zf.read(
            "adlcp_rootv1p2.xsd"
        )
        assert all(zf.getinfo(n).compress_type == zipfile.ZIP_DEFLATED for n in names)


def test_same_course_same_bytes(course: ScormCourse) -> None:
    a, b = io.BytesIO(), io.BytesIO()
    write_zip(build_package(course), a)
    write_zip(build_package(course), b)
    assert a.getvalue() == b.getvalue()


def test_pages_hold_blocks_quiz_feedback_and_branding(course: ScormCourse) -> None:
    files = build_package(course).files
    page = files["m01.html"].decode()
    module = course.modules[0]
    assert f"<h1>{module.title}</h1>" in page
    assert page.count('<fieldset class="q"') == len(module.quiz)
    assert page.count('data-act="reveal"') == len(module.quiz)
    assert page.count('<div class="explanation" hidden>') == len(module.quiz)
    assert 'src="shared/scorm12.js"' in page and 'href="shared/course.css"' in page
    assert "ByteOS Demo Academy" in page
    css = files["shared/course.css"].decode()
    assert "#3B5BDB" in css  # the organisation's primary colour
    assert "#12B886" in css  # its secondary colour (focus ring)
    assert files["shared/scorm12.js"] == runtime_js()


def test_template_changes_the_look(course: ScormCourse) -> None:
    from dataclasses import replace

    night = build_package(replace(course, template_id="night")).files["shared/course.css"]
    assert b"#111827" in night  # the Night template's background


def test_images_are_packaged_once_and_listed() -> None:
    png = png_bytes()
    image = ImageBlock(src="asset://ab/cd.png", alt="A red square", caption="Red")
    modules = [
        ScormModule("One", [image, ParagraphBlock(text="Text")]),
        ScormModule("Two", [image]),
    ]
    course = ScormCourse("c1", "Pictures", modules, images={image.src: png})
    files = build_package(course).files
    assert files["media/image001.png"] == png
    assert [n for n in files if n.startswith("media/")] == ["media/image001.png"]
    assert b'<img src="media/image001.png" alt="A red square">' in files["m01.html"]
    assert b'<file href="media/image001.png"/>' in files["imsmanifest.xml"]


def test_text_mentioning_a_web_address_is_shown_but_not_a_reference() -> None:
    body = ParagraphBlock(text="Read more at https://example.org/page <b>now</b>")
    course = ScormCourse("c1", "Links", [ScormModule("One", [body])])
    page = build_package(course).files["m01.html"]
    assert b"https&#58;//example.org/page &lt;b&gt;now&lt;/b&gt;" in page
    assert b"https://" not in page


def test_a_module_without_quiz_completes_and_has_no_mastery_score() -> None:
    course = demo_course(modules=[ScormModule("Read only", [ParagraphBlock(text="Hi")])])
    files = build_package(course).files
    assert b"masteryscore" not in files["imsmanifest.xml"]
    assert b'data-act="complete"' in files["m01.html"]


def test_single_sco_mode_has_one_item_for_the_whole_course(course: ScormCourse) -> None:
    from dataclasses import replace

    package = build_package(replace(course, sco_mode="single"))
    root = manifest(package.files)
    items = root.findall(f"{CP}organizations/{CP}organization/{CP}item")
    assert len(items) == 1 and items[0].findtext(f"{CP}title") == course.title
    page = package.files["index.html"].decode()
    assert page.count('<section class="module"') == 4
    assert 'data-act="next"' in page


def test_rendered_audio_and_video_travel_with_captions() -> None:
    from engine.scorm import ModuleMedia

    vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n"
    media = [
        ModuleMedia("audio", b"ID3fake-mp3", ".mp3", vtt),
        ModuleMedia("video", b"fake-mp4", ".MP4"),
    ]
    course = ScormCourse(
        "c", "Media", [ScormModule("Narrated", [ParagraphBlock(text="Hi")], (), "m", media)]
    )
    files = build_package(course).files
    assert files["media/m01-audio.mp3"] == b"ID3fake-mp3"
    assert files["media/m01-audio.vtt"] == vtt.encode()
    assert files["media/m01-video.mp4"] == b"fake-mp4"
    page = files["m01.html"].decode()
    assert '<audio controls preload="metadata" src="media/m01-audio.mp3">' in page
    assert '<track kind="captions" src="media/m01-audio.vtt"' in page
    assert '<video controls preload="metadata" src="media/m01-video.mp4"></video>' in page
    for name in ("media/m01-audio.mp3", "media/m01-audio.vtt", "media/m01-video.mp4"):
        assert f'<file href="{name}"/>'.encode() in files["imsmanifest.xml"]


def test_media_a_browser_cannot_play_is_refused() -> None:
    from engine.scorm import ModuleMedia, ScormExportError

    bad = ScormModule("M", [ParagraphBlock(text="x")], (), "m", [ModuleMedia("video", b"", ".avi")])
    with pytest.raises(ScormExportError, match=r"video is a \.avi file"):
        build_package(ScormCourse("c", "C", [bad]))
