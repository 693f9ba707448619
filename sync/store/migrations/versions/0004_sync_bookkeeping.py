"""Sync bookkeeping: outbox, per-row clocks, pull cursors, conflicts, sync state.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 02:00:00
"""

import sqlalchemy as sa
from alembic import op

from sync.store.column_types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("row_id", sa.String(36), nullable=False),
        sa.Column("op", sa.Text(), nullable=False),
        sa.Column("user_id", sa.String(36)),
        sa.Column("org_id", sa.String(36)),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("state", sa.Text(), nullable=False, server_default="pending"),
        sa.Column("last_error", sa.Text()),
        sa.CheckConstraint("op IN ('upsert', 'delete')", name="op"),
        sa.CheckConstraint("state IN ('pending', 'rejected')", name="state"),
        sa.PrimaryKeyConstraint("id", name="pk_sync_outbox"),
    )
    op.create_index("ix_sync_outbox_row", "sync_outbox", ["table_name", "row_id"])
    op.create_table(
        "sync_row_meta",
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("row_id", sa.String(36), nullable=False),
        sa.Column("field_clocks", sa.JSON(), nullable=False),
        sa.Column("base_clocks", sa.JSON(), nullable=False),
        sa.Column("server_seq", sa.Integer()),
        sa.Column("origin", sa.Text()),
        sa.PrimaryKeyConstraint("table_name", "row_id", name="pk_sync_row_meta"),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "table_name", name="pk_sync_cursors"),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("table_name", sa.Text(), nullable=False),
        sa.Column("row_id", sa.String(36), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("kept_value", sa.JSON()),
        sa.Column("lost_value", sa.JSON()),
        sa.Column("lost_side", sa.Text(), nullable=False),
        sa.Column("kept_clock", sa.Text()),
        sa.Column("lost_clock", sa.Text()),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime()),
        sa.Column("resolution", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_sync_conflicts"),
    )
    op.create_table(
        "sync_state",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text()),
        sa.PrimaryKeyConstraint("key", name="pk_sync_state"),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    op.drop_table("sync_conflicts")
    op.drop_table("sync_cursors")
    op.drop_table("sync_row_meta")
    op.drop_index("ix_sync_outbox_row", table_name="sync_outbox")
    op.drop_table("sync_outbox")
