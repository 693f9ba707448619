"""The local mirror against the canonical schema of ECOSYSTEM.md section 5."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.services.context import AppContext
from sync.store.column_types import InvalidDocument
from sync.store.models import (
    CANONICAL_TABLES,
    Base,
    Course,
    LearnerProfile,
    LearningEvent,
    Module,
    Profile,
)
from tests.conftest import SPEC


def spec_tables() -> dict[str, list[str]]:
    """Table name → column names, read from the spec's SQL blocks."""
    body = SPEC.read_text(encoding="utf-8")
    section = body.split("## 5.", 1)[1].split("## 6.", 1)[0]
    tables: dict[str, list[str]] = {}
    for name, cols in re.findall(r"^(\w+) \(\n(.*?)^\)", section, re.S | re.M):
        names = []
        for line in cols.splitlines():
            line = line.split("--")[0].strip()
            m = re.match(r"^(\w+)\s+(uuid|text|jsonb|boolean|timestamptz|float|integer)", line)
            if m:
                names.append(m.group(1))
        tables[name] = names
    return tables


@pytest.mark.skipif(not SPEC.exists(), reason="shared/spec/ECOSYSTEM.md is not beside the repo")
def test_every_spec_table_and_column_exists(ctx: AppContext) -> None:
    spec = spec_tables()
    assert sorted(spec) == sorted(CANONICAL_TABLES)
    insp = inspect(ctx.db.engine)
    for table, columns in spec.items():
        actual = {c["name"] for c in insp.get_columns(table)}
        assert set(columns) <= actual, (table, set(columns) - actual)


def test_metadata_matches_migrated_database(ctx: AppContext) -> None:
    """The migrations create exactly what the models describe (no drift)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with ctx.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_pragmas_wal_and_foreign_keys(ctx: AppContext) -> None:
    with ctx.db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_role_check_constraint_refuses_unknown_role(ctx: AppContext) -> None:
    with pytest.raises(IntegrityError), ctx.db.transaction() as s:
        p = s.query(Profile).first()
        assert p is not None
        p.role = "wizard"


def test_foreign_keys_enforced(ctx: AppContext) -> None:
    with pytest.raises(IntegrityError), ctx.db.transaction() as s:
        s.add(LearningEvent(user_id="no-such-user", event_type="module_start"))


def test_event_type_check(ctx: AppContext, learner) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), ctx.db.transaction() as s:
        s.add(LearningEvent(user_id=learner.id, event_type="teleport"))


def test_json_columns_are_validated_on_write(ctx: AppContext) -> None:
    with pytest.raises(InvalidDocument, match="modality_scores"), ctx.db.transaction() as s:
        lp = s.query(LearnerProfile).first()
        assert lp is not None
        lp.modality_scores = {"text": 1.7}
    with pytest.raises(InvalidDocument, match="module_content"), ctx.db.transaction() as s:
        m = s.query(Module).first()
        assert m is not None
        m.content = [{"type": "paragraph", "text": ""}]
    with pytest.raises(InvalidDocument, match="quiz"), ctx.db.transaction() as s:
        m = s.query(Module).first()
        assert m is not None
        m.quiz = [
            {
                "type": "single",
                "prompt": "Q?",
                "choices": [{"text": "a", "correct": False}, {"text": "b", "correct": False}],
            }
        ]


def test_defaults_follow_the_spec(ctx: AppContext) -> None:
    with ctx.db.transaction() as s:
        lp = s.query(LearnerProfile).first()
        assert lp is not None
        assert lp.modality_scores == {
            m: 0.5 for m in ("text", "video", "audio", "mindmap", "flashcards", "game", "feed")
        }
        assert (lp.learning_pace, lp.difficulty_comfort, lp.cognitive_style) == (
            "medium",
            "intermediate",
            "mixed",
        )
        assert lp.overall_engagement_score == 0.5
        assert lp.streak_days == 0
        c = s.query(Course).first()
        assert c is not None and c.created_at.tzinfo is not None


def test_timestamps_are_utc_iso_text_and_naive_refused(ctx: AppContext, learner) -> None:  # type: ignore[no-untyped-def]
    with ctx.db.transaction() as s:
        raw = s.execute(text("SELECT created_at FROM courses LIMIT 1")).scalar()
    assert isinstance(raw, str) and raw.endswith("+00:00")
    with pytest.raises(Exception, match="naive"), ctx.db.transaction() as s:
        s.add(
            LearningEvent(
                user_id=learner.id, event_type="module_start", created_at=datetime(2026, 1, 1)
            )
        )
