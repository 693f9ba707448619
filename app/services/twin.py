"""The Digital Learner Twin, kept up to date from the learner's own events.

``refresh_twin`` is the one place the app turns ``learning_events`` into the derived twin
tables, with the pure algorithms of :mod:`engine.adaptive`:

* ``learner_profiles`` — the profile fold (:func:`learner_profile.rebuild`),
* ``learner_skills`` — mastery per skill from graded first attempts (knowledge tracing with
  the engine's default model, seeded with the skill tree from ``skills.parent_skill_id``),
* ``skill_gaps`` — gaps against the target skills of the learner's enrolments, opened,
  refreshed and resolved (at most one open gap per skill),
* ``learner_profiles.next_best_action`` — the single suggestion shown on the dashboard.

Everything is recomputed from the full history (never incremented), so the result is the same
however often it runs, and after a sync has merged another device's events. It is written in
one transaction. A few hundred events take a few milliseconds, so views call it inline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.services import compliance as org_compliance
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.flashcards import EPOCH as FLASHCARD_EPOCH
from engine.adaptive import knowledge_tracing, learner_profile, next_action, skill_gaps
from engine.adaptive import spaced_repetition as sr
from engine.adaptive.events import LearningEvent as EngineEvent
from engine.adaptive.knowledge_tracing import SkillMastery
from engine.adaptive.next_action import (
    AvailableCourse,
    ComplianceSnapshot,
    EnrollmentSnapshot,
    LearnerSnapshot,
    NextAction,
)
from engine.adaptive.skill_gaps import TargetSkill
from engine.content import parse_blocks, parse_quiz
from sync.store.column_types import utcnow
from sync.store.models import (
    ComplianceRecord,
    Course,
    Enrollment,
    LearnerProfile,
    LearnerSkill,
    LearningEvent,
    LearningPath,
    Module,
    Skill,
)
from sync.store.models import SkillGap as SkillGapRow

SUPPORTED_MODALITIES: tuple[Any, ...] = (
    "text",
    "video",
    "audio",
    "mindmap",
    "flashcards",
    "game",
    "feed",
)
"""Modalities the desktop player can show today; a modality switch is only suggested among
these (a suggestion the app cannot act on would be noise)."""

ACTION_TITLES: dict[str, str] = {
    "take_break": "Take a short break",
    "complete_compliance": "Finish your required training",
    "review_flashcards": "Review your flashcards",
    "switch_modality": "Try another format",
    "continue_module": "Continue learning",
    "close_skill_gap": "Close a skill gap",
    "start_course": "Start your first course",
    "all_caught_up": "You're all caught up",
}


@dataclass(frozen=True)
class ActionView:
    """The next best action, resolved to what the UI can open."""

    type: str
    target_id: str | None
    reason: str
    computed_at: datetime
    title: str
    course_id: str | None = None
    module_id: str | None = None
    skill_id: str | None = None
    modality: str | None = None  # open the module in this modality (e.g. flashcards)

    @property
    def can_open(self) -> bool:
        """Whether the dashboard has something to open for this action."""
        return self.course_id is not None


@dataclass(frozen=True)
class TwinSummary:
    user_id: str
    events: int
    total_learning_minutes: float
    avg_session_duration_mins: float
    avg_completion_rate: float
    streak_days: int
    learning_pace: str
    difficulty_comfort: str
    overall_engagement_score: float
    mastery: Mapping[str, float]
    open_gaps: tuple[str, ...]
    next_action: ActionView


@dataclass(frozen=True)
class SkillView:
    id: str
    name: str
    parent_id: str | None
    mastery: float | None
    evidence: int
    target: float | None
    gap_open: bool

    @property
    def state(self) -> str:
        """``not_assessed`` | ``gap`` | ``on_target`` | ``in_progress``.

        A skill no answer has measured yet is *not assessed*, never a gap, even when a gap
        row is on record for its course target: nothing says the learner is below it.
        """
        if self.mastery is None:
            return "not_assessed"
        if self.gap_open:
            return "gap"
        if self.target is not None and self.mastery >= self.target:
            return "on_target"
        return "in_progress"


# -- loading ----------------------------------------------------------------------------------


def load_events(s: Session, user_id: str) -> list[EngineEvent]:
    """A learner's stored events as the engine's event type."""
    rows = s.execute(
        select(
            LearningEvent.event_type,
            LearningEvent.created_at,
            LearningEvent.course_id,
            LearningEvent.module_id,
            LearningEvent.payload,
            LearningEvent.modality,
            LearningEvent.duration_secs,
        ).where(LearningEvent.user_id == user_id)
    ).all()
    out: list[EngineEvent] = []
    for kind, at, course_id, module_id, payload, modality, secs in rows:
        if at is None:
            continue
        out.append(
            EngineEvent(
                user_id=user_id,
                event_type=kind,
                created_at=at,
                course_id=course_id,
                module_id=module_id,
                payload=payload or {},
                modality=modality,
                duration_secs=max(0, secs or 0),
            )
        )
    return out


def _skills_for(s: Session, user: CurrentUser) -> list[Skill]:
    q = select(Skill)
    if user.org_id is not None:
        q = q.where(or_(Skill.org_id == user.org_id, Skill.org_id.is_(None)))
    return list(s.scalars(q))


def _targets(s: Session, user_id: str) -> dict[str, float]:
    """Target proficiency per skill over all the learner's enrolments (highest wins)."""
    raw: list[Mapping[str, object]] = []
    course_targets = s.execute(
        select(Course.target_skills)
        .join(Enrollment, Enrollment.course_id == Course.id)
        .where(Enrollment.user_id == user_id)
    ).all()
    path_targets = s.execute(
        select(LearningPath.target_skills)
        .join(Enrollment, Enrollment.path_id == LearningPath.id)
        .where(Enrollment.user_id == user_id)
    ).all()
    for (targets,) in [*course_targets, *path_targets]:
        raw.extend(t for t in targets or [] if isinstance(t, Mapping))
    return {t.skill_id: t.target_proficiency for t in skill_gaps.parse_targets(raw)}


