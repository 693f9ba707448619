"""What a manager sees: their organisation's learners' progress, course by course (read-only).

The spec gives managers the analytics side of the product (completions, who is where) and
no authoring. This is the smallest real version of it: for each published course of the
organisation, every learner with their enrolment status, progress and last activity, read
from ``enrollments`` and ``learning_events`` (which sync brings from the learners' devices).
Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from engine.org.vocabulary import ENROLLMENT_LABELS
from sync.store.models import Course, Enrollment, LearningEvent, Module, Profile

MANAGER_ROLES = frozenset({"manager", "org_admin", "super_admin"})
STATUS_LABELS: dict[str, str] = dict(ENROLLMENT_LABELS)


def can_view(user: CurrentUser) -> bool:
    return user.role in MANAGER_ROLES and user.org_id is not None


@dataclass(frozen=True)
class LearnerRow:
    user_id: str
    full_name: str
    status: str
    progress_pct: float
    last_active: datetime | None
    completed_at: datetime | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status.replace("_", " ").capitalize())


@dataclass(frozen=True)
class CourseProgress:
    course_id: str
    title: str
    module_count: int
    learners: list[LearnerRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.learners if r.status == status)

    @property
    def average_pct(self) -> float:
        return sum(r.progress_pct for r in self.learners) / len(self.learners) if self else 0.0

    def __bool__(self) -> bool:
        return bool(self.learners)


def team_progress(ctx: AppContext, user: CurrentUser) -> list[CourseProgress]:
    """Each published course of the manager's organisation with each learner's progress.

    Learners are the organisation's profiles with the learner role, plus anyone else of the
    organisation who has started the course.
    """
    if not can_view(user):
        raise UserError("Only managers and admins can see their organisation's progress.")
    org = user.org_id
    with ctx.db.transaction() as s:
        courses = s.execute(
            select(Course.id, Course.title, func.count(Module.id))
            .outerjoin(Module, Module.course_id == Course.id)
            .where(Course.org_id == org, Course.status == "published")
            .group_by(Course.id)
            .order_by(Course.title)
        ).all()
        people = dict(
            s.execute(
                select(Profile.id, Profile.full_name).where(
                    Profile.org_id == org, Profile.role == "learner"
                )
            ).all()
        )
        enrolments = s.execute(
            select(Enrollment, Profile.full_name)
            .join(Profile, Profile.id == Enrollment.user_id)
            .join(Course, Course.id == Enrollment.course_id)
            .where(Course.org_id == org, Profile.org_id == org)
        ).all()
        last = {
            (u, c): at
            for u, c, at in s.execute(
                select(
                    LearningEvent.user_id,
                    LearningEvent.course_id,
                    func.max(LearningEvent.created_at),
                )
                .join(Course, Course.id == LearningEvent.course_id)
                .where(Course.org_id == org)
                .group_by(LearningEvent.user_id, LearningEvent.course_id)
            ).all()
        }
        by_course: dict[str, dict[str, LearnerRow]] = {cid: {} for cid, _, _ in courses}
        for e, name in enrolments:
            if e.course_id not in by_course:
                continue
            by_course[e.course_id][e.user_id] = LearnerRow(
                e.user_id,
                name or "",
                e.status or "not_started",
                float(e.progress_pct or 0.0),
                last.get((e.user_id, e.course_id)),
                e.completed_at,
            )
        result = []
        for cid, title, n in courses:
            rows = by_course[cid]
            for uid, name in people.items():
                rows.setdefault(uid, LearnerRow(uid, name or "", "not_started", 0.0, None, None))
            ordered = sorted(rows.values(), key=lambda r: (-r.progress_pct, r.full_name.lower()))
            result.append(CourseProgress(cid, title, int(n), ordered))
        return result
