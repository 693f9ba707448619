"""Assigning training: a course or a path to people, with a due date and "mandatory".

Who assigns (as the server enforces, 0005): managers and org admins anyone of their
organisation; creators people of their organisation to their own courses and paths; learners
nobody. An assignment is an ``enrollments`` row per learner (``enrolled_by`` the assigner,
``due_date``); for mandatory training also one ``compliance_records`` row (``pending``) per
required course, each with its first history entry. All of one assignment is one transaction.

Enrolment ids are derived (``learning.enrollment_id``, and per path here), so assigning what a
learner already started updates their enrolment instead of making a second one, and two
devices assigning the same thing offline make the same row.

The learner's side: :func:`assigned_work` (overdue first, then by due date) and
:func:`refresh_my_paths` (path enrolments from the courses); reminders are
``compliance.send_reminders``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.services import compliance, path_progress, paths
from app.services.accounts import ROLE_LABELS, CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.learning import enrollment_id
from engine.org import compliance as rules
from engine.org.compliance import ComplianceError
from engine.org.vocabulary import ASSIGNER_ROLES, PROFILE_ROLES, work_status_label
from sync.store.models import (
    ComplianceRecord,
    Course,
    Enrollment,
    LearningPath,
    Profile,
)

_PATH_NS = uuid.UUID("0b6f3f0e-5a0c-4f7e-8a55-7d1c2e9b4a61")


def path_enrollment_id(user_id: str, path_id: str) -> str:
    return str(uuid.uuid5(_PATH_NS, f"{user_id}:{path_id}"))


def may_assign(user: CurrentUser | None) -> bool:
    """Whether the role assigns at all (creators only their own content)."""
    return user is not None and (user.role in ASSIGNER_ROLES or user.role == "creator")


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str

    @property
    def label(self) -> str:
        return f"{self.name} ({ROLE_LABELS.get(self.role, self.role)})"


@dataclass(frozen=True)
class Assignable:
    kind: str  # "course" | "path"
    id: str
    title: str


@dataclass(frozen=True)
class Assigned:
    learners: int
    enrollments: int
    records: int

    def message(self, title: str) -> str:
        who = f"{self.learners} {'person' if self.learners == 1 else 'people'}"
        extra = f", {self.records} compliance record(s) opened" if self.records else ""
        return f"“{title}” assigned to {who}{extra}."


def people(ctx: AppContext, user: CurrentUser) -> list[Person]:
    """Everyone of the assigner's organisation, but the assigner."""
    if not may_assign(user):
        raise UserError("Only managers, organisation admins and creators can assign training.")
    with ctx.db.transaction() as s:
        rows = s.execute(
            select(Profile.id, Profile.full_name, Profile.role)
            .where(Profile.org_id == user.org_id, Profile.id != user.id)
            .order_by(Profile.full_name)
        ).all()
    return [Person(pid, name or "", role or "learner") for pid, name, role in rows]


def assignable(ctx: AppContext, user: CurrentUser) -> list[Assignable]:
    """Published courses and paths the user may assign."""
    if not may_assign(user):
        return []
    own = user.role not in ASSIGNER_ROLES
    with ctx.db.transaction() as s:
        cq = select(Course.id, Course.title).where(
            Course.org_id == user.org_id, Course.status == "published"
        )
        pq = select(LearningPath.id, LearningPath.title).where(
            LearningPath.org_id == user.org_id, LearningPath.status == "published"
        )
        if own:
            cq, pq = (
                cq.where(Course.created_by == user.id),
                pq.where(LearningPath.created_by == user.id),
            )
        out = [Assignable("path", i, t) for i, t in s.execute(pq.order_by(LearningPath.title))]
        out += [Assignable("course", i, t) for i, t in s.execute(cq.order_by(Course.title))]
    return out


def _learners(
    ctx: AppContext,
    user: CurrentUser,
    ids: Sequence[str],
    everyone: bool,
    role: str | None,
) -> list[str]:
    staff = [p for p in people(ctx, user)]
    if everyone:
        chosen = [p.id for p in staff]
    elif role is not None:
        if role not in PROFILE_ROLES:
            raise UserError(f"Unknown role “{role}”.")
        chosen = [p.id for p in staff if p.role == role]
    else:
        known = {p.id for p in staff}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise UserError(
                "Unknown learner: "
                + ", ".join(unknown)
                + " is not a member of your organisation on this device."
            )
        chosen = list(dict.fromkeys(ids))
    if not chosen:
        raise UserError("Nobody to assign: choose at least one person.")
    return chosen