def _from_days(days: float | None) -> datetime | None:
    return None if days is None else datetime.fromtimestamp(days * 86_400.0, UTC)


# -- writing ----------------------------------------------------------------------------------


def _profile_row(s: Session, user_id: str) -> LearnerProfile:
    row = s.scalars(select(LearnerProfile).where(LearnerProfile.user_id == user_id)).first()
    if row is None:
        row = LearnerProfile(user_id=user_id)
        s.add(row)
    return row


def _write_profile(row: LearnerProfile, state: learner_profile.ProfileState) -> None:
    values = state.to_row()
    row.modality_scores = {k: min(1.0, max(0.0, v)) for k, v in values["modality_scores"].items()}
    row.learning_pace = values["learning_pace"]
    row.difficulty_comfort = values["difficulty_comfort"]
    row.avg_session_duration_mins = values["avg_session_duration_mins"]
    row.avg_completion_rate = min(1.0, max(0.0, values["avg_completion_rate"]))
    row.total_learning_minutes = values["total_learning_minutes"]
    row.streak_days = values["streak_days"]
    if values["last_active_at"] is not None:
        row.last_active_at = values["last_active_at"]
    row.overall_engagement_score = min(1.0, max(0.0, values["overall_engagement_score"]))


def _write_skills(
    s: Session, user_id: str, masteries: Iterable[SkillMastery], known: set[str]
) -> None:
    existing = {
        r.skill_id: r
        for r in s.scalars(select(LearnerSkill).where(LearnerSkill.user_id == user_id))
    }
    for m in masteries:
        if m.skill_id not in known:  # a question tagged with a skill this device lacks
            continue
        row = existing.get(m.skill_id)
        if row is None:
            row = LearnerSkill(user_id=user_id, skill_id=m.skill_id)
            s.add(row)
        row.proficiency_level = min(1.0, max(0.0, m.proficiency_level))
        row.evidence_count = max(0, m.evidence_count)
        row.last_assessed_at = _from_days(m.last_assessed_at)


