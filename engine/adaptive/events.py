"""The learning-event vocabulary that every part of the learner twin is folded from.

These mirror the ``learning_events`` table (ECOSYSTEM.md §5) so that the app can hand rows
straight to the engine; the engine never reads the database itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

EventType = Literal[
    "module_start",
    "module_complete",
    "quiz_attempt",
    "video_play",
    "video_pause",
    "video_replay",
    "ai_tutor_open",
    "ai_tutor_query",
    "modality_switch",
    "drop_off",
    "streak_broken",
    "streak_maintained",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)

Modality = Literal["text", "video", "audio", "mindmap", "flashcards", "game", "feed"]
MODALITIES: tuple[Modality, ...] = get_args(Modality)


@dataclass(frozen=True, slots=True)
class LearningEvent:
    """One row of ``learning_events``.

    ``created_at`` must be timezone-aware (UTC): the profile splits sessions and counts streak
    days on wall-clock time, and naive datetimes from different devices would not compare.
    ``created_at`` marks when the activity began and ``duration_secs`` how long it lasted.
    """

    user_id: str
    event_type: EventType
    created_at: datetime
    course_id: str | None = None
    module_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    modality: Modality | None = None
    duration_secs: int = 0

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValueError("LearningEvent.created_at must be timezone-aware (UTC)")
        if self.event_type not in EVENT_TYPES:
            raise ValueError(f"Unknown event type {self.event_type!r}")
        if self.modality is not None and self.modality not in MODALITIES:
            raise ValueError(f"Unknown modality {self.modality!r}")
        if self.duration_secs < 0:
            raise ValueError("duration_secs must not be negative")
