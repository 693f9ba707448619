"""Creating, upgrading and refusing database files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.services import accounts, learning
from app.services.context import AppContext
from sync.store.database import (
    CorruptDatabaseError,
    Database,
    NewerDatabaseError,
    current_revision,
    head_revision,
    make_engine,
    move_aside,
    upgrade,
)

FIRST = "0001"


def _seed_first_revision(path: Path) -> None:
    """A database as the first release wrote it, with a learner and an event, in raw SQL."""
    upgrade(path, FIRST)
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO organisations (id, name, slug, plan) VALUES ('o1','Old','old','free')"
        )
        con.execute("INSERT INTO local_users (id, email) VALUES ('u1', 'old@example.org')")
        con.execute(
            "INSERT INTO profiles (id, full_name, role, org_id) "
            "VALUES ('u1','Old Learner','learner','o1')"
        )
        con.execute(
            "INSERT INTO learning_events (id, user_id, event_type, modality, created_at) "
            "VALUES ('e1','u1','streak_maintained','text','2026-01-02T03:04:05.000000+00:00')"
        )
    con.close()


def test_fresh_database_is_at_head(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    assert upgrade(path) is None
    engine = make_engine(path)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_old_database_upgrades_on_open_without_losing_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _seed_first_revision(path)
    engine = make_engine(path)
    assert current_revision(engine) == FIRST
    engine.dispose()

    ctx = AppContext.open(path, tmp_path / "assets")  # what the app does on start
    try:
        assert current_revision(ctx.db.engine) == head_revision()
        [old] = accounts.list_profiles(ctx.db)
        assert old.full_name == "Old Learner"
        user = accounts.sign_in(ctx.db, old.id)
        learning.record_event(ctx, user, "streak_maintained")
        with ctx.db.engine.connect() as conn:
            n = conn.exec_driver_sql("SELECT count(*) FROM learning_events").scalar()
            idx = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list('learning_events')")}
        assert n == 2
        assert "ix_learning_events_user_created" in idx
    finally:
        ctx.close()
    backups = list(tmp_path.glob("old.db.before-*.bak"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT count(*) FROM learning_events").fetchone() == (1,)
    con.close()


def test_corrupt_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    garbage = b"this is not a database" * 300
    path.write_bytes(garbage)
    with pytest.raises(CorruptDatabaseError, match="damaged"):
        Database.open(path)
    assert path.read_bytes() == garbage
    kept = move_aside(path)
    assert kept.read_bytes() == garbage and not path.exists()
    Database.open(path).close()  # a fresh one can now be made


def test_truncated_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.db"
    upgrade(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(CorruptDatabaseError):
        upgrade(path)


def test_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    upgrade(path)
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.close()
    with pytest.raises(NewerDatabaseError, match="newer ByteOS"):
        upgrade(path)
