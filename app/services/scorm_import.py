"""Importing a SCORM package (Studio's "Import SCORM…" and ``byteos scorm import``).

The zip is checked by ``engine.scorm.importer.inspect_package`` first (nothing is written
before it passes). Then, as one unit:

* the zip goes into the asset store (content-addressed, as every asset), and its files are
  unpacked into ``scorm/<sha256>/`` of the store — first into a temporary folder there,
  each entry written by us (never by ``extractall``), its size checked against the central
  directory, then renamed into place;
* one transaction writes the ``content_assets`` row (``type = 'scorm'``; its metadata
  names the unpacked folder, version, items and size), the course (draft, owned by the
  importing creator, in their organisation) and one module per launchable item, whose
  content blocks are the visible text of the item's page (``engine.scorm.sco_text``), so
  the tutor, the mind map and flashcards work from it.

The course's ``settings["scorm"]`` links each module to its item (launch page, identifier,
mastery score) and names the asset; ``settings`` travels with sync, unlike
``modules.modality_variants``, which is kept on each device. If anything fails, the
transaction rolls back and the folder unpacked by this import (and the stored zip, when
this import put it there) are removed, so a refused package changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import posixpath
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services import authoring
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from engine.content import dump_blocks
from engine.scorm.importer import ScormImport, ScormImportError, inspect_package
from engine.scorm.sco_text import visible_blocks
from sync.store.column_types import InvalidDocument, utcnow
from sync.store.database import DatabaseError
from sync.store.models import ContentAsset, Course, Module

SCORM_KEY = "scorm"  # courses.settings[SCORM_KEY]
UNPACK_ROOT = "scorm"  # folder of the asset store holding unpacked packages
MAX_PACKAGE_BYTES = 2 << 30  # the zip itself


@dataclass(frozen=True)
class ScormImportResult:
    course_id: str
    asset_id: str
    title: str
    version: str
    module_count: int
    files: int
    unpacked_bytes: int

    def summary(self) -> str:
        return (
            f"“{self.title}”: SCORM {self.version}, {self.module_count} module(s), "
            f"{self.files} files, {self.unpacked_bytes / 1e6:.1f} MB unpacked (draft course "
            f"{self.course_id})"
        )


def _read(source: Path) -> bytes:
    if source.suffix.lower() != ".zip":
        raise UserError(f"A SCORM package is a .zip file (got “{source.name}”).")
    try:
        size = source.stat().st_size
        if size > MAX_PACKAGE_BYTES:
            raise UserError(
                f"{source.name} is {size / 1e9:.1f} GB; packages up to "
                f"{MAX_PACKAGE_BYTES / 1e9:.0f} GB can be imported."
            )
        return source.read_bytes()
    except OSError as err:
        raise UserError(f"Cannot read {source}: {err.strerror or err}.") from err


def unpack_package(data: bytes, found: ScormImport, dest: Path) -> None:
    """Write every file of the package under ``dest`` (a new, empty folder)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = posixpath.normpath(info.filename)
            target = dest.joinpath(*name.split("/"))
            if dest.resolve() not in target.resolve().parents:  # inspect refused these
                raise ScormImportError(f"“{info.filename}” leaves the package.")
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with zf.open(info) as src, target.open("wb") as out:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    written += len(chunk)
                    if written > info.file_size:  # a lying central directory
                        raise ScormImportError(
                            f"“{info.filename}” unpacks larger than the zip says; refused."
                        )
                    out.write(chunk)


def _modules(found: ScormImport, folder: Path) -> list[tuple[str, list[dict[str, Any]], Any]]:
    out = []
    for item in found.items:
        page = folder.joinpath(*item.href.split("?")[0].split("#")[0].split("/"))
        try:
            html = page.read_bytes() if page.suffix.lower() in (".html", ".htm") else b""
        except OSError:
            html = b""
        fallback = f"“{item.title}” is a lesson of the imported SCORM package “{found.title}”."
        out.append(
            (item.title or item.identifier, dump_blocks(visible_blocks(html, fallback)), item)
        )
    return out


