"""SQLAlchemy models of the 16 canonical tables (ECOSYSTEM.md section 5) plus ``local_users``
and the organisation side's two additions (migration 0005: ``compliance_events``, the audit
history of compliance records, and ``certificate_issuers``, an organisation's public key set
and signed revocation list).

Column names, defaults and CHECK constraints follow the spec. Where the spec lists allowed
values in a comment, the comment becomes a CHECK here, so a bad value is refused by the
database itself. ``uuid`` is text, ``jsonb`` is validated JSON, ``timestamptz`` is UTC
ISO-8601 text, ``text[]`` is a JSON list. IDs are generated on the client (UUIDv4), so rows
can be created offline and synced later without renumbering.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from engine.adaptive.events import EVENT_TYPES, MODALITIES  # one vocabulary for both
from engine.org.vocabulary import (  # defined once, for the engine and these CHECKs
    COMPLIANCE_STATUSES,
    CONTENT_STATUSES,
    ENROLLMENT_STATUSES,
    MEMBER_ROLES,
    PROFILE_ROLES,
)
from sync.store.column_types import UTCDateTime, ValidatedJSON, utcnow
from sync.store.json_shapes import ADAPTERS, default_modality_scores

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return str(uuid.uuid4())


def _in(column: str, values: tuple[str, ...], nullable: bool = True) -> str:
    allowed = ", ".join(f"'{v}'" for v in values)
    expr = f"{column} IN ({allowed})"
    return f"{column} IS NULL OR {expr}" if nullable else expr


def _json(kind: str) -> ValidatedJSON:
    return ValidatedJSON(ADAPTERS[kind], kind)


# documents of the 0005 tables (not canonical, so not in json_shapes.ADAPTERS): objects
_CHANGES: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])
_KEY_SET: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])


PLANS = ("free", "pro", "enterprise")
PACES = ("fast", "medium", "slow")
DIFFICULTIES = ("beginner", "intermediate", "advanced")
COGNITIVE_STYLES = ("visual", "auditory", "reading", "kinaesthetic", "mixed")
ASSET_TYPES = ("image", "video", "audio", "document", "scorm")
INTERACTION_TYPES = ("question", "hint_request", "explanation", "proactive_nudge")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _pk() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


def _created() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utcnow, nullable=True)


class LocalUser(Base):
    """Stands in for Supabase's ``auth.users`` on the device (offline identity)."""

    __tablename__ = "local_users"
    id: Mapped[str] = _pk()
    email: Mapped[str | None] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = _created()
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(_in("plan", PLANS), name="plan"),)
    id: Mapped[str] = _pk()
    name: Mapped[str] = mapped_column(Text, nullable=False)
    slug: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    branding: Mapped[dict[str, Any] | None] = mapped_column(_json("branding"))
    settings: Mapped[dict[str, Any] | None] = mapped_column(_json("org_settings"))
    plan: Mapped[str | None] = mapped_column(Text, default="free", server_default="free")
    created_at: Mapped[datetime] = _created()


class Profile(Base):
    __tablename__ = "profiles"
    __table_args__ = (CheckConstraint(_in("role", PROFILE_ROLES), name="role"),)
    id: Mapped[str] = mapped_column(String(36), ForeignKey("local_users.id"), primary_key=True)
    full_name: Mapped[str | None] = mapped_column(Text)
    avatar_url: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(Text)
    org_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("organisations.id"))
    onboarding_complete: Mapped[bool | None] = mapped_column(
        Boolean, default=False, server_default=text("0")
    )
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=True
    )


class OrgMember(Base):
    __tablename__ = "org_members"
    __table_args__ = (
        UniqueConstraint("org_id", "user_id", name="uq_org_members_org_id_user_id"),
        CheckConstraint(_in("role", MEMBER_ROLES), name="role"),
    )
    id: Mapped[str] = _pk()
    org_id: Mapped[str] = mapped_column(String(36), ForeignKey("organisations.id"), nullable=False)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("profiles.id"), nullable=False)
    role: Mapped[str | None] = mapped_column(Text)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=True)


