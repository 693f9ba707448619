"""The canonical schema: the 16 tables of ECOSYSTEM.md section 5 plus local_users.

Frozen: later changes go in new revisions. Column types are the storage types (UTC
timestamps as text, jsonb as JSON) so this file never depends on application code.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 01:13:52.332973
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "local_users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.Column("last_sign_in_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_users")),
        sa.UniqueConstraint("email", name=op.f("uq_local_users_email")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("branding", sa.JSON(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=True),
        sa.Column("plan", sa.Text(), server_default="free", nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "plan IS NULL OR plan IN ('free', 'pro', 'enterprise')",
            name=op.f("ck_organisations_plan"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisations_slug")),
    )
    op.create_table(
        "profiles",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=True),
        sa.Column("avatar_url", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("onboarding_complete", sa.Boolean(), server_default=sa.text("0"), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "role IS NULL OR role IN ('super_admin', 'org_admin', 'manager', 'creator', 'learner')",
            name=op.f("ck_profiles_role"),
        ),
        sa.ForeignKeyConstraint(
            ["id"], ["local_users.id"], name=op.f("fk_profiles_id_local_users")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_profiles_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profiles")),
    )
    op.create_table(
        "skills",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("parent_skill_id", sa.String(length=36), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_skills_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["parent_skill_id"], ["skills.id"], name=op.f("fk_skills_parent_skill_id_skills")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("slug", name=op.f("uq_skills_slug")),
    )
    op.create_table(
        "content_assets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=True),
        sa.Column("uploader_id", sa.String(length=36), nullable=True),
        sa.Column("type", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("storage_path", sa.Text(), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "type IS NULL OR type IN ('image', 'video', 'audio', 'document', 'scorm')",
            name=op.f("ck_content_assets_type"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_content_assets_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["uploader_id"], ["profiles.id"], name=op.f("fk_content_assets_uploader_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_assets")),
    )
    op.create_table(
        "courses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("thumbnail_url", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="draft", nullable=True),
        sa.Column("template", sa.Text(), nullable=True),
        sa.Column("difficulty", sa.Text(), nullable=True),
        sa.Column("estimated_duration_mins", sa.Integer(), nullable=True),
        sa.Column("target_skills", sa.JSON(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=True),
        sa.Column("scorm_url", sa.Text(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=True),
        sa.Column("published_at", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "difficulty IS NULL OR difficulty IN ('beginner', 'intermediate', 'advanced')",
            name=op.f("ck_courses_difficulty"),
        ),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('draft', 'published', 'archived')",
            name=op.f("ck_courses_status"),
        ),
        sa.CheckConstraint(
            "estimated_duration_mins IS NULL OR estimated_duration_mins >= 0",
            name=op.f("ck_courses_estimated_duration_mins"),
        ),
        sa.CheckConstraint("length(trim(title)) > 0", name=op.f("ck_courses_title_not_blank")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["profiles.id"], name=op.f("fk_courses_created_by_profiles")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_courses_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
    )
    op.create_table(
        "learner_profiles",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("modality_scores", sa.JSON(), nullable=True),
        sa.Column("learning_pace", sa.Text(), nullable=True),
        sa.Column("difficulty_comfort", sa.Text(), nullable=True),
        sa.Column("cognitive_style", sa.Text(), nullable=True),
        sa.Column("preferred_language", sa.Text(), nullable=True),
        sa.Column("avg_session_duration_mins", sa.Float(), nullable=True),
        sa.Column("avg_completion_rate", sa.Float(), nullable=True),
        sa.Column("total_learning_minutes", sa.Float(), nullable=True),
        sa.Column("streak_days", sa.Integer(), nullable=True),
        sa.Column("last_active_at", sa.String(length=32), nullable=True),
        sa.Column("overall_engagement_score", sa.Float(), nullable=True),
        sa.Column("next_best_action", sa.JSON(), nullable=True),
        sa.Column("ai_tutor_context", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "cognitive_style IS NULL OR cognitive_style IN ('visual', 'auditory', 'reading', 'kinaesthetic', 'mixed')",
            name=op.f("ck_learner_profiles_cognitive_style"),
        ),
        sa.CheckConstraint(
            "difficulty_comfort IS NULL OR difficulty_comfort IN ('beginner', 'intermediate', 'advanced')",
            name=op.f("ck_learner_profiles_difficulty_comfort"),
        ),
        sa.CheckConstraint(
            "learning_pace IS NULL OR learning_pace IN ('fast', 'medium', 'slow')",
            name=op.f("ck_learner_profiles_learning_pace"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["profiles.id"], name=op.f("fk_learner_profiles_user_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_profiles")),
        sa.UniqueConstraint("user_id", name=op.f("uq_learner_profiles_user_id")),
    )
    op.create_table(
        "learner_skills",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("skill_id", sa.String(length=36), nullable=False),
        sa.Column("proficiency_level", sa.Float(), nullable=True),
        sa.Column("evidence_count", sa.Integer(), nullable=True),
        sa.Column("last_assessed_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint("evidence_count >= 0", name=op.f("ck_learner_skills_evidence_count")),
        sa.CheckConstraint(
            "proficiency_level BETWEEN 0 AND 1", name=op.f("ck_learner_skills_proficiency_level")
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_learner_skills_skill_id_skills")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["profiles.id"], name=op.f("fk_learner_skills_user_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_skills")),
        sa.UniqueConstraint("user_id", "skill_id", name="uq_learner_skills_user_id_skill_id"),
    )
    op.create_table(
        "learning_paths",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("thumbnail_url", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="draft", nullable=True),
        sa.Column("courses", sa.JSON(), nullable=False),
        sa.Column("target_skills", sa.JSON(), nullable=True),
        sa.Column("certification_config", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('draft', 'published', 'archived')",
            name=op.f("ck_learning_paths_status"),
        ),
        sa.CheckConstraint(
            "length(trim(title)) > 0", name=op.f("ck_learning_paths_title_not_blank")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["profiles.id"], name=op.f("fk_learning_paths_created_by_profiles")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_learning_paths_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_paths")),
    )
    op.create_table(
        "org_members",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("joined_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "role IS NULL OR role IN ('admin', 'manager', 'creator', 'learner')",
            name=op.f("ck_org_members_role"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_org_members_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["profiles.id"], name=op.f("fk_org_members_user_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_members")),
        sa.UniqueConstraint("org_id", "user_id", name="uq_org_members_org_id_user_id"),
    )
    op.create_table(
        "skill_gaps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("skill_id", sa.String(length=36), nullable=False),
        sa.Column("gap_score", sa.Float(), nullable=True),
        sa.Column("identified_at", sa.String(length=32), nullable=True),
        sa.Column("resolved_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "gap_score IS NULL OR gap_score BETWEEN 0 AND 1", name=op.f("ck_skill_gaps_gap_score")
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_skill_gaps_skill_id_skills")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["profiles.id"], name=op.f("fk_skill_gaps_user_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_gaps")),
    )
    op.create_table(
        "certifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("path_id", sa.String(length=36), nullable=False),
        sa.Column("issued_at", sa.String(length=32), nullable=True),
        sa.Column("expires_at", sa.String(length=32), nullable=True),
        sa.Column("certificate_url", sa.Text(), nullable=True),
        sa.Column("verification_code", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["path_id"],
            ["learning_paths.id"],
            name=op.f("fk_certifications_path_id_learning_paths"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["profiles.id"], name=op.f("fk_certifications_user_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certifications")),
        sa.UniqueConstraint("verification_code", name=op.f("uq_certifications_verification_code")),
    )
    op.create_table(
        "compliance_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=False),
        sa.Column("required_by", sa.String(length=32), nullable=True),
        sa.Column("completed_at", sa.String(length=32), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("reminder_sent_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('pending', 'compliant', 'overdue', 'exempt')",
            name=op.f("ck_compliance_records_status"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_compliance_records_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_compliance_records_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["profiles.id"], name=op.f("fk_compliance_records_user_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_records")),
    )
    op.create_table(
        "enrollments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("path_id", sa.String(length=36), nullable=True),
        sa.Column("course_id", sa.String(length=36), nullable=True),
        sa.Column("enrolled_by", sa.String(length=36), nullable=True),
        sa.Column("status", sa.Text(), server_default="not_started", nullable=True),
        sa.Column("progress_pct", sa.Float(), nullable=True),
        sa.Column("due_date", sa.String(length=32), nullable=True),
        sa.Column("started_at", sa.String(length=32), nullable=True),
        sa.Column("completed_at", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "status IS NULL OR status IN ('not_started', 'in_progress', 'completed', 'overdue')",
            name=op.f("ck_enrollments_status"),
        ),
        sa.CheckConstraint(
            "path_id IS NOT NULL OR course_id IS NOT NULL", name=op.f("ck_enrollments_target")
        ),
        sa.CheckConstraint(
            "progress_pct BETWEEN 0 AND 100", name=op.f("ck_enrollments_progress_pct")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_enrollments_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["enrolled_by"], ["profiles.id"], name=op.f("fk_enrollments_enrolled_by_profiles")
        ),
        sa.ForeignKeyConstraint(
            ["path_id"], ["learning_paths.id"], name=op.f("fk_enrollments_path_id_learning_paths")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["profiles.id"], name=op.f("fk_enrollments_user_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
    )
    op.create_table(
        "modules",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("modality_variants", sa.JSON(), nullable=True),
        sa.Column("order_index", sa.Integer(), nullable=True),
        sa.Column("quiz", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint("length(trim(title)) > 0", name=op.f("ck_modules_title_not_blank")),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_modules_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_modules")),
    )
    op.create_table(
        "ai_interactions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=True),
        sa.Column("module_id", sa.String(length=36), nullable=True),
        sa.Column("interaction_type", sa.Text(), nullable=True),
        sa.Column("user_message", sa.Text(), nullable=True),
        sa.Column("ai_response", sa.Text(), nullable=True),
        sa.Column("context_used", sa.JSON(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "interaction_type IS NULL OR interaction_type IN ('question', 'hint_request', 'explanation', 'proactive_nudge')",
            name=op.f("ck_ai_interactions_interaction_type"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_ai_interactions_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["module_id"], ["modules.id"], name=op.f("fk_ai_interactions_module_id_modules")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["profiles.id"], name=op.f("fk_ai_interactions_user_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_interactions")),
    )
    op.create_table(
        "learning_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=True),
        sa.Column("module_id", sa.String(length=36), nullable=True),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("modality", sa.Text(), nullable=True),
        sa.Column("duration_secs", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "event_type IN ('module_start', 'module_complete', 'quiz_attempt', 'video_play', 'video_pause', 'video_replay', 'ai_tutor_open', 'ai_tutor_query', 'modality_switch', 'drop_off', 'streak_broken', 'streak_maintained')",
            name=op.f("ck_learning_events_event_type"),
        ),
        sa.CheckConstraint(
            "modality IS NULL OR modality IN ('text', 'video', 'audio', 'mindmap', 'flashcards', 'game', 'feed')",
            name=op.f("ck_learning_events_modality"),
        ),
        sa.CheckConstraint(
            "duration_secs IS NULL OR duration_secs >= 0",
            name=op.f("ck_learning_events_duration_secs"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_learning_events_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["module_id"], ["modules.id"], name=op.f("fk_learning_events_module_id_modules")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["profiles.id"], name=op.f("fk_learning_events_user_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_events")),
    )


def downgrade() -> None:

    op.drop_table("learning_events")
    op.drop_table("ai_interactions")
    op.drop_table("modules")
    op.drop_table("enrollments")
    op.drop_table("compliance_records")
    op.drop_table("certifications")
    op.drop_table("skill_gaps")
    op.drop_table("org_members")
    op.drop_table("learning_paths")
    op.drop_table("learner_skills")
    op.drop_table("learner_profiles")
    op.drop_table("courses")
    op.drop_table("content_assets")
    op.drop_table("skills")
    op.drop_table("profiles")
    op.drop_table("organisations")
    op.drop_table("local_users")