def assign(
    ctx: AppContext,
    user: CurrentUser,
    *,
    course_id: str | None = None,
    path_id: str | None = None,
    learner_ids: Sequence[str] = (),
    everyone: bool = False,
    role: str | None = None,
    due: datetime | None = None,
    mandatory: bool = False,
    now: datetime,
) -> Assigned:
    """Assign a course or a path; returns what was written (all of it, or nothing)."""
    if not may_assign(user):
        raise UserError("Only managers, organisation admins and creators can assign training.")
    if (course_id is None) == (path_id is None):
        raise UserError("Choose one course or one learning path to assign.")
    if mandatory and user.role not in ASSIGNER_ROLES:
        raise UserError("Only managers and organisation admins can make training mandatory.")
    try:
        rules.new_requirement(due, now)
    except ComplianceError as err:
        raise UserError(str(err)[0].upper() + str(err)[1:] + ".") from err
    courses, title, creator = _content(ctx, user, course_id, path_id)
    if user.role not in ASSIGNER_ROLES and creator != user.id:
        raise UserError("Creators can assign only their own courses and paths.")
    learners = _learners(ctx, user, learner_ids, everyone, role)
    enrolled = opened = 0
    with ctx.db.transaction() as s:
        for lid in learners:
            eid = enrollment_id(lid, course_id) if course_id else path_enrollment_id(lid, path_id)  # type: ignore[arg-type]
            row = s.get(Enrollment, eid)
            if row is None:
                row = Enrollment(
                    id=eid,
                    user_id=lid,
                    course_id=course_id,
                    path_id=path_id,
                    status="not_started",
                    progress_pct=0.0,
                )
                s.add(row)
            row.enrolled_by = user.id
            row.due_date = due
            enrolled += 1
            if mandatory:
                opened += _require(s, user, lid, courses, path_id, due, now, title)
    return Assigned(len(learners), enrolled, opened)


def _content(
    ctx: AppContext, user: CurrentUser, course_id: str | None, path_id: str | None
) -> tuple[list[str], str, str]:
    """(required course ids, title, creator) of what is assigned; published only."""
    with ctx.db.transaction() as s:
        row = s.get(Course, course_id) if course_id else s.get(LearningPath, path_id)
        if row is None or (user.role != "super_admin" and row.org_id != user.org_id):
            raise UserError("That course or path is not one of your organisation's.")
        if row.status != "published":
            raise UserError(f"“{row.title}” is not published: publish it before assigning it.")
        title, creator = row.title, row.created_by
    if course_id:
        return [course_id], title, creator
    spec = paths.spec_of(paths.load_path(ctx, path_id))  # type: ignore[arg-type]
    return list(spec.required), title, creator


def _require(s, user, learner_id, courses, path_id, due, now, title) -> int:  # type: ignore[no-untyped-def]
    opened = 0
    for cid in courses:
        row = s.scalars(
            select(ComplianceRecord).where(
                ComplianceRecord.user_id == learner_id,
                ComplianceRecord.course_id == cid,
                ComplianceRecord.path_id.is_(None)
                if path_id is None
                else ComplianceRecord.path_id == path_id,
                ComplianceRecord.status.in_(("pending", "overdue")),
            )
        ).first()
        if row is not None:  # still open: the new due date replaces the old one
            if row.required_by != due:
                row.required_by = due  # an overdue record stays overdue: it was missed
                compliance.write_event(
                    s,
                    row,
                    row.status,
                    row.status,
                    "the due date changed",
                    user.id,
                    now,
                    {"required_by": due.isoformat() if due else None},
                )
            continue
        row = ComplianceRecord(
            org_id=user.org_id,
            user_id=learner_id,
            course_id=cid,
            path_id=path_id,
            required_by=due,
            status="pending",
            status_reason=f"assigned by {user.full_name}",
        )
        s.add(row)
        s.flush()
        compliance.write_event(
            s, row, None, "pending", f"“{title}” assigned as mandatory", user.id, now
        )
        opened += 1
    return opened


# -- the learner's side ------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkItem:
    kind: str  # "course" | "path"
    id: str
    title: str
    due: datetime | None
    status: str
    """Compliance status for mandatory work, else the enrolment's status."""
    mandatory: bool
    overdue: bool
    late: bool
    progress_pct: float
    assigned_by: str
    picture: Path | None = None
    """A path's picture on this device (``paths.thumbnail_file``), shown beside it."""

    @property
    def status_label(self) -> str:
        return work_status_label(self.status)

    def due_text(self) -> str:
        if self.due is None:
            return "no due date"
        return ("was due " if self.overdue else "due ") + f"{self.due:%d %b %Y}"


