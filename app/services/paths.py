"""Learning paths: build, publish and archive them (Studio), and follow one (Learn).

A path is one ``learning_paths`` row holding the spec's three documents (``courses``,
``target_skills``, ``certification_config``). Every write goes through
:func:`engine.org.paths.parse_path`, so what is stored is always a path the engine can read;
its problems come back as one :class:`UserError` listing each of them. A draft may still have
no course (it is being built); publishing needs at least one, each of them published.

Locks (Learn): a course whose own ``settings.require_completion_order`` is set opens only
once the required courses before it in the path are completed
(:func:`engine.org.paths.course_locks`: "Locked: complete “Safety basics” first").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.services import asset_files, authoring, media_library
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from engine.certificates.templates import check_template
from engine.org import paths as engine_paths
from engine.org.paths import PathError, PathSpec
from engine.org.vocabulary import CONTENT_LABELS
from sync.store.column_types import InvalidDocument
from sync.store.models import Course, LearningPath

EDITOR_ROLES = frozenset({"creator", "manager", "org_admin", "super_admin"})
STATUS_LABELS: dict[str, str] = dict(CONTENT_LABELS)
TRANSITIONS = {
    "draft": {"published", "archived"},
    "published": {"archived", "draft"},
    "archived": {"draft"},
}


@dataclass
class PathCourseRef:
    course_id: str
    is_required: bool = True
    title: str = ""


@dataclass
class PathDoc:
    id: str
    org_id: str
    title: str
    description: str = ""
    status: str = "draft"
    courses: list[PathCourseRef] = field(default_factory=list)
    """In path order."""
    target_skills: list[tuple[str, float]] = field(default_factory=list)
    issue_cert: bool = False
    cert_template: str | None = None
    validity_days: int | None = None
    created_by: str | None = None
    thumbnail_url: str | None = None
    """An image of the organisation's library (``asset://…``), set by :func:`set_thumbnail`."""


@dataclass(frozen=True)
class PathSummary:
    id: str
    title: str
    status: str
    course_count: int
    issue_cert: bool


@dataclass(frozen=True)
class CourseChoice:
    id: str
    title: str
    status: str


def may_edit(user: CurrentUser | None) -> bool:
    return user is not None and user.role in EDITOR_ROLES


def _require_editor(user: CurrentUser) -> None:
    if not may_edit(user):
        raise UserError("Only creators, managers and admins can build learning paths.")


def check_org(user: CurrentUser, org_id: str) -> None:
    if user.role != "super_admin" and org_id != user.org_id:
        raise UserError("This learning path belongs to another organisation.")


def _titles(ctx: AppContext, org_id: str) -> dict[str, str]:
    with ctx.db.transaction() as s:
        return dict(s.execute(select(Course.id, Course.title).where(Course.org_id == org_id)).all())


def course_choices(ctx: AppContext, user: CurrentUser) -> list[CourseChoice]:
    """The organisation's courses a path can hold (archived ones are left out)."""
    _require_editor(user)
    with ctx.db.transaction() as s:
        rows = s.execute(
            select(Course.id, Course.title, Course.status)
            .where(Course.org_id == user.org_id, Course.status != "archived")
            .order_by(Course.title)
        ).all()
    return [CourseChoice(cid, title, status or "draft") for cid, title, status in rows]


def _spec(doc: PathDoc, titles: dict[str, str], *, allow_empty: bool) -> PathSpec:
    courses = [
        {"course_id": c.course_id, "order_index": i, "is_required": c.is_required}
        for i, c in enumerate(doc.courses)
    ]
    skills = [{"skill_id": s, "target_proficiency": p} for s, p in doc.target_skills]
    config = {
        "issue_cert": doc.issue_cert,
        "cert_template": (doc.cert_template or "").strip() or None,
        "validity_days": doc.validity_days,
    }
    try:
        if allow_empty and not courses:  # a draft being built: check the rest of it
            spec = engine_paths.parse_path([{"course_id": "-", "order_index": 0}], skills, config)
            return PathSpec((), spec.target_skills, spec.certification)
        return engine_paths.parse_path(courses, skills, config, titles)
    except PathError as err:
        raise UserError("\n".join(err.problems)) from err


def _doc(row: LearningPath, titles: dict[str, str]) -> PathDoc:
    cfg = row.certification_config or {}
    ordered = sorted(row.courses or [], key=lambda c: c.get("order_index", 0))
    return PathDoc(
        id=row.id,
        org_id=row.org_id,
        title=row.title,
        description=row.description or "",
        status=row.status or "draft",
        courses=[
            PathCourseRef(
                c["course_id"],
                bool(c.get("is_required", True)),
                titles.get(c["course_id"], "(a course not on this device)"),
            )
            for c in ordered
        ],
        target_skills=[(t["skill_id"], t["target_proficiency"]) for t in row.target_skills or []],
        issue_cert=bool(cfg.get("issue_cert", False)),
        cert_template=cfg.get("cert_template"),
        validity_days=cfg.get("validity_days"),
        created_by=row.created_by,
        thumbnail_url=row.thumbnail_url,
    )


def load_path(ctx: AppContext, path_id: str) -> PathDoc:
    with ctx.db.transaction() as s:
        row = s.get(LearningPath, path_id)
        if row is None:
            raise UserError("That learning path no longer exists.")
        org_id = row.org_id
    titles = _titles(ctx, org_id)
    with ctx.db.transaction() as s:
        row = s.get(LearningPath, path_id)
        assert row is not None
        return _doc(row, titles)


def doc_of(row: LearningPath) -> PathDoc:
    """A stored path as the services show it (course titles not looked up)."""
    return _doc(row, {})


