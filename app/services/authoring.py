"""Studio use cases: create, edit, publish and archive courses and their modules.

A course is saved as one document (fields + ordered modules) in one transaction, so a crash
mid-save leaves either the old course or the new one, never a mix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, select

from app.services.accounts import CurrentUser, unique_slug
from app.services.context import AppContext
from app.services.errors import UserError
from engine.content import Block, Question, dump_blocks, dump_quiz, parse_blocks, parse_quiz
from sync.store.column_types import InvalidDocument, utcnow
from sync.store.models import (
    DIFFICULTIES,
    ContentAsset,
    Course,
    LearningEvent,
    Module,
    Skill,
)

STATUS_LABELS = {"draft": "Draft", "published": "Published", "archived": "Archived"}
# draft → published → archived, and back to draft to revise
TRANSITIONS = {
    "draft": {"published", "archived"},
    "published": {"archived", "draft"},
    "archived": {"draft"},
}
MAX_IMAGE_BYTES = 20 * 1024 * 1024
_IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"GIF87a": ".gif",
    b"GIF89a": ".gif",
}


def readable(err: ValidationError) -> str:
    """One line per problem, without pydantic's internals."""
    lines = []
    for e in err.errors():
        msg = str(e["msg"]).removeprefix("Value error, ")
        lines.append(msg)
    return "\n".join(dict.fromkeys(lines))


@dataclass
class TargetSkillRef:
    skill_id: str
    target_proficiency: float = 0.8


@dataclass
class ModuleDoc:
    title: str
    blocks: list[Block] = field(default_factory=list)
    quiz: list[Question] = field(default_factory=list)
    id: str | None = None


@dataclass
class CourseDoc:
    id: str
    org_id: str
    title: str
    description: str = ""
    difficulty: str | None = None
    tags: list[str] = field(default_factory=list)
    estimated_duration_mins: int | None = None
    target_skills: list[TargetSkillRef] = field(default_factory=list)
    template: str | None = None
    status: str = "draft"
    modules: list[ModuleDoc] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class CourseSummary:
    id: str
    title: str
    status: str
    module_count: int
    updated_at: datetime | None


@dataclass(frozen=True)
class SkillRef:
    id: str
    name: str
    category: str | None


def _require_author(user: CurrentUser) -> None:
    if not user.can_author:
        raise UserError("Only creators and admins can edit courses.")


def _check_org(user: CurrentUser, course: Course) -> None:
    if user.role != "super_admin" and course.org_id != user.org_id:
        raise UserError("This course belongs to another organisation.")


def list_courses(ctx: AppContext, user: CurrentUser) -> list[CourseSummary]:
    _require_author(user)
    counts = (
        select(Module.course_id, func.count(Module.id).label("n"))
        .group_by(Module.course_id)
        .subquery()
    )
    q = (
        select(Course, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.course_id == Course.id)
        .order_by(Course.updated_at.desc())
    )
    if user.role != "super_admin":
        q = q.where(Course.org_id == user.org_id)
    with ctx.db.transaction() as s:
        return [
            CourseSummary(c.id, c.title, c.status or "draft", n, c.updated_at)
            for c, n in s.execute(q).all()
        ]


@dataclass(frozen=True)
class TakenTitle:
    """Another course of the organisation with the same title."""

    course_id: str
    title: str
    status: str


def _title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def title_taken(
    ctx: AppContext,
    user: CurrentUser,
    title: str,
    except_id: str | None = None,
    org_id: str | None = None,
) -> TakenTitle | None:
    """The organisation's other course titled ``title`` (ignoring case and spacing), if any.

    Titles are unique within an organisation because learners, managers and reports tell
    courses apart by their titles; archived courses count too, since one can be brought back.
    """
    key = _title_key(title)
    if except_id is not None and org_id is None:  # the organisation that owns the course
        with ctx.db.transaction() as s:
            org_id = s.scalar(select(Course.org_id).where(Course.id == except_id))
    q = select(Course.id, Course.title, Course.status).where(
        Course.org_id == (org_id or user.org_id)
    )
    if except_id is not None:
        q = q.where(Course.id != except_id)
    with ctx.db.transaction() as s:
        for cid, other, status in s.execute(q).all():
            if _title_key(other or "") == key:
                return TakenTitle(cid, other, status or "draft")
    return None


def duplicate_message(title: str, taken: TakenTitle) -> str:
    where = STATUS_LABELS.get(taken.status, taken.status).lower()
    return (
        f"Your organisation already has a course called “{taken.title}” ({where}). "
        f"Choose a title that tells them apart, e.g. “{title} (2)” or a more specific one."
    )


def distinct_title(ctx: AppContext, user: CurrentUser, title: str) -> str:
    """``title``, or ``title (2)``, ``(3)``… when the organisation already has it."""
    title = " ".join(title.split())
    candidate, n = title, 1
    while title_taken(ctx, user, candidate) is not None:
        n += 1
        candidate = f"{title} ({n})"
    return candidate


