"""Publishing a course: the checklist shown before it goes live, and draft versions.

**Checklist.** Before a course reaches learners the creator sees every check at once:
blocking items (no title, no module, an empty module, an invalid quiz, a fact-check flag not
yet reviewed) keep Publish disabled; warnings (no description, a module without a quiz, no
target skills, difficulty or duration not set) are shown and may be published over. The
service enforces the blocking items too (``authoring.set_status`` and :func:`publish_draft`),
so no other path publishes what the dialog would refuse.

**Draft versions** (as Articulate Rise and Moodle do it). A published course is never edited
live: learners keep the published version (the ``courses`` columns and ``modules`` rows) while
the creator's saved edits go to a *draft version* kept in ``courses.settings["draft_version"]``
— the whole course document (fields and modules with their ids), written in one transaction.
**Publish changes** validates the draft with the checklist, writes it over the live course in
one save (module ids are kept, so learners' progress and events stay attached) and removes the
draft; **Discard** drops it. Why in ``settings`` and not a second course row: the canonical
schema has no "version of" column, a second row would show up in every course query (the
catalogue, analytics, sync scopes) and its modules would need their ids mapped back on
publish; the settings document is open by design (``extra="allow"``), is synced with the
course like every other field, and learners never read it. The trade-off: two creators
editing the same draft on two devices offline merge as one field (the later save wins, the
other is kept under *Review conflicts…*), not module by module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select

from app.services import authoring
from app.services.accounts import CurrentUser
from app.services.authoring import CourseDoc, ModuleDoc, TargetSkillRef, readable
from app.services.context import AppContext
from app.services.errors import UserError
from engine.content import dump_blocks, dump_quiz, parse_blocks, parse_quiz
from sync.store.column_types import utcnow
from sync.store.models import Course, LearningEvent

DRAFT_KEY = "draft_version"
FACT_CHECK_KEY = "fact_check"


# -- the checklist ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    ok: bool
    blocking: bool
    detail: str = ""

    @property
    def state(self) -> str:
        """``ok``, ``blocked`` (must be fixed) or ``warning`` (may be published over)."""
        if self.ok:
            return "ok"
        return "blocked" if self.blocking else "warning"


@dataclass(frozen=True)
class Checklist:
    items: list[CheckItem] = field(default_factory=list)

    @property
    def blocking(self) -> list[CheckItem]:
        return [i for i in self.items if i.state == "blocked"]

    @property
    def warnings(self) -> list[CheckItem]:
        return [i for i in self.items if i.state == "warning"]

    @property
    def can_publish(self) -> bool:
        return not self.blocking


def _names(titles: list[str], limit: int = 3) -> str:
    shown = ", ".join(f"“{t}”" for t in titles[:limit])
    return shown + (f" and {len(titles) - limit} more" if len(titles) > limit else "")


def checklist(
    ctx: AppContext, user: CurrentUser, doc: CourseDoc, settings: dict[str, Any] | None = None
) -> Checklist:
    """Every check of ``doc`` before publishing (``settings`` defaults to the course's)."""
    if settings is None:
        settings = authoring.course_settings(ctx, doc.id)
    items: list[CheckItem] = []
    title = doc.title.strip()
    taken = authoring.title_taken(ctx, user, title, doc.id) if title else None
    items.append(
        CheckItem(
            "title",
            "The course has a distinct title",
            bool(title) and taken is None,
            True,
            "A course needs a title."
            if not title
            else (authoring.duplicate_message(title, taken) if taken else title),
        )
    )
    items.append(
        CheckItem(
            "description",
            "It has a description",
            bool(doc.description.strip()),
            False,
            "" if doc.description.strip() else "Learners see it on their dashboard card.",
        )
    )
    items.append(
        CheckItem(
            "modules",
            "It has at least one module",
            bool(doc.modules),
            True,
            f"{len(doc.modules)} module{'s' if len(doc.modules) != 1 else ''}"
            if doc.modules
            else "Add at least one module before publishing.",
        )
    )
    empty = [m.title for m in doc.modules if not m.blocks]
    items.append(
        CheckItem(
            "content",
            "Every module has content",
            bool(doc.modules) and not empty,
            True,
            (f"Module {_names(empty)} has no content yet." if len(empty) == 1 else "")
            or (f"Modules {_names(empty)} have no content yet." if empty else "")
            or ("" if doc.modules else "No modules yet."),
        )
    )
    problem = _validation_problem(doc)
    items.append(
        CheckItem("valid", "Content and quizzes are valid", problem is None, True, problem or "")
    )
    no_quiz = [m.title for m in doc.modules if not m.quiz]
    items.append(
        CheckItem(
            "quizzes",
            "Every module has a quiz",
            not no_quiz,
            False,
            f"No quiz in {_names(no_quiz)}: learners get no feedback there." if no_quiz else "",
        )
    )
    flags = [f for f in settings.get(FACT_CHECK_KEY) or [] if isinstance(f, dict)]
    items.append(
        CheckItem(
            "fact_check",
            "Fact-check flags are reviewed",
            not flags,
            True,
            f"{len(flags)} statement{'s' if len(flags) != 1 else ''} not found in, or "
            "contradicted by, the sources: open the module, check each flagged block and "
            "mark it checked."
            if flags
            else "",
        )
    )
    items.append(
        CheckItem(
            "skills",
            "It has target skills",
            bool(doc.target_skills),
            False,
            "" if doc.target_skills else "Skills and gaps are tracked against them.",
        )
    )
    missing = [
        what
        for what, value in (
            ("difficulty", doc.difficulty),
            ("estimated duration", doc.estimated_duration_mins),
        )
        if not value
    ]
    items.append(
        CheckItem(
            "details",
            "Difficulty and duration are set",
            not missing,
            False,
            f"Not set: {' and '.join(missing)}." if missing else "",
        )
    )
    return Checklist(items)


def _validation_problem(doc: CourseDoc) -> str | None:
    try:
        authoring.validate_course(doc)
    except UserError as err:
        return str(err)
    return None


def require_publishable(ctx: AppContext, user: CurrentUser, doc: CourseDoc) -> None:
    """Raise ``UserError`` with the first blocking item of the checklist."""
    blocked = checklist(ctx, user, doc).blocking
    if blocked:
        raise UserError(blocked[0].detail or blocked[0].label)


# -- draft versions ----------------------------------------------------------------------------
def _dump(doc: CourseDoc) -> dict[str, Any]:
    return {
        "title": doc.title.strip(),
        "description": doc.description.strip(),
        "difficulty": doc.difficulty,
        "tags": [t.strip() for t in doc.tags if t.strip()],
        "estimated_duration_mins": doc.estimated_duration_mins,
        "target_skills": [
            {"skill_id": t.skill_id, "target_proficiency": t.target_proficiency}
            for t in doc.target_skills
        ],
        "template": doc.template,
        "modules": [
            {
                "id": m.id,
                "title": m.title.strip(),
                "content": dump_blocks(m.blocks),
                "quiz": dump_quiz(m.quiz),
            }
            for m in doc.modules
        ],
    }


def _load(live: CourseDoc, raw: dict[str, Any]) -> CourseDoc:
    course = raw.get("course") or {}
    try:
        modules = [
            ModuleDoc(
                str(m.get("title") or ""),
                parse_blocks(m.get("content") or []),
                parse_quiz(m.get("quiz") or []),
                m.get("id"),
            )
            for m in course.get("modules") or []
        ]
    except ValidationError as err:  # a newer client's blocks: say so rather than lose them
        raise UserError(f"The draft version cannot be read: {readable(err)}") from err
    return CourseDoc(
        id=live.id,
        org_id=live.org_id,
        title=str(course.get("title") or live.title),
        description=str(course.get("description") or ""),
        difficulty=course.get("difficulty"),
        tags=list(course.get("tags") or []),
        estimated_duration_mins=course.get("estimated_duration_mins"),
        target_skills=[
            TargetSkillRef(t["skill_id"], float(t["target_proficiency"]))
            for t in course.get("target_skills") or []
        ],
        template=course.get("template"),
        status=live.status,
        modules=modules,
        published_at=live.published_at,
        updated_at=live.updated_at,
    )


@dataclass(frozen=True)
class EditableCourse:
    """What the editor shows: the draft version if there is one, else the course itself."""

    doc: CourseDoc
    has_draft: bool
    draft_saved_at: str | None = None

    @property
    def live(self) -> bool:
        """Edits reach learners only when published explicitly (a draft version)."""
        return self.doc.status == "published"


def load_for_editing(ctx: AppContext, course_id: str) -> EditableCourse:
    live = authoring.load_course(ctx, course_id)
    raw = authoring.course_settings(ctx, course_id).get(DRAFT_KEY)
    if not isinstance(raw, dict):
        return EditableCourse(live, False)
    return EditableCourse(_load(live, raw), True, raw.get("saved_at"))


def save_edits(ctx: AppContext, user: CurrentUser, doc: CourseDoc) -> EditableCourse:
    """Save what the creator edited. A published course keeps serving learners its published
    version: the edits go to its draft version. Any other course is saved as it is."""
    live = authoring.load_course(ctx, doc.id)
    if live.status != "published":
        authoring.save_course(ctx, user, doc)
        if DRAFT_KEY in authoring.course_settings(ctx, doc.id):
            _drop_draft(ctx, user, doc.id)
        return load_for_editing(ctx, doc.id)
    authoring.validate_course(doc)
    taken = authoring.title_taken(ctx, user, doc.title.strip(), doc.id)
    if taken is not None:
        raise UserError(authoring.duplicate_message(doc.title.strip(), taken))
    removed = {m.id for m in live.modules if m.id} - {m.id for m in doc.modules if m.id}
    if removed:  # said now, not only when the changes are published
        with ctx.db.transaction() as s:
            used = s.scalar(select(func.count()).where(LearningEvent.module_id.in_(removed)))
        if used:
            raise UserError(
                "A module you removed already has learner activity, so it cannot be "
                "deleted. Keep it, or archive the course and create a new one."
            )
    authoring.set_course_settings(
        ctx,
        user,
        doc.id,
        {DRAFT_KEY: {"saved_at": utcnow().isoformat(), "by": user.id, "course": _dump(doc)}},
    )
    return load_for_editing(ctx, doc.id)


def publish_draft(ctx: AppContext, user: CurrentUser, course_id: str) -> EditableCourse:
    """Make the draft version the published course (after the checklist's blocking items)."""
    editable = load_for_editing(ctx, course_id)
    if not editable.has_draft:
        raise UserError("There are no unpublished changes to publish.")
    require_publishable(ctx, user, editable.doc)
    authoring.save_course(ctx, user, editable.doc)
    with ctx.db.transaction() as s:
        course = s.get(Course, course_id)
        if course is None:
            raise UserError("That course no longer exists.")
        course.settings = {k: v for k, v in (course.settings or {}).items() if k != DRAFT_KEY}
        course.published_at = utcnow()
        course.updated_at = utcnow()
    return load_for_editing(ctx, course_id)


def discard_draft(ctx: AppContext, user: CurrentUser, course_id: str) -> EditableCourse:
    """Drop the draft version; the published course is what the editor shows again."""
    _drop_draft(ctx, user, course_id)
    return load_for_editing(ctx, course_id)


def _drop_draft(ctx: AppContext, user: CurrentUser, course_id: str) -> None:
    if not user.can_author:
        raise UserError("Only creators and admins can edit courses.")
    with ctx.db.transaction() as s:
        course = s.get(Course, course_id)
        if course is None:
            raise UserError("That course no longer exists.")
        if user.role != "super_admin" and course.org_id != user.org_id:
            raise UserError("This course belongs to another organisation.")
        if DRAFT_KEY in (course.settings or {}):
            course.settings = {k: v for k, v in (course.settings or {}).items() if k != DRAFT_KEY}
