"""The learner profile (``learner.profile``): a fold of learning events into the twin's row.

The profile is derived data. Keeping it a left fold — ``apply(state, event) -> state`` with
``rebuild(events)`` as the same fold from the empty state — means the app can update it in O(1)
as each event arrives, yet recompute it from scratch after a sync merges another device's
events and get exactly the same row. :func:`event_order` fixes the fold order, so
``rebuild`` does not depend on the order events were fetched in.

Everything the ``learner_profiles`` columns need is kept as running sums; the only state that
grows is the set of module ids seen (bounded by the catalogue, not by the event count).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from engine.adaptive.difficulty import (
    ComfortState,
    DifficultyComfort,
    item_difficulty_from_payload,
    update_comfort,
)
from engine.adaptive.dispatcher import ModalityBelief, rewards_for_event
from engine.adaptive.events import EVENT_TYPES, MODALITIES, LearningEvent, Modality

LearningPace = Literal["fast", "medium", "slow"]

SESSION_GAP = timedelta(minutes=30)
"""Inactivity that ends a session (the usual web-analytics convention)."""

DEFAULT_MODULE_SECS = 600.0
"""Expected module time when a completion does not carry ``estimated_duration_secs``."""

MODALITY_DISCOUNT = 0.99
"""Per-signal fading of modality evidence (memory of roughly the last hundred signals)."""

_PACE_ALPHA = 0.2
_PACE_MIN_EVIDENCE = 3
_FAST = math.log(0.75)
_SLOW = math.log(1.33)
_ENGAGEMENT_ALPHA = 0.1

# How engaged a learner looks when an event fires (0 = disengaged, 1 = fully engaged).
ENGAGEMENT_SIGNAL: dict[str, float] = {
    "module_start": 0.6,
    "module_complete": 1.0,
    "quiz_attempt": 0.8,
    "video_play": 0.6,
    "video_pause": 0.4,
    "video_replay": 0.7,
    "ai_tutor_open": 0.7,
    "ai_tutor_query": 0.8,
    "modality_switch": 0.5,
    "drop_off": 0.0,
    "streak_broken": 0.1,
    "streak_maintained": 1.0,
}

_STUDY_EVENTS = frozenset(
    {"module_start", "module_complete", "video_play", "video_replay", "video_pause"}
)


@dataclass(frozen=True, slots=True)
class ProfileState:
    """Running totals behind one ``learner_profiles`` row; read it through the properties."""

    user_id: str | None = None
    events_seen: int = 0
    # sessions
    session_count: int = 0
    closed_session_secs: float = 0.0
    session_start: datetime | None = None
    session_end: datetime | None = None
    # modules and time
    started_modules: frozenset[str] = frozenset()
    completed_modules: frozenset[str] = frozenset()
    total_learning_secs: float = 0.0
    # streaks
    streak_days: int = 0
    streak_day: date | None = None
    last_active_at: datetime | None = None
    # pace (EMA of log(actual / expected) module time)
    pace_log_ratio: float = 0.0
    pace_evidence: int = 0
    # difficulty comfort, engagement, modality
    comfort: ComfortState = field(default_factory=ComfortState)
    engagement_ema: float = 0.5
    modality_belief: ModalityBelief = field(default_factory=ModalityBelief)
    study_modality: Modality | None = None

    # -- the learner_profiles columns -----------------------------------------------------

    @property
    def avg_session_duration_mins(self) -> float:
        if self.session_count == 0 or self.session_start is None or self.session_end is None:
            return 0.0
        current = (self.session_end - self.session_start).total_seconds()
        return (self.closed_session_secs + current) / self.session_count / 60.0

    @property
    def current_session_mins(self) -> float:
        """Length of the latest session so far (what "take a break" looks at)."""
        if self.session_start is None or self.session_end is None:
            return 0.0
        return (self.session_end - self.session_start).total_seconds() / 60.0

    @property
    def avg_completion_rate(self) -> float:
        started = len(self.started_modules | self.completed_modules)
        return len(self.completed_modules) / started if started else 0.0

    @property
    def total_learning_minutes(self) -> float:
        return self.total_learning_secs / 60.0

    @property
    def learning_pace(self) -> LearningPace:
        if self.pace_evidence < _PACE_MIN_EVIDENCE:
            return "medium"
        if self.pace_log_ratio < _FAST:
            return "fast"
        if self.pace_log_ratio > _SLOW:
            return "slow"
        return "medium"

    @property
    def difficulty_comfort(self) -> DifficultyComfort:
        return self.comfort.level

    @property
    def overall_engagement_score(self) -> float:
        """Recent behaviour (EMA of event signals), completion and streak, in [0, 1]."""
        if self.events_seen == 0:
            return 0.5
        started = self.started_modules | self.completed_modules
        completion = self.avg_completion_rate if started else 0.5
        streak = min(1.0, self.streak_days / 7.0)
        score = 0.55 * self.engagement_ema + 0.3 * completion + 0.15 * streak
        return min(1.0, max(0.0, score))

    @property
    def modality_scores(self) -> dict[str, float]:
        return self.modality_belief.scores()

    def to_row(self) -> dict[str, Any]:
        """The ``learner_profiles`` columns this fold owns, ready to write."""
        return {
            "modality_scores": self.modality_scores,
            "learning_pace": self.learning_pace,
            "difficulty_comfort": self.difficulty_comfort,
            "avg_session_duration_mins": self.avg_session_duration_mins,
            "avg_completion_rate": self.avg_completion_rate,
            "total_learning_minutes": self.total_learning_minutes,
            "streak_days": self.streak_days,
            "last_active_at": self.last_active_at,
            "overall_engagement_score": self.overall_engagement_score,
        }


def event_order(event: LearningEvent) -> tuple[Any, ...]:
    """A total order on events (time first, then content) so rebuilds are deterministic."""
    return (
        event.created_at,
        EVENT_TYPES.index(event.event_type),
        event.module_id or "",
        event.modality or "",
        event.duration_secs,
        repr(sorted(event.payload.items(), key=lambda kv: kv[0])),
    )


def _streak(state: ProfileState, ev: LearningEvent) -> tuple[int, date | None]:
    day = ev.created_at.astimezone(UTC).date()  # streak days are UTC days
    if ev.event_type == "streak_broken":
        return 0, None
    streak, last = state.streak_days, state.streak_day
    if last is None or (day - last).days > 1:
        streak = 1
    elif (day - last).days == 1:
        streak += 1
    # same day (or an older, late-arriving event): unchanged
    if ev.event_type == "streak_maintained":
        claimed = ev.payload.get("streak_days")
        if isinstance(claimed, int) and not isinstance(claimed, bool) and claimed > streak:
            streak = claimed  # the app's own counter (e.g. with freezes) is authoritative
    return streak, max(day, last) if last is not None else day


def apply(state: ProfileState, ev: LearningEvent) -> ProfileState:
    """Fold one event into the profile. O(1) except when a new module id is first seen."""
    # sessions: an event covers [created_at, created_at + duration]
    start = ev.created_at
    end = start + timedelta(seconds=ev.duration_secs)
    count, closed = state.session_count, state.closed_session_secs
    s_start, s_end = state.session_start, state.session_end
    if s_start is None or s_end is None or start - s_end > SESSION_GAP:
        if s_start is not None and s_end is not None:
            closed += (s_end - s_start).total_seconds()
        count += 1
        s_start, s_end = start, end
    else:
        s_start, s_end = min(s_start, start), max(s_end, end)

    started, completed = state.started_modules, state.completed_modules
    if ev.module_id is not None:
        if ev.event_type == "module_start" and ev.module_id not in started:
            started = started | {ev.module_id}
        elif ev.event_type == "module_complete" and ev.module_id not in completed:
            completed = completed | {ev.module_id}

    pace, pace_n = state.pace_log_ratio, state.pace_evidence
    if ev.event_type == "module_complete" and ev.duration_secs > 0:
        expected = ev.payload.get("estimated_duration_secs", DEFAULT_MODULE_SECS)
        if isinstance(expected, int | float) and not isinstance(expected, bool) and expected > 0:
            ratio = math.log(ev.duration_secs / float(expected))
            pace = ratio if pace_n == 0 else pace + _PACE_ALPHA * (ratio - pace)
            pace_n += 1

    comfort = state.comfort
    if (
        ev.event_type == "quiz_attempt"
        and "correct" in ev.payload
        and int(ev.payload.get("attempt_no", 1) or 1) <= 1
    ):
        comfort = update_comfort(
            comfort, item_difficulty_from_payload(ev.payload), bool(ev.payload["correct"])
        )

    belief = state.modality_belief
    for r in rewards_for_event(ev, state.study_modality):
        belief = belief.observe(r.modality, r.success, r.failure, discount=MODALITY_DISCOUNT)
    study = state.study_modality
    if ev.event_type == "modality_switch":
        to = ev.payload.get("to")
        if isinstance(to, str) and to in MODALITIES:
            study = MODALITIES[MODALITIES.index(to)]
    elif ev.event_type in _STUDY_EVENTS and ev.modality is not None:
        study = ev.modality

    streak, streak_day = _streak(state, ev)
    signal = ENGAGEMENT_SIGNAL[ev.event_type]
    last = ev.created_at if state.last_active_at is None else max(state.last_active_at, start)
    return replace(
        state,
        user_id=state.user_id or ev.user_id,
        events_seen=state.events_seen + 1,
        session_count=count,
        closed_session_secs=closed,
        session_start=s_start,
        session_end=s_end,
        started_modules=started,
        completed_modules=completed,
        total_learning_secs=state.total_learning_secs + ev.duration_secs,
        streak_days=streak,
        streak_day=streak_day,
        last_active_at=last,
        pace_log_ratio=pace,
        pace_evidence=pace_n,
        comfort=comfort,
        engagement_ema=state.engagement_ema + _ENGAGEMENT_ALPHA * (signal - state.engagement_ema),
        modality_belief=belief,
        study_modality=study,
    )


def rebuild(events: Iterable[LearningEvent]) -> ProfileState:
    """The profile from a full history; equal to applying the same events one by one."""
    state = ProfileState()
    for ev in sorted(events, key=event_order):
        state = apply(state, ev)
    return state


def streak_as_of(state: ProfileState, today: date) -> int:
    """The streak as the learner would see it today: it lapses after a day with no activity."""
    if state.streak_day is None or (today - state.streak_day).days > 1:
        return 0
    return state.streak_days