def create_course(
    ctx: AppContext, user: CurrentUser, title: str, *, if_taken: str = "refuse"
) -> CourseDoc:
    """A new draft course. A title the organisation already has is refused
    (``if_taken="refuse"``) or numbered (``"number"``, for titles the AI proposes)."""
    _require_author(user)
    title = title.strip()
    if not title:
        raise UserError("A course needs a title.")
    if user.org_id is None:
        raise UserError("Your profile has no organisation, so it cannot own a course.")
    taken = title_taken(ctx, user, title)
    if taken is not None:
        if if_taken != "number":
            raise UserError(duplicate_message(title, taken))
        title = distinct_title(ctx, user, title)
    with ctx.db.transaction() as s:
        course = Course(
            org_id=user.org_id,
            created_by=user.id,
            title=title,
            status="draft",
            tags=[],
            target_skills=[],
        )
        s.add(course)
        s.flush()
        course_id = course.id
    return load_course(ctx, course_id)


def load_course(ctx: AppContext, course_id: str) -> CourseDoc:
    with ctx.db.transaction() as s:
        course = s.get(Course, course_id)
        if course is None:
            raise UserError("That course no longer exists.")
        # two devices inserting a module at the same place give two modules one index: the
        # id breaks the tie, so every device (and the server) shows them in one order
        modules = s.scalars(
            select(Module)
            .where(Module.course_id == course_id)
            .order_by(Module.order_index, Module.id)
        ).all()
        return CourseDoc(
            id=course.id,
            org_id=course.org_id,
            title=course.title,
            description=course.description or "",
            difficulty=course.difficulty,
            tags=list(course.tags or []),
            estimated_duration_mins=course.estimated_duration_mins,
            target_skills=[
                TargetSkillRef(t["skill_id"], t["target_proficiency"])
                for t in course.target_skills or []
            ],
            template=course.template,
            status=course.status or "draft",
            modules=[
                ModuleDoc(m.title, parse_blocks(m.content), parse_quiz(m.quiz), m.id)
                for m in modules
            ],
            published_at=course.published_at,
            updated_at=course.updated_at,
        )


def validate_course(doc: CourseDoc) -> None:
    """Raise ``UserError`` naming the first thing that makes ``doc`` unsaveable."""
    if not doc.title.strip():
        raise UserError("A course needs a title.")
    if doc.difficulty is not None and doc.difficulty not in DIFFICULTIES:
        raise UserError(f"Unknown difficulty “{doc.difficulty}”.")
    if doc.estimated_duration_mins is not None and doc.estimated_duration_mins < 0:
        raise UserError("The estimated duration cannot be negative.")
    for t in doc.target_skills:
        if not 0.0 <= t.target_proficiency <= 1.0:
            raise UserError("A target proficiency must be between 0 % and 100 %.")
    for i, m in enumerate(doc.modules, start=1):
        if not m.title.strip():
            raise UserError(f"Module {i} needs a title.")
        try:
            parse_blocks(dump_blocks(m.blocks))
            parse_quiz(dump_quiz(m.quiz))
        except ValidationError as err:
            raise UserError(f"Module {i} “{m.title}”: {readable(err)}") from err


def save_course(ctx: AppContext, user: CurrentUser, doc: CourseDoc) -> CourseDoc:
    """Write the whole course document atomically; modules take the order of ``doc.modules``."""
    _require_author(user)
    validate_course(doc)
    with ctx.db.transaction() as s:
        stored = s.scalar(select(Course.title).where(Course.id == doc.id))
    if stored is not None and _title_key(stored) != _title_key(doc.title):  # a rename
        taken = title_taken(ctx, user, doc.title, doc.id)
        if taken is not None:
            raise UserError(duplicate_message(doc.title.strip(), taken))
    with ctx.db.transaction() as s:
        course = s.get(Course, doc.id)
        if course is None:
            raise UserError("That course no longer exists.")
        _check_org(user, course)
        course.title = doc.title.strip()
        course.description = doc.description.strip() or None
        course.difficulty = doc.difficulty
        course.tags = [t.strip() for t in doc.tags if t.strip()]
        course.estimated_duration_mins = doc.estimated_duration_mins
        course.target_skills = [
            {"skill_id": t.skill_id, "target_proficiency": t.target_proficiency}
            for t in doc.target_skills
        ]
        course.template = doc.template
        course.updated_at = utcnow()
        existing = {m.id: m for m in s.scalars(select(Module).where(Module.course_id == doc.id))}
        keep = {m.id for m in doc.modules if m.id}
        removed = set(existing) - keep
        if removed:
            used = s.scalar(select(func.count()).where(LearningEvent.module_id.in_(removed)))
            if used:
                raise UserError(
                    "A module you removed already has learner activity, so it cannot be "
                    "deleted. Archive the course and publish a new version instead."
                )
            s.execute(delete(Module).where(Module.id.in_(removed)))
        try:
            for index, m in enumerate(doc.modules):
                row = existing.get(m.id) if m.id else None
                if row is None:
                    row = Module(course_id=doc.id)
                    if m.id:
                        row.id = m.id
                    s.add(row)
                row.title = m.title.strip()
                row.content = dump_blocks(m.blocks)
                row.quiz = dump_quiz(m.quiz) if m.quiz else None
                row.order_index = index
            s.flush()
        except InvalidDocument as err:
            raise UserError(str(err)) from err
    return load_course(ctx, doc.id)


