"""Reading a SCORM package someone else made: every check before anything is stored.

:func:`inspect_package` takes the zip's bytes and returns what an import needs (version,
title, the launchable items with their pages and mastery scores, the file list), or raises
:class:`ScormImportError` with one specific message. It refuses: a file that is not a zip,
encrypted entries, symbolic links, absolute paths and ``..`` (in the zip and in the
manifest), zip bombs (a cap on the total uncompressed size, the number of files and the
compression ratio, read from the central directory before anything is extracted), AICC
courses, a manifest in a subfolder or none at all, XML that does not parse (entities are
never expanded), no organisation, an item pointing at no resource and a referenced file
that is not in the zip. SCORM 1.2 and SCORM 2004 manifests are read (2004's mastery score
is its primary objective's ``minNormalizedMeasure``). Nothing here writes anywhere.
"""

from __future__ import annotations

import io
import posixpath
import stat
import zipfile
from dataclasses import dataclass, field
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from engine.scorm.validate import MANIFEST, href_problem

MAX_TOTAL_BYTES = 1 << 30  # 1 GiB unpacked
MAX_FILES = 20_000
MAX_RATIO = 200  # uncompressed / compressed, over the whole archive
_AICC_SUFFIXES = (".au", ".crs", ".des", ".cst")
_ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
_ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
_IMSSS = "http://www.imsglobal.org/xsd/imsss"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


class ScormImportError(ValueError):
    """The package cannot be imported; the message says exactly why."""


@dataclass(frozen=True)
class ImportedSco:
    identifier: str
    title: str
    href: str  # the launch page, with the item's parameters
    scorm_type: str  # "sco" or "asset"
    mastery_score: float | None  # percent, when the package sets one


@dataclass(frozen=True)
class ScormImport:
    version: str  # "1.2" or "2004"
    title: str
    items: tuple[ImportedSco, ...]
    files: tuple[str, ...] = field(default=())
    total_bytes: int = 0


