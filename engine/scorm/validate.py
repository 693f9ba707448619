"""Checks every package passes before it is written (and that tests run on tampered ones).

* ``imsmanifest.xml`` at the root, valid against the SCORM 1.2 XSDs *as shipped in the
  package* (lxml, the schema imports resolved from the package's own files; the four must
  be there, see ``_BASE`` for the two libxml2 cannot take as published), schema
  ``ADL SCORM`` version ``1.2``, exactly one organisation whose items point at resources;
* every ``href`` relative and inside the package: no scheme, no leading ``/``, no drive
  letter, no backslash, no ``..`` segment; every referenced file present, and every file of
  the package (other than the manifest and the XSDs) listed by a resource;
* no reference to the network: no ``http://``/``https://`` or protocol-relative ``//`` in
  any HTML, CSS or JS file (the manifest may name XML namespace URIs), and every ``src``,
  ``href`` and CSS ``url()`` in a page resolves to a file of the package.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from lxml import etree  # type: ignore[import-untyped]

from engine.scorm.manifest import NS_ADLCP, NS_IMSCP, XSD_FILES

MANIFEST = "imsmanifest.xml"
_NETWORK = re.compile(rb"https?://|(?:src|href)\s*=\s*[\"']?//|url\(\s*[\"']?//", re.I)
_REFS = re.compile(rb"""(?:src|href)\s*=\s*"([^"]*)"|url\(\s*["']?([^"')]+)""", re.I)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_TEXT_SUFFIXES = (".html", ".htm", ".css", ".js")
_WRAPPER = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
<xsd:import namespace="{NS_IMSCP}" schemaLocation="imscp_rootv1p1p2.xsd"/>
<xsd:import namespace="{NS_ADLCP}" schemaLocation="adlcp_rootv1p2.xsd"/>
</xsd:schema>""".encode()
# imsmd_rootv1p2p1.xsd (IMS meta-data) breaks XML Schema's unique particle attribution rule
# (its annotationType ends in an xsd:any ##any after optional elements), so libxml2 cannot
# load it; the package ships it as published, the manifest carries no IMS meta-data, and an
# element of that namespace would fail validation as undeclared (processContents="strict")
_BASE = "file:///byteos-scorm-package/"
# ims_xml.xsd binds the xml namespace as its default namespace, which libxml2 refuses; every
# name in it is xsd:-prefixed or unqualified, so validating without that one declaration
# checks exactly the same rules (the package keeps the file as published)
_XML_DEFAULT_NS = b' xmlns="http://www.w3.org/XML/1998/namespace"'