def _write_gaps(
    s: Session,
    user_id: str,
    targets: Mapping[str, float],
    masteries: Mapping[str, SkillMastery],
    known: set[str],
    now: datetime,
) -> list[skill_gaps.SkillGap]:
    """Open, refresh and resolve ``skill_gaps`` rows; returns the open gaps."""
    open_rows: dict[str, SkillGapRow] = {}
    for row in s.scalars(
        select(SkillGapRow)
        .where(SkillGapRow.user_id == user_id, SkillGapRow.resolved_at.is_(None))
        .order_by(SkillGapRow.identified_at)
    ):
        if row.skill_id in open_rows:  # a duplicate (e.g. merged from two devices): close it
            row.resolved_at = now
        else:
            open_rows[row.skill_id] = row
    previous = [
        skill_gaps.SkillGap(
            r.skill_id,
            r.gap_score or 0.0,
            r.identified_at or now,
            None,
            targets.get(r.skill_id, 0.8),
        )
        for r in open_rows.values()
    ]
    wanted = [TargetSkill(k, v) for k, v in sorted(targets.items()) if k in known and v > 0]
    result = skill_gaps.skill_gaps(wanted, masteries, now=now, open_gaps=previous)
    still_open: list[skill_gaps.SkillGap] = []
    for g in result:
        current = open_rows.get(g.skill_id)
        if g.is_open:
            still_open.append(g)
            if current is None:
                current = SkillGapRow(user_id=user_id, skill_id=g.skill_id, identified_at=now)
                s.add(current)
            current.gap_score = min(1.0, max(0.0, g.gap_score))
        elif current is not None:
            current.resolved_at = g.resolved_at or now
            current.gap_score = 0.0
    return still_open


# -- next best action -------------------------------------------------------------------------


@dataclass(frozen=True)
class _CourseInfo:
    title: str
    module_ids: tuple[str, ...]
    module_titles: Mapping[str, str]
    quiz_skills: Mapping[str, frozenset[str]]  # module id -> skills its quiz covers


def _course_info(s: Session, course_ids: Iterable[str]) -> dict[str, _CourseInfo]:
    ids = sorted(set(course_ids))
    if not ids:
        return {}
    titles = dict(s.execute(select(Course.id, Course.title).where(Course.id.in_(ids))).all())
    modules: dict[str, list[tuple[str, str, frozenset[str]]]] = {c: [] for c in titles}
    for cid, mid, mtitle, quiz in s.execute(
        select(Module.course_id, Module.id, Module.title, Module.quiz)
        .where(Module.course_id.in_(ids))
        .order_by(Module.course_id, Module.order_index, Module.id)
    ):
        skills = frozenset(
            str(k) for q in quiz or [] if isinstance(q, Mapping) for k in q.get("skill_ids") or []
        )
        modules.setdefault(cid, []).append((mid, mtitle, skills))
    return {
        cid: _CourseInfo(
            title,
            tuple(m for m, _t, _k in modules.get(cid, [])),
            {m: t for m, t, _k in modules.get(cid, [])},
            {m: k for m, _t, k in modules.get(cid, [])},
        )
        for cid, title in titles.items()
    }


def _available_courses(
    s: Session, user: CurrentUser, enrolled: set[str]
) -> tuple[list[AvailableCourse], dict[str, _CourseInfo]]:
    """Published courses the learner may take and has no enrolment in, newest first (the
    dashboard's order), with their module info."""
    q = select(Course.id, Course.title, Course.estimated_duration_mins).where(
        Course.status == "published"
    )
    if user.role != "super_admin":
        q = q.where(Course.org_id == user.org_id)
    rows = [r for r in s.execute(q.order_by(Course.published_at.desc(), Course.id)).all()]
    rows = [r for r in rows if r[0] not in enrolled]
    info = _course_info(s, [r[0] for r in rows])
    out: list[AvailableCourse] = []
    for cid, title, mins in rows:
        ci = info.get(cid)
        first = ci.module_ids[0] if ci and ci.module_ids else None
        out.append(
            AvailableCourse(
                course_id=cid,
                title=title,
                first_module_id=first,
                first_module_title=ci.module_titles.get(first) if ci and first else None,
                module_count=len(ci.module_ids) if ci else 0,
                duration_mins=mins,
            )
        )
    return out, info


def _next_module(info: _CourseInfo, done: set[str]) -> str | None:
    return next((m for m in info.module_ids if m not in done), None)