def _check_entries(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_FILES:
        raise ScormImportError(f"The package has {len(infos)} files; at most {MAX_FILES}.")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise ScormImportError(
            f"The package unpacks to {total / 1e6:.0f} MB; at most {MAX_TOTAL_BYTES // 10**6} MB."
        )
    if total > 10**6 and total > MAX_RATIO * max(packed, 1):
        raise ScormImportError(
            f"The package compresses {total // max(packed, 1)}:1, which only zip bombs do; "
            "it was not unpacked."
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise ScormImportError(f"“{info.filename}” is encrypted; import the package unlocked.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ScormImportError(
                f"“{info.filename}” is a symbolic link; packages may not hold links."
            )
        why = href_problem(info.filename.rstrip("/") or "/")
        if why is not None:
            raise ScormImportError(f"The zip holds {why}.")
    return infos


def _no_manifest(names: list[str]) -> ScormImportError:
    nested = sorted(n for n in names if posixpath.basename(n) == MANIFEST)
    if nested:
        folder = posixpath.dirname(nested[0])
        return ScormImportError(
            f"imsmanifest.xml is in the folder “{folder}/”, not at the root: zip the "
            "contents of that folder, not the folder itself."
        )
    if any(n.lower().endswith(_AICC_SUFFIXES) for n in names):
        return ScormImportError(
            "This is an AICC course (.au/.crs/.des files), not SCORM; publish it as SCORM "
            "1.2 or 2004 from its authoring tool."
        )
    return ScormImportError("There is no imsmanifest.xml at the root, so this is not SCORM.")


def _version(root: Any, ns: str) -> str:
    schemaversion = (root.findtext(f"{{{ns}}}metadata/{{{ns}}}schemaversion") or "").strip()
    if schemaversion == "1.2" or _ADLCP_12 in root.nsmap.values():
        return "1.2"
    if "2004" in schemaversion or "1.3" in schemaversion or _ADLCP_2004 in root.nsmap.values():
        return "2004"
    raise ScormImportError(f"Unknown SCORM version “{schemaversion or 'none given'}”.")


def _mastery(item: Any, version: str) -> float | None:
    if version == "1.2":
        text = item.findtext(f"{{{_ADLCP_12}}}masteryscore")
        try:
            return float(text) if text and text.strip() else None
        except ValueError:
            raise ScormImportError(f"The mastery score “{text}” is not a number.") from None
    measure = item.find(
        f"{{{_IMSSS}}}sequencing/{{{_IMSSS}}}objectives/{{{_IMSSS}}}primaryObjective"
        f"[@satisfiedByMeasure='true']/{{{_IMSSS}}}minNormalizedMeasure"
    )
    if measure is None or not (measure.text or "").strip():
        return None
    return round(float(measure.text) * 100, 2)


def inspect_package(data: bytes) -> ScormImport:
    """Check ``data`` (a zip) and describe it; raises :class:`ScormImportError`."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ScormImportError("The file is not a zip archive.") from None
    with zf:
        infos = _check_entries(zf)
        names = [i.filename for i in infos if not i.is_dir()]
        if MANIFEST not in names:
            raise _no_manifest(names)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        try:
            root = etree.fromstring(zf.read(MANIFEST), parser)
        except etree.XMLSyntaxError as err:
            raise ScormImportError(f"imsmanifest.xml is not valid XML: {err}.") from None
    ns = etree.QName(root).namespace or ""
    version = _version(root, ns)
    orgs = root.find(f"{{{ns}}}organizations")
    org_list = [] if orgs is None else orgs.findall(f"{{{ns}}}organization")
    if not org_list:
        raise ScormImportError("The manifest has no organization, so nothing can be launched.")
    default = orgs.get("default")
    org = next((o for o in org_list if o.get("identifier") == default), org_list[0])
    resources = {r.get("identifier"): r for r in root.iter(f"{{{ns}}}resource")}
    base = root.find(f"{{{ns}}}resources")
    base_href = (base.get(_XML_BASE) or "") if base is not None else ""
    present = set(names)
    items: list[ImportedSco] = []
    for item in org.iter(f"{{{ns}}}item"):
        ref = item.get("identifierref")
        if not ref:
            continue  # an aggregation: its children are the launchable items
        res = resources.get(ref)
        if res is None:
            raise ScormImportError(
                f"The item “{item.get('identifier')}” points at the resource “{ref}”, which "
                "the manifest does not have."
            )
        res_base = base_href + (res.get(_XML_BASE) or "")
        hrefs = [res.get("href") or ""] + [f.get("href") or "" for f in res.iter(f"{{{ns}}}file")]
        for href in filter(None, hrefs):
            path = (res_base + href).split("?")[0].split("#")[0]
            why = href_problem(path)
            if why is not None:
                raise ScormImportError(f"The manifest names {why}.")
            if posixpath.normpath(path) not in present:
                raise ScormImportError(f"The manifest lists “{path}”, which is not in the zip.")
        if not hrefs[0]:
            raise ScormImportError(f"The resource “{ref}” has no page to launch.")
        scorm_type = (
            res.get(f"{{{_ADLCP_12}}}scormtype")
            or res.get(f"{{{_ADLCP_2004}}}scormType")
            or "asset"
        )
        title = (item.findtext(f"{{{ns}}}title") or item.get("identifier") or "").strip()
        launch = res_base + hrefs[0] + (item.get("parameters") or "")
        items.append(
            ImportedSco(
                item.get("identifier") or ref, title, launch, scorm_type, _mastery(item, version)
            )
        )
    if not items:
        raise ScormImportError("The organization has no item that can be launched.")
    title = (org.findtext(f"{{{ns}}}title") or "").strip() or items[0].title
    return ScormImport(version, title, tuple(items), tuple(names), sum(i.file_size for i in infos))
