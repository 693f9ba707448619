"""Adaptive difficulty: keep the learner in the zone where practice teaches most.

Questions a learner almost surely gets right teach little, and a run of failures makes them
quit. Practice works best at a success rate of roughly 70–85 %, so the next question is the
one whose *predicted* success (from knowledge tracing) sits in that band. The same answers
also move ``difficulty_comfort`` — the label the profile shows and content picking uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

DifficultyComfort = Literal["beginner", "intermediate", "advanced"]

TARGET_BAND: tuple[float, float] = (0.70, 0.85)

# Logit-scale difficulty of a course / item labelled with a level, for items that have no
# calibrated difficulty yet.
LEVEL_DIFFICULTY: dict[str, float] = {"beginner": -1.0, "intermediate": 0.0, "advanced": 1.0}

_COMFORT_MIN_EVIDENCE = 5
_COMFORT_LOW = -0.6
_COMFORT_HIGH = 0.8


@dataclass(frozen=True, slots=True)
class ItemCandidate:
    """A question that could be asked next, with its difficulty on the logit scale."""

    item_id: str
    difficulty: float = 0.0
    skill_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemChoice:
    item_id: str
    predicted_success: float
    in_band: bool
    reason: str


@dataclass(frozen=True, slots=True)
class ComfortState:
    """A learner's ability against labelled difficulty, tracked Elo-style.

    Kept separate from per-skill mastery because comfort is about *levels of content* across
    courses, not any one skill.
    """

    ability: float = 0.0
    evidence: int = 0
    level: DifficultyComfort = "intermediate"
    recent: tuple[bool, ...] = field(default=())


def item_difficulty_from_payload(payload: dict[str, object]) -> float:
    """A quiz event's item difficulty: calibrated logit if present, else its level label."""
    raw = payload.get("difficulty")
    if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
        return float(raw)
    if isinstance(raw, str):
        return LEVEL_DIFFICULTY.get(raw, 0.0)
    return 0.0


def update_comfort(state: ComfortState, item_difficulty: float, correct: bool) -> ComfortState:
    """One graded answer moves the comfort ability; the level changes with hysteresis.

    The label only changes once there is enough evidence *and* the ability is clearly past a
    threshold, so one lucky or unlucky answer never flips what content the learner is shown.
    """
    p = 1.0 / (1.0 + math.exp(-(state.ability - item_difficulty)))
    k = max(0.1, 0.6 / (1.0 + 0.1 * state.evidence))
    ability = state.ability + k * ((1.0 if correct else 0.0) - p)
    evidence = state.evidence + 1
    level = state.level
    if evidence >= _COMFORT_MIN_EVIDENCE:
        margin = 0.15  # hysteresis: leaving a level needs a clear move past its boundary
        if ability >= _COMFORT_HIGH + (0.0 if level == "advanced" else margin):
            level = "advanced"
        elif ability <= _COMFORT_LOW - (0.0 if level == "beginner" else margin):
            level = "beginner"
        elif _COMFORT_LOW + margin < ability < _COMFORT_HIGH - margin:
            level = "intermediate"
    recent = (*state.recent[-9:], correct)
    return ComfortState(ability=ability, evidence=evidence, level=level, recent=recent)


def choose_next_item(
    candidates: Sequence[ItemCandidate],
    predict: Callable[[ItemCandidate], float],
    *,
    band: tuple[float, float] = TARGET_BAND,
    recent_item_ids: Collection[str] = (),
    priority_skill_ids: Collection[str] = (),
) -> ItemChoice | None:
    """Pick the question whose predicted success is in (or nearest to) the target band.

    Ties go to questions not asked recently, then to questions on priority skills (open
    gaps), then to the band's centre, then to the item id so the choice is reproducible.
    """
    lo, hi = band
    if not 0.0 <= lo <= hi <= 1.0:
        raise ValueError("band must satisfy 0 <= lo <= hi <= 1")
    centre = (lo + hi) / 2.0
    recent = set(recent_item_ids)
    priority = set(priority_skill_ids)
    best: tuple[tuple[float, int, int, float, str], ItemCandidate, float] | None = None
    for cand in candidates:
        p = min(1.0, max(0.0, predict(cand)))
        outside = 0.0 if lo <= p <= hi else min(abs(p - lo), abs(p - hi))
        key = (
            round(outside, 6),
            1 if cand.item_id in recent else 0,
            0 if priority.intersection(cand.skill_ids) else 1,
            abs(p - centre),
            cand.item_id,
        )
        if best is None or key < best[0]:
            best = (key, cand, p)
    if best is None:
        return None
    _, cand, p = best
    in_band = lo <= p <= hi
    odds = odds_in_words(p)
    if in_band:
        reason = (
            f"You're likely to get about {odds} questions like this right — the sweet spot "
            "for learning."
        )
    elif p > hi:
        reason = (
            f"The most challenging question left, and you're still likely to get about {odds} "
            "like it right."
        )
    else:
        reason = (
            f"The most approachable question left: you're likely to get about {odds} like it "
            "right, so take your time."
        )
    return ItemChoice(cand.item_id, p, in_band, reason)


def odds_in_words(p: float) -> str:
    """A success probability as a learner reads it: 0.81 → "4 in 5", 0.3 → "3 in 10".

    The simplest fraction within 3.5 points of ``p`` (halves, thirds, quarters, fifths, then
    tenths); "nearly all" and "very few" at the ends, where "10 in 10" would overstate it.
    """
    if p >= 0.95:
        return "nearly all"
    if p < 0.05:
        return "very few"
    for n in (2, 3, 4, 5):
        k = round(p * n)
        if 0 < k < n and abs(k / n - p) <= 0.035:
            return f"{k} in {n}"
    k = min(9, max(1, round(p * 10)))
    d = math.gcd(k, 10)
    return f"{k // d} in {10 // d}"
