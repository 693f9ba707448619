"""Analytics over time and through a course: completions, engagement, the drop-off funnel.

One aggregate query per figure against the local mirror (indexes: ``learning_events``
``(course_id, user_id)`` / ``(user_id, created_at)``, ``enrollments (user_id, course_id)``),
bucketed and filled by ``engine.analytics``. Weeks are counted in SQL from the range's first
Monday (:func:`week_index`): the same Monday-based UTC weeks as ``engine.analytics.weeks``
and the server's ``date_trunc('week', …)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Integer, and_, case, cast, func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from app.services.accounts import CurrentUser
from app.services.analytics import Filters, Meta, Scope, Table, scope
from app.services.context import AppContext
from app.services.errors import UserError
from engine.analytics import engagement as eng
from engine.analytics.funnel import Funnel, ModuleCounts, build_funnel
from engine.analytics.rates import Rate
from engine.analytics.weeks import fill_weeks, week_start
from sync.store.models import (
    Enrollment,
    LearnerProfile,
    LearningEvent,
    LearningPath,
    Module,
    Profile,
)

SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])


def week_index(column: Any, first: date) -> ColumnElement[int]:
    """Whole weeks from the Monday ``first`` to a stored UTC timestamp, in SQLite.

    The same Monday-based UTC weeks as ``engine.analytics.weeks``; computed from the day
    part (timestamps are stored in UTC) with ``julianday``, about half the cost per row of
    ``date(t, 'weekday 0', '-6 days')``, which mattered at 100,000 events."""
    if first.weekday() != 0:
        raise ValueError("week_index counts from a Monday")
    jd0 = (first - date(1970, 1, 1)).days + 2440587.5
    return cast((func.julianday(func.substr(column, 1, 10)) - jd0) / 7, Integer)


def week_bounds(sc: Scope) -> tuple[date, Any]:
    """The first Monday of the scope's range, and how to turn a week index into its Monday."""
    assert sc.filters.start is not None
    first = week_start(sc.filters.start)
    return first, lambda i: first + timedelta(weeks=int(i))


def people(sc: Scope) -> Select[Any]:
    """The ids of the organisation's people (of the chosen role)."""
    q = select(Profile.id).where(Profile.org_id == sc.org_id)
    return q.where(Profile.role == sc.role) if sc.role else q


def learners(q: SelectT, user_col: Any, sc: Scope) -> SelectT:
    """``q`` limited to the organisation's people (of the chosen role). An ``IN`` over their
    ids, not a join: SQLite builds it once, and an aggregate needs no name."""
    return q.where(user_col.in_(people(sc)))


def named_learners(q: SelectT, user_col: Any, sc: Scope) -> SelectT:
    """As :func:`learners`, joined to ``profiles`` so ``Profile.full_name`` can be selected."""
    q = q.join(Profile, Profile.id == user_col).where(Profile.org_id == sc.org_id)
    return q.where(Profile.role == sc.role) if sc.role else q


def in_courses(column: Any, sc: Scope) -> ColumnElement[bool]:
    """Rows of the scope's courses. Unnarrowed (a manager's whole organisation), every row
    of its people, in a course or not (practice): no condition at all, which also keeps
    SQLite from reading the events through the course index, one course at a time."""
    if sc.narrowed:
        return column.in_(sc.course_ids)  # type: ignore[no-any-return]
    return true()


def in_range(column: Any, sc: Scope) -> ColumnElement[bool]:
    return and_(column >= sc.filters.since, column < sc.filters.until)


# -- completions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CourseRate:
    key: str
    """``course:<id>`` or ``path:<id>``."""
    title: str
    kind: str
    enrolled: int
    completed: int

    @property
    def rate(self) -> Rate:
        return Rate(min(self.completed, self.enrolled), self.enrolled)


@dataclass(frozen=True)
class Completions:
    meta: Meta
    weeks: list[tuple[date, int]]
    rates: list[CourseRate]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.weeks)

    def table(self) -> Table:
        return Table(
            "Completions per week",
            ("Week starting", "Courses completed"),
            tuple((w.isoformat(), n) for w, n in self.weeks),
            tuple(("completed_week", w.isoformat()) for w, _ in self.weeks),
        )

    def rate_table(self) -> Table:
        return Table(
            "Completion rate per course and path",
            ("Course or path", "Kind", "Enrolled", "Completed", "Rate"),
            tuple((r.title, r.kind, r.enrolled, r.completed, r.rate.percent()) for r in self.rates),
            tuple(("enrolled", r.key) for r in self.rates),
        )


