"""Exporting a course as a SCORM 1.2 package (Studio's "Export SCORM 1.2…" and
``byteos scorm export``).

The course is read with ``authoring.load_course`` (the version learners have: a published
course's unpublished draft edits are not in it), the organisation's branding and the image
files from the local database and asset store, and handed to ``engine.scorm``, which builds
and checks the package. The zip is written atomically; a copy goes into the asset store as a
``content_assets`` row of type ``scorm`` and ``courses.scorm_url`` points at it, so the
export is recorded (and travels with sync like every asset row).

The mastery score is ``courses.settings["mastery_score"]`` (percent) when the creator set
one, else 80 % — the default target proficiency Studio proposes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services import authoring
from app.services.accounts import CurrentUser
from app.services.authoring import CourseDoc
from app.services.context import AppContext
from app.services.errors import UserError
from engine.content import ImageBlock
from engine.scorm import (
    SUSPEND_DATA_LIMIT,
    Branding,
    ModuleMedia,
    ScoMode,
    ScormCourse,
    ScormExportError,
    ScormModule,
    ScormPackageError,
    build_package,
    write_zip,
)
from engine.scorm.model import DEFAULT_MASTERY_SCORE
from sync.store.column_types import utcnow
from sync.store.models import ContentAsset, Course, Organisation

ASSET_SCHEME = "asset://"
MASTERY_KEY = "mastery_score"


@dataclass(frozen=True)
class ScormExport:
    path: Path
    bytes: int
    sco_count: int
    module_count: int
    question_count: int
    suspend_data_max: int  # worst case over the SCOs, of SUSPEND_DATA_LIMIT
    sco_mode: str
    asset_id: str | None  # the content_assets row, None when the database is read-only
    media_files: int = 0  # narration and video files (captions not counted)

    def summary(self) -> str:
        scos = "1 SCO" if self.sco_count == 1 else f"{self.sco_count} SCOs"
        return (
            f"{self.path.name}: {scos}, {self.module_count} modules, {self.question_count} "
            f"questions{f', {self.media_files} audio/video files' if self.media_files else ''}, "
            f"{self.bytes / 1000:.1f} kB; resume data at most "
            f"{self.suspend_data_max} of {SUSPEND_DATA_LIMIT} characters"
        )


def _read_asset(ctx: AppContext, src: str) -> bytes | None:
    if src.startswith(ASSET_SCHEME):
        try:
            path = ctx.assets.path(src.removeprefix(ASSET_SCHEME))
        except ValueError:
            return None
    elif "://" in src:  # on the web: a package must play offline, and we do not fetch it
        return None
    else:
        path = Path(src)
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _branding(ctx: AppContext, org_id: str) -> tuple[Branding, dict[str, Any]]:
    with ctx.db.transaction() as s:
        org = s.get(Organisation, org_id)
        if org is None:
            return Branding(), {}
        raw = dict(org.branding or {})
        name = org.name
    logo_url = raw.get("logo_url")
    logo = _read_asset(ctx, logo_url) if isinstance(logo_url, str) and logo_url else None
    return Branding(name, raw.get("primary_color"), raw.get("secondary_color"), logo), raw


def _mastery(settings: dict[str, Any]) -> int:
    value = settings.get(MASTERY_KEY)
    if value is None:
        return DEFAULT_MASTERY_SCORE
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UserError(f"The course's mastery score “{value}” is not a number of percent.")
    return round(value)


def _media(ctx: AppContext, module_id: str | None) -> list[ModuleMedia]:
    """The module's narration and video when they are made and match its content now."""
    if not module_id:
        return []
    from app.services import media_variants  # the media stack only when exporting

    found: list[ModuleMedia] = []
    for kind in ("audio", "video"):
        try:
            made = media_variants.cached_media(ctx, module_id, kind)
        except UserError:
            made = None
        if made is None:
            continue
        vtt = made.captions
        captions = vtt.read_text(encoding="utf-8") if vtt is not None and vtt.is_file() else None
        found.append(ModuleMedia(kind, made.path.read_bytes(), made.path.suffix, captions))
    return found


