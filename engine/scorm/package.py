"""Assembling the package: pages, CSS, runtime, images, manifest and XSDs, then the zip."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from engine.content import ImageBlock
from engine.scorm import render, suspend
from engine.scorm.manifest import XSD_FILES, ManifestItem, build_manifest
from engine.scorm.model import ScormCourse, check_course, image_suffix
from engine.scorm.validate import MANIFEST, validate_package

_ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed, so the same course gives the same bytes


@dataclass(frozen=True)
class ScoInfo:
    href: str
    title: str
    module_count: int
    question_count: int
    suspend_data_max: int  # worst-case suspend_data length (limit 4096)


@dataclass(frozen=True)
class Package:
    files: dict[str, bytes]
    scos: tuple[ScoInfo, ...]

    @property
    def suspend_data_max(self) -> int:
        return max(s.suspend_data_max for s in self.scos)


def _asset(name: str) -> bytes:
    return resources.files("engine.scorm").joinpath(name).read_bytes()


def runtime_js() -> bytes:
    return _asset("runtime/scorm12.js")


def _scos(course: ScormCourse) -> list[tuple[str, render.Sco]]:
    if course.sco_mode == "single":
        indexes = tuple(range(len(course.modules)))
        return [("course", render.Sco("index.html", course.title, indexes))]
    return [
        (f"m{i + 1:02d}", render.Sco(f"m{i + 1:02d}.html", m.title, (i,)))
        for i, m in enumerate(course.modules)
    ]


def build_package(course: ScormCourse) -> Package:
    """Every file of the SCORM 1.2 package for ``course``, validated.

    Raises ``ScormExportError`` (the course cannot be exported as it is, e.g. its progress
    would not fit in suspend_data) or ``ScormPackageError`` (a check of the result failed)."""
    check_course(course)
    suffixes = {src: image_suffix(data) or "" for src, data in course.images.items()}
    image_paths = render.image_names(course.modules, suffixes)
    files: dict[str, bytes] = {
        render.CSS_PATH: render.stylesheet(course).encode("utf-8"),
        render.RUNTIME_PATH: runtime_js(),
    }
    for src, path in image_paths.items():
        files[path] = course.images[src]
    logo_path: str | None = None
    if course.branding.logo is not None:
        logo_path = "media/logo" + (image_suffix(course.branding.logo) or "")
        files[logo_path] = course.branding.logo
    items: list[ManifestItem] = []
    infos: list[ScoInfo] = []
    for ident, sco in _scos(course):
        modules = [course.modules[i] for i in sco.module_indexes]
        choices = [len(q.choices) for m in modules for q in m.quiz]
        size = suspend.check_fits(sco.title, len(modules), choices)
        prefix = "" if course.sco_mode == "single" else f"{ident}_"
        config = render.sco_config(course, sco, prefix)
        page = render.sco_page(course, sco, config, image_paths, logo_path)
        files[sco.href] = page.encode("utf-8")
        used = [image_paths[b.src] for m in modules for b in m.blocks if isinstance(b, ImageBlock)]
        for i in sco.module_indexes:
            module = course.modules[i]
            paths = render.media_paths(f"m{i + 1:02d}", module)
            for media, (path, vtt) in zip(module.media, paths, strict=True):
                files[path] = media.data
                used.append(path)
                if vtt is not None and media.captions is not None:
                    files[vtt] = media.captions.encode("utf-8")
                    used.append(vtt)
        sco_files = [sco.href, render.CSS_PATH, render.RUNTIME_PATH]
        sco_files += list(dict.fromkeys(used)) + ([logo_path] if logo_path else [])
        mastery = course.mastery_score if choices else None
        items.append(ManifestItem(ident, sco.title, sco.href, sco_files, mastery))
        infos.append(ScoInfo(sco.href, sco.title, len(modules), len(choices), size))
    files[MANIFEST] = build_manifest(course.id, course.title, items)
    for xsd in XSD_FILES:
        files[xsd] = _asset(f"schemas/{xsd}")
    validate_package(files)
    ordered = {MANIFEST: files.pop(MANIFEST), **dict(sorted(files.items()))}
    return Package(ordered, tuple(infos))


def write_zip(package: Package, target: Path | BinaryIO) -> int:
    """Write the zip (``imsmanifest.xml`` first, at the root); returns its size in bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in package.files.items():
            info = zipfile.ZipInfo(name, _ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    data = buffer.getvalue()
    if isinstance(target, Path):
        tmp = target.with_name(target.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    else:
        target.write(data)
    return len(data)
