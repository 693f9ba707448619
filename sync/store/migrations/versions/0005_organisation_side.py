"""The organisation side (issue 12): signed certificates, compliance history, assignments.

What is added, and why the canonical schema could not hold it:

* ``certifications.credential_jwt`` (text): the signed Open Badges 3.0 credential as a
  VC-JWT (``resources/certificates/README.md``). The canonical table has only
  ``certificate_url``, which stays for the uploaded PDF. There is **no status column**: a
  row exists only once the organisation's signer has signed it (the server refuses a row
  without a credential). "Pending signature" is derived, not stored: a completed enrolment
  of a path with ``issue_cert`` and no certification row; a learner never writes this table.
  Revocation lives in the organisation's signed revocation list (below), the one source a
  verifier trusts; a column would be a second, unsigned one.
* ``compliance_records.path_id`` (nullable): the mandatory path a requirement comes from.
  ``course_id`` stays ``NOT NULL`` as the spec has it: a mandatory path is one record per
  required course, each naming the path, so compliance is tracked course by course and a
  path's renewal is new records for its courses.
* ``compliance_records.status_reason``: why the record has its status (the exemption reason,
  required for ``exempt``; "completed 3 days after the due date"). Lateness itself is not a
  status: it follows from ``completed_at > required_by`` (``engine.org.compliance``).
* **No ``enrollments.mandatory`` column**: mandatory training is exactly what the spec's
  ``compliance_records`` are; an enrolment is mandatory when a record requires its course.
* ``compliance_events`` (new, append-only): every change of a compliance record (who, when,
  from -> to, reason, other changed fields). Written on the server by a trigger on
  ``compliance_records``, so no client can skip or forge the audit trail; devices pull it.
  A table rather than a JSON history inside the record: an append-only table cannot be
  rewritten by an update, and per-field merge of a growing JSON list would lose entries.
  Locally ``changed_by`` has no foreign key: the person may be one this device never
  receives (a super admin, a member removed since), and a missing parent would stop the pull.
* ``certificate_issuers`` (new): per organisation, its public key set (JWKS) and signed
  revocation list, readable by every member, written only by its org admins (the signer).
  A table rather than ``organisations.settings``: ``organisations`` is pulled only, its
  settings are edited by other admins for other reasons (per-field merge would make a key
  rotation and an SSO change conflict), and the trust material needs its own write rule.
* ``sync_outbox.author_id`` (local only): the signed-in account that changed someone else's
  row (a manager assigning a learner), so that account's sync pushes it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 03:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_STATUSES = "'pending', 'compliant', 'overdue', 'exempt'"


def upgrade() -> None:
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credential_jwt", sa.Text(), nullable=True))

    with op.batch_alter_table("compliance_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("path_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_compliance_records_path_id_learning_paths"),
            "learning_paths",
            ["path_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_compliance_records_exempt_reason"),
            "status IS NULL OR status <> 'exempt' OR coalesce(length(trim(status_reason)), 0) > 0",
        )
        batch_op.create_index(
            "ix_compliance_records_user_course", ["user_id", "course_id"], unique=False
        )

    op.create_table(
        "compliance_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("changed_by", sa.String(length=36), nullable=True),
        sa.Column("changed_at", sa.String(length=32), nullable=True),
        sa.Column("from_status", sa.Text(), nullable=True),
        sa.Column("to_status", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            f"from_status IS NULL OR from_status IN ({_STATUSES})",
            name=op.f("ck_compliance_events_from_status"),
        ),
        sa.CheckConstraint(
            f"to_status IS NULL OR to_status IN ({_STATUSES})",
            name=op.f("ck_compliance_events_to_status"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["compliance_records.id"],
            name=op.f("fk_compliance_events_record_id_compliance_records"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_compliance_events_org_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["profiles.id"], name=op.f("fk_compliance_events_user_id_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_events")),
    )
    op.create_index(
        "ix_compliance_events_record_changed", "compliance_events", ["record_id", "changed_at"]
    )
    op.create_table(
        "certificate_issuers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("key_set", sa.JSON(), nullable=False),
        sa.Column("revocation_list", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_certificate_issuers_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_issuers")),
        sa.UniqueConstraint("org_id", name=op.f("uq_certificate_issuers_org_id")),
    )
    with op.batch_alter_table("sync_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_outbox", schema=None) as batch_op:
        batch_op.drop_column("author_id")
    op.drop_table("certificate_issuers")
    op.drop_index("ix_compliance_events_record_changed", table_name="compliance_events")
    op.drop_table("compliance_events")
    with op.batch_alter_table("compliance_records", schema=None) as batch_op:
        batch_op.drop_index("ix_compliance_records_user_course")
        batch_op.drop_constraint(batch_op.f("ck_compliance_records_exempt_reason"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_compliance_records_path_id_learning_paths"), type_="foreignkey"
        )
        batch_op.drop_column("status_reason")
        batch_op.drop_column("path_id")
    with op.batch_alter_table("certifications", schema=None) as batch_op:
        batch_op.drop_column("credential_jwt")
