"""Modality effectiveness: how learners do after studying in each modality.

The signals are the dispatcher's (``engine.adaptive.dispatcher.rewards_for_event``): a
*first* quiz attempt credits the modality the learner studied in (the course player records
its current modality on each ``quiz_attempt``; BytePlay's and the flashcards' answers carry
``game`` and ``flashcards``), a ``module_complete`` credits the modality it happened in and a
``drop_off`` debits it. Retries are left out: a second attempt measures the feedback, not the
studying.

Modalities are ranked by first-attempt correct rate, but only among those with at least
``MIN_ATTEMPTS`` attempts; the others are listed after them as "too few answers to say".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.adaptive.events import MODALITIES
from engine.analytics.rates import Rate

MIN_ATTEMPTS = 10


@dataclass(frozen=True, slots=True)
class ModalityCounts:
    modality: str
    first_attempts: int = 0
    correct: int = 0
    completions: int = 0
    drop_offs: int = 0
    learners: int = 0

    def __post_init__(self) -> None:
        if self.modality not in MODALITIES:
            raise ValueError(f"unknown modality {self.modality!r}")
        if not 0 <= self.correct <= self.first_attempts:
            raise ValueError("correct answers must be between 0 and the attempts")
        if min(self.completions, self.drop_offs, self.learners) < 0:
            raise ValueError("counts cannot be negative")


@dataclass(frozen=True, slots=True)
class ModalityOutcome:
    counts: ModalityCounts
    correct: Rate
    finished: Rate
    """Of the modules left in this modality, the share completed rather than dropped."""
    enough: bool

    @property
    def modality(self) -> str:
        return self.counts.modality


def outcomes(
    rows: Iterable[ModalityCounts], min_attempts: int = MIN_ATTEMPTS
) -> list[ModalityOutcome]:
    """One outcome per modality that has any signal, the well-measured best first."""
    seen: set[str] = set()
    out = []
    for c in rows:
        if c.modality in seen:
            raise ValueError(f"modality {c.modality!r} counted twice")
        seen.add(c.modality)
        if not (c.first_attempts or c.completions or c.drop_offs):
            continue
        out.append(
            ModalityOutcome(
                c,
                Rate(c.correct, c.first_attempts),
                Rate(c.completions, c.completions + c.drop_offs),
                c.first_attempts >= min_attempts,
            )
        )
    order: dict[str, int] = {m: i for i, m in enumerate(MODALITIES)}
    return sorted(
        out,
        key=lambda o: (not o.enough, -(o.correct.value or 0.0), order[o.modality]),
    )
