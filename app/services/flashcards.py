"""Flashcards with FSRS, stored as events.

A module's deck is derived from its content and quiz (``engine.adaptive.spaced_repetition``);
each review is a ``quiz_attempt`` event with modality ``flashcards`` carrying the FSRS review
log. A card's schedule is replayed from those events, so reviews sync like every other event
and two devices' reviews merge without conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.services import learning
from app.services.accounts import CurrentUser
from app.services.authoring import ModuleDoc
from app.services.context import AppContext
from engine.adaptive import spaced_repetition as sr
from sync.store.column_types import utcnow
from sync.store.models import LearningEvent

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # new cards are due from the start


@dataclass(frozen=True)
class DeckStatus:
    total: int
    due: int
    new: int
    next_due: datetime | None


def deck(ctx: AppContext, user: CurrentUser, module: ModuleDoc) -> list[sr.Flashcard]:
    """The module's cards with their schedules replayed from this learner's reviews."""
    assert module.id is not None
    cards = sr.generate_flashcards(module.id, module.blocks, module.quiz, now=EPOCH)
    logs: dict[int, list[dict[str, Any]]] = {}
    with ctx.db.transaction() as s:
        payloads = s.scalars(
            select(LearningEvent.payload)
            .where(
                LearningEvent.user_id == user.id,
                LearningEvent.module_id == module.id,
                LearningEvent.event_type == "quiz_attempt",
                LearningEvent.modality == "flashcards",
            )
            .order_by(LearningEvent.created_at)
        ).all()
    for p in payloads:
        if p and "flashcard_id" in p and isinstance(p.get("fsrs_log"), dict):
            logs.setdefault(int(p["flashcard_id"]), []).append(p["fsrs_log"])
    return [sr.replay_reviews(c, logs[c.card_id]) if c.card_id in logs else c for c in cards]


def status(cards: list[sr.Flashcard], now: datetime | None = None) -> DeckStatus:
    now = now or utcnow()
    due = sr.due_cards(cards, now)
    later = [c.due for c in cards if c.due > now]
    return DeckStatus(
        len(cards), len(due), sum(c.is_new for c in due), min(later) if later else None
    )


def review(
    ctx: AppContext,
    user: CurrentUser,
    course_id: str,
    card: sr.Flashcard,
    grade: sr.Grade,
    duration_secs: int,
) -> sr.Flashcard:
    """Grade one card (again/hard/good/easy), record it, and return its new schedule."""
    updated, log = sr.review(card, grade, utcnow(), duration_ms=duration_secs * 1000)
    payload: dict[str, Any] = {
        "flashcard_id": card.card_id,
        "question_id": f"card:{card.card_id}",
        "grade": grade,
        "fsrs_log": log,
        "attempt_no": 1,
        "skill_ids": list(card.skill_ids),
    }
    if card.skill_ids:  # recall of a quiz-sourced card is evidence of the skill
        payload["correct"] = grade != "again"
    learning.record_event(
        ctx,
        user,
        "quiz_attempt",
        course_id=course_id,
        module_id=card.module_id,
        modality="flashcards",
        duration_secs=duration_secs,
        payload=payload,
    )
    return updated
