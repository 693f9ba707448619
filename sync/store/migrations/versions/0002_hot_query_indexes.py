"""Indexes for the hot queries: a learner's events by time, a course's modules in order,
an organisation's courses by status, a learner's enrolments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 01:14:05.341332
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.create_index("ix_courses_org_status", ["org_id", "status"], unique=False)

    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.create_index("ix_enrollments_user_course", ["user_id", "course_id"], unique=False)

    with op.batch_alter_table("learning_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_learning_events_course_user", ["course_id", "user_id"], unique=False
        )
        batch_op.create_index(
            "ix_learning_events_user_created", ["user_id", "created_at"], unique=False
        )

    with op.batch_alter_table("modules", schema=None) as batch_op:
        batch_op.create_index("ix_modules_course_order", ["course_id", "order_index"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("modules", schema=None) as batch_op:
        batch_op.drop_index("ix_modules_course_order")

    with op.batch_alter_table("learning_events", schema=None) as batch_op:
        batch_op.drop_index("ix_learning_events_user_created")
        batch_op.drop_index("ix_learning_events_course_user")

    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollments_user_course")

    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_index("ix_courses_org_status")
