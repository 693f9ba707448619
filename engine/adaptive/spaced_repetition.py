"""Flashcards from module content, scheduled with FSRS.

Cards are generated from what authors already wrote — headings with the paragraph under them,
"term: definition" list items, whole short lists, and quiz questions with their answer and
explanation — so every module gets a review deck for free. Scheduling uses the maintained
``fsrs`` package (FSRS-6, the scheduler Anki ships), with fuzzing off so that reviewing is a
pure function of (card, grade, time) and a replay after sync gives the same due dates.

Card ids are derived from the module and source block, so regenerating a deck after an edit
keeps the review history of every card whose source still exists.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from fsrs import Card, Rating, ReviewLog, Scheduler, State

from engine.content import Block, HeadingBlock, ListBlock, ParagraphBlock, Question

Grade = Literal["again", "hard", "good", "easy"]
CardKind = Literal["term", "list", "quiz"]

GRADES: dict[str, Rating] = {
    "again": Rating.Again,
    "hard": Rating.Hard,
    "good": Rating.Good,
    "easy": Rating.Easy,
}

_NS = uuid.UUID("6f1c7f0e-3a0b-4d8e-9a51-0b7e05a1f1c4")
_TERM_RE = re.compile(r"^\s*(?P<term>[^:–—]{1,60}?)\s*(?::|\s[–—-]\s)\s*(?P<definition>\S.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_MAX_BACK = 320
_MAX_LIST_ITEMS = 7

DEFAULT_SCHEDULER = Scheduler(enable_fuzzing=False)


def card_id_for(module_id: str, source: str) -> int:
    """A stable 53-bit id (safe as a JSON / JavaScript number) for one card source."""
    return uuid.uuid5(_NS, f"{module_id}/{source}").int >> 75


def _summary(text: str) -> str:
    """The first sentence or two, so a card's back stays answerable from memory."""
    sentences = _SENTENCE_END.split(text.strip())
    out = sentences[0]
    for s in sentences[1:]:
        if len(out) + 1 + len(s) > _MAX_BACK:
            break
        out = f"{out} {s}"
        if len(out) > _MAX_BACK // 2:
            break
    return out if len(out) <= _MAX_BACK else out[: _MAX_BACK - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Flashcard:
    """A card's content plus its FSRS memory state (``fsrs.Card.to_dict()``)."""

    card_id: int
    module_id: str
    source_id: str
    kind: CardKind
    front: str
    back: str
    skill_ids: tuple[str, ...] = ()
    fsrs: dict[str, Any] = field(default_factory=dict)

    @property
    def due(self) -> datetime:
        return datetime.fromisoformat(str(self.fsrs["due"]))

    @property
    def is_new(self) -> bool:
        return self.fsrs.get("last_review") is None

    def fsrs_card(self) -> Card:
        return Card.from_dict(self.fsrs)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        return {
            "card_id": self.card_id,
            "module_id": self.module_id,
            "source_id": self.source_id,
            "kind": self.kind,
            "front": self.front,
            "back": self.back,
            "skill_ids": list(self.skill_ids),
            "fsrs": dict(self.fsrs),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Flashcard:
        return cls(
            card_id=int(raw["card_id"]),
            module_id=str(raw["module_id"]),
            source_id=str(raw["source_id"]),
            kind=raw["kind"],
            front=str(raw["front"]),
            back=str(raw["back"]),
            skill_ids=tuple(raw.get("skill_ids", ())),
            fsrs=dict(raw["fsrs"]),
        )


def _new(
    module_id: str,
    source: str,
    kind: CardKind,
    front: str,
    back: str,
    skills: Sequence[str],
    now: datetime,
) -> Flashcard:
    cid = card_id_for(module_id, source)
    card = Card(card_id=cid, due=now)
    return Flashcard(
        cid,
        module_id,
        source,
        kind,
        front.strip(),
        back.strip(),
        tuple(skills),
        dict(card.to_dict()),
    )


def generate_flashcards(
    module_id: str,
    blocks: Sequence[Block],
    quiz: Sequence[Question] = (),
    *,
    now: datetime,
) -> list[Flashcard]:
    """Build a module's deck; ``now`` is when new cards become due.

    * heading + the paragraph right under it → front: heading, back: its first sentences;
    * a "Term: definition" (or "Term – definition") list item → a term card;
    * any other list of up to seven items → one "key points" card under its heading;
    * a quiz question → front: prompt, back: correct answer(s) and the explanation.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    cards: list[Flashcard] = []
    heading: HeadingBlock | None = None
    heading_used = True
    for block in blocks:
        if isinstance(block, HeadingBlock):
            heading, heading_used = block, False
        elif isinstance(block, ParagraphBlock):
            if heading is not None and not heading_used:
                cards.append(
                    _new(
                        module_id,
                        f"{heading.id}+{block.id}",
                        "term",
                        heading.text,
                        _summary(block.text),
                        (),
                        now,
                    )
                )
                heading_used = True
        elif isinstance(block, ListBlock):
            plain: list[str] = []
            for n, item in enumerate(block.items):
                m = _TERM_RE.match(item)
                if m:
                    cards.append(
                        _new(
                            module_id,
                            f"{block.id}#{n}",
                            "term",
                            m["term"],
                            _summary(m["definition"]),
                            (),
                            now,
                        )
                    )
                else:
                    plain.append(item.strip())
            if 2 <= len(plain) <= _MAX_LIST_ITEMS:
                topic = heading.text if heading is not None else "this section"
                lines = [
                    f"{i + 1}. {t}" if block.ordered else f"• {t}" for i, t in enumerate(plain)
                ]
                verb = "steps" if block.ordered else "key points"
                cards.append(
                    _new(
                        module_id,
                        block.id,
                        "list",
                        f"{topic}: what are the {verb}?",
                        "\n".join(lines),
                        (),
                        now,
                    )
                )
    for q in quiz:
        answers = [c.text for c in q.choices if c.correct]
        back = "; ".join(answers)
        if q.explanation.strip():
            back = f"{back}\n\n{q.explanation.strip()}"
        front = q.prompt if q.type != "multiple" else f"{q.prompt} (select all that apply)"
        cards.append(_new(module_id, f"quiz:{q.id}", "quiz", front, back, q.skill_ids, now))
    return cards


def merge_deck(existing: Iterable[Flashcard], generated: Iterable[Flashcard]) -> list[Flashcard]:
    """Regenerated content with the review state of cards that survived the edit."""
    old = {c.card_id: c for c in existing}
    out: list[Flashcard] = []
    for card in generated:
        prev = old.get(card.card_id)
        out.append(card if prev is None else replace(card, fsrs=prev.fsrs))
    return out


def review(
    card: Flashcard,
    grade: Grade,
    at: datetime,
    *,
    scheduler: Scheduler = DEFAULT_SCHEDULER,
    duration_ms: int | None = None,
) -> tuple[Flashcard, dict[str, Any]]:
    """Apply one review; returns the updated card and a JSON-able FSRS review log."""
    if grade not in GRADES:
        raise ValueError(f"grade must be one of {sorted(GRADES)}")
    if at.tzinfo is None:
        raise ValueError("review time must be timezone-aware")
    new_card, log = scheduler.review_card(
        card.fsrs_card(),
        GRADES[grade],
        review_datetime=at.astimezone(UTC),
        review_duration=duration_ms,
    )
    return replace(card, fsrs=dict(new_card.to_dict())), dict(log.to_dict())


def replay_reviews(
    card: Flashcard, logs: Sequence[dict[str, Any]], *, scheduler: Scheduler = DEFAULT_SCHEDULER
) -> Flashcard:
    """Recompute a card's state from its review logs (after a sync merged devices)."""
    base = Card(card_id=card.card_id, due=card.due)
    review_logs = [ReviewLog.from_dict(x) for x in logs]  # type: ignore[arg-type]
    if review_logs:
        base = scheduler.reschedule_card(base, sorted(review_logs, key=lambda r: r.review_datetime))
    return replace(card, fsrs=dict(base.to_dict()))


def retrievability(
    card: Flashcard, at: datetime, *, scheduler: Scheduler = DEFAULT_SCHEDULER
) -> float:
    """FSRS's predicted probability of recall at ``at`` (0 for a never-reviewed card)."""
    return float(scheduler.get_card_retrievability(card.fsrs_card(), at.astimezone(UTC)))


def due_cards(cards: Iterable[Flashcard], now: datetime) -> list[Flashcard]:
    """Cards due at ``now``, reviewed-before first (they are forgetting), oldest due first."""
    due = [c for c in cards if c.due <= now]
    return sorted(due, key=lambda c: (c.is_new, c.due, c.card_id))


def is_learning(card: Flashcard) -> bool:
    return int(card.fsrs.get("state", State.Learning)) != int(State.Review)
