"""Analytics of outcomes: modality effectiveness, AI tutor use, skill gaps, compliance.

Same rules as ``analytics_activity``: the scope from ``app.services.analytics``, one
aggregate query per figure, the logic in ``engine.analytics``. Compliance reuses
``app.services.compliance.overview`` (the records' effective statuses, the one place that
decides them) and only buckets and counts them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal, select, union_all

from app.services import compliance as records
from app.services.accounts import CurrentUser
from app.services.analytics import Filters, Meta, Table, scope
from app.services.analytics_activity import in_courses, in_range, learners, people
from app.services.context import AppContext
from engine.analytics import compliance as buckets
from engine.analytics import skill_gaps as gaps
from engine.analytics.modality import ModalityCounts, ModalityOutcome, outcomes
from engine.analytics.rates import Rate
from engine.analytics.tutor_use import Asked, Topic, missing_topics
from sync.store.models import AIInteraction, LearnerSkill, LearningEvent, Profile, Skill, SkillGap

QUESTION_KINDS = ("question", "hint_request", "explanation")
"""Interactions a learner started (a proactive nudge is Byte's, not a question)."""
BUCKET_LABELS = {
    "overdue": "Overdue",
    "due_soon": f"Due within {buckets.DUE_SOON_DAYS} days",
    "pending": "Pending",
    "compliant": "Compliant",
    "exempt": "Exempt",
}


def _first_attempt(payload: Any) -> Any:
    return func.coalesce(cast(func.json_extract(payload, "$.attempt_no"), Integer), 1) == 1


# -- modality effectiveness -------------------------------------------------------------------
@dataclass(frozen=True)
class Modalities:
    meta: Meta
    outcomes: list[ModalityOutcome]

    def table(self) -> Table:
        return Table(
            "Quiz outcomes after each modality",
            (
                "Modality",
                "First attempts",
                "Correct",
                "Correct rate",
                "Modules completed",
                "Drop-offs",
                "Learners",
            ),
            tuple(
                (
                    o.modality,
                    o.counts.first_attempts,
                    o.counts.correct,
                    o.correct.percent() + ("" if o.enough else " · too few answers"),
                    o.counts.completions,
                    o.counts.drop_offs,
                    o.counts.learners,
                )
                for o in self.outcomes
            ),
            tuple(("modality", o.modality) for o in self.outcomes),
        )


def modalities(ctx: AppContext, user: CurrentUser, filters: Filters, now: datetime) -> Modalities:
    """Per modality: first quiz attempts and correct ones (the modality on a
    ``quiz_attempt`` is the one studied in), module completions and drop-offs."""
    ev = LearningEvent
    quiz = and_(
        ev.event_type == "quiz_attempt",
        _first_attempt(ev.payload),
        func.json_extract(ev.payload, "$.correct").is_not(None),
    )
    right = and_(quiz, func.json_extract(ev.payload, "$.correct") == 1)
    with ctx.db.transaction() as s:
        sc = scope(s, user, filters, now)
        q = select(
            ev.modality,
            func.sum(case((quiz, 1), else_=0)),
            func.sum(case((right, 1), else_=0)),
            func.sum(case((ev.event_type == "module_complete", 1), else_=0)),
            func.sum(case((ev.event_type == "drop_off", 1), else_=0)),
            func.count(func.distinct(ev.user_id)),
        ).where(
            ev.modality.is_not(None),
            ev.event_type.in_(("quiz_attempt", "module_complete", "drop_off")),
            in_range(ev.created_at, sc),
            in_courses(ev.course_id, sc),
        )
        rows = s.execute(learners(q, ev.user_id, sc).group_by(ev.modality)).all()
    counts = [
        ModalityCounts(m, int(a or 0), int(c or 0), int(d or 0), int(x or 0), int(n or 0))
        for m, a, c, d, x, n in rows
    ]
    return Modalities(sc.meta, outcomes(counts))


# -- AI tutor use -----------------------------------------------------------------------------
@dataclass(frozen=True)
class CourseTutor:
    course_id: str
    title: str
    questions: int
    learners: int
    helpful: Rate
    not_covered: int


@dataclass(frozen=True)
class TutorUse:
    meta: Meta
    courses: list[CourseTutor]
    topics: list[Topic]
    titles: dict[str, str]

    def table(self) -> Table:
        return Table(
            "AI tutor use per course",
            ("Course", "Questions", "Learners asking", "Helpful (of rated)", "Not covered"),
            tuple(
                (c.title, c.questions, c.learners, c.helpful.percent(), c.not_covered)
                for c in self.courses
            ),
            tuple(("asked", c.course_id) for c in self.courses),
        )

    def topic_table(self) -> Table:
        return Table(
            "Questions the course did not cover",
            ("Course", "Question", "Times asked", "Learners"),
            tuple(
                (self.titles.get(t.course_id, ""), t.question, t.times, t.learners)
                for t in self.topics
            ),
        )


def tutor_use(ctx: AppContext, user: CurrentUser, filters: Filters, now: datetime) -> TutorUse:
    """Questions to Byte per course, the helpful rate among rated answers, and the
    questions it answered "not covered by this course" (the course's missing topics)."""
    ai, ev = AIInteraction, LearningEvent
    with ctx.db.transaction() as s:
        sc = scope(s, user, filters, now)
        uncovered = (
            select(
                ev.course_id,
                ev.user_id,
                func.json_extract(ev.payload, "$.interaction_id").label("interaction_id"),
            )
            .where(
                ev.event_type == "ai_tutor_query",
                ev.course_id.in_(sc.course_ids),
                func.json_extract(ev.payload, "$.covered") == 0,
                in_range(ev.created_at, sc),
            )
            .cte("uncovered")
        )
        unc = uncovered
        q = select(
            ai.course_id,
            func.count(),
            func.count(func.distinct(ai.user_id)),
            func.sum(case((ai.helpful.is_(True), 1), else_=0)),
            func.count(ai.helpful),
        ).where(
            ai.course_id.in_(sc.course_ids),
            ai.interaction_type.in_(QUESTION_KINDS),
            in_range(ai.created_at, sc),
        )
        per_course = {
            cid: (int(n), int(u), int(h or 0), int(r or 0))
            for cid, n, u, h, r in s.execute(learners(q, ai.user_id, sc).group_by(ai.course_id))
        }
        tq = select(unc.c.course_id, unc.c.user_id, ai.user_message).join(
            ai, ai.id == unc.c.interaction_id
        )
        asked = [Asked(c, u, m or "") for c, u, m in s.execute(learners(tq, unc.c.user_id, sc))]
    missing: dict[str, int] = {}
    for a in asked:
        missing[a.course_id] = missing.get(a.course_id, 0) + 1
    rows = [
        CourseTutor(
            cid,
            sc.titles[cid],
            per_course.get(cid, (0, 0, 0, 0))[0],
            per_course.get(cid, (0, 0, 0, 0))[1],
            Rate(per_course.get(cid, (0, 0, 0, 0))[2], per_course.get(cid, (0, 0, 0, 0))[3]),
            missing.get(cid, 0),
        )
        for cid in sc.course_ids
    ]
    return TutorUse(sc.meta, rows, missing_topics(asked), dict(sc.titles))


# -- skill gaps -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SkillGaps:
    meta: Meta
    heat: gaps.HeatMap
    limited_to_targets: bool

    def table(self) -> Table:
        return Table(
            "Skill gaps, biggest first",
            ("Skill", "Learners assessed", f"Wide gaps (≥ {gaps.WIDE:.1f})", "Mean gap"),
            tuple((r.name, r.assessed, r.wide, round(r.mean_gap, 2)) for r in self.heat.skills),
            tuple(("skill", r.skill_id) for r in self.heat.skills),
        )


def skill_gaps(
    ctx: AppContext,
    user: CurrentUser,
    filters: Filters,
    now: datetime,
    *,
    max_skills: int = 15,
    max_learners: int = 30,
) -> SkillGaps:
    """The organisation's learners × skills, from open ``skill_gaps`` and ``learner_skills``
    (a state, not a history: the date range does not apply). With a course or path filter,
    or for a creator, only the skills those courses target."""
    g, ls = SkillGap, LearnerSkill
    with ctx.db.transaction() as s:
        sc = scope(s, user, filters, now)
        targets = sorted({t for ts in sc.target_skills.values() for t in ts})
        open_gaps = select(
            g.user_id.label("user_id"),
            g.skill_id.label("skill_id"),
            func.max(g.gap_score).label("gap"),
            literal(None).label("prof"),
        ).where(g.resolved_at.is_(None), g.gap_score.is_not(None))
        open_gaps = open_gaps.group_by(g.user_id, g.skill_id)
        levels = select(ls.user_id, ls.skill_id, literal(None), ls.proficiency_level).where(
            ls.proficiency_level.is_not(None)
        )
        both = union_all(open_gaps, levels).subquery("cells")
        # one value per learner and skill, in SQL: the open gap, else 1 - proficiency
        value = func.coalesce(func.max(both.c.gap), 1 - func.max(both.c.prof))
        q = select(both.c.user_id, both.c.skill_id, value).group_by(both.c.user_id, both.c.skill_id)
        q = learners(q, both.c.user_id, sc)
        if sc.narrowed:
            q = q.where(both.c.skill_id.in_(targets))
        found = s.execute(q).all()
        names = dict(
            s.execute(select(Skill.id, Skill.name).where(Skill.id.in_({r[1] for r in found}))).all()
        )
        who = dict(
            s.execute(select(Profile.id, Profile.full_name).where(Profile.id.in_(people(sc)))).all()
        )
    cells = [
        gaps.Cell(uid, sid, v)
        for uid, sid, raw in found
        if sid in names and (v := gaps.gap_of(raw, None)) is not None
    ]
    people_names = {uid: name or "" for uid, name in who.items()}
    heat = gaps.rank(cells, names, people_names, max_skills=max_skills, max_learners=max_learners)
    return SkillGaps(sc.meta, heat, sc.narrowed)


# -- compliance -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Compliance:
    meta: Meta
    per_course: list[tuple[str, str, buckets.Tally]]
    """``(course_id, title, tally)`` in the scope's course order."""
    per_person: list[tuple[str, str, buckets.Tally]]
    overdue: list[records.RecordRow]
    records: list[records.RecordRow]
    """Every record counted (the drill-down lists them)."""

    def table(self) -> Table:
        return _tally_table("Compliance per course", "Course", self.per_course, "course")

    def person_table(self) -> Table:
        return _tally_table("Compliance per person", "Learner", self.per_person, "person")

    def overdue_table(self) -> Table:
        return Table(
            "Overdue",
            ("Learner", "Course", "Path", "Due"),
            tuple(
                (
                    r.learner,
                    r.course,
                    r.path or "",
                    f"{r.required_by:%Y-%m-%d}" if r.required_by else "",
                )
                for r in self.overdue
            ),
        )


def _tally_table(
    title: str, what: str, rows: list[tuple[str, str, buckets.Tally]], kind: str
) -> Table:
    return Table(
        title,
        (what, *(BUCKET_LABELS[b] for b in buckets.BUCKETS), "Total"),
        tuple((name, *(t.count(b) for b in buckets.BUCKETS), t.total) for _, name, t in rows),
        tuple((kind, key) for key, _, _ in rows),
    )


def compliance(ctx: AppContext, user: CurrentUser, filters: Filters, now: datetime) -> Compliance:
    """Records of the courses in scope bucketed (overdue, due soon, pending, compliant,
    exempt) per course and per person, with the overdue list (longest overdue first).
    Managers and org admins only, as ``compliance.overview`` decides."""
    rows = records.overview(ctx, user, now)
    with ctx.db.transaction() as s:
        sc = scope(s, user, filters, now)
        q = select(Profile.id).where(Profile.org_id == sc.org_id)
        q = q.where(Profile.role == sc.role) if sc.role else q
        people = {uid for (uid,) in s.execute(q)}
    wanted = set(sc.course_ids)
    kept = [r for r in rows if r.course_id in wanted and r.learner_id in people]
    facts = [
        buckets.RecordFacts(r.id, r.learner_id, r.course_id, r.status, r.required_by) for r in kept
    ]
    per_course, per_person = buckets.tally(facts, now)
    names = {r.learner_id: r.learner for r in kept}
    course_rows = [(c, sc.titles[c], per_course[c]) for c in sc.course_ids if c in per_course]
    person_rows = sorted(
        ((u, names[u], t) for u, t in per_person.items()),
        key=lambda x: (-x[2].count("overdue"), -x[2].count("due_soon"), x[1].lower()),
    )
    far = now.replace(year=9999)
    late = [r for r in kept if buckets.bucket_of(r.status, r.required_by, now) == "overdue"]
    late.sort(key=lambda r: (r.required_by or far, r.learner.lower()))
    return Compliance(sc.meta, course_rows, person_rows, late, kept)
