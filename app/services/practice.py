"""Adaptive practice: the next question chosen to keep predicted success at 70–85 %.

Practice draws on the quiz items of a course (optionally those tagged with one skill). The
learner's history is replayed through the same knowledge-tracing model the twin uses, every
candidate's success is predicted, and ``engine.adaptive.difficulty.choose_next_item`` picks
the one in the target band — questions a learner surely knows teach little, and a run of
failures makes them quit. Answers are ordinary ``quiz_attempt`` events (``practice: true``),
so they feed mastery, gaps and ``difficulty_comfort`` like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.services import learning, twin
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from engine.adaptive import knowledge_tracing
from engine.adaptive.difficulty import ItemCandidate, ItemChoice, choose_next_item
from engine.content import Question
from sync.store.column_types import utcnow
from sync.store.models import Skill, SkillGap

RECENT = 3  # don't repeat one of the last few questions while others are available


@dataclass
class PracticeSession:
    course_id: str
    course_title: str
    difficulty: str | None
    skill_id: str | None
    skill_name: str | None
    bank: dict[str, tuple[str, Question]]  # question id → (module id, question)
    asked: list[str] = field(default_factory=list)
    correct: int = 0

    @property
    def answered(self) -> int:
        return len(self.asked)


@dataclass(frozen=True)
class NextQuestion:
    module_id: str
    question: Question
    choice: ItemChoice


def start(
    ctx: AppContext, user: CurrentUser, course_id: str, skill_id: str | None = None
) -> PracticeSession:
    """A practice session over a course's quiz items (those on ``skill_id`` if it has any)."""
    doc = learning.open_course(ctx, user, course_id)
    bank = {q.id: (m.id or "", q) for m in doc.modules for q in m.quiz}
    if not bank:
        raise UserError("This course has no quiz questions to practise with.")
    skill_name = None
    if skill_id is not None:
        on_skill = {k: v for k, v in bank.items() if skill_id in v[1].skill_ids}
        with ctx.db.transaction() as s:
            skill = s.get(Skill, skill_id)
            skill_name = skill.name if skill else None
        if on_skill:
            bank = on_skill
    return PracticeSession(doc.id, doc.title, doc.difficulty, skill_id, skill_name, bank)


def next_question(
    ctx: AppContext, user: CurrentUser, session: PracticeSession, *, now: datetime | None = None
) -> NextQuestion:
    now = now or utcnow()
    with ctx.db.transaction() as s:
        events = twin.load_events(s, user.id)
        parents = {
            k.id: k.parent_skill_id
            for k in s.scalars(select(Skill)).all()
            if k.parent_skill_id is not None
        }
        open_gaps = set(
            s.scalars(
                select(SkillGap.skill_id).where(
                    SkillGap.user_id == user.id, SkillGap.resolved_at.is_(None)
                )
            )
        )
    model = knowledge_tracing.default_model(parents)
    state = model.new_learner()
    for obs in knowledge_tracing.observations_from_events(events):
        model.update(state, obs)
    at = now.timestamp() / 86400.0

    def predict(c: ItemCandidate) -> float:
        return model.predict(
            state, knowledge_tracing.Observation(c.skill_ids, c.item_id, False, at)
        )

    candidates = [
        ItemCandidate(qid, 0.0, tuple(q.skill_ids)) for qid, (_m, q) in session.bank.items()
    ]
    window = min(RECENT, len(session.bank) - 1)
    recent = set(session.asked[-window:]) if window > 0 else set()
    # a question just asked is not asked again while others remain, whatever its band
    fresh = [c for c in candidates if c.item_id not in recent] or candidates
    choice = choose_next_item(fresh, predict, priority_skill_ids=open_gaps)
    assert choice is not None  # the bank is never empty
    module_id, question = session.bank[choice.item_id]
    return NextQuestion(module_id, question, choice)


def answer(
    ctx: AppContext,
    user: CurrentUser,
    session: PracticeSession,
    item: NextQuestion,
    selected: list[str],
    duration_secs: int,
) -> bool:
    """Grade and record one practice answer; returns whether it was right."""
    correct = item.question.grade(set(selected))
    learning.record_event(
        ctx,
        user,
        "quiz_attempt",
        course_id=session.course_id,
        module_id=item.module_id,
        duration_secs=duration_secs,
        payload=learning.quiz_attempt_payload(
            item.question,
            selected,
            correct,
            difficulty=session.difficulty,
            practice=True,
            predicted_success=round(item.choice.predicted_success, 4),
        ),
    )
    session.asked.append(item.question.id)
    session.correct += int(correct)
    return correct


def course_for_skill(ctx: AppContext, user: CurrentUser, skill_id: str) -> str | None:
    """The course to practise ``skill_id`` in: one the learner has started first, else any
    published course of theirs whose quiz covers the skill."""
    cards = sorted(learning.list_catalogue(ctx, user), key=lambda c: c.status == "not_started")
    for card in cards:
        doc = learning.open_course(ctx, user, card.id)
        if any(skill_id in q.skill_ids for m in doc.modules for q in m.quiz):
            return card.id
    return None
