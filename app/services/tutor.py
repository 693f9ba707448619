"""Byte, the tutor: the use cases the Learn views call (``tutor.query``, ``tutor.nudge``).

This layer gathers what the engine's :class:`engine.tutor.tutor.Tutor` needs from the
database — the course as it is now, the learner's twin (mastery, gaps, level), recent
exchanges and the running memory in ``learner_profiles.ai_tutor_context`` — and writes back
what happened: one ``ai_interactions`` row per exchange (with ``context_used``), an
``ai_tutor_query`` learning event, and the updated memory. ``query`` may run on a worker
thread (it opens its own transactions); it streams text through ``on_text``.

The language models and the embedding model are process-wide and loaded on first use
(:class:`TutorRuntime`); the retrieval index is one per database, saved beside it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from app.services import learning, twin
from app.services.accounts import CurrentUser
from app.services.authoring import CourseDoc
from app.services.context import AppContext
from app.services.errors import UserError
from engine.content import Question
from engine.llm import build_chain
from engine.llm.base import CancelToken, GenerationCancelled, GenerationSettings, LLMError
from engine.llm.chain import ProviderChain
from engine.llm.queue import BACKGROUND, INTERACTIVE, job
from engine.retrieval.chunking import ModuleText
from engine.tutor import memory as tutor_memory
from engine.tutor.conversation import Turn
from engine.tutor.memory import LearnerContext, PastExchange
from engine.tutor.nudges import (
    CompletedModule,
    Nudge,
    NudgeSignals,
    QuestionTries,
    compute_nudges,
)
from engine.tutor.prompts import INTERACTION_TYPES, Mode
from sync.store.column_types import utcnow
from sync.store.models import AIInteraction, Course, LearnerProfile, LearningEvent

if TYPE_CHECKING:  # numpy and the retrieval stack load on first use, not at app start
    from engine.retrieval.embedding import Embedder
    from engine.retrieval.index import VectorIndex
    from engine.tutor.tutor import Citation, Tutor, TutorAnswer

log = logging.getLogger(__name__)

RECENT_EXCHANGES = 5


# -- the process-wide runtime ----------------------------------------------------------------


class TutorRuntime:
    """The provider chain and the embedder (loaded once), and one index per database."""

    def __init__(
        self,
        chain: ProviderChain | None = None,
        embedder: Embedder | None = None,
        settings: GenerationSettings | None = None,
    ) -> None:
        self._chain = chain
        self._embedder = embedder
        self.settings = settings or GenerationSettings()
        self._indexes: dict[Path, VectorIndex] = {}
        self._lock = threading.Lock()
        self.warming = False  # a warm-up was started (the sidebar starts one at most)

    @property
    def chain(self) -> ProviderChain:
        with self._lock:
            if self._chain is None:
                self._chain = build_chain()
            return self._chain

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                from engine.retrieval.embedding import default_embedder

                self._embedder = default_embedder()
            return self._embedder

    def index_for(self, ctx: AppContext) -> VectorIndex:
        from engine.retrieval.index import VectorIndex

        key = ctx.db.path.resolve()
        embedder = self.embedder
        with self._lock:
            index = self._indexes.get(key)
            if index is None:
                path = key.parent / "tutor" / f"{key.stem}-index"
                index = VectorIndex(embedder, path)
                self._indexes[key] = index
            return index

    def tutor_for(self, ctx: AppContext) -> Tutor:
        from engine.tutor.tutor import Tutor

        return Tutor(self.chain, self.index_for(ctx), self.settings)

    def warm_up(self) -> None:
        """Load the embedding model and the first available language model now."""
        self.embedder.embed(["warm up"])
        provider = self.chain.first_available()
        load = getattr(provider, "load", None)
        if callable(load):
            load()


_runtime: TutorRuntime | None = None
_runtime_lock = threading.Lock()


def runtime() -> TutorRuntime:
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = TutorRuntime()
        return _runtime


def set_runtime(rt: TutorRuntime | None) -> None:
    """Replace the process-wide runtime (tests, and a settings change of providers)."""
    global _runtime
    with _runtime_lock:
        _runtime = rt


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TutorReply:
    interaction_id: str | None
    text: str
    mode: Mode
    question: str
    covered: bool
    citations: list[Citation]
    model_label: str
    provider: str
    redactions: int = 0
    stopped: bool = False
    first_token_s: float | None = None
    context_used: dict[str, Any] = field(default_factory=dict)
    turn: Turn | None = None  # pass back in ``history`` to continue the conversation
    follow_up: bool = False


@dataclass(frozen=True)
class HistoryItem:
    id: str
    kind: str
    question: str
    answer: str
    module_id: str | None
    citations: list[dict[str, Any]]
    model_label: str
    helpful: bool | None
    created_at: datetime


@dataclass(frozen=True)
class NudgeCard:
    interaction_id: str | None
    key: str
    kind: str
    title: str
    message: str
    action: str
    course_id: str
    module_id: str | None
    question_id: str | None


@dataclass(frozen=True)
class ModelStatus:
    available: bool
    label: str  # the model that would answer now
    local: bool
    reasons: dict[str, str]


# -- helpers ---------------------------------------------------------------------------------


def _modules(doc: CourseDoc) -> list[ModuleText]:
    return [
        ModuleText(doc.id, m.id or f"new-{i}", m.title, i, tuple(m.blocks), tuple(m.quiz))
        for i, m in enumerate(doc.modules)
        if m.id
    ]


def _open(ctx: AppContext, user: CurrentUser, course_id: str) -> CourseDoc:
    doc = learning.open_course(ctx, user, course_id)
    with ctx.db.transaction() as s:
        course = s.get(Course, course_id)
        settings = (course.settings or {}) if course is not None else {}
    if settings.get("allow_ai_tutor") is False:
        raise UserError("Byte is turned off for this course by its organisation.")
    return doc


def _profile(s: Any, user_id: str) -> LearnerProfile:
    row: LearnerProfile | None = s.scalars(
        select(LearnerProfile).where(LearnerProfile.user_id == user_id)
    ).first()
    if row is None:
        row = LearnerProfile(user_id=user_id)
        s.add(row)
    return row


def learner_context(ctx: AppContext, user: CurrentUser, course_id: str) -> LearnerContext:
    """The twin and the tutor's memory of this learner, for the prompt."""
    try:
        skills = twin.skills_overview(ctx, user)
    except Exception:  # the twin is derived data: the tutor works without it
        log.exception("Could not read the learner's skills")
        skills = []
    mastery = {k.name: k.mastery for k in skills if k.mastery is not None}
    gaps = [k.name for k in skills if k.gap_open]
    with ctx.db.transaction() as s:
        profile = s.scalars(select(LearnerProfile).where(LearnerProfile.user_id == user.id)).first()
        rows = s.scalars(
            select(AIInteraction)
            .where(
                AIInteraction.user_id == user.id,
                AIInteraction.course_id == course_id,
                AIInteraction.interaction_type != "proactive_nudge",
            )
            .order_by(AIInteraction.created_at.desc())
            .limit(RECENT_EXCHANGES)
        ).all()
        recent = [
            PastExchange(
                at=r.created_at,
                kind=r.interaction_type or "question",
                question=r.user_message or "",
                answer=r.ai_response or "",
                module_title=_module_title(r.context_used, r.module_id),
                helpful=r.helpful,
            )
            for r in rows
        ]
        return LearnerContext(
            display_name=user.full_name,
            difficulty_comfort=(profile.difficulty_comfort if profile else None) or "intermediate",
            learning_pace=(profile.learning_pace if profile else None) or "medium",
            streak_days=int((profile.streak_days if profile else 0) or 0),
            mastery=mastery,
            gaps=gaps,
            recent=recent,
            memory=dict((profile.ai_tutor_context if profile else None) or {}),
        )


