"""The shape of every ``jsonb`` column of the canonical schema (ECOSYSTEM.md section 5).

The spec gives each document's keys in a comment; these models make those comments
executable. Unknown keys are kept (``extra="allow"``) where the spec says "etc." so that a
newer client's settings survive a round trip through an older one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from engine.adaptive.events import MODALITIES
from engine.content import Block, Question


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Branding(_Open):
    logo_url: str | None = None
    primary_color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")
    secondary_color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")
    font: str | None = None


class OrgSettings(_Open):
    default_language: str | None = None
    timezone: str | None = None
    sso_config: dict[str, Any] | None = None


def default_modality_scores() -> dict[str, float]:
    return {m: 0.5 for m in MODALITIES}


ModalityScores = dict[
    Literal["text", "video", "audio", "mindmap", "flashcards", "game", "feed"],
    Annotated[float, Field(ge=0.0, le=1.0)],
]


class NextBestAction(_Open):
    type: str
    target_id: str | None = None
    reason: str
    computed_at: datetime


class TargetSkill(_Closed):
    skill_id: str
    target_proficiency: float = Field(ge=0.0, le=1.0)


class CourseSettings(_Open):
    allow_ai_tutor: bool = True
    require_completion_order: bool = False


class ModalityVariants(_Open):
    video_url: str | None = None
    audio_url: str | None = None
    mindmap_data: dict[str, Any] | None = None
    game_id: str | None = None


class PathCourse(_Closed):
    course_id: str
    order_index: int = Field(ge=0)
    is_required: bool = True


class CertificationConfig(_Open):
    issue_cert: bool = False
    cert_template: str | None = None
    validity_days: int | None = Field(default=None, ge=1)


ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "branding": TypeAdapter(Branding),
    "org_settings": TypeAdapter(OrgSettings),
    "modality_scores": TypeAdapter(ModalityScores),
    "next_best_action": TypeAdapter(NextBestAction),
    "ai_tutor_context": TypeAdapter(dict[str, Any]),
    "target_skills": TypeAdapter(list[TargetSkill]),
    "course_settings": TypeAdapter(CourseSettings),
    "module_content": TypeAdapter(list[Block]),
    "modality_variants": TypeAdapter(ModalityVariants),
    "quiz": TypeAdapter(list[Question]),
    "asset_metadata": TypeAdapter(dict[str, Any]),
    "path_courses": TypeAdapter(list[PathCourse]),
    "certification_config": TypeAdapter(CertificationConfig),
    "event_payload": TypeAdapter(dict[str, Any]),
    "context_used": TypeAdapter(list[dict[str, Any]] | dict[str, Any]),
    "tags": TypeAdapter(list[str]),
}
