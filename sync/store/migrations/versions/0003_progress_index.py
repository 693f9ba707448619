"""Index for enrolment progress: a learner's start/complete events per course.

Recording an event recomputes the enrolment from the learner's module_start and
module_complete events; this index lets that read skip the (much longer) quiz log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 01:30:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_learning_events_progress",
        "learning_events",
        ["user_id", "course_id", "event_type", "module_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_learning_events_progress", table_name="learning_events")