def spec_of(doc: PathDoc) -> PathSpec:
    """The engine's reading of a stored path (it was validated on write)."""
    return _spec(doc, {}, allow_empty=True)


def list_paths(ctx: AppContext, user: CurrentUser, status: str | None = None) -> list[PathSummary]:
    q = select(LearningPath).order_by(LearningPath.title)
    if user.role != "super_admin":
        q = q.where(LearningPath.org_id == user.org_id)
    if status is not None:
        q = q.where(LearningPath.status == status)
    elif not may_edit(user):
        q = q.where(LearningPath.status == "published")
    with ctx.db.transaction() as s:
        return [
            PathSummary(
                p.id,
                p.title,
                p.status or "draft",
                len(p.courses or []),
                bool((p.certification_config or {}).get("issue_cert")),
            )
            for p in s.scalars(q).all()
        ]


def create_path(ctx: AppContext, user: CurrentUser, title: str, description: str = "") -> PathDoc:
    """A new, empty draft path."""
    _require_editor(user)
    title = " ".join(title.split())
    if not title:
        raise UserError("A learning path needs a title.")
    if user.org_id is None:
        raise UserError("Your profile has no organisation, so it cannot own a learning path.")
    with ctx.db.transaction() as s:
        row = LearningPath(
            org_id=user.org_id,
            created_by=user.id,
            title=title,
            description=description.strip() or None,
            status="draft",
            courses=[],
            target_skills=[],
            certification_config={
                "issue_cert": False,
                "cert_template": None,
                "validity_days": None,
            },
        )
        s.add(row)
        s.flush()
        path_id = row.id
    return load_path(ctx, path_id)


def save_path(ctx: AppContext, user: CurrentUser, doc: PathDoc) -> PathDoc:
    """Write the whole path (fields, courses in the order of ``doc.courses``, certificate
    options) in one transaction; a problem is refused with every reason, nothing written."""
    _require_editor(user)
    title = " ".join(doc.title.split())
    if not title:
        raise UserError("A learning path needs a title.")
    problem = check_template((doc.cert_template or "").strip() or None)
    if problem:
        raise UserError(problem)
    with ctx.db.transaction() as s:
        row = s.get(LearningPath, doc.id)
        if row is None:
            raise UserError("That learning path no longer exists.")
        check_org(user, row.org_id)
        status, org_id = row.status or "draft", row.org_id
    titles = _titles(ctx, org_id)
    spec = _spec(doc, titles, allow_empty=status == "draft")
    if status == "published":
        _require_published_courses(ctx, spec, titles)
    docs = engine_paths.documents(spec)
    with ctx.db.transaction() as s:
        row = s.get(LearningPath, doc.id)
        assert row is not None
        row.title = title
        row.description = doc.description.strip() or None
        row.courses = docs["courses"]
        row.target_skills = docs["target_skills"]
        row.certification_config = {
            **(row.certification_config or {}),
            **docs["certification_config"],
        }
        try:
            s.flush()
        except InvalidDocument as err:
            raise UserError(str(err)) from err
    return load_path(ctx, doc.id)


def set_thumbnail(ctx: AppContext, user: CurrentUser, path_id: str, source: Path | None) -> PathDoc:
    """Give the path a picture from a file (it joins the media library, with the path's title
    as alt text), or take it away (``source=None``). The file is checked before anything is
    written: a picture that is not an image changes nothing."""
    _require_editor(user)
    doc = load_path(ctx, path_id)
    check_org(user, doc.org_id)
    url = None
    if source is not None:
        image = authoring.store_image(ctx, user, source)
        media_library.set_alt(ctx, user, image.asset_id, f"Picture of the path {doc.title}")
        url = image.src
    with ctx.db.transaction() as s:
        row = s.get(LearningPath, path_id)
        if row is None:
            raise UserError("That learning path no longer exists.")
        row.thumbnail_url = url
    return load_path(ctx, path_id)


def thumbnail_file(ctx: AppContext, url: str | None) -> Path | None:
    """The local file of a path's picture (downloaded now if missing), or None (no picture,
    or not to be had: offline, not uploaded yet)."""
    return asset_files.local_file(ctx, url)


def _require_published_courses(ctx: AppContext, spec: PathSpec, titles: dict[str, str]) -> None:
    with ctx.db.transaction() as s:
        status = dict(
            s.execute(select(Course.id, Course.status).where(Course.id.in_(spec.course_ids))).all()
        )
    waiting = [titles.get(cid, cid) for cid in spec.course_ids if status.get(cid) != "published"]
    if waiting:
        names = ", ".join(f"“{t}”" for t in waiting)
        raise UserError(f"Publish {names} first: learners can only open published courses.")


def set_status(ctx: AppContext, user: CurrentUser, path_id: str, status: str) -> PathDoc:
    """draft → published → archived (and back to draft to revise)."""
    _require_editor(user)
    if status not in STATUS_LABELS:
        raise UserError(f"Unknown status “{status}”.")
    doc = load_path(ctx, path_id)
    check_org(user, doc.org_id)
    if status not in TRANSITIONS[doc.status]:
        raise UserError(
            f"A {doc.status} learning path cannot become {status}"
            + (" directly; move it back to draft first." if status == "published" else ".")
        )
    if status == "published":
        titles = _titles(ctx, doc.org_id)
        spec = _spec(doc, titles, allow_empty=False)
        _require_published_courses(ctx, spec, titles)
    with ctx.db.transaction() as s:
        row = s.get(LearningPath, path_id)
        assert row is not None
        row.status = status
    return load_path(ctx, path_id)
