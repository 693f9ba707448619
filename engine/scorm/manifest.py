"""``imsmanifest.xml`` for SCORM 1.2 (IMS CP 1.1.2 + the ADL ``adlcp`` extension).

One organisation; an item per SCO (so, by default, per module) pointing at a
``adlcp:scormtype="sco"`` resource that lists every file the SCO's page uses; items of SCOs
with a quiz carry the course's ``adlcp:masteryscore``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from engine.scorm.model import TITLE_LIMIT

NS_IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
NS_ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
NS_IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD_FILES = (
    "imscp_rootv1p1p2.xsd",
    "adlcp_rootv1p2.xsd",
    "imsmd_rootv1p2p1.xsd",
    "ims_xml.xsd",
)
_SCHEMA_LOCATION = (
    f"{NS_IMSCP} imscp_rootv1p1p2.xsd {NS_IMSMD} imsmd_rootv1p2p1.xsd {NS_ADLCP} adlcp_rootv1p2.xsd"
)


@dataclass(frozen=True)
class ManifestItem:
    identifier: str  # an xsd:ID (NCName)
    title: str
    href: str  # the SCO's launch page
    files: Sequence[str]  # every file the page uses, the page first
    mastery_score: int | None = None


def ncname(prefix: str, value: str) -> str:
    """An identifier the schema accepts (xsd:ID): letters, digits, ``-``, ``_``, ``.``."""
    return prefix + re.sub(r"[^A-Za-z0-9_.-]", "-", value)


def short_title(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= TITLE_LIMIT else value[: TITLE_LIMIT - 1] + "…"


def build_manifest(course_id: str, title: str, items: Sequence[ManifestItem]) -> bytes:
    org_id = ncname("ORG-", course_id)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<manifest identifier={quoteattr(ncname("BYTEOS-", course_id))} version="1.0"',
        f'    xmlns="{NS_IMSCP}"',
        f'    xmlns:adlcp="{NS_ADLCP}"',
        f'    xmlns:xsi="{NS_XSI}"',
        f'    xsi:schemaLocation="{_SCHEMA_LOCATION}">',
        "  <metadata>",
        "    <schema>ADL SCORM</schema>",
        "    <schemaversion>1.2</schemaversion>",
        "  </metadata>",
        f'  <organizations default="{org_id}">',
        f'    <organization identifier="{org_id}">',
        f"      <title>{escape(short_title(title))}</title>",
    ]
    for item in items:
        lines.append(
            f'      <item identifier="ITEM-{item.identifier}" '
            f'identifierref="RES-{item.identifier}" isvisible="true">'
        )
        lines.append(f"        <title>{escape(short_title(item.title))}</title>")
        if item.mastery_score is not None:
            lines.append(f"        <adlcp:masteryscore>{item.mastery_score}</adlcp:masteryscore>")
        lines.append("      </item>")
    lines += ["    </organization>", "  </organizations>", "  <resources>"]
    for item in items:
        lines.append(
            f'    <resource identifier="RES-{item.identifier}" type="webcontent" '
            f'adlcp:scormtype="sco" href={quoteattr(item.href)}>'
        )
        lines += [f"      <file href={quoteattr(f)}/>" for f in item.files]
        lines.append("    </resource>")
    lines += ["  </resources>", "</manifest>", ""]
    return "\n".join(lines).encode("utf-8")
