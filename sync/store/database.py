"""Opening, checking and migrating the local SQLite database.

The mirror lives in the user data directory (platformdirs), in WAL mode with foreign keys on
and ``synchronous=FULL``: a transaction that has returned survives a crash of the process or
of the machine. Opening a database runs its Alembic migrations; an older file is copied aside
before it is migrated, so an upgrade can never lose a user's data. Whether there is anything to
migrate is one read of ``alembic_version`` compared with the head revision read from the
migration files (``sync.store.revisions``); Alembic itself is imported only to migrate, as it
costs more start-up time than everything else the open does.

What a file is decides what ByteOS may do with it (``inspect_file``), and it is found out
without writing anything (another program's WAL file is read with ``immutable=1``, so not even
a ``-wal``/``-shm`` appears next to it):

* missing, empty, or an SQLite file with no schema at all: new, ByteOS creates its schema;
* ``PRAGMA application_id`` is ByteOS's (set on every file ByteOS creates or migrates), or,
  for files that predate it, ``alembic_version`` holds a ByteOS revision and every table is a
  ByteOS table: ours, migrated to head;
* only empty ByteOS tables and no revision: a creation that an older ByteOS did not finish
  (it was not atomic); it is rebuilt;
* anything else is another program's file and is refused untouched
  (``ForeignDatabaseError``); a file SQLite cannot read or whose check fails in any way is
  damaged (``CorruptDatabaseError``).

Every migration, the first one included, runs in one SQLite transaction (``BEGIN IMMEDIATE``
with pysqlite's own transaction handling turned off, so DDL is transactional): a kill leaves
the file as it was before or at the new revision, never in between.

A file that cannot be written (read-only file system, immutable or read-only file, folder
that is not writable) is opened read-only when it is ours and at head; ``Database.read_only``
says so and every write fails with ``WriteFailedError``, as does a write that the disk cannot
take (full, I/O error).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from sync.store.column_types import InvalidDocument, utcnow
from sync.store.file_check import (
    _SQLITE_CORRUPT,
    _SQLITE_NOTADB,
    APPLICATION_ID,
    MIGRATIONS_DIR,
    SQLITE_MAGIC,
    CorruptDatabaseError,
    DatabaseError,
    FileState,
    ForeignDatabaseError,
    NewerDatabaseError,
    Query,
    ReadOnlyDatabaseError,
    WriteFailedError,
    _classify,
    _sqlite_code,
    _uri,
    alembic_config,
    byteos_tables,
    check_file,
    head_revision,
    inspect_file,
    known_revisions,
    write_failure,
)
from sync.store.paths import APP_NAME, default_db_path

if TYPE_CHECKING:
    from sync.outbox import Capture

# names of the file check are part of this module's API (callers import them from here)
__all__ = [
    "APPLICATION_ID",
    "APP_NAME",
    "MIGRATIONS_DIR",
    "SQLITE_MAGIC",
    "CorruptDatabaseError",
    "Database",
    "DatabaseError",
    "FileState",
    "ForeignDatabaseError",
    "NewerDatabaseError",
    "Query",
    "ReadOnlyDatabaseError",
    "WriteFailedError",
    "alembic_config",
    "byteos_tables",
    "check_file",
    "current_revision",
    "default_db_path",
    "head_revision",
    "inspect_file",
    "known_revisions",
    "make_engine",
    "move_aside",
    "prepare",
    "upgrade",
    "write_failure",
]


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


def _read_only_engine(path: Path) -> Engine:
    """Reads only. ``mode=ro`` sees the WAL when its ``-shm`` exists or can be made; on
    read-only media without one, ``immutable=1`` reads the file as it is."""
    uri = _uri(path, "mode=ro")
    try:
        probe = sqlite3.connect(uri, uri=True)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            probe.close()
    except sqlite3.Error:
        uri = _uri(path, "immutable=1")

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        return conn

    return create_engine("sqlite://", creator=connect, poolclass=QueuePool, future=True)


def _migration_engine(path: Path) -> Engine:
    """An engine whose transactions are real SQLite transactions, DDL included."""
    engine = make_engine(path)

    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # pysqlite must not commit around DDL

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _read_revision(conn: Connection) -> str | None:
    """The file's schema revision read from ``alembic_version`` as Alembic keeps it (without
    importing Alembic); ``None`` when it has none (no such table, or no row)."""
    has_table = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if has_table is None:
        return None
    row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    return None if row is None else str(row[0])


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _read_revision(conn)


def _user_version(revision: str | None) -> int:
    return int(revision) if revision and revision.isdigit() else 0


def upgrade(path: Path, revision: str = "head") -> Path | None:
    """Create or migrate the database at ``path``; returns the backup made, if any."""
    return prepare(path, revision)[1]


def prepare(path: Path, revision: str = "head") -> tuple[FileState, Path | None]:
    """``upgrade``, also returning what the file is now (``writable`` False: read-only)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReadOnlyDatabaseError(
            f"ByteOS cannot create the folder {path.parent}: {err.strerror or err}."
        ) from err
    state = inspect_file(path)
    target = head_revision() if revision == "head" else revision
    if state.kind == "ours" and state.revision == target and state.application_id:
        return state, None  # nothing to do: nothing written
    if not state.writable:
        if state.kind == "ours" and state.revision == target:
            return state, None
        what = "created" if state.kind != "ours" else f"upgraded from schema {state.revision}"
        raise ReadOnlyDatabaseError(
            f"The database at {path} is read-only and must be {what} before ByteOS can use "
            "it; nothing has been changed. Open it from a place ByteOS can write to."
        )
    backup: Path | None = None
    if state.kind == "ours" and state.revision != target:
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        backup = path.with_name(f"{path.name}.before-{target}-{stamp}.bak")
        engine = make_engine(path)
        try:
            _backup(engine, backup)
        finally:
            engine.dispose()
    _migrate(path, state, revision)
    return FileState("ours", target, APPLICATION_ID, True), backup