class LearnerProfile(Base):
    """The Digital Learner Twin: every signal ByteOS has learned about one learner."""

    __tablename__ = "learner_profiles"
    __table_args__ = (
        CheckConstraint(_in("learning_pace", PACES), name="learning_pace"),
        CheckConstraint(_in("difficulty_comfort", DIFFICULTIES), name="difficulty_comfort"),
        CheckConstraint(_in("cognitive_style", COGNITIVE_STYLES), name="cognitive_style"),
    )
    id: Mapped[str] = _pk()
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("profiles.id"), unique=True, nullable=False
    )
    modality_scores: Mapped[dict[str, float] | None] = mapped_column(
        _json("modality_scores"), default=default_modality_scores
    )
    learning_pace: Mapped[str | None] = mapped_column(Text, default="medium")
    difficulty_comfort: Mapped[str | None] = mapped_column(Text, default="intermediate")
    cognitive_style: Mapped[str | None] = mapped_column(Text, default="mixed")
    preferred_language: Mapped[str | None] = mapped_column(Text, default="en")
    avg_session_duration_mins: Mapped[float | None] = mapped_column(Float, default=0.0)
    avg_completion_rate: Mapped[float | None] = mapped_column(Float, default=0.0)
    total_learning_minutes: Mapped[float | None] = mapped_column(Float, default=0.0)
    streak_days: Mapped[int | None] = mapped_column(Integer, default=0)
    last_active_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overall_engagement_score: Mapped[float | None] = mapped_column(Float, default=0.5)
    next_best_action: Mapped[dict[str, Any] | None] = mapped_column(_json("next_best_action"))
    ai_tutor_context: Mapped[dict[str, Any] | None] = mapped_column(_json("ai_tutor_context"))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=True
    )


class Skill(Base):
    __tablename__ = "skills"
    id: Mapped[str] = _pk()
    name: Mapped[str] = mapped_column(Text, nullable=False)
    slug: Mapped[str] = mapped_column(Text, unique=True, nullable=False)
    category: Mapped[str | None] = mapped_column(Text)
    parent_skill_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("skills.id"))
    description: Mapped[str | None] = mapped_column(Text)
    org_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("organisations.id"))