def completions(ctx: AppContext, user: CurrentUser, filters: Filters, now: datetime) -> Completions:
    """Course completions per week in the range, and completion rates of each course and
    path in scope (enrolled: enrolments of the organisation's learners; completed: of those,
    the ones completed, at any time)."""
    e = Enrollment
    with ctx.db.transaction() as s:
        sc = scope(s, user, filters, now)
        first, monday = week_bounds(sc)
        wk = week_index(e.completed_at, first)
        q = select(wk, func.count()).where(
            e.course_id.in_(sc.course_ids), in_range(e.completed_at, sc)
        )
        per_week = {monday(i): n for i, n in s.execute(learners(q, e.user_id, sc).group_by(wk))}
        rq = select(
            e.course_id, func.count(), func.sum(case((e.status == "completed", 1), else_=0))
        )
        rq = learners(rq.where(e.course_id.in_(sc.course_ids)), e.user_id, sc).group_by(e.course_id)
        by_course = {cid: (int(n), int(d or 0)) for cid, n, d in s.execute(rq)}
        paths: list[Any] = []
        if not sc.filters.course_id:  # a path filter: that path; a creator: their own paths
            pq = select(
                LearningPath.id,
                LearningPath.title,
                func.count(e.id),
                func.sum(case((e.status == "completed", 1), else_=0)),
            ).join(e, and_(e.path_id == LearningPath.id, e.course_id.is_(None)))
            pq = learners(pq.where(LearningPath.org_id == sc.org_id), e.user_id, sc)
            if sc.filters.path_id:
                pq = pq.where(LearningPath.id == sc.filters.path_id)
            elif user.role == "creator":
                pq = pq.where(LearningPath.created_by == user.id)
            paths = list(s.execute(pq.group_by(LearningPath.id).order_by(LearningPath.title)))
    f = sc.filters
    assert f.start is not None and f.end is not None
    weeks = fill_weeks(per_week, f.start, f.end)
    rates = [
        CourseRate(f"course:{cid}", sc.titles[cid], "Course", *by_course.get(cid, (0, 0)))
        for cid in sc.course_ids
    ]
    rates += [CourseRate(f"path:{pid}", t, "Path", int(n), int(d or 0)) for pid, t, n, d in paths]
    return Completions(sc.meta, [(w, int(n)) for w, n in weeks], rates)


# -- engagement -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Engagement:
    meta: Meta
    weeks: list[eng.Week]
    streaks: list[tuple[str, int]]

    def table(self) -> Table:
        return Table(
            "Engagement per week",
            ("Week starting", "Active learners", "Minutes"),
            tuple((w.start.isoformat(), w.active_learners, w.minutes) for w in self.weeks),
            tuple(("active_week", w.start.isoformat()) for w in self.weeks),
        )

    def streak_table(self) -> Table:
        return Table(
            "Current streaks",
            ("Streak", "Learners"),
            tuple(self.streaks),
            tuple(("streak", band) for band, _ in self.streaks),
        )


def engagement(ctx: AppContext, user: CurrentUser, filters: Filters, now: datetime) -> Engagement:
    """Active learners (distinct, with any event) and minutes per week; current streaks of
    the learners in scope (with a course filter: those with activity in those courses)."""
    ev = LearningEvent
    with ctx.db.transaction() as s:
        sc = scope(s, user, filters, now)
        first, monday = week_bounds(sc)
        wk = week_index(ev.created_at, first)
        q = select(
            wk, func.count(func.distinct(ev.user_id)), func.sum(func.coalesce(ev.duration_secs, 0))
        ).where(in_range(ev.created_at, sc), in_courses(ev.course_id, sc))
        rows = s.execute(learners(q, ev.user_id, sc).group_by(wk)).all()
        sq = learners(select(LearnerProfile.streak_days), LearnerProfile.user_id, sc)
        if sc.narrowed:
            there = select(ev.user_id).where(ev.course_id.in_(sc.course_ids))
            sq = sq.where(LearnerProfile.user_id.in_(there))
        streaks = [d for (d,) in s.execute(sq)]
    active = {monday(w): int(n) for w, n, _ in rows}
    secs = {monday(w): float(t or 0) for w, _, t in rows}
    f = sc.filters
    assert f.start is not None and f.end is not None
    weeks = eng.weekly(active, secs, f.start, f.end)
    return Engagement(sc.meta, weeks, eng.streak_histogram(streaks))


