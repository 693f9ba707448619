"""The next best action (``learner.next_action``): the one thing the dashboard suggests now.

A learner should never have to work out what to do next, and one clear suggestion beats a
list. Candidates are scored by fixed, documented urgency so the choice is explainable and
stable — wellbeing first, then obligations the organisation will hold them to, then memory
that is slipping, then the course they are in the middle of, then gaps and modality:

====================  =====  =============================================================
take_break             100   current session ≥ 90 min and still going
complete_compliance     90   a compliance course is overdue (+ up to 5 by days overdue)
complete_compliance     70   a compliance course is due within 7 days
review_flashcards    30–62   flashcards due (more, and longer overdue, score higher)
switch_modality         55   the current modality clearly underperforms another one
continue_module      50–75   an in-progress course (75 when it is past its due date)
close_skill_gap      40–60   the biggest open skill gap (40 + 20 × gap score)
continue_module         20   start the next not-started enrolment
start_course            10   no course under way: start the first available course
all_caught_up            0   nothing to do
====================  =====  =============================================================

``start_course`` is what a brand-new learner sees: a course they can take (published in
their organisation, not yet enrolled) rather than "all caught up" while nothing is begun.
It is offered only when no enrolment is still open, so it never distracts from a course the
learner is in the middle of.

It is a pure function of a :class:`LearnerSnapshot`, so the app can call it after every
event and tests can pin every rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from engine.adaptive.dispatcher import ModalityBelief, should_switch
from engine.adaptive.events import MODALITIES, Modality
from engine.adaptive.skill_gaps import SkillGap
from engine.org.reminders import due_phrase

ActionType = Literal[
    "take_break",
    "complete_compliance",
    "review_flashcards",
    "switch_modality",
    "continue_module",
    "close_skill_gap",
    "start_course",
    "all_caught_up",
]
_TYPE_ORDER: tuple[str, ...] = (
    "take_break",
    "complete_compliance",
    "review_flashcards",
    "switch_modality",
    "continue_module",
    "close_skill_gap",
    "start_course",
    "all_caught_up",
)

LONG_SESSION = timedelta(minutes=90)
SESSION_GAP = timedelta(minutes=30)
COMPLIANCE_SOON = timedelta(days=7)

_MODALITY_LABEL = {
    "text": "reading",
    "video": "video",
    "audio": "audio",
    "mindmap": "mind maps",
    "flashcards": "flashcards",
    "game": "games",
    "feed": "the feed",
}


@dataclass(frozen=True, slots=True)
class EnrollmentSnapshot:
    course_id: str
    title: str
    status: str = "not_started"  # not_started | in_progress | completed | overdue
    progress_pct: float = 0.0
    next_module_id: str | None = None
    next_module_title: str | None = None
    due_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class ComplianceSnapshot:
    course_id: str
    title: str
    status: str = "pending"  # pending | compliant | overdue | exempt
    required_by: datetime | None = None
    next_module_id: str | None = None


@dataclass(frozen=True, slots=True)
class AvailableCourse:
    """A course the learner may start (published for them, no enrolment yet)."""

    course_id: str
    title: str
    first_module_id: str | None = None
    first_module_title: str | None = None
    module_count: int = 0
    duration_mins: int | None = None


@dataclass(frozen=True, slots=True)
class LearnerSnapshot:
    """Everything the decision looks at, gathered by the app at ``now``."""

    now: datetime
    enrollments: tuple[EnrollmentSnapshot, ...] = ()
    compliance: tuple[ComplianceSnapshot, ...] = ()
    due_flashcards: int = 0
    oldest_flashcard_due: datetime | None = None
    skill_gaps: tuple[SkillGap, ...] = ()
    skill_names: Mapping[str, str] = field(default_factory=dict)
    session_started_at: datetime | None = None
    last_active_at: datetime | None = None
    current_modality: Modality | None = None
    modality_belief: ModalityBelief | None = None
    available_modalities: tuple[Modality, ...] = MODALITIES
    available_courses: tuple[AvailableCourse, ...] = ()  # in the order the app lists them


@dataclass(frozen=True, slots=True)
class NextAction:
    """The ``learner_profiles.next_best_action`` value."""

    type: ActionType
    target_id: str | None
    reason: str
    computed_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "target_id": self.target_id,
            "reason": self.reason,
            "computed_at": self.computed_at.isoformat(),
        }


def _duration(td: timedelta) -> str:
    mins = int(td.total_seconds() // 60)
    h, m = divmod(mins, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


def _days(td: timedelta) -> str:
    d = max(0, td.days)
    return "today" if d == 0 else "1 day" if d == 1 else f"{d} days"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _candidates(s: LearnerSnapshot) -> list[tuple[float, ActionType, str | None, str]]:
    out: list[tuple[float, ActionType, str | None, str]] = []
    now = s.now

    if (
        s.session_started_at is not None
        and s.last_active_at is not None
        and now - s.last_active_at <= SESSION_GAP
        and s.last_active_at - s.session_started_at >= LONG_SESSION
    ):
        length = _duration(s.last_active_at - s.session_started_at)
        out.append(
            (
                100.0,
                "take_break",
                None,
                f"You've been learning for {length} without a break. A short pause helps "
                "what you've learned stick.",
            )
        )

    for c in s.compliance:
        if c.status in ("compliant", "exempt"):
            continue
        overdue = c.status == "overdue" or (c.required_by is not None and c.required_by < now)
        target = c.next_module_id or c.course_id
        if overdue:
            lag = now - c.required_by if c.required_by is not None else timedelta(0)
            when = f" was due {_days(lag)} ago" if lag.days >= 1 else " is overdue"
            out.append(
                (
                    90.0 + min(5.0, lag.days / 7.0),
                    "complete_compliance",
                    target,
                    f"Required training “{c.title}”{when}. Finish it to stay compliant.",
                )
            )
        elif c.required_by is not None and c.required_by - now <= COMPLIANCE_SOON:
            out.append(
                (
                    70.0,
                    "complete_compliance",
                    target,
                    f"Required training “{c.title}” is due {due_phrase(c.required_by, now)} "
                    f"({c.required_by:%d %b}).",
                )
            )

    if s.due_flashcards > 0:
        overdue_days = (
            (now - s.oldest_flashcard_due).days if s.oldest_flashcard_due is not None else 0
        )
        score = 30.0 + min(20.0, s.due_flashcards) + min(12.0, 2.0 * max(0, overdue_days))
        n = s.due_flashcards
        cards = "1 flashcard is" if n == 1 else f"{n} flashcards are"
        out.append(
            (
                score,
                "review_flashcards",
                None,
                f"{cards} due for review; a few minutes now keeps them from slipping.",
            )
        )

    if s.current_modality is not None and s.modality_belief is not None:
        better = should_switch(s.modality_belief, s.current_modality, s.available_modalities)
        if better is not None:
            cur = s.modality_belief.arm(s.current_modality).mean
            alt = s.modality_belief.arm(better).mean
            out.append(
                (
                    55.0,
                    "switch_modality",
                    better,
                    f"{_MODALITY_LABEL[better].capitalize()} has been going better for you "
                    f"than {_MODALITY_LABEL[s.current_modality]} ({alt:.0%} vs {cur:.0%} of "
                    "sessions went well). Try this module that way.",
                )
            )

    for e in s.enrollments:
        if e.status == "completed" or e.next_module_id is None:
            continue
        late = e.status == "overdue" or (e.due_date is not None and e.due_date < now)
        module = f"“{e.next_module_title}”" if e.next_module_title else "the next module"
        if e.status in ("in_progress", "overdue") or e.progress_pct > 0:
            score = 75.0 if late else 50.0 + e.progress_pct / 100.0
            extra = " It is past its due date." if late else ""
            out.append(
                (
                    score,
                    "continue_module",
                    e.next_module_id,
                    f"Pick up “{e.title}” where you left off with {module} "
                    f"({e.progress_pct:.0f}% done).{extra}",
                )
            )
        else:
            out.append(
                (
                    20.0 + (5.0 if late else 0.0),
                    "continue_module",
                    e.next_module_id,
                    f"Start “{e.title}” with {module}.",
                )
            )

    open_enrolment = any(
        e.status != "completed" and e.next_module_id is not None for e in s.enrollments
    )
    enrolled = {e.course_id for e in s.enrollments}
    startable = [c for c in s.available_courses if c.course_id not in enrolled]
    if startable and not open_enrolment:
        nxt = startable[0]
        facts = [_count(nxt.module_count, "module")] if nxt.module_count else []
        if nxt.duration_mins:
            facts.append(f"about {nxt.duration_mins} min")
        about = f" ({', '.join(facts)})" if facts else ""
        begin = f" Begin with “{nxt.first_module_title}”." if nxt.first_module_title else ""
        out.append(
            (
                10.0,
                "start_course",
                nxt.first_module_id or nxt.course_id,
                f"“{nxt.title}”{about} is ready for you.{begin}",
            )
        )

    gaps = [g for g in s.skill_gaps if g.is_open and g.gap_score >= 0.2]
    if gaps:
        g = max(gaps, key=lambda x: (x.gap_score, x.skill_id))
        name = s.skill_names.get(g.skill_id, g.skill_id)
        out.append(
            (
                40.0 + 20.0 * g.gap_score,
                "close_skill_gap",
                g.skill_id,
                f"Your {name} is at {g.proficiency_level:.0%} against a target of "
                f"{g.target_proficiency:.0%}; a short practice set will close the gap.",
            )
        )
    return out


def next_action(snapshot: LearnerSnapshot) -> NextAction:
    """The single highest-urgency action, with its reason; ties break by type then target."""
    cands = _candidates(snapshot)
    if not cands:
        return NextAction(
            "all_caught_up",
            None,
            "Nothing is waiting for you now. New courses appear on your dashboard when "
            "they are published.",
            snapshot.now,
        )
    _score, kind, target, reason = min(
        cands, key=lambda c: (-c[0], _TYPE_ORDER.index(c[1]), c[2] or "")
    )
    return NextAction(kind, target, reason, snapshot.now)