def _action(
    s: Session,
    user: CurrentUser,
    state: learner_profile.ProfileState,
    events: list[EngineEvent],
    gaps: list[skill_gaps.SkillGap],
    skill_names: Mapping[str, str],
    now: datetime,
) -> tuple[NextAction, ActionView]:
    completed: dict[str, set[str]] = {}
    for ev in events:
        if ev.event_type == "module_complete" and ev.course_id and ev.module_id:
            completed.setdefault(ev.course_id, set()).add(ev.module_id)
    enrolments = s.scalars(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id.is_not(None))
    ).all()
    compliance = s.scalars(
        select(ComplianceRecord).where(ComplianceRecord.user_id == user.id)
    ).all()
    info = _course_info(
        s, [e.course_id for e in enrolments if e.course_id] + [c.course_id for c in compliance]
    )
    available, available_info = _available_courses(
        s, user, {e.course_id for e in enrolments if e.course_id}
    )
    for cid, extra in available_info.items():
        info.setdefault(cid, extra)
    module_course = {m: cid for cid, ci in info.items() for m in ci.module_ids}

    enr: list[EnrollmentSnapshot] = []
    for e in enrolments:
        ci = info.get(e.course_id or "")
        if ci is None:
            continue
        nxt = _next_module(ci, completed.get(e.course_id or "", set()))
        enr.append(
            EnrollmentSnapshot(
                course_id=e.course_id or "",
                title=ci.title,
                status=e.status or "not_started",
                progress_pct=float(e.progress_pct or 0.0),
                next_module_id=nxt,
                next_module_title=ci.module_titles.get(nxt) if nxt else None,
                due_date=e.due_date,
            )
        )
    comp: list[ComplianceSnapshot] = []
    finished = {e.course_id: e.completed_at for e in enrolments if e.completed_at is not None}
    for c in compliance:
        ci = info.get(c.course_id)
        if ci is None:
            continue
        # the status as of now (issue 12): overdue by time, compliant once completed
        status = org_compliance.effective(
            org_compliance.requirement(c), finished.get(c.course_id), now
        ).status
        comp.append(
            ComplianceSnapshot(
                course_id=c.course_id,
                title=ci.title,
                status=status,
                required_by=c.required_by,
                next_module_id=_next_module(ci, completed.get(c.course_id, set())),
            )
        )
    due_cards, oldest_due, review_module = _due_flashcards(s, events, now)
    snapshot = LearnerSnapshot(
        now=now,
        due_flashcards=due_cards,
        oldest_flashcard_due=oldest_due,
        enrollments=tuple(sorted(enr, key=lambda x: x.course_id)),
        compliance=tuple(sorted(comp, key=lambda x: x.course_id)),
        skill_gaps=tuple(gaps),
        skill_names=skill_names,
        session_started_at=state.session_start,
        last_active_at=state.session_end,
        current_modality=state.study_modality,
        modality_belief=state.modality_belief,
        available_modalities=SUPPORTED_MODALITIES,
        available_courses=tuple(available),
    )
    nba = next_action.next_action(snapshot)

    course_id = module_id = skill_id = modality = None
    if nba.type in ("continue_module", "complete_compliance", "start_course") and nba.target_id:
        if nba.target_id in module_course:
            module_id, course_id = nba.target_id, module_course[nba.target_id]
        elif nba.target_id in info:
            course_id = nba.target_id
    elif nba.type == "review_flashcards" and review_module is not None:
        module_id = review_module
        course_id = module_course.get(review_module)
        modality = "flashcards"
    elif nba.type == "close_skill_gap" and nba.target_id:
        skill_id = nba.target_id
        # practise where the skill is quizzed: the first module (not done first) covering it
        candidates = [
            (m in completed.get(cid, set()), idx, cid, m)
            for cid, ci in sorted(info.items())
            for idx, m in enumerate(ci.module_ids)
            if skill_id in ci.quiz_skills.get(m, frozenset())
        ]
        if candidates:
            _done, _idx, course_id, module_id = min(candidates)
    view = ActionView(
        type=nba.type,
        target_id=nba.target_id,
        reason=nba.reason,
        computed_at=nba.computed_at,
        title=(
            "Start a new course"
            if nba.type == "start_course" and enrolments
            else ACTION_TITLES.get(nba.type, nba.type.replace("_", " ").capitalize())
        ),
        course_id=course_id,
        module_id=module_id,
        skill_id=skill_id,
        modality=modality,
    )
    return nba, view


def _due_flashcards(
    s: Session, events: list[EngineEvent], now: datetime
) -> tuple[int, datetime | None, str | None]:
    """Reviewed flashcards now due again (new cards don't nag), the oldest due time, and the
    module with the most due — replayed from the review events like the Flashcards view."""
    logs: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for ev in events:
        p = ev.payload
        if ev.modality == "flashcards" and ev.module_id and "flashcard_id" in p:
            log = p.get("fsrs_log")
            if isinstance(log, dict):
                logs.setdefault(ev.module_id, {}).setdefault(int(p["flashcard_id"]), []).append(log)
    total, oldest, best, best_n = 0, None, None, 0
    for module_id, by_card in logs.items():
        row = s.get(Module, module_id)
        if row is None:
            continue
        cards = sr.generate_flashcards(
            module_id, parse_blocks(row.content), parse_quiz(row.quiz), now=FLASHCARD_EPOCH
        )
        due = [
            c
            for c in (
                sr.replay_reviews(c, by_card[c.card_id]) for c in cards if c.card_id in by_card
            )
            if c.due <= now
        ]
        total += len(due)
        for c in due:
            oldest = c.due if oldest is None or c.due < oldest else oldest
        if len(due) > best_n:
            best, best_n = module_id, len(due)
    return total, oldest, best


