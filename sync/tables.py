"""Which tables sync, in which direction, and how their rows are owned.

The order is the foreign-key order: pulling and pushing table by table in this order never
writes a row before the row it refers to.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSpec:
    name: str
    push: bool
    """Local changes go up (otherwise the table is only pulled)."""
    append_only: bool = False
    """Rows are inserted once and never edited (events): pushed in batches, never merged."""
    natural_key: tuple[str, ...] = ()
    """A unique key besides ``id``: two devices creating the same thing are the same row."""


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
    TableSpec("enrollments", push=True),
    TableSpec("learning_events", push=True, append_only=True),
    TableSpec("ai_interactions", push=True),
    TableSpec("certifications", push=False),
    TableSpec("compliance_records", push=False),
)
BY_NAME: dict[str, TableSpec] = {s.name: s for s in SPECS}
ORDER: dict[str, int] = {s.name: i for i, s in enumerate(SPECS)}

# Columns the server adds to every synced table; never stored in the local canonical tables.
SERVER_COLUMNS = ("sync_seq", "field_clocks")
