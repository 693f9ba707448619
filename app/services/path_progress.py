"""Following a learning path in Learn: each course's progress and lock, and whether the
path is complete (what issues its certificate). Building paths is :mod:`app.services.paths`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.paths import check_org, load_path, may_edit, spec_of
from engine.org import paths as engine_paths
from sync.store.models import Course, Enrollment


@dataclass(frozen=True)
class PathStep:
    course_id: str
    title: str
    is_required: bool
    status: str
    progress_pct: float
    locked: bool
    lock_message: str | None


@dataclass(frozen=True)
class LearnerPath:
    id: str
    title: str
    description: str
    steps: tuple[PathStep, ...]
    progress_pct: float
    complete: bool
    completed_at: datetime | None
    issue_cert: bool


def completed_courses(ctx: AppContext, user_id: str) -> dict[str, datetime | None]:
    """The courses the learner completed, with when."""
    with ctx.db.transaction() as s:
        rows = s.execute(
            select(Enrollment.course_id, Enrollment.completed_at).where(
                Enrollment.user_id == user_id,
                Enrollment.course_id.is_not(None),
                Enrollment.status == "completed",
            )
        ).all()
    return {cid: at for cid, at in rows if cid}


def learner_path(ctx: AppContext, user: CurrentUser, path_id: str) -> LearnerPath:
    """The path as the learner follows it: each course's progress and lock."""
    doc = load_path(ctx, path_id)
    check_org(user, doc.org_id)
    if doc.status != "published" and not may_edit(user):
        raise UserError("This learning path is not published any more.")
    spec = spec_of(doc)
    ids = list(spec.course_ids)
    with ctx.db.transaction() as s:
        courses = {c.id: c for c in s.scalars(select(Course).where(Course.id.in_(ids)))}
        order = {
            cid: bool((c.settings or {}).get("require_completion_order"))
            for cid, c in courses.items()
        }
        enrolled = {
            e.course_id: (e.status or "not_started", float(e.progress_pct or 0.0))
            for e in s.scalars(
                select(Enrollment).where(
                    Enrollment.user_id == user.id, Enrollment.course_id.in_(ids)
                )
            )
        }
        titles = {cid: c.title for cid, c in courses.items()}
    done = completed_courses(ctx, user.id)
    locks = engine_paths.course_locks(spec, set(done), order, titles)
    steps = tuple(
        PathStep(
            c.course_id,
            titles.get(c.course_id, "(a course not on this device)"),
            c.is_required,
            enrolled.get(c.course_id, ("not_started", 0.0))[0],
            enrolled.get(c.course_id, ("not_started", 0.0))[1],
            locks[c.course_id].locked,
            locks[c.course_id].message,
        )
        for c in spec.courses
    )
    complete = bool(spec.courses) and engine_paths.is_complete(spec, set(done))
    finished = [done[cid] for cid in spec.required if done.get(cid)]
    return LearnerPath(
        doc.id,
        doc.title,
        doc.description,
        steps,
        engine_paths.progress_pct(spec, set(done)) if spec.courses else 0.0,
        complete,
        max(finished) if complete and finished else None,  # type: ignore[type-var]
        doc.issue_cert,
    )


def lock_for(ctx: AppContext, user: CurrentUser, course_id: str) -> str | None:
    """Why the learner cannot open ``course_id`` yet (a path they follow locks it), or None."""
    with ctx.db.transaction() as s:
        path_ids = list(
            s.scalars(
                select(Enrollment.path_id).where(
                    Enrollment.user_id == user.id, Enrollment.path_id.is_not(None)
                )
            )
        )
    for pid in path_ids:
        try:
            lp = learner_path(ctx, user, pid)
        except UserError:
            continue
        step = next((st for st in lp.steps if st.course_id == course_id), None)
        if step is not None and step.locked:
            return step.lock_message
    return None
