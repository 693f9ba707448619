"""Which tables sync, in which direction, how their rows are owned, and whose devices push.

The order is the foreign-key order: pulling and pushing table by table in this order never
writes a row before the row it refers to.

The organisation side (issue 12, migration 0005):

* ``enrollments``: a learner's own enrolments, and assignments staff make for others
  (``managed``: the outbox records which signed-in account made the change, and that
  account pushes it; ``sync.outbox``).
* ``compliance_records``: made and changed by managers and org admins. A learner's device
  pushes only ``reminder_sent_at`` on their own records (so a reminder is shown once across
  their devices); the server refuses any other change from them (status, due date, reason).
* ``certifications``: written only by the organisation's signer (org admins): a device whose
  account cannot sign refuses to send them at all (``writers``), and the server refuses
  them anyway.
* ``compliance_events``: the audit history, written by the server itself, append-only;
  every device only pulls it.
* ``certificate_issuers``: an organisation's key set and revocation list, one row per
  organisation (``natural_key``), pushed by the signer, pulled by every member.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.org.vocabulary import SIGNER_ROLES, ProfileRole


@dataclass(frozen=True)
class TableSpec:
    name: str
    push: bool
    """Local changes go up (otherwise the table is only pulled)."""
    append_only: bool = False
    """Rows are inserted once and never edited (events): pushed in batches, never merged."""
    natural_key: tuple[str, ...] = ()
    """A unique key besides ``id``: two devices creating the same thing are the same row."""
    managed: bool = False
    """Staff write rows that belong to other users (assignments, compliance, certificates):
    the account that made the change pushes it, not (only) the row's user."""
    writers: frozenset[ProfileRole] | None = None
    """Roles whose devices may push the table (None: any role, the server decides). Changes
    made on another role's device are rejected locally with a clear reason, never sent."""

    def pushable_by(self, role: str | None) -> bool:
        return self.push and (self.writers is None or role in self.writers)


SPECS: tuple[TableSpec, ...] = (
    TableSpec("organisations", push=False),
    TableSpec("profiles", push=True),
    TableSpec("org_members", push=False, natural_key=("org_id", "user_id")),
    TableSpec("skills", push=True),
    TableSpec("courses", push=True),
    TableSpec("modules", push=True),
    TableSpec("content_assets", push=True),
    TableSpec("learning_paths", push=True),
    TableSpec("learner_profiles", push=True, natural_key=("user_id",)),
    TableSpec("learner_skills", push=True, natural_key=("user_id", "skill_id")),
    TableSpec("skill_gaps", push=True),
    TableSpec("enrollments", push=True, managed=True),
    TableSpec("learning_events", push=True, append_only=True),
    TableSpec("ai_interactions", push=True),
    TableSpec("certifications", push=True, managed=True, writers=SIGNER_ROLES),
    TableSpec("compliance_records", push=True, managed=True),
    TableSpec("compliance_events", push=False, append_only=True),
    TableSpec("certificate_issuers", push=True, natural_key=("org_id",), writers=SIGNER_ROLES),
)
BY_NAME: dict[str, TableSpec] = {s.name: s for s in SPECS}
ORDER: dict[str, int] = {s.name: i for i, s in enumerate(SPECS)}

# Columns the server adds to every synced table; never stored in the local canonical tables.
SERVER_COLUMNS = ("sync_seq", "field_clocks")
