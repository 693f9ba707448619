"""Learn use cases: the catalogue, opening a course, recording events, progress.

``record_event`` is the one door for telemetry: the event and the enrolment state it implies
are written in one transaction, and the enrolment is recomputed from the events (never
incremented), so it is always consistent with them. An event the disk refuses (full,
read-only) is queued, never dropped (``app.services.pending``), and ``NotSaved`` says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services import pending
from app.services.accounts import CurrentUser
from app.services.authoring import CourseDoc, load_course
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.pending import NotSaved, PendingEvent
from engine.content import Question
from engine.progress import ModuleEvent, Progress, compute_progress
from sync.store.column_types import InvalidDocument, utcnow
from sync.store.database import WriteFailedError
from sync.store.models import EVENT_TYPES, MODALITIES, Course, Enrollment, LearningEvent, Module

# One enrolment per learner and course on every device: its id is derived from the pair, so
# two devices that enrol the same learner offline create the same row, which sync merges.
_ENROLMENT_NS = uuid.UUID("6f1d3c1e-2b47-4f0e-9d35-2f4f8a1b7c10")


def enrollment_id(user_id: str, course_id: str) -> str:
    return str(uuid.uuid5(_ENROLMENT_NS, f"{user_id}:{course_id}"))


# Progress is decided by these alone (the course player always starts a module before its
# quiz), which keeps the query on the (user, course, event_type) index and off the quiz log.
PROGRESS_EVENTS = ("module_start", "module_complete")


@dataclass(frozen=True)
class CourseCard:
    id: str
    title: str
    description: str
    difficulty: str | None
    estimated_duration_mins: int | None
    module_count: int
    progress_pct: float
    status: str


def list_catalogue(ctx: AppContext, user: CurrentUser) -> list[CourseCard]:
    """Published courses of the learner's organisation with the learner's progress."""
    counts = (
        select(Module.course_id, func.count(Module.id).label("n"))
        .group_by(Module.course_id)
        .subquery()
    )
    mine = select(Enrollment).where(Enrollment.user_id == user.id).subquery()
    q = (
        select(Course, func.coalesce(counts.c.n, 0), mine.c.progress_pct, mine.c.status)
        .outerjoin(counts, counts.c.course_id == Course.id)
        .outerjoin(mine, mine.c.course_id == Course.id)
        .where(Course.status == "published")
        .order_by(Course.published_at.desc())
    )
    if user.role != "super_admin":
        q = q.where(Course.org_id == user.org_id)
    with ctx.db.transaction() as s:
        return [
            CourseCard(
                c.id,
                c.title,
                c.description or "",
                c.difficulty,
                c.estimated_duration_mins,
                n,
                pct or 0.0,
                status or "not_started",
            )
            for c, n, pct, status in s.execute(q).all()
        ]


def open_course(ctx: AppContext, user: CurrentUser, course_id: str) -> CourseDoc:
    doc = load_course(ctx, course_id)
    if doc.status != "published":
        raise UserError("This course is not published any more.")
    if user.role != "super_admin" and doc.org_id != user.org_id:
        raise UserError("This course belongs to another organisation.")
    return doc


def quiz_attempt_payload(
    question: Question,
    selected: list[str],
    correct: bool,
    *,
    attempt_no: int = 1,
    difficulty: str | None = None,
    **extra: object,
) -> dict[str, Any]:
    """The one shape of a ``quiz_attempt`` payload, whichever modality asked the question:
    knowledge tracing reads ``question_id``/``skill_ids``/``correct``/``attempt_no``, and
    difficulty comfort reads ``difficulty``."""
    return {
        "question_id": question.id,
        "selected": list(selected),
        "correct": correct,
        "attempt_no": attempt_no,
        "skill_ids": list(question.skill_ids),
        "difficulty": difficulty or "intermediate",
        **extra,
    }


# ``source`` of the course player's quiz answers, to tell them from BytePlay (``game``) and
# practice (``practice``) answers on the same questions
MODULE_QUIZ = "module_quiz"


@dataclass(frozen=True)
class QuizAnswer:
    """The learner's answer to one quiz question so far, folded from ``quiz_attempt``s."""

    question_id: str
    selected: list[str]
    attempts: int
    correct: bool  # the last answer was right
    ever_correct: bool


def quiz_answers(
    ctx: AppContext, user: CurrentUser, course_id: str, module_id: str
) -> dict[str, QuizAnswer]:
    """The module quiz as the learner left it: per question, the last selection, the
    number of checks and whether it was ever right. The recorded ``quiz_attempt`` events
    are the source of truth, so answers survive leaving the module, the app, or a device."""
    with ctx.db.transaction() as s:
        rows = s.execute(
            select(LearningEvent.payload)
            .where(
                LearningEvent.user_id == user.id,
                LearningEvent.course_id == course_id,
                LearningEvent.event_type == "quiz_attempt",
                LearningEvent.module_id == module_id,
            )
            .order_by(LearningEvent.created_at, LearningEvent.id)
        ).all()
    out: dict[str, QuizAnswer] = {}
    for (payload,) in rows:
        if not isinstance(payload, dict) or not payload.get("question_id"):
            continue
        source = payload.get("source")
        if source not in (None, MODULE_QUIZ) or "game" in payload or payload.get("practice"):
            continue
        qid = str(payload["question_id"])
        correct = bool(payload.get("correct"))
        before = out.get(qid)
        out[qid] = QuizAnswer(
            qid,
            [str(c) for c in payload.get("selected") or []],
            (before.attempts if before else 0) + 1,
            correct,
            correct or bool(before and before.ever_correct),
        )
    return out


@dataclass(frozen=True)
class EventReceipt:
    event_id: str
    created_at: datetime
    progress: Progress