def _migrate(path: Path, state: FileState, revision: str) -> None:
    engine = _migration_engine(path)
    try:
        with engine.begin() as conn:  # BEGIN IMMEDIATE ... COMMIT: all or nothing
            kind, _rev, _app = _classify(path, lambda sql: list(conn.exec_driver_sql(sql)))
            if kind == "half_made":
                tables = [
                    str(r[0])
                    for r in conn.exec_driver_sql(
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%'"
                    )
                ]
                for name in tables:
                    conn.exec_driver_sql(f'DROP TABLE "{name}"')
            from alembic import command  # only here: importing it is most of a start-up

            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            now = _read_revision(conn)
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.exec_driver_sql(f"PRAGMA user_version = {_user_version(now)}")
    except DBAPIError as err:
        failure = write_failure(err, path)
        if failure is not None:
            raise DatabaseError(
                f"ByteOS could not prepare the database at {path}: {failure}. "
                "Nothing has been changed in it."
            ) from err
        if _sqlite_code(err) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            raise CorruptDatabaseError(path, str(err.orig)) from err
        raise
    except sqlite3.DatabaseError as err:
        raise CorruptDatabaseError(path, str(err)) from err
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
    read_only: bool = False
    """The file cannot be written: reads work, every write raises ``WriteFailedError``."""

    @classmethod
    def open(cls, path: Path | None = None) -> Database:
        from sync.outbox import install_capture

        path = path or default_db_path()
        state, _backup_made = prepare(path)
        engine = make_engine(path) if state.writable else _read_only_engine(path)
        sessions = sessionmaker(engine, expire_on_commit=False)
        return cls(path, engine, sessions, install_capture(sessions), not state.writable)

    @property
    def read_only_reason(self) -> str:
        return (
            f"The database at {self.path} is read-only: your courses and progress are shown, "
            "but nothing new can be saved to it."
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error.

        A JSON document refused by its column arrives wrapped in SQLAlchemy's
        ``StatementError``; it is re-raised as the ``InvalidDocument`` it is, so callers can
        show its message. A write the disk refused (full, read-only, I/O error) is raised as
        ``WriteFailedError``; the transaction left nothing behind.
        """
        try:
            with self.sessions.begin() as session:
                yield session
        except StatementError as err:
            if isinstance(err.orig, InvalidDocument):
                raise err.orig from None
            failure = write_failure(err, self.path)
            if failure is not None:
                raise failure from err
            raise

    def close(self) -> None:
        self.engine.dispose()


def move_aside(path: Path) -> Path:
    """Keep a damaged database file (its WAL, and the events it could not take) under a new
    name; returns the new path."""
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    dest = path.with_name(f"{path.name}.damaged-{stamp}")
    shutil.move(path, dest)
    for suffix in ("-wal", "-shm", ".unsaved.jsonl"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            shutil.move(side, dest.with_name(dest.name + suffix))
    return dest