class ScormPackageError(ValueError):
    """The package breaks SCORM 1.2 or would not play offline; ``problems`` lists why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("The SCORM package is not valid:\n- " + "\n- ".join(problems))


class _PackageResolver(etree.Resolver):  # type: ignore[misc]
    def __init__(self, files: Mapping[str, bytes]) -> None:
        super().__init__()
        self.files = files

    def resolve(self, url: str, pubid: str | None, context: object) -> object:
        name = url.removeprefix(_BASE)
        if name in self.files:
            data = self.files[name]
            if name == "ims_xml.xsd":  # libxml2 refuses the xml namespace as a default one
                data = data.replace(_XML_DEFAULT_NS, b"")
            return self.resolve_string(data, context, base_url=_BASE + name)
        return self.resolve_string(b"<missing/>", context)


def href_problem(href: str) -> str | None:
    """Why ``href`` may not appear in a package, or ``None`` when it is fine."""
    if not href:
        return "an empty href"
    if "\\" in href:
        return f"“{href}” uses a backslash"
    if href.startswith("/") or _SCHEME.match(href) or re.match(r"^[A-Za-z]:", href):
        return f"“{href}” is absolute; package paths must be relative"
    if ".." in href.split("?")[0].split("#")[0].split("/"):
        return f"“{href}” leaves the package (..)"
    return None


def _schema_errors(files: Mapping[str, bytes]) -> list[str]:
    missing = [x for x in XSD_FILES if x not in files]
    if missing:
        return [f"the XSD {m} is missing from the package root" for m in missing]
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    parser.resolvers.add(_PackageResolver(files))
    try:
        schema = etree.XMLSchema(etree.fromstring(_WRAPPER, parser, base_url=_BASE + "all.xsd"))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as err:
        return [f"the package's XSDs cannot be read: {err}"]
    doc = etree.fromstring(files[MANIFEST], etree.XMLParser(resolve_entities=False))
    if schema.validate(doc):
        return []
    return [f"imsmanifest.xml line {e.line}: {e.message}" for e in schema.error_log]


def _manifest_problems(files: Mapping[str, bytes]) -> tuple[list[str], set[str]]:
    problems: list[str] = []
    listed: set[str] = set()
    try:
        root = etree.fromstring(files[MANIFEST], etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError as err:
        return [f"imsmanifest.xml is not well-formed XML: {err}"], listed
    cp = f"{{{NS_IMSCP}}}"
    version = root.findtext(f"{cp}metadata/{cp}schemaversion")
    if root.findtext(f"{cp}metadata/{cp}schema") != "ADL SCORM" or version != "1.2":
        problems.append("the manifest must declare schema “ADL SCORM” version 1.2")
    orgs = root.findall(f"{cp}organizations/{cp}organization")
    if len(orgs) != 1:
        problems.append(f"the manifest must have exactly one organization (it has {len(orgs)})")
    resources = {r.get("identifier"): r for r in root.iter(f"{cp}resource")}
    for item in root.iter(f"{cp}item"):
        ref = item.get("identifierref")
        if ref is not None and ref not in resources:
            problems.append(f"item {item.get('identifier')} points at no resource ({ref})")
    for rid, res in resources.items():
        if res.get(f"{{{NS_ADLCP}}}scormtype") != "sco":
            problems.append(f"resource {rid} is not adlcp:scormtype=“sco”")
        hrefs = [res.get("href")] + [f.get("href") for f in res.iter(f"{cp}file")]
        for href in hrefs:
            if href is None:
                continue
            why = href_problem(href)
            if why is not None:
                problems.append(f"resource {rid}: {why}")
                continue
            path = href.split("?")[0].split("#")[0]
            listed.add(path)
            if path not in files:
                problems.append(f"resource {rid} lists {path}, which is not in the package")
    return problems, listed


def _page_problems(name: str, data: bytes, files: Mapping[str, bytes]) -> list[str]:
    problems: list[str] = []
    hit = _NETWORK.search(data)
    if hit:
        snippet = hit.group(0).decode("utf-8", "replace")
        problems.append(f"{name} refers to the network ({snippet}…); a package must play offline")
    base = posixpath.dirname(name)
    for m in _REFS.finditer(data):
        ref = (m.group(1) or m.group(2) or b"").decode("utf-8", "replace").strip()
        if not ref or ref.startswith(("#", "data:")) or _NETWORK.match(ref.encode()):
            continue
        why = href_problem(ref)
        if why is not None:
            problems.append(f"{name}: {why}")
            continue
        target = posixpath.normpath(posixpath.join(base, ref.split("?")[0].split("#")[0]))
        if target not in files:
            problems.append(f"{name} refers to {target}, which is not in the package")
    return problems


def validate_package(files: Mapping[str, bytes]) -> None:
    """Raise :class:`ScormPackageError` with every problem found in ``files``."""
    if MANIFEST not in files:
        raise ScormPackageError(["imsmanifest.xml is missing from the package root"])
    problems = [f"“{n}”: {w}" for n in files if (w := href_problem(n)) is not None]
    manifest_problems, listed = _manifest_problems(files)
    if any("not well-formed" in p for p in manifest_problems):
        raise ScormPackageError(problems + manifest_problems)
    problems += manifest_problems + _schema_errors(files)
    for name in sorted(set(files) - listed - {MANIFEST, *XSD_FILES}):
        problems.append(f"{name} is in the package but no resource lists it")
    for name, data in sorted(files.items()):
        if name.lower().endswith(_TEXT_SUFFIXES):
            problems += _page_problems(name, data, files)
    if problems:
        raise ScormPackageError(problems)