def set_status(ctx: AppContext, user: CurrentUser, course_id: str, status: str) -> CourseDoc:
    """draft → published → archived (and back to draft to revise)."""
    _require_author(user)
    if status not in STATUS_LABELS:
        raise UserError(f"Unknown status “{status}”.")
    doc = load_course(ctx, course_id)
    if status not in TRANSITIONS[doc.status]:
        raise UserError(
            f"A {STATUS_LABELS[doc.status].lower()} course cannot become "
            f"{STATUS_LABELS[status].lower()}"
            + (" directly; move it back to draft first." if status == "published" else ".")
        )
    if status == "published":
        validate_course(doc)
        if not doc.modules:
            raise UserError("Add at least one module before publishing.")
        empty = [m.title for m in doc.modules if not m.blocks]
        if empty:
            raise UserError(f"Module “{empty[0]}” has no content yet.")
        from app.services.publishing import require_publishable  # the checklist's blockers

        require_publishable(ctx, user, doc)
    elif doc.status == "archived":  # brought back: its title must still be distinct
        taken = title_taken(ctx, user, doc.title, doc.id)
        if taken is not None:
            raise UserError(duplicate_message(doc.title, taken))
    with ctx.db.transaction() as s:
        course = s.get(Course, course_id)
        assert course is not None
        _check_org(user, course)
        course.status = status
        if status == "published":
            course.published_at = utcnow()
        course.updated_at = utcnow()
    return load_course(ctx, course_id)


def course_settings(ctx: AppContext, course_id: str) -> dict[str, Any]:
    with ctx.db.transaction() as s:
        course = s.get(Course, course_id)
        return dict(course.settings or {}) if course is not None else {}


def set_course_settings(
    ctx: AppContext, user: CurrentUser, course_id: str, updates: dict[str, Any]
) -> None:
    """Merge ``updates`` into ``courses.settings`` (kept keys a newer client wrote)."""
    _require_author(user)
    with ctx.db.transaction() as s:
        course = s.get(Course, course_id)
        if course is None:
            raise UserError("That course no longer exists.")
        _check_org(user, course)
        course.settings = {**(course.settings or {}), **updates}


def list_skills(ctx: AppContext, user: CurrentUser) -> list[SkillRef]:
    with ctx.db.transaction() as s:
        rows = s.scalars(
            select(Skill)
            .where((Skill.org_id.is_(None)) | (Skill.org_id == user.org_id))
            .order_by(Skill.name)
        ).all()
        return [SkillRef(k.id, k.name, k.category) for k in rows]


def create_skill(
    ctx: AppContext, user: CurrentUser, name: str, category: str | None = None
) -> SkillRef:
    _require_author(user)
    name = name.strip()
    if not name:
        raise UserError("A skill needs a name.")
    with ctx.db.transaction() as s:
        slug = unique_slug(s, Skill.slug, name)
        skill = Skill(name=name, slug=slug, category=category, org_id=user.org_id)
        s.add(skill)
        s.flush()
        return SkillRef(skill.id, skill.name, skill.category)


@dataclass(frozen=True)
class ImportedImage:
    asset_id: str
    src: str
    path: Path


def import_image(ctx: AppContext, user: CurrentUser, source: Path) -> ImportedImage:
    """Copy a picture the creator chose into the asset store and record it."""
    _require_author(user)
    return store_image(ctx, user, source)


def store_image(ctx: AppContext, user: CurrentUser, source: Path) -> ImportedImage:
    """The checks and the copy behind :func:`import_image`, for callers that check the role
    themselves (a manager giving a learning path its picture is not editing a course)."""
    if not source.is_file():
        raise UserError(f"{source} is not a file.")
    size = source.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise UserError(
            f"{source.name} is {size / 1e6:.0f} MB; images must be under "
            f"{MAX_IMAGE_BYTES // 1_000_000} MB."
        )
    with source.open("rb") as fh:
        head = fh.read(16)
    suffix = next((ext for magic, ext in _IMAGE_MAGIC.items() if head.startswith(magic)), None)
    if suffix is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        suffix = ".webp"
    if suffix is None:
        raise UserError(f"{source.name} is not a PNG, JPEG, GIF or WebP image.")
    storage_path = ctx.assets.put(source, suffix)
    with ctx.db.transaction() as s:
        asset = ContentAsset(
            org_id=user.org_id,
            uploader_id=user.id,
            type="image",
            url=f"asset://{storage_path}",
            storage_path=storage_path,
            metadata_={"original_name": source.name, "bytes": size},
        )
        s.add(asset)
        s.flush()
        return ImportedImage(asset.id, asset.url, ctx.assets.path(storage_path))