def _module_title(context: Any, module_id: str | None) -> str | None:
    if isinstance(context, dict):
        for m in context.get("modules") or []:
            if m.get("module_id") == module_id:
                return str(m.get("title"))
        title = context.get("module_title")
        return str(title) if title else None
    return None


# -- tutor.query -----------------------------------------------------------------------------


def query(
    ctx: AppContext,
    user: CurrentUser,
    course_id: str,
    question: str,
    *,
    mode: Mode | str = Mode.QUESTION,
    module_id: str | None = None,
    cancel: CancelToken | None = None,
    on_text: Callable[[str], None] | None = None,
    on_model: Callable[[str], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
    history: Sequence[Turn] = (),
    rt: TutorRuntime | None = None,
) -> TutorReply:
    """Ask Byte. Streams through ``on_text``; stores the exchange; returns the reply.

    ``history`` is the conversation so far (each reply's ``turn``, oldest first): a follow-up
    is resolved against it and the model continues it. The question runs as an interactive
    job of the model queue: background model work (a course being generated, prompts read
    ahead) hands over to it, and ``on_wait`` hears if it has to wait for another job.

    Raises ``UserError`` when no model can answer (the message says why). A press of Stop
    returns the partial answer with ``stopped=True`` (and it is stored, marked as stopped).
    """
    from engine.tutor.tutor import TutorAnswer, TutorRequest

    mode = Mode(mode)
    rt = rt or runtime()
    doc = _open(ctx, user, course_id)
    modules = _modules(doc)
    current = next((m for m in modules if m.module_id == module_id), None)
    protected: Sequence[Question] = current.quiz if (current and mode is Mode.HINT) else ()
    request = TutorRequest(
        course_id=doc.id,
        course_title=doc.title,
        modules=modules,
        question=question,
        mode=mode,
        module_id=current.module_id if current else None,
        learner=learner_context(ctx, user, course_id),
        protected=protected,
        history=tuple(history),
    )
    tutor = rt.tutor_for(ctx)
    shown: list[str] = []
    model_label: list[str] = []

    def text_sink(piece: str) -> None:
        shown.append(piece)
        if on_text is not None:
            on_text(piece)

    def model_sink(label: str) -> None:
        model_label.append(label)
        if on_model is not None:
            on_model(label)

    cancel = cancel or CancelToken()
    try:
        with job(
            INTERACTIVE,
            on_wait=on_wait,
            cancelled=lambda: cancel.cancelled,
            name="Byte is answering",
        ):
            answer = tutor.answer(request, cancel, text_sink, model_sink)
    except GenerationCancelled:
        partial = "".join(shown).strip()
        answer = TutorAnswer(
            text=partial,
            mode=mode,
            question=question or "",
            covered=True,
            citations=[],
            provider="",
            model_label=model_label[0] if model_label else "",
        )
        context = answer.context_used(rt.embedder.name) | {"stopped": True}
        iid = _store(ctx, user, doc, current, answer, context) if partial else None
        return _reply(iid, answer, context, stopped=True)
    except LLMError as err:
        raise UserError(f"Byte can't answer right now. {err}") from err
    context = answer.context_used(rt.embedder.name)
    iid = _store(ctx, user, doc, current, answer, context)
    return _reply(iid, answer, context)


def _reply(
    iid: str | None, answer: TutorAnswer, context: dict[str, Any], *, stopped: bool = False
) -> TutorReply:
    return TutorReply(
        interaction_id=iid,
        text=answer.text,
        mode=answer.mode,
        question=answer.question,
        covered=answer.covered,
        citations=answer.citations,
        model_label=answer.model_label,
        provider=answer.provider,
        redactions=answer.redactions,
        stopped=stopped,
        first_token_s=answer.stats.first_token_s,
        context_used=context,
        turn=answer.turn if not stopped else None,
        follow_up=answer.follow_up,
    )


def prepare(
    ctx: AppContext,
    user: CurrentUser,
    course_id: str,
    module_id: str | None,
    *,
    cancel: CancelToken | None = None,
    ahead: int = 1,
    rt: TutorRuntime | None = None,
) -> int:
    """Get Byte ready for questions about a module, in the background: load the models and
    read the prompt's fixed beginning for this module (then the ``ahead`` modules after it), so
    the first question starts in about a second. Runs as a background job of the model
    queue: a question asked meanwhile goes first. Returns how many modules were read now
    (0 when they were ready, e.g. from an earlier session: the states are kept on disk)."""
    from engine.tutor.tutor import TutorRequest

    rt = rt or runtime()
    cancel = cancel or CancelToken()
    doc = _open(ctx, user, course_id)
    modules = _modules(doc)
    if not modules:
        return 0
    order = [m.module_id for m in modules]
    start = order.index(module_id) if module_id in order else 0
    order = order[start : start + 1 + max(0, ahead)]  # the module on screen, then the next
    request = TutorRequest(
        course_id=doc.id,
        course_title=doc.title,
        modules=modules,
        question="",
        learner=learner_context(ctx, user, course_id),
    )
    with job(BACKGROUND, cancelled=lambda: cancel.cancelled, name="Getting Byte ready"):
        rt.warm_up()
        tutor = rt.tutor_for(ctx)
        tutor.index.sync_course(request.course_id, request.modules)
        return tutor.prepare(request, order, cancel)


def _store(
    ctx: AppContext,
    user: CurrentUser,
    doc: CourseDoc,
    current: ModuleText | None,
    answer: TutorAnswer,
    context: dict[str, Any],
) -> str:
    kind = INTERACTION_TYPES[answer.mode]
    now = utcnow()
    if current is not None:
        context = context | {"module_title": current.title}
    with ctx.db.transaction() as s:
        row = AIInteraction(
            user_id=user.id,
            course_id=doc.id,
            module_id=current.module_id if current else None,
            interaction_type=kind,
            user_message=answer.question,
            ai_response=answer.text,
            context_used=context,
            created_at=now,
        )
        s.add(row)
        profile = _profile(s, user.id)
        top = next((c.title for c in answer.citations if c.cited), None)
        profile.ai_tutor_context = tutor_memory.update_memory(
            profile.ai_tutor_context,
            kind=kind,
            question=answer.question,
            module_title=top or (current.title if current else None),
            covered=answer.covered,
            at=now,
        )
        s.flush()
        iid = row.id
    try:
        learning.record_event(
            ctx,
            user,
            "ai_tutor_query",
            course_id=doc.id,
            module_id=current.module_id if current else None,
            payload={"interaction_id": iid, "mode": str(answer.mode), "covered": answer.covered},
        )
    except UserError:
        log.warning("Could not record the ai_tutor_query event")
    return iid


def set_helpful(
    ctx: AppContext, user: CurrentUser, interaction_id: str, helpful: bool | None
) -> None:
    """Thumbs up (True), down (False) or cleared (None) on one of the learner's answers."""
    with ctx.db.transaction() as s:
        row = s.get(AIInteraction, interaction_id)
        if row is None or row.user_id != user.id:
            raise UserError("That answer is no longer there.")
        before = row.helpful
        row.helpful = helpful
        if helpful is False and before is not False:
            profile = _profile(s, user.id)
            profile.ai_tutor_context = tutor_memory.record_feedback(profile.ai_tutor_context, False)


def history(
    ctx: AppContext, user: CurrentUser, course_id: str, limit: int = 30
) -> list[HistoryItem]:
    """The learner's exchanges with Byte on this course, oldest first (nudges excluded)."""
    with ctx.db.transaction() as s:
        rows = s.scalars(
            select(AIInteraction)
            .where(
                AIInteraction.user_id == user.id,
                AIInteraction.course_id == course_id,
                AIInteraction.interaction_type != "proactive_nudge",
            )
            .order_by(AIInteraction.created_at.desc())
            .limit(limit)
        ).all()
        items = []
        for r in reversed(rows):
            context = r.context_used if isinstance(r.context_used, dict) else {}
            items.append(
                HistoryItem(
                    id=r.id,
                    kind=r.interaction_type or "question",
                    question=r.user_message or "",
                    answer=r.ai_response or "",
                    module_id=r.module_id,
                    citations=[m for m in context.get("modules") or [] if m.get("cited")],
                    model_label=str(context.get("model") or ""),
                    helpful=r.helpful,
                    created_at=r.created_at,
                )
            )
        return items


def model_status(rt: TutorRuntime | None = None) -> ModelStatus:
    """Which model would answer now (fast: nothing is loaded or generated)."""
    rt = rt or runtime()
    reasons: dict[str, str] = {}
    for name, label, reason in rt.chain.describe():
        if reason is None:
            provider = next(p for p in rt.chain.providers if p.name == name)
            return ModelStatus(True, label, provider.is_local, reasons)
        reasons[name] = reason
    return ModelStatus(False, "No model available", False, reasons)


# -- tutor.nudge -----------------------------------------------------------------------------


def nudge(
    ctx: AppContext,
    user: CurrentUser,
    course_id: str,
    module_id: str | None = None,
    *,
    module_open_since: datetime | None = None,
    dismissed: Iterable[str] = (),
    now: datetime | None = None,
) -> list[NudgeCard]:
    """Proactive cards for the learner now; each new card is stored as a proactive_nudge."""
    now = now or utcnow()
    doc = _open(ctx, user, course_id)
    titles = {m.id: m.title for m in doc.modules if m.id}
    quiz = {q.id: q for m in doc.modules if m.id == module_id for q in m.quiz}
    with ctx.db.transaction() as s:
        events = s.execute(
            select(
                LearningEvent.event_type,
                LearningEvent.module_id,
                LearningEvent.payload,
                LearningEvent.created_at,
            )
            .where(LearningEvent.user_id == user.id, LearningEvent.course_id == course_id)
            .order_by(LearningEvent.created_at)
        ).all()
        profile = s.scalars(select(LearnerProfile).where(LearnerProfile.user_id == user.id)).first()
        streak = int((profile.streak_days if profile else 0) or 0)
        nba = (profile.next_best_action if profile else None) or {}
        flashcards_due = str(nba.get("reason")) if nba.get("type") == "review_flashcards" else None
        shown_rows = s.scalars(
            select(AIInteraction.context_used).where(
                AIInteraction.user_id == user.id,
                AIInteraction.interaction_type == "proactive_nudge",
                AIInteraction.created_at >= now - timedelta(days=2),
            )
        ).all()
    stored_keys = {c.get("nudge_key") for c in shown_rows if isinstance(c, dict)}

    tries: dict[str, list[bool]] = {}
    completed_at: dict[str, datetime] = {}
    last_seen: dict[str, datetime] = {}
    started_here: datetime | None = None
    finished_today = False
    for kind, mid, payload, at in events:
        if mid:
            last_seen[mid] = at
        if kind == "quiz_attempt" and mid == module_id and payload:
            qid = str(payload.get("question_id") or "")
            if qid in quiz:
                tries.setdefault(qid, []).append(bool(payload.get("correct")))
        elif kind == "module_complete" and mid:
            completed_at.setdefault(mid, at)
            if at.date() == now.date():
                finished_today = True
        elif kind == "module_start" and mid == module_id:
            started_here = at
    question_tries = []
    for qid, results in tries.items():
        since_right = 0
        for ok in results:
            since_right = 0 if ok else since_right + 1
        question_tries.append(QuestionTries(qid, quiz[qid].prompt, since_right, results[-1]))
    signals = NudgeSignals(
        now=now,
        course_id=course_id,
        module_id=module_id,
        module_title=titles.get(module_id or ""),
        module_open_since=module_open_since or started_here,
        module_completed=bool(module_id and module_id in completed_at),
        tries=question_tries,
        completed=[
            CompletedModule(mid, titles[mid], at, last_seen.get(mid, at))
            for mid, at in completed_at.items()
            if mid in titles
        ],
        streak_days=streak,
        finished_today=finished_today,
        flashcards_due=flashcards_due,
        already_shown=frozenset(dismissed),
    )
    cards = []
    for n in compute_nudges(signals):
        iid = None if n.key in stored_keys else _store_nudge(ctx, user, n, now)
        cards.append(
            NudgeCard(
                iid,
                n.key,
                n.kind,
                n.title,
                n.message,
                n.action,
                n.course_id,
                n.module_id,
                n.question_id,
            )
        )
    return cards


def _store_nudge(ctx: AppContext, user: CurrentUser, n: Nudge, now: datetime) -> str:
    with ctx.db.transaction() as s:
        row = AIInteraction(
            user_id=user.id,
            course_id=n.course_id,
            module_id=n.module_id,
            interaction_type="proactive_nudge",
            user_message=None,
            ai_response=f"{n.title} {n.message}",
            context_used={"nudge_key": n.key, "kind": n.kind, "action": n.action},
            created_at=now,
        )
        s.add(row)
        s.flush()
        return row.id