class LearnerSkill(Base):
    __tablename__ = "learner_skills"
    __table_args__ = (
        UniqueConstraint("user_id", "skill_id", name="uq_learner_skills_user_id_skill_id"),
        CheckConstraint("proficiency_level BETWEEN 0 AND 1", name="proficiency_level"),
        CheckConstraint("evidence_count >= 0", name="evidence_count"),
    )
    id: Mapped[str] = _pk()
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("profiles.id"), nullable=False)
    skill_id: Mapped[str] = mapped_column(String(36), ForeignKey("skills.id"), nullable=False)
    proficiency_level: Mapped[float | None] = mapped_column(Float, default=0.0)
    evidence_count: Mapped[int | None] = mapped_column(Integer, default=0)
    last_assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SkillGap(Base):
    __tablename__ = "skill_gaps"
    __table_args__ = (
        CheckConstraint("gap_score IS NULL OR gap_score BETWEEN 0 AND 1", name="gap_score"),
    )
    id: Mapped[str] = _pk()
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("profiles.id"), nullable=False)
    skill_id: Mapped[str] = mapped_column(String(36), ForeignKey("skills.id"), nullable=False)
    gap_score: Mapped[float | None] = mapped_column(Float)
    identified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint(_in("status", CONTENT_STATUSES), name="status"),
        CheckConstraint(_in("difficulty", DIFFICULTIES), name="difficulty"),
        CheckConstraint(
            "estimated_duration_mins IS NULL OR estimated_duration_mins >= 0",
            name="estimated_duration_mins",
        ),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        Index("ix_courses_org_status", "org_id", "status"),
    )
    id: Mapped[str] = _pk()
    org_id: Mapped[str] = mapped_column(String(36), ForeignKey("organisations.id"), nullable=False)
    created_by: Mapped[str] = mapped_column(String(36), ForeignKey("profiles.id"), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    thumbnail_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(Text, default="draft", server_default="draft")
    template: Mapped[str | None] = mapped_column(Text)
    difficulty: Mapped[str | None] = mapped_column(Text)
    estimated_duration_mins: Mapped[int | None] = mapped_column(Integer)
    target_skills: Mapped[list[dict[str, Any]] | None] = mapped_column(_json("target_skills"))
    tags: Mapped[list[str] | None] = mapped_column(_json("tags"))
    scorm_url: Mapped[str | None] = mapped_column(Text)
    settings: Mapped[dict[str, Any] | None] = mapped_column(_json("course_settings"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=True
    )


class Module(Base):
    __tablename__ = "modules"
    __table_args__ = (
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        Index("ix_modules_course_order", "course_id", "order_index"),
    )
    id: Mapped[str] = _pk()
    course_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("courses.id", ondelete="CASCADE"), nullable=False
    )
    title: Mapped[str] = mapped_column(Text, nullable=False)
    content: Mapped[list[dict[str, Any]]] = mapped_column(_json("module_content"), nullable=False)
    modality_variants: Mapped[dict[str, Any] | None] = mapped_column(_json("modality_variants"))
    order_index: Mapped[int | None] = mapped_column(Integer)
    quiz: Mapped[list[dict[str, Any]] | None] = mapped_column(_json("quiz"))
    created_at: Mapped[datetime] = _created()


class ContentAsset(Base):
    __tablename__ = "content_assets"
    __table_args__ = (CheckConstraint(_in("type", ASSET_TYPES), name="type"),)
    id: Mapped[str] = _pk()
    org_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("organisations.id"))
    uploader_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("profiles.id"))
    type: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    storage_path: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", _json("asset_metadata"))
    created_at: Mapped[datetime] = _created()


class LearningPath(Base):
    __tablename__ = "learning_paths"
    __table_args__ = (
        CheckConstraint(_in("status", CONTENT_STATUSES), name="status"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
    )
    id: Mapped[str] = _pk()
    org_id: Mapped[str] = mapped_column(String(36), ForeignKey("organisations.id"), nullable=False)
    created_by: Mapped[str] = mapped_column(String(36), ForeignKey("profiles.id"), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    thumbnail_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(Text, default="draft", server_default="draft")
    courses: Mapped[list[dict[str, Any]]] = mapped_column(_json("path_courses"), nullable=False)
    target_skills: Mapped[list[dict[str, Any]] | None] = mapped_column(_json("target_skills"))
    certification_config: Mapped[dict[str, Any] | None] = mapped_column(
        _json("certification_config")
    )
    created_at: Mapped[datetime] = _created()


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        CheckConstraint(_in("status", ENROLLMENT_STATUSES), name="status"),
        CheckConstraint("progress_pct BETWEEN 0 AND 100", name="progress_pct"),
        CheckConstraint("path_id IS NOT NULL OR course_id IS NOT NULL", name="target"),
        Index("ix_enrollments_user_course", "user_id", "course_id"),
    )
    id: Mapped[str] = _pk()
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("profiles.id"), nullable=False)
    path_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("learning_paths.id"))
    course_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("courses.id"))
    enrolled_by: Mapped[str | None] = mapped_column(String(36), ForeignKey("profiles.id"))
    status: Mapped[str | None] = mapped_column(
        Text, default="not_started", server_default="not_started"
    )
    progress_pct: Mapped[float | None] = mapped_column(Float, default=0.0)
    due_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = _created()