def record_event(
    ctx: AppContext,
    user: CurrentUser,
    event_type: str,
    *,
    course_id: str | None = None,
    module_id: str | None = None,
    modality: str | None = "text",
    duration_secs: int | None = None,
    payload: dict[str, Any] | None = None,
) -> EventReceipt:
    """Append one learning event; when this returns, the event is on disk (WAL, FULL sync).

    When the database cannot take it (disk full, read-only, I/O error), the event is not
    lost: it is queued (``app.services.pending``) and ``NotSaved`` — a ``UserError`` whose
    message says so — is raised; the queue is saved before the next event and on retry.
    """
    if event_type not in EVENT_TYPES:
        raise UserError(f"Unknown event type “{event_type}”.")
    if modality is not None and modality not in MODALITIES:
        raise UserError(f"Unknown modality “{modality}”.")
    if duration_secs is not None:
        duration_secs = max(0, int(duration_secs))
    event = PendingEvent(
        id=str(uuid.uuid4()),
        user_id=user.id,
        event_type=event_type,
        course_id=course_id,
        module_id=module_id,
        modality=modality,
        duration_secs=duration_secs,
        payload=payload,
        created_at=utcnow(),
    )
    queue = pending.queue_for(ctx.db.path)
    if len(queue):
        save_pending(ctx)
    try:
        return _write_event(ctx, event)
    except InvalidDocument as err:
        raise UserError(str(err)) from err
    except WriteFailedError as err:
        durable = queue.add(event, str(err))
        raise NotSaved(
            _not_saved_message(err, durable, queue.journal.name),
            event_id=event.id,
            durable=durable,
            kind=err.kind,
        ) from err


def _not_saved_message(err: WriteFailedError, durable: bool, journal: str) -> str:
    why = {
        "full": "the disk is full",
        "read-only": "the database is read-only",
    }.get(err.kind, "the disk reported an error")
    where = (
        f"It is kept in {journal} next to the database"
        if durable
        else "It is kept in memory while ByteOS stays open"
    )
    return (
        f"Your progress could not be saved: {why}. {where} and will be saved "
        "as soon as the database can be written again."
    )


def save_pending(ctx: AppContext) -> int:
    """Save the events that could not be written earlier; returns how many were saved."""
    return pending.queue_for(ctx.db.path).flush(lambda ev: _write_event(ctx, ev, replay=True))


def pending_message(ctx: AppContext) -> str:
    """What to tell the learner about unsaved events ("" when everything is saved)."""
    return pending.queue_for(ctx.db.path).message()


def _write_event(ctx: AppContext, ev: PendingEvent, *, replay: bool = False) -> EventReceipt:
    with ctx.db.transaction() as s:
        if not replay or s.get(LearningEvent, ev.id) is None:
            s.add(
                LearningEvent(
                    id=ev.id,
                    user_id=ev.user_id,
                    course_id=ev.course_id,
                    module_id=ev.module_id,
                    event_type=ev.event_type,
                    payload=ev.payload,
                    modality=ev.modality,
                    duration_secs=ev.duration_secs,
                    created_at=ev.created_at,
                )
            )
            s.flush()
        progress = compute_progress([], [])
        if ev.course_id is not None:
            who = CurrentUser(ev.user_id, "", "learner", None, None)
            progress = _update_enrollment(s, who, ev.course_id)
        return EventReceipt(ev.id, ev.created_at, progress)


def _progress_inputs(
    s: Session, user_id: str, course_id: str
) -> tuple[list[str], list[ModuleEvent]]:
    """The course's modules and, per module and event type, the learner's earliest event.

    Progress depends only on which modules were started or completed and when first, so
    the database folds the history (one row per module and type) and the cost of recording
    an event does not grow with the number of events already recorded.
    """
    module_ids = list(s.scalars(select(Module.id).where(Module.course_id == course_id)))
    rows = s.execute(
        select(
            LearningEvent.module_id, LearningEvent.event_type, func.min(LearningEvent.created_at)
        )
        .where(
            LearningEvent.user_id == user_id,
            LearningEvent.course_id == course_id,
            LearningEvent.event_type.in_(PROGRESS_EVENTS),
        )
        .group_by(LearningEvent.module_id, LearningEvent.event_type)
    ).all()
    return module_ids, [ModuleEvent(m, t, at) for m, t, at in rows]


def _update_enrollment(s: Session, user: CurrentUser, course_id: str) -> Progress:
    module_ids, events = _progress_inputs(s, user.id, course_id)
    enrollment = s.scalars(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course_id)
    ).first()
    if enrollment is None:
        enrollment = Enrollment(
            id=enrollment_id(user.id, course_id),
            user_id=user.id,
            course_id=course_id,
            enrolled_by=user.id,
        )
        s.add(enrollment)
    progress = compute_progress(module_ids, events, due_date=enrollment.due_date, now=utcnow())
    enrollment.status = progress.status
    enrollment.progress_pct = progress.progress_pct
    enrollment.started_at = progress.started_at
    enrollment.completed_at = progress.completed_at
    return progress


def refresh_enrollments(ctx: AppContext, pairs: Iterable[tuple[str, str]]) -> None:
    """Recompute enrolments from the events, e.g. after sync brought events from elsewhere."""
    with ctx.db.transaction() as s:
        for user_id, course_id in sorted(set(pairs)):
            if s.get(Course, course_id) is None:
                continue
            who = CurrentUser(user_id, "", "learner", None, None)
            _update_enrollment(s, who, course_id)


def course_progress(ctx: AppContext, user: CurrentUser, course_id: str) -> Progress:
    with ctx.db.transaction() as s:
        return compute_progress(*_progress_inputs(s, user.id, course_id))