# -- public API -------------------------------------------------------------------------------


def refresh_twin(ctx: AppContext, user: CurrentUser, *, now: datetime | None = None) -> TwinSummary:
    """Recompute the learner's twin from their events and write it, in one transaction."""
    now = now or utcnow()
    with ctx.db.transaction() as s:
        events = load_events(s, user.id)
        state = learner_profile.rebuild(events)
        profile = _profile_row(s, user.id)
        _write_profile(profile, state)

        skills = _skills_for(s, user)
        known = {k.id for k in skills}
        parents = {k.id: k.parent_skill_id for k in skills if k.parent_skill_id}
        names = {k.id: k.name for k in skills}
        model = knowledge_tracing.default_model(parents)
        masteries = knowledge_tracing.trace_learner(events, model, now=now)
        _write_skills(s, user.id, masteries, known)
        by_skill = {m.skill_id: m for m in masteries if m.skill_id in known}

        gaps = _write_gaps(s, user.id, _targets(s, user.id), by_skill, known, now)
        # A target skill the learner has not been assessed on yet is a gap on record, but
        # not one to "close" next: the course that teaches it comes first.
        assessed = [
            g for g in gaps if g.skill_id in by_skill and by_skill[g.skill_id].evidence_count
        ]
        nba, view = _action(s, user, state, events, assessed, names, now)
        profile.next_best_action = nba.to_json()

        return TwinSummary(
            user_id=user.id,
            events=len(events),
            total_learning_minutes=state.total_learning_minutes,
            avg_session_duration_mins=state.avg_session_duration_mins,
            avg_completion_rate=state.avg_completion_rate,
            streak_days=state.streak_days,
            learning_pace=state.learning_pace,
            difficulty_comfort=state.difficulty_comfort,
            overall_engagement_score=state.overall_engagement_score,
            mastery={k: m.proficiency_level for k, m in by_skill.items()},
            open_gaps=tuple(g.skill_id for g in gaps),
            next_action=view,
        )


def skills_overview(ctx: AppContext, user: CurrentUser) -> list[SkillView]:
    """The learner's skills as stored (run :func:`refresh_twin` first), parents before children."""
    with ctx.db.transaction() as s:
        skills = {k.id: k for k in _skills_for(s, user)}
        mastery = {
            r.skill_id: r
            for r in s.scalars(select(LearnerSkill).where(LearnerSkill.user_id == user.id))
        }
        open_gaps = set(
            s.scalars(
                select(SkillGapRow.skill_id).where(
                    SkillGapRow.user_id == user.id, SkillGapRow.resolved_at.is_(None)
                )
            )
        )
        targets = _targets(s, user.id)
        children: dict[str | None, list[Skill]] = {}
        for k in skills.values():
            parent = k.parent_skill_id if k.parent_skill_id in skills else None
            children.setdefault(parent, []).append(k)
        out: list[SkillView] = []
        seen: set[str] = set()

        def visit(k: Skill, parent: str | None) -> None:
            if k.id in seen:
                return
            seen.add(k.id)
            row = mastery.get(k.id)
            has = row is not None and (row.evidence_count or 0) > 0
            out.append(
                SkillView(
                    id=k.id,
                    name=k.name,
                    parent_id=parent,
                    mastery=float(row.proficiency_level or 0.0) if has and row else None,
                    evidence=int(row.evidence_count or 0) if row else 0,
                    target=targets.get(k.id),
                    gap_open=k.id in open_gaps,
                )
            )
            for c in sorted(children.get(k.id, []), key=lambda x: x.name.lower()):
                visit(c, k.id)

        for root in sorted(children.get(None, []), key=lambda x: x.name.lower()):
            visit(root, None)
        for k in sorted(skills.values(), key=lambda x: x.name.lower()):  # cycles, if any
            visit(k, None)
        return out
