"""Opening, checking and migrating the local SQLite database.

The mirror lives in the user data directory (platformdirs), in WAL mode with foreign keys on
and ``synchronous=FULL``: a transaction that has returned survives a crash of the process or
of the machine. Opening a database runs its Alembic migrations; an older file is copied aside
before it is migrated, so an upgrade can never lose a user's data.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from sync.store.column_types import InvalidDocument, utcnow

if TYPE_CHECKING:
    from sync.outbox import Capture

APP_NAME = "ByteOS"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class DatabaseError(RuntimeError):
    """The database file cannot be used; the message says why in words a user understands."""


class CorruptDatabaseError(DatabaseError):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The database at {path} is damaged or is not a ByteOS database ({detail}). "
            "Nothing has been changed in it."
        )
        self.path = path


class NewerDatabaseError(DatabaseError):
    pass


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "byteos.db"


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _on_connect)
    return engine


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_file(path: Path) -> None:
    """Refuse a file that is not a healthy SQLite database, without writing to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("PRAGMA quick_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        raise CorruptDatabaseError(path, str(err)) from err
    if row is None or row[0] != "ok":
        raise CorruptDatabaseError(path, f"integrity check: {row[0] if row else 'no answer'}")


def upgrade(path: Path, revision: str = "head") -> Path | None:
    """Create or migrate the database at ``path``; returns the backup made, if any."""
    path.parent.mkdir(parents=True, exist_ok=True)
    check_file(path)
    engine = make_engine(path)
    try:
        current = current_revision(engine)
        script = ScriptDirectory.from_config(alembic_config())
        known = {rev.revision for rev in script.walk_revisions()}
        if current is not None and current not in known:
            raise NewerDatabaseError(
                f"The database at {path} was written by a newer ByteOS (schema {current}). "
                "Update ByteOS to open it; nothing has been changed."
            )
        backup: Path | None = None
        target = head_revision() if revision == "head" else revision
        if current is not None and current != target:
            stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
            backup = path.with_name(f"{path.name}.before-{target}-{stamp}.bak")
            _backup(engine, backup)
        command.upgrade(alembic_config(engine), revision)
        return backup
    finally:
        engine.dispose()


def _backup(engine: Engine, dest: Path) -> None:
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(dest)
        try:
            raw.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            target.close()
    finally:
        raw.close()


@dataclass
class Database:
    """An open, migrated local mirror."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    capture: Capture | None = None
    """Records every change to a synced table in the outbox (``sync.outbox``)."""

    @classmethod
    def open(cls, path: Path | None = None) -> Database:
        from sync.outbox import install_capture

        path = path or default_db_path()
        upgrade(path)
        engine = make_engine(path)
        sessions = sessionmaker(engine, expire_on_commit=False)
        return cls(path, engine, sessions, install_capture(sessions))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error.

        A JSON document refused by its column arrives wrapped in SQLAlchemy's
        ``StatementError``; it is re-raised as the ``InvalidDocument`` it is, so callers can
        show its message.
        """
        try:
            with self.sessions.begin() as session:
                yield session
        except StatementError as err:
            if isinstance(err.orig, InvalidDocument):
                raise err.orig from None
            raise

    def close(self) -> None:
        self.engine.dispose()


def move_aside(path: Path) -> Path:
    """Keep a damaged database file (and its WAL) under a new name; returns the new path."""
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    dest = path.with_name(f"{path.name}.damaged-{stamp}")
    shutil.move(path, dest)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            shutil.move(side, dest.with_name(dest.name + suffix))
    return dest