def scorm_course(
    ctx: AppContext, doc: CourseDoc, sco_mode: ScoMode = "per_module", *, media: bool = True
) -> ScormCourse:
    """The plain description ``engine.scorm`` builds from (with the modules' rendered audio
    and video when ``media``)."""
    images: dict[str, bytes] = {}
    for m in doc.modules:
        for b in m.blocks:
            if isinstance(b, ImageBlock) and b.src not in images:
                data = _read_asset(ctx, b.src)
                if data is not None:
                    images[b.src] = data
    branding, _raw = _branding(ctx, doc.org_id)
    return ScormCourse(
        id=doc.id,
        title=doc.title,
        modules=[
            ScormModule(m.title, m.blocks, m.quiz, m.id or "", _media(ctx, m.id) if media else [])
            for m in doc.modules
        ],
        description=doc.description,
        template_id=doc.template,
        branding=branding,
        mastery_score=_mastery(authoring.course_settings(ctx, doc.id)),
        images=images,
        sco_mode=sco_mode,
    )


def _load(ctx: AppContext, course_id: str, user: CurrentUser | None) -> CourseDoc:
    if user is not None and not user.can_author:
        raise UserError("Only creators and admins can export courses.")
    with ctx.db.transaction() as s:
        course = s.get(Course, course_id)
        if course is None:
            raise UserError(f"There is no course with id “{course_id}” in this database.")
        if user is not None and user.role != "super_admin" and course.org_id != user.org_id:
            raise UserError("This course belongs to another organisation.")
    return authoring.load_course(ctx, course_id)


def _record(
    ctx: AppContext, doc: CourseDoc, zip_path: Path, user: CurrentUser | None, info: dict[str, Any]
) -> str | None:
    if ctx.db.read_only:
        return None
    storage_path = ctx.assets.put(zip_path, ".zip")
    url = f"{ASSET_SCHEME}{storage_path}"
    with ctx.db.transaction() as s:
        asset = ContentAsset(
            org_id=doc.org_id,
            uploader_id=user.id if user is not None else None,
            type="scorm",
            url=url,
            storage_path=storage_path,
            metadata_={**info, "exported_at": utcnow().isoformat()},
        )
        s.add(asset)
        course = s.get(Course, doc.id)
        assert course is not None
        course.scorm_url = url
        s.flush()
        return asset.id


def export_scorm(
    ctx: AppContext,
    course_id: str,
    target: Path,
    *,
    user: CurrentUser | None = None,
    sco_mode: ScoMode = "per_module",
    media: bool = True,
) -> ScormExport:
    """Write ``course_id`` as a SCORM 1.2 zip at ``target``; ``UserError`` says why not.

    ``user`` is the Studio profile (creators and admins of the course's organisation); the
    command line passes none, as it works on the database file it is given. ``media``: put
    the modules' narration and video in the package when they are already made (nothing is
    rendered here)."""
    doc = _load(ctx, course_id, user)
    if target.suffix.lower() != ".zip":
        raise UserError(f"The package must be a .zip file (got “{target.name}”).")
    if not target.parent.is_dir():
        raise UserError(f"The folder {target.parent} does not exist.")
    try:
        package = build_package(scorm_course(ctx, doc, sco_mode, media=media))
    except (ScormExportError, ScormPackageError) as err:
        raise UserError(f"“{doc.title}” cannot be exported as SCORM 1.2: {err}") from err
    try:
        size = write_zip(package, target)
    except OSError as err:
        raise UserError(f"Could not write {target}: {err.strerror or err}.") from err
    questions = sum(s.question_count for s in package.scos)
    media_files = sum(
        1 for n in package.files if n.startswith("media/m") and not n.endswith(".vtt")
    )
    info = {
        "format": "scorm12",
        "course_id": doc.id,
        "original_name": target.name,
        "bytes": size,
        "sco_mode": sco_mode,
        "scos": len(package.scos),
        "media_files": media_files,
    }
    asset_id = _record(ctx, doc, target, user, info)
    return ScormExport(
        target,
        size,
        len(package.scos),
        len(doc.modules),
        questions,
        package.suspend_data_max,
        sco_mode,
        asset_id,
        media_files,
    )