class LearningEvent(Base):
    """Append-only learner telemetry. A row, once committed, is never updated or lost."""

    __tablename__ = "learning_events"
    __table_args__ = (
        CheckConstraint(_in("event_type", EVENT_TYPES, nullable=False), name="event_type"),
        CheckConstraint(_in("modality", MODALITIES), name="modality"),
        CheckConstraint("duration_secs IS NULL OR duration_secs >= 0", name="duration_secs"),
        Index("ix_learning_events_user_created", "user_id", "created_at"),
        Index("ix_learning_events_course_user", "course_id", "user_id"),
        Index("ix_learning_events_progress", "user_id", "course_id", "event_type", "module_id"),
    )
    id: Mapped[str] = _pk()
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("profiles.id"), nullable=False)
    course_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("courses.id"))
    module_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("modules.id"))
    event_type: Mapped[str] = mapped_column(Text, nullable=False)
    payload: Mapped[dict[str, Any] | None] = mapped_column(_json("event_payload"))
    modality: Mapped[str | None] = mapped_column(Text)
    duration_secs: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = _created()


class AIInteraction(Base):
    __tablename__ = "ai_interactions"
    __table_args__ = (
        CheckConstraint(_in("interaction_type", INTERACTION_TYPES), name="interaction_type"),
    )
    id: Mapped[str] = _pk()
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("profiles.id"), nullable=False)
    course_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("courses.id"))
    module_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("modules.id"))
    interaction_type: Mapped[str | None] = mapped_column(Text)
    user_message: Mapped[str | None] = mapped_column(Text)
    ai_response: Mapped[str | None] = mapped_column(Text)
    context_used: Mapped[Any] = mapped_column(_json("context_used"))
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = _created()


class Certification(Base):
    __tablename__ = "certifications"
    id: Mapped[str] = _pk()
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("profiles.id"), nullable=False)
    path_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("learning_paths.id"), nullable=False
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    certificate_url: Mapped[str | None] = mapped_column(Text)
    verification_code: Mapped[str | None] = mapped_column(Text, unique=True)
    credential_jwt: Mapped[str | None] = mapped_column(Text)
    """The signed VC-JWT (0005). Written only by the organisation's signer; a row exists only
    once signed ("pending signature" is derived: a completed path with no row)."""


class ComplianceRecord(Base):
    __tablename__ = "compliance_records"
    __table_args__ = (
        CheckConstraint(_in("status", COMPLIANCE_STATUSES), name="status"),
        CheckConstraint(
            "status IS NULL OR status <> 'exempt' OR coalesce(length(trim(status_reason)), 0) > 0",
            name="exempt_reason",
        ),
        Index("ix_compliance_records_user_course", "user_id", "course_id"),
    )
    id: Mapped[str] = _pk()
    org_id: Mapped[str] = mapped_column(String(36), ForeignKey("organisations.id"), nullable=False)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("profiles.id"), nullable=False)
    course_id: Mapped[str] = mapped_column(String(36), ForeignKey("courses.id"), nullable=False)
    required_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str | None] = mapped_column(Text)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    path_id: Mapped[str | None] = mapped_column(String(36), ForeignKey("learning_paths.id"))
    """0005: the mandatory path this course requirement belongs to (None: a course alone)."""
    status_reason: Mapped[str | None] = mapped_column(Text)
    """0005: why the record has its status (the exemption reason, "completed late", ...)."""