def import_scorm(ctx: AppContext, user: CurrentUser, source: Path) -> ScormImportResult:
    """Import the package at ``source`` as a draft course; ``UserError`` says why not, and
    then nothing was stored."""
    if not user.can_author:
        raise UserError("Only creators and admins can import courses.")
    if user.org_id is None:
        raise UserError("Your profile has no organisation, so it cannot own a course.")
    if ctx.db.read_only:
        raise UserError("The database is read-only, so nothing can be imported.")
    data = _read(source)
    try:
        found = inspect_package(data)
    except ScormImportError as err:
        raise UserError(f"{source.name} cannot be imported: {err}") from err
    sha = hashlib.sha256(data).hexdigest()
    folder_rel = f"{UNPACK_ROOT}/{sha}"
    final = ctx.assets.root / UNPACK_ROOT / sha
    made: list[Path] = []  # what this import created, removed again if it fails
    try:
        zip_path = ctx.assets.root / sha[:2] / f"{sha}.zip"
        had_zip = zip_path.exists()
        with tempfile.NamedTemporaryFile(suffix=".zip", delete=False) as tmp:
            tmp.write(data)
        try:
            storage_path = ctx.assets.put(Path(tmp.name), ".zip")
        finally:
            Path(tmp.name).unlink(missing_ok=True)
        if not had_zip:
            made.append(ctx.assets.path(storage_path))
        if not final.is_dir():
            staging = ctx.assets.root / UNPACK_ROOT / f".{sha}.{uuid.uuid4().hex[:8]}.part"
            staging.mkdir(parents=True)
            made.append(staging)
            unpack_package(data, found, staging)
            staging.rename(final)
            made[-1] = final
        modules = _modules(found, final)
        title = authoring.distinct_title(ctx, user, found.title or source.stem)
        with ctx.db.transaction() as s:
            asset = ContentAsset(
                org_id=user.org_id,
                uploader_id=user.id,
                type="scorm",
                url=f"asset://{storage_path}",
                storage_path=storage_path,
                metadata_={
                    "format": f"scorm{found.version.replace('.', '')}",
                    "direction": "import",
                    "original_name": source.name,
                    "bytes": len(data),
                    "sha256": sha,
                    "unpacked": folder_rel,
                    "unpacked_bytes": found.total_bytes,
                    "files": len(found.files),
                    "version": found.version,
                    "imported_at": utcnow().isoformat(),
                },
            )
            s.add(asset)
            s.flush()
            course = Course(
                org_id=user.org_id,
                created_by=user.id,
                title=title,
                description=f"Imported from the SCORM {found.version} package {source.name}.",
                status="draft",
                tags=["scorm"],
                target_skills=[],
            )
            s.add(course)
            s.flush()
            items: dict[str, dict[str, Any]] = {}
            for index, (module_title, blocks, item) in enumerate(modules):
                module = Module(
                    course_id=course.id, title=module_title, content=blocks, order_index=index
                )
                s.add(module)
                s.flush()
                items[module.id] = {
                    "identifier": item.identifier,
                    "launch": item.href,
                    "scorm_type": item.scorm_type,
                    "mastery_score": item.mastery_score,
                }
            course.settings = {
                SCORM_KEY: {"asset_id": asset.id, "version": found.version, "items": items}
            }
            asset.metadata_ = {**(asset.metadata_ or {}), "course_id": course.id}
            course_id, asset_id = course.id, asset.id
    except ScormImportError as err:
        _remove(made)
        raise UserError(f"{source.name} cannot be imported: {err}") from err
    except InvalidDocument as err:
        _remove(made)
        raise UserError(f"{source.name} cannot be imported: {err}") from err
    except zipfile.BadZipFile as err:
        _remove(made)
        raise UserError(f"{source.name} cannot be imported: the zip is damaged ({err}).") from err
    except (OSError, DatabaseError) as err:
        _remove(made)
        why = err.strerror if isinstance(err, OSError) and err.strerror else err
        raise UserError(f"{source.name} could not be imported: {why}.") from err
    except BaseException:
        _remove(made)
        raise
    return ScormImportResult(
        course_id, asset_id, title, found.version, len(modules), len(found.files), found.total_bytes
    )


def _remove(paths: list[Path]) -> None:
    """Remove what a failed import made, and the folders it made empty."""
    for path in reversed(paths):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty: another asset lives there
            path.parent.rmdir()