# -- the drop-off funnel ----------------------------------------------------------------------
@dataclass(frozen=True)
class FunnelView:
    meta: Meta
    course_id: str
    title: str
    funnel: Funnel

    def table(self) -> Table:
        return Table(
            f"Drop-off funnel: {self.title}",
            ("Module", "Started", "Finished", "Stopped here", "Drop-off events", "Finish rate"),
            tuple(
                (
                    st.label,
                    st.counts.started,
                    st.counts.finished,
                    st.counts.stopped,
                    st.counts.drop_offs,
                    st.finish.percent(),
                )
                for st in self.funnel.stages
            ),
            tuple(("module", st.module_id) for st in self.funnel.stages),
        )


def touched(sc: Scope, course_id: str) -> Any:
    """Per learner and module of the course (in range): started, finished, drop-offs, and
    the module's position. The funnel and its drill-down both read this."""
    ev = LearningEvent
    q = (
        select(
            ev.user_id.label("user_id"),
            ev.module_id.label("module_id"),
            func.coalesce(Module.order_index, 0).label("oi"),
            func.max(case((ev.event_type == "module_start", 1), else_=0)).label("started"),
            func.max(case((ev.event_type == "module_complete", 1), else_=0)).label("done"),
            func.sum(case((ev.event_type == "drop_off", 1), else_=0)).label("drops"),
        )
        .join(Module, Module.id == ev.module_id)
        .where(ev.course_id == course_id, in_range(ev.created_at, sc))
    )
    return learners(q, ev.user_id, sc).group_by(ev.user_id, ev.module_id).cte("touched")


def stopped_here(t: Any, course_id: str) -> tuple[Any, ColumnElement[bool]]:
    """The learners' furthest module, and the condition "stopped at this one": it is their
    furthest and they left it unfinished, or finished it without the course's last module."""
    furthest = (
        select(t.c.user_id.label("user_id"), func.max(t.c.oi).label("oi"))
        .group_by(t.c.user_id)
        .cte("furthest")
    )
    last = (
        select(func.max(func.coalesce(Module.order_index, 0)))
        .where(Module.course_id == course_id)
        .scalar_subquery()
    )
    cond = and_(t.c.oi == furthest.c.oi, or_(t.c.done == 0, t.c.oi < last))
    return furthest, cond


def _course(s: Session, sc: Scope, course_id: str | None) -> str:
    cid = course_id or sc.filters.course_id or (sc.course_ids[0] if sc.course_ids else None)
    if cid is None or cid not in sc.titles:
        raise UserError("Choose one of the courses you can see to draw its funnel.")
    return cid


def funnel(
    ctx: AppContext,
    user: CurrentUser,
    filters: Filters,
    now: datetime,
    course_id: str | None = None,
) -> FunnelView:
    """The drop-off funnel of one course (the filter's, else ``course_id``, else the first)."""
    with ctx.db.transaction() as s:
        sc = scope(s, user, filters, now)
        cid = _course(s, sc, course_id)
        modules = [
            (m, t or "")
            for m, t in s.execute(
                select(Module.id, Module.title)
                .where(Module.course_id == cid)
                .order_by(Module.order_index, Module.title)
            )
        ]
        t = touched(sc, cid)
        furthest, stop = stopped_here(t, cid)
        q = (
            select(
                t.c.module_id,
                func.sum(t.c.started),
                func.sum(t.c.done),
                func.sum(case((stop, 1), else_=0)),
                func.sum(t.c.drops),
            )
            .join(furthest, furthest.c.user_id == t.c.user_id)
            .group_by(t.c.module_id)
        )
        counts = {
            mid: ModuleCounts(int(a or 0), int(b or 0), int(c or 0), int(d or 0))
            for mid, a, b, c, d in s.execute(q)
        }
    known = {m for m, _ in modules}
    return FunnelView(
        sc.meta,
        cid,
        sc.titles[cid],
        build_funnel(cid, modules, {k: v for k, v in counts.items() if k in known}),
    )
