"""Proactive nudges (``tutor.nudge``): small, dismissible cards triggered by signals.

Signals and their cards, most urgent first:

* ``repeated_wrong`` — two or more wrong attempts at one question of the current module with
  no right answer since: offer a hint (never the answer).
* ``stuck`` — the current module has been open a long time without being completed, or the
  learner got several questions of it wrong: offer an explanation of its main idea.
* ``due_review`` — a module finished some days ago and not revisited since (spacing says now
  is a good time to retrieve it), or the twin's next best action is a flashcard review.
* ``streak_at_risk`` — a streak of two or more days and nothing finished today yet.

The text is fixed and kind (no model call), so a card appears at once, offline. A card has a
stable ``key``; the app shows each key at most once a day and never more than
:data:`MAX_CARDS` at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

MAX_CARDS = 2
STUCK_AFTER = timedelta(minutes=15)
REVIEW_AFTER = timedelta(days=3)
WRONG_TRIES = 2

NudgeKind = Literal["repeated_wrong", "stuck", "due_review", "streak_at_risk"]
NudgeAction = Literal["hint", "explain", "open_module", "none"]


@dataclass(frozen=True)
class QuestionTries:
    question_id: str
    prompt: str
    wrong: int  # wrong attempts since the last right one
    solved: bool


@dataclass(frozen=True)
class CompletedModule:
    module_id: str
    title: str
    completed_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class NudgeSignals:
    now: datetime
    course_id: str
    module_id: str | None = None
    module_title: str | None = None
    module_open_since: datetime | None = None
    module_completed: bool = False
    tries: Sequence[QuestionTries] = ()
    completed: Sequence[CompletedModule] = ()
    streak_days: int = 0
    finished_today: bool = False
    #: the twin's reason when its next best action is to review due flashcards
    flashcards_due: str | None = None
    already_shown: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Nudge:
    key: str
    kind: NudgeKind
    title: str
    message: str
    action: NudgeAction
    course_id: str
    module_id: str | None
    question_id: str | None = None


def compute_nudges(s: NudgeSignals, limit: int = MAX_CARDS) -> list[Nudge]:
    day = s.now.date().isoformat()
    out: list[Nudge] = []
    if s.module_id and not s.module_completed:
        for t in sorted(s.tries, key=lambda t: -t.wrong):
            if t.wrong >= WRONG_TRIES and not t.solved:
                out.append(
                    Nudge(
                        key=f"repeated_wrong:{t.question_id}:{day}",
                        kind="repeated_wrong",
                        title="Want a hint?",
                        message=(
                            f"“{_clip(t.prompt, 70)}” is a tricky one. Byte can give you a "
                            "hint — without giving the answer away."
                        ),
                        action="hint",
                        course_id=s.course_id,
                        module_id=s.module_id,
                        question_id=t.question_id,
                    )
                )
                break
        wrong_total = sum(t.wrong for t in s.tries if not t.solved)
        long_open = s.module_open_since is not None and s.now - s.module_open_since >= STUCK_AFTER
        if long_open or wrong_total >= 3:
            out.append(
                Nudge(
                    key=f"stuck:{s.module_id}:{day}",
                    kind="stuck",
                    title="Stuck? That's normal.",
                    message=(
                        f"“{_clip(s.module_title or 'This module', 60)}” takes a while to "
                        "click for most people. Want Byte to explain the main idea another way?"
                    ),
                    action="explain",
                    course_id=s.course_id,
                    module_id=s.module_id,
                )
            )
    due = [
        c
        for c in s.completed
        if c.module_id != s.module_id and s.now - c.last_seen_at >= REVIEW_AFTER
    ]
    if due:
        c = min(due, key=lambda c: c.last_seen_at)
        days = (s.now - c.completed_at).days
        out.append(
            Nudge(
                key=f"due_review:{c.module_id}:{day}",
                kind="due_review",
                title="Time for a quick review",
                message=(
                    f"You finished “{_clip(c.title, 60)}” {days} days ago. A two-minute "
                    "recall now helps it stick."
                ),
                action="open_module",
                course_id=s.course_id,
                module_id=c.module_id,
            )
        )
    elif s.flashcards_due:
        out.append(
            Nudge(
                key=f"due_review:flashcards:{day}",
                kind="due_review",
                title="Reviews are due",
                message=s.flashcards_due,
                action="none",
                course_id=s.course_id,
                module_id=s.module_id,
            )
        )
    if s.streak_days >= 2 and not s.finished_today:
        out.append(
            Nudge(
                key=f"streak_at_risk:{day}",
                kind="streak_at_risk",
                title=f"Keep your {s.streak_days}-day streak",
                message="Finishing one module today keeps your streak going.",
                action="none",
                course_id=s.course_id,
                module_id=s.module_id,
            )
        )
    fresh = [n for n in out if n.key not in s.already_shown]
    return fresh[:limit]


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