class ComplianceEvent(Base):
    """One change of a compliance record, for auditors (0005). Append-only, written by the
    server (a trigger on ``compliance_records``) and pulled: who, when, from -> to, why."""

    __tablename__ = "compliance_events"
    __table_args__ = (
        CheckConstraint(_in("from_status", COMPLIANCE_STATUSES), name="from_status"),
        CheckConstraint(_in("to_status", COMPLIANCE_STATUSES), name="to_status"),
        Index("ix_compliance_events_record_changed", "record_id", "changed_at"),
    )
    id: Mapped[str] = _pk()
    record_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("compliance_records.id"), nullable=False
    )
    org_id: Mapped[str] = mapped_column(String(36), ForeignKey("organisations.id"), nullable=False)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("profiles.id"), nullable=False)
    changed_by: Mapped[str | None] = mapped_column(String(36))
    """Who made the change (None: time, or the server). No local foreign key: it may be
    someone this device never receives (a super admin, a member removed since)."""
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=True)
    from_status: Mapped[str | None] = mapped_column(Text)
    to_status: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any] | None] = mapped_column(ValidatedJSON(_CHANGES, "changes"))


class CertificateIssuer(Base):
    """An organisation's certificate trust material (0005): its public key set (JWKS, with
    each key's validity window) and its signed revocation list (a compact JWS). One row per
    organisation, readable by every member, written only by its signer (org admins)."""

    __tablename__ = "certificate_issuers"
    id: Mapped[str] = _pk()
    org_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organisations.id"), unique=True, nullable=False
    )
    key_set: Mapped[dict[str, Any]] = mapped_column(
        ValidatedJSON(_KEY_SET, "key_set"), nullable=False
    )
    revocation_list: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=True
    )


CANONICAL_TABLES: tuple[str, ...] = (
    "profiles",
    "organisations",
    "org_members",
    "learner_profiles",
    "skills",
    "learner_skills",
    "skill_gaps",
    "courses",
    "modules",
    "content_assets",
    "learning_paths",
    "enrollments",
    "learning_events",
    "ai_interactions",
    "certifications",
    "compliance_records",
)
ORG_TABLES: tuple[str, ...] = ("compliance_events", "certificate_issuers")
"""Synced tables beyond the canonical 16 (migration 0005 says why each is needed)."""


# -- sync bookkeeping (migration 0004): local only, never pushed -------------------------------


class SyncOutbox(Base):
    """A local change that must go up, written in the same transaction as the change itself."""

    __tablename__ = "sync_outbox"
    __table_args__ = (
        CheckConstraint("op IN ('upsert', 'delete')", name="op"),
        CheckConstraint("state IN ('pending', 'rejected')", name="state"),
        Index("ix_sync_outbox_row", "table_name", "row_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(Text, nullable=False)
    row_id: Mapped[str] = mapped_column(String(36), nullable=False)
    op: Mapped[str] = mapped_column(Text, nullable=False)
    user_id: Mapped[str | None] = mapped_column(String(36))
    org_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = _created()
    author_id: Mapped[str | None] = mapped_column(String(36))
    """0005: the signed-in account that made a change to someone else's row (a manager's
    assignment): that account pushes it, although the row is the learner's."""
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    state: Mapped[str] = mapped_column(
        Text, nullable=False, default="pending", server_default="pending"
    )
    last_error: Mapped[str | None] = mapped_column(Text)


class SyncRowMeta(Base):
    """Per synced row: per-field clocks of the local version and of the last server version."""

    __tablename__ = "sync_row_meta"
    table_name: Mapped[str] = mapped_column(Text, primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    field_clocks: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    base_clocks: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    server_seq: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str | None] = mapped_column(Text)


class SyncCursor(Base):
    """How far this device has pulled each table, per signed-in account."""

    __tablename__ = "sync_cursors"
    account_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(Text, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class SyncConflict(Base):
    """A value that lost a merge, kept so that a person can bring it back."""

    __tablename__ = "sync_conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(Text, nullable=False)
    row_id: Mapped[str] = mapped_column(String(36), nullable=False)
    field: Mapped[str] = mapped_column(Text, nullable=False)
    kept_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    lost_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    lost_side: Mapped[str] = mapped_column(Text, nullable=False)
    kept_clock: Mapped[str | None] = mapped_column(Text)
    lost_clock: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(Text)


class SyncState(Base):
    """Small key/value facts of the sync engine (device id, clock, account, last sync)."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
