"""Reading SCORM packages for import: our own export, a SCORM 2004 package in the usual
authoring-tool layout, and every kind of bad package, each with its own message."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from engine.scorm import ScormCourse, build_package, write_zip
from engine.scorm.importer import ScormImportError, inspect_package

MANIFEST_2004 = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.course" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG">
      <title>Fire safety</title>
      <item identifier="I1" identifierref="R1" parameters="?slide=1">
        <title>Introduction</title>
        <imsss:sequencing><imsss:objectives>
          <imsss:primaryObjective objectiveID="p" satisfiedByMeasure="true">
            <imsss:minNormalizedMeasure>0.75</imsss:minNormalizedMeasure>
          </imsss:primaryObjective>
        </imsss:objectives></imsss:sequencing>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="R1" type="webcontent" adlcp:scormType="sco" xml:base="content/"
      href="index_lms.html">
      <file href="index_lms.html"/><file href="story.js"/>
    </resource>
  </resources>
</manifest>"""


def zip_of(files: dict[str, bytes], **info: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zi = zipfile.ZipInfo(name)
            zi.compress_type = zipfile.ZIP_DEFLATED
            for key, value in info.items():
                setattr(zi, key, value)
            zf.writestr(zi, data)
    return buffer.getvalue()


def package_2004(**overrides: bytes) -> dict[str, bytes]:
    files = {
        "imsmanifest.xml": MANIFEST_2004,
        "content/index_lms.html": b"<html></html>",
        "content/story.js": b"",
    }
    files.update(overrides)
    return files


def test_our_export_reads_back(course: ScormCourse) -> None:
    buffer = io.BytesIO()
    write_zip(build_package(course), buffer)
    found = inspect_package(buffer.getvalue())
    assert found.version == "1.2" and found.title == course.title
    assert [i.title for i in found.items] == [m.title for m in course.modules]
    assert [i.href for i in found.items] == ["m01.html", "m02.html", "m03.html", "m04.html"]
    assert {i.scorm_type for i in found.items} == {"sco"}
    assert {i.mastery_score for i in found.items} == {80.0}


def test_a_scorm_2004_package_with_xml_base_and_parameters() -> None:
    found = inspect_package(zip_of(package_2004()))
    assert found.version == "2004" and found.title == "Fire safety"
    [item] = found.items
    assert item.href == "content/index_lms.html?slide=1"
    assert item.scorm_type == "sco" and item.mastery_score == 75.0


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"course/imsmanifest.xml": MANIFEST_2004}, "in the folder “course/”, not at the root"),
        ({"course.au": b"", "course.crs": b""}, "AICC course"),
        ({"index.html": b""}, "no imsmanifest.xml at the root"),
        ({"imsmanifest.xml": b"<manifest><organizations>"}, "not valid XML"),
        (
            package_2004(**{"imsmanifest.xml": MANIFEST_2004.replace(b'"story.js"', b'"gone.js"')}),
            "lists “content/gone.js”, which is not in the zip",
        ),
        (
            package_2004(
                **{"imsmanifest.xml": MANIFEST_2004.replace(b'href="story.js"', b'href="../x.js"')}
            ),
            r"leaves the package",
        ),
        (
            package_2004(
                **{
                    "imsmanifest.xml": MANIFEST_2004.replace(b"<organization ", b"<x ").replace(
                        b"</organization>", b"</x>"
                    )
                }
            ),
            "no organization",
        ),
        (
            package_2004(
                **{
                    "imsmanifest.xml": MANIFEST_2004.replace(
                        b'identifierref="R1"', b'identifierref="R9"'
                    )
                }
            ),
            "points at the resource “R9”",
        ),
        ({"../evil.html": b"", "imsmanifest.xml": MANIFEST_2004}, "leaves the package"),
        ({"/etc/cron.d/x": b"", "imsmanifest.xml": MANIFEST_2004}, "absolute"),
    ],
)
def test_bad_packages_get_a_specific_message(files: dict[str, bytes], message: str) -> None:
    with pytest.raises(ScormImportError, match=message):
        inspect_package(zip_of(files))


def test_not_a_zip() -> None:
    with pytest.raises(ScormImportError, match="not a zip archive"):
        inspect_package(b"%PDF-1.7")


def test_symlinks_and_encrypted_entries_are_refused() -> None:
    link = zip_of(package_2004(), external_attr=(stat.S_IFLNK | 0o777) << 16)
    with pytest.raises(ScormImportError, match="symbolic link"):
        inspect_package(link)
    locked = bytearray(zip_of(package_2004()))
    at = locked.find(b"PK\x01\x02")  # the first central directory entry: "encrypted" bit
    locked[at + 8] |= 0x1
    locked = bytes(locked)
    with pytest.raises(ScormImportError, match="encrypted"):
        inspect_package(locked)


def test_zip_bombs_are_refused_before_unpacking() -> None:
    bomb = zip_of(package_2004(**{"content/pad.bin": b"\0" * (20 * 1024 * 1024)}))
    assert len(bomb) < 100_000
    with pytest.raises(ScormImportError, match="only zip bombs do"):
        inspect_package(bomb)


def test_entities_are_never_expanded() -> None:
    xxe = MANIFEST_2004.replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ).replace(b"<title>Fire safety</title>", b"<title>&x;</title>")
    found = inspect_package(zip_of(package_2004(**{"imsmanifest.xml": xxe})))
    assert "root:" not in found.title
