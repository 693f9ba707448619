"""Click-through: the learners behind one bar, cell or row of an analytics view.

A view's :class:`~app.services.analytics.Table` names, per row, a *drill key* such as
``("completed_week", "2026-11-30")`` or ``("module", module_id)``; a chart's bar carries the
same key (and, for a stacked bar, the segment: a funnel's ``"stopped"``, a compliance
bucket). :func:`learners_behind` answers it with one query, in the same scope and filters
as the figure, so the list always has as many learners as the bar counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from app.services.accounts import CurrentUser
from app.services.analytics import Filters, Scope, scope
from app.services.analytics_activity import (
    in_courses,
    in_range,
    named_learners,
    stopped_here,
    touched,
)
from app.services.analytics_outcomes import BUCKET_LABELS, QUESTION_KINDS, skill_gaps
from app.services.context import AppContext
from app.services.errors import UserError
from engine.analytics import compliance as buckets
from engine.analytics.engagement import streak_band
from sync.store.models import (
    AIInteraction,
    Enrollment,
    LearnerProfile,
    LearningEvent,
    LearningPath,
    Module,
    Profile,
)

FUNNEL_PARTS = ("started", "finished", "stopped", "drop_offs")


def in_week(column: Any, monday: date) -> Any:
    """Rows of the week starting ``monday`` (UTC), as a range the index can use."""
    if monday.weekday() != 0:
        raise UserError(f"{monday:%d %b %Y} is not the start of a week.")
    start = datetime.combine(monday, time.min, UTC)
    return and_(column >= start, column < start + timedelta(weeks=1))


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    detail: str


@dataclass(frozen=True)
class Drill:
    title: str
    people: list[Person]


def _names(rows: list[Any]) -> list[Person]:
    return sorted(
        (Person(uid, name or "", detail) for uid, name, detail in rows),
        key=lambda p: (p.name.lower(), p.user_id),
    )


def learners_behind(
    ctx: AppContext,
    user: CurrentUser,
    filters: Filters,
    now: datetime,
    key: tuple[Any, ...],
    part: str | None = None,
) -> Drill:
    """Who is behind ``key`` (a drill key of a view's table), optionally one ``part`` of a
    stacked bar. An unknown key is refused with a clear message."""
    kind, *args = key
    with ctx.db.transaction() as s:
        sc = scope(s, user, filters, now)
        if kind == "completed_week":
            return _completed(s, sc, date.fromisoformat(args[0]))
        if kind == "enrolled":
            return _enrolled(s, sc, args[0], part)
        if kind == "active_week":
            return _active(s, sc, date.fromisoformat(args[0]))
        if kind == "streak":
            return _streak(s, sc, args[0])
        if kind == "module":
            return _module(s, sc, args[0], part or "started")
        if kind == "modality":
            return _modality(s, sc, args[0])
        if kind == "asked":
            return _asked(s, sc, args[0])
    if kind == "skill":
        return _skill(ctx, user, filters, now, args[0])
    if kind in ("course", "person"):
        return _compliance(ctx, user, filters, now, kind, args[0], part)
    raise UserError(f"Nothing to show behind “{kind}”.")


def _completed(s: Any, sc: Scope, week: date) -> Drill:
    e, pr = Enrollment, Profile
    q = select(e.user_id, pr.full_name, e.course_id).where(
        e.course_id.in_(sc.course_ids),
        in_range(e.completed_at, sc),
        in_week(e.completed_at, week),
    )
    rows = [(u, n, sc.titles.get(c, "")) for u, n, c in s.execute(named_learners(q, e.user_id, sc))]
    return Drill(f"Completed in the week of {week:%d %b %Y}", _names(rows))


def _enrolled(s: Any, sc: Scope, which: str, part: str | None) -> Drill:
    e = Enrollment
    kind, _, ident = which.partition(":")
    cond = (
        e.course_id == ident
        if kind == "course"
        else and_(e.path_id == ident, e.course_id.is_(None))
    )
    q = select(e.user_id, Profile.full_name, e.status).where(cond)
    if part == "completed":
        q = q.where(e.status == "completed")
    elif part == "not_completed":
        q = q.where(or_(e.status.is_(None), e.status != "completed"))
    rows = [
        (u, n, (st or "not_started").replace("_", " "))
        for u, n, st in s.execute(named_learners(q, e.user_id, sc))
    ]
    what = {"completed": "Completed", "not_completed": "Not completed yet"}.get(
        part or "", "Enrolled"
    )
    if kind == "course":
        title = sc.titles.get(ident, "this course")
    else:
        title = s.scalar(select(LearningPath.title).where(LearningPath.id == ident)) or "this path"
    return Drill(f"{what}: {title}", _names(rows))


def _active(s: Any, sc: Scope, week: date) -> Drill:
    ev = LearningEvent
    q = select(ev.user_id, Profile.full_name, func.sum(func.coalesce(ev.duration_secs, 0))).where(
        in_range(ev.created_at, sc),
        in_courses(ev.course_id, sc),
        in_week(ev.created_at, week),
    )
    q = named_learners(q, ev.user_id, sc).group_by(ev.user_id, Profile.full_name)
    rows = [(u, n, f"{round((t or 0) / 60, 1)} min") for u, n, t in s.execute(q)]
    return Drill(f"Active in the week of {week:%d %b %Y}", _names(rows))


def _streak(s: Any, sc: Scope, band: str) -> Drill:
    lp, ev = LearnerProfile, LearningEvent
    q = named_learners(select(lp.user_id, Profile.full_name, lp.streak_days), lp.user_id, sc)
    if sc.narrowed:
        q = q.where(lp.user_id.in_(select(ev.user_id).where(ev.course_id.in_(sc.course_ids))))
    rows = [(u, n, f"{d or 0} days") for u, n, d in s.execute(q) if streak_band(d) == band]
    return Drill(f"Streak: {band}", _names(rows))


def _module(s: Any, sc: Scope, module_id: str, part: str) -> Drill:
    if part not in FUNNEL_PARTS:
        raise UserError(f"A funnel bar has no part “{part}”.")
    course_id = s.scalar(select(Module.course_id).where(Module.id == module_id))
    if course_id is None or course_id not in sc.titles:
        return Drill("Nobody reached this module in the range", [])
    t = touched(sc, course_id)
    furthest, stop = stopped_here(t, course_id)
    cond = {
        "started": t.c.started == 1,
        "finished": t.c.done == 1,
        "stopped": stop,
        "drop_offs": t.c.drops > 0,
    }[part]
    q = (
        select(t.c.user_id, Profile.full_name, t.c.drops, t.c.done)
        .join(furthest, furthest.c.user_id == t.c.user_id)
        .join(Profile, Profile.id == t.c.user_id)
        .where(t.c.module_id == module_id, cond)
    )
    rows = [
        (u, n, ("finished" if d else "not finished") + (f", {x} drop-off(s)" if x else ""))
        for u, n, x, d in s.execute(q)
    ]
    return Drill(f"{part.replace('_', '-').capitalize()} at this module", _names(rows))


def _modality(s: Any, sc: Scope, modality: str) -> Drill:
    ev = LearningEvent
    first = func.coalesce(func.json_extract(ev.payload, "$.attempt_no"), 1) == 1
    quiz = and_(
        ev.event_type == "quiz_attempt",
        first,
        func.json_extract(ev.payload, "$.correct").is_not(None),
    )
    right = and_(quiz, func.json_extract(ev.payload, "$.correct") == 1)
    q = select(
        ev.user_id,
        Profile.full_name,
        func.sum(case((quiz, 1), else_=0)),
        func.sum(case((right, 1), else_=0)),
    ).where(
        ev.modality == modality,
        ev.event_type.in_(("quiz_attempt", "module_complete", "drop_off")),
        in_range(ev.created_at, sc),
        in_courses(ev.course_id, sc),
    )
    q = named_learners(q, ev.user_id, sc).group_by(ev.user_id, Profile.full_name)
    rows = [
        (u, n, f"{int(c or 0)} of {int(a or 0)} first answers right") for u, n, a, c in s.execute(q)
    ]
    return Drill(f"Learners in {modality}", _names(rows))


def _asked(s: Any, sc: Scope, course_id: str) -> Drill:
    ai = AIInteraction
    q = select(ai.user_id, Profile.full_name, func.count()).where(
        ai.course_id == course_id,
        ai.course_id.in_(sc.course_ids),
        ai.interaction_type.in_(QUESTION_KINDS),
        in_range(ai.created_at, sc),
    )
    q = named_learners(q, ai.user_id, sc).group_by(ai.user_id, Profile.full_name)
    rows = [(u, n, f"{c} question(s)") for u, n, c in s.execute(q)]
    return Drill(f"Asked Byte about {sc.titles.get(course_id, 'this course')}", _names(rows))


def _skill(
    ctx: AppContext, user: CurrentUser, filters: Filters, now: datetime, skill_id: str
) -> Drill:
    view = skill_gaps(ctx, user, filters, now, max_skills=10**6, max_learners=10**6)
    names = dict(view.heat.learners)
    rank = next((r for r in view.heat.skills if r.skill_id == skill_id), None)
    people = [
        Person(uid, names.get(uid, ""), f"gap {gap:.2f}")
        for (sid, uid), gap in view.heat.values.items()
        if sid == skill_id
    ]
    people.sort(key=lambda p: (-float(p.detail.split()[1]), p.name.lower()))
    return Drill(f"Gaps in {rank.name if rank else 'this skill'}", people)


def _compliance(
    ctx: AppContext,
    user: CurrentUser,
    filters: Filters,
    now: datetime,
    kind: str,
    key: str,
    part: str | None,
) -> Drill:
    from app.services.analytics_outcomes import compliance

    view = compliance(ctx, user, filters, now)
    table = view.per_course if kind == "course" else view.per_person
    tally = next((t for k, _, t in table if k == key), None)
    if tally is None:
        return Drill("No compliance records", [])
    parts = [part] if part else list(buckets.BUCKETS)
    if part is not None and part not in buckets.BUCKETS:
        raise UserError(f"A compliance bar has no part “{part}”.")
    ids = {rid: b for b in parts for rid in tally.record_ids.get(b, [])}
    by_id = {r.id: r for r in view.records if r.id in ids}
    people = [
        Person(
            r.learner_id,
            r.learner,
            f"{r.course} · {BUCKET_LABELS[ids[r.id]]}"
            + (f" · due {r.required_by:%d %b %Y}" if r.required_by else ""),
        )
        for r in by_id.values()
    ]
    people.sort(key=lambda p: (p.name.lower(), p.detail))
    label = BUCKET_LABELS.get(part or "", "All records")
    return Drill(label, people)