def assigned_work(ctx: AppContext, user: CurrentUser, now: datetime) -> list[WorkItem]:
    """What others assigned the learner, and their mandatory training: overdue first, then
    soonest due, then no due date; finished work last."""
    with ctx.db.transaction() as s:
        enrolments = list(
            s.scalars(
                select(Enrollment).where(
                    Enrollment.user_id == user.id,
                    Enrollment.enrolled_by.is_not(None),
                    Enrollment.enrolled_by != user.id,
                )
            )
        )
        records = list(
            s.scalars(select(ComplianceRecord).where(ComplianceRecord.user_id == user.id))
        )
        ids = {e.enrolled_by for e in enrolments}
        names = dict(
            s.execute(select(Profile.id, Profile.full_name).where(Profile.id.in_(ids))).all()
        )
        ctitles = dict(s.execute(select(Course.id, Course.title)).all())
        ptitles = dict(s.execute(select(LearningPath.id, LearningPath.title)).all())
        pictures = dict(
            s.execute(
                select(LearningPath.id, LearningPath.thumbnail_url).where(
                    LearningPath.thumbnail_url.is_not(None)
                )
            ).all()
        )
    done = path_progress.completed_courses(ctx, user.id)
    by_target: dict[tuple[str, str], list[rules.Requirement]] = {}
    for r in records:
        eff = compliance.effective(compliance.requirement(r), done.get(r.course_id), now)
        key = ("path", r.path_id) if r.path_id else ("course", r.course_id)
        by_target.setdefault(key, []).append(eff)  # type: ignore[arg-type]
    items: list[WorkItem] = []
    seen: set[tuple[str, str]] = set()
    for e in enrolments:
        key = ("path", e.path_id) if e.path_id else ("course", e.course_id)
        seen.add(key)  # type: ignore[arg-type]
        items.append(_item(ctx, user, key, e, by_target.get(key, []), names, ctitles, ptitles, now))  # type: ignore[arg-type]
    for key, reqs in by_target.items():
        if key not in seen:
            items.append(_item(ctx, user, key, None, reqs, names, ctitles, ptitles, now))
    for i, item in enumerate(items):
        if item.kind == "path" and item.id in pictures:
            items[i] = replace(item, picture=paths.thumbnail_file(ctx, pictures[item.id]))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    finished = ("completed", "compliant", "exempt")
    return sorted(items, key=lambda i: (i.status in finished, not i.overdue, i.due or far, i.title))


def _item(ctx, user, key, e, reqs, names, ctitles, ptitles, now) -> WorkItem:  # type: ignore[no-untyped-def]
    kind, target = key
    title = (ptitles if kind == "path" else ctitles).get(target, "(not on this device yet)")
    due = e.due_date if e is not None else None
    pct = float(e.progress_pct or 0.0) if e is not None else 0.0
    status = (e.status or "not_started") if e is not None else "not_started"
    if kind == "path":
        try:
            lp = path_progress.learner_path(ctx, user, target)
            pct, status = lp.progress_pct, "completed" if lp.complete else status
        except UserError:
            pass
    late = any(rules.is_late(r) for r in reqs)
    if reqs:
        order = ["overdue", "pending", "exempt", "compliant"]
        status = min((r.status for r in reqs), key=order.index)
        due = due or min((r.required_by for r in reqs if r.required_by), default=None)
    overdue = status == "overdue" or (
        due is not None and now >= due and status not in ("completed", "compliant", "exempt")
    )
    by = names.get(e.enrolled_by, "") if e is not None else ""
    return WorkItem(kind, target, title, due, status, bool(reqs), overdue, late, pct, by)


def refresh_my_paths(ctx: AppContext, user: CurrentUser, now: datetime) -> list[str]:
    """Bring the learner's path enrolments up to date with their courses (progress,
    started, completed at the last required course's completion). Returns the ids of the
    paths completed by this refresh. Only the learner's own rows are written."""
    if ctx.db.read_only:
        return []
    with ctx.db.transaction() as s:
        rows = list(
            s.scalars(
                select(Enrollment).where(
                    Enrollment.user_id == user.id, Enrollment.path_id.is_not(None)
                )
            )
        )
        ids = [(r.id, r.path_id) for r in rows]
    finished: list[str] = []
    for eid, pid in ids:
        try:
            lp = path_progress.learner_path(ctx, user, pid)  # type: ignore[arg-type]
        except UserError:
            continue
        status = (
            "completed"
            if lp.complete
            else ("in_progress" if any(st.progress_pct > 0 for st in lp.steps) else "not_started")
        )
        with ctx.db.transaction() as s:
            row = s.get(Enrollment, eid)
            if row is None:
                continue
            late = row.due_date is not None and now >= row.due_date
            if status != "completed" and (late or row.status == "overdue"):
                status = "overdue"  # as course enrolments (engine.progress): by the due date
            changed = (row.status, round(row.progress_pct or 0.0, 3), row.completed_at) != (
                status,
                round(lp.progress_pct, 3),
                lp.completed_at,
            )
            if not changed:
                continue
            if row.status != "completed" and status == "completed":
                finished.append(pid)  # type: ignore[arg-type]
            if row.started_at is None and status != "not_started":
                row.started_at = now
            row.status, row.progress_pct, row.completed_at = (
                status,
                lp.progress_pct,
                lp.completed_at,
            )
    return finished
