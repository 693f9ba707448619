"""Opening, checking and migrating the local SQLite database.

The mirror lives in the user data directory (platformdirs), in WAL mode with foreign keys on
and ``synchronous=FULL``: a transaction that has returned survives a crash of the process or
of the machine. Opening a database runs its Alembic migrations; an older file is copied aside
before it is migrated, so an upgrade can never lose a user's data.

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

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from sync.store.column_types import InvalidDocument, utcnow

if TYPE_CHECKING:
    from sync.outbox import Capture

APP_NAME = "ByteOS"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
APPLICATION_ID = 0x42797465  # "Byte": PRAGMA application_id of every ByteOS database
SQLITE_MAGIC = b"SQLite format 3\x00"

# primary SQLite result codes (sqlite3.Error.sqlite_errorcode & 0xFF)
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL = 8, 10, 11, 13
_SQLITE_CANTOPEN, _SQLITE_NOTADB = 14, 26


class DatabaseError(RuntimeError):
    """The database file cannot be used; the message says why in words a user understands."""


class CorruptDatabaseError(DatabaseError):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The database at {path} is damaged or is not a ByteOS database ({detail}). "
            "Nothing has been changed in it."
        )
        self.path = path


class ForeignDatabaseError(DatabaseError):
    """An SQLite file that belongs to another program: never written, never moved."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"{path} is not a ByteOS database: it is another program's SQLite file "
            f"({detail}). ByteOS has not changed it; choose another file with --db."
        )
        self.path = path


class NewerDatabaseError(DatabaseError):
    pass


class ReadOnlyDatabaseError(DatabaseError):
    """The file cannot be written and ByteOS would have to write it (create or migrate)."""


class WriteFailedError(DatabaseError):
    """A write did not happen (disk full, read-only, I/O error); nothing of it was stored."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # "full" | "read-only" | "io"


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


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?{mode}"


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


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def byteos_tables() -> frozenset[str]:
    from sync.store.models import Base

    return frozenset(Base.metadata.tables) | {"alembic_version"}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _writable(path: Path) -> bool:
    folder = path.parent
    if path.exists():
        return os.access(path, os.W_OK) and os.access(folder, os.W_OK)
    return os.access(folder, os.W_OK)


@dataclass(frozen=True)
class FileState:
    kind: str  # "new" | "ours" | "half_made"
    revision: str | None
    application_id: int
    writable: bool


Query = Callable[[str], list[tuple[Any, ...]]]


def _classify(path: Path, q: Query) -> tuple[str, str | None, int]:
    """What the file behind ``q`` is: ("new"|"ours"|"half_made", revision, application_id).
    Raises ``ForeignDatabaseError`` or ``NewerDatabaseError``; reads only."""
    app_id = int(q("PRAGMA application_id")[0][0])
    user_version = int(q("PRAGMA user_version")[0][0])
    tables = {
        str(r[0])
        for r in q("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not str(r[0]).startswith("sqlite_")
    }
    revision: str | None = None
    if "alembic_version" in tables:
        rows = q("SELECT version_num FROM alembic_version")
        revision = str(rows[0][0]) if rows else None
    ours_tables = byteos_tables()
    looks_ours = tables <= ours_tables
    known = known_revisions()

    def all_empty() -> bool:
        return all(not q(f'SELECT 1 FROM "{t}" LIMIT 1') for t in tables)

    if app_id not in (0, APPLICATION_ID):
        raise ForeignDatabaseError(path, f"application id {app_id:#010x}")
    if not tables:
        if app_id == APPLICATION_ID or user_version == 0:
            return "new", None, app_id
        raise ForeignDatabaseError(path, f"user version {user_version}, no tables")
    if revision is not None and (
        app_id == APPLICATION_ID or (looks_ours and "local_users" in tables)
    ):
        if revision not in known:
            raise NewerDatabaseError(
                f"The database at {path} was written by a newer ByteOS (schema {revision}). "
                "Update ByteOS to open it; nothing has been changed."
            )
        return "ours", revision, app_id
    if revision is None and looks_ours and all_empty():
        return "half_made", None, app_id
    if app_id == APPLICATION_ID:
        raise sqlite3.DatabaseError("its schema version is missing")  # reported as damaged
    shown = ", ".join(sorted(tables - ours_tables)[:4] or sorted(tables)[:4])
    raise ForeignDatabaseError(path, f"tables {shown}")


def _quick_check(conn: sqlite3.Connection) -> None:
    conn.text_factory = lambda b: b.decode("utf-8", "replace")
    row = conn.execute("PRAGMA quick_check").fetchone()
    if row is None or row[0] != "ok":
        detail = str(row[0]) if row else "no answer"
        raise sqlite3.DatabaseError(f"integrity check: {detail[:200]}")


def _inspect_connection(path: Path, conn: sqlite3.Connection) -> tuple[str, str | None, int]:
    _quick_check(conn)
    return _classify(path, lambda sql: conn.execute(sql).fetchall())


def inspect_file(path: Path) -> FileState:
    """Find out what ``path`` is, without writing to it or next to it (see module doc)."""
    writable = _writable(path)
    if not path.exists() or path.stat().st_size == 0:
        return FileState("new", None, 0, writable)
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as err:
        raise CorruptDatabaseError(path, f"cannot be read: {err.strerror or err}") from err
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise CorruptDatabaseError(path, "file is not a database")
    ours = int.from_bytes(header[68:72], "big") == APPLICATION_ID
    try:
        kind, revision, app_id = _inspect(path, ours)
    except (ForeignDatabaseError, NewerDatabaseError):
        raise
    except Exception as err:  # whatever the check trips over, the file is damaged
        detail = str(err) if isinstance(err, sqlite3.Error) else f"{type(err).__name__}: {err}"
        raise CorruptDatabaseError(path, detail[:300]) from err
    return FileState(kind, revision, app_id, writable)


def _inspect(path: Path, ours: bool) -> tuple[str, str | None, int]:
    wal = path.with_name(path.name + "-wal")
    if ours and wal.exists():  # our own file with a WAL to read (may create its -shm)
        try:
            conn = sqlite3.connect(_uri(path, "mode=ro"), uri=True)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as err:
            if _sqlite_code(err) not in (_SQLITE_CANTOPEN, _SQLITE_READONLY):
                raise
            conn = sqlite3.connect(_uri(path, "immutable=1"), uri=True)
    else:  # no WAL, or maybe another program's file: nothing may appear next to it
        conn = sqlite3.connect(_uri(path, "immutable=1"), uri=True)
    try:
        found = _inspect_connection(path, conn)
    finally:
        conn.close()
    if found[0] == "new" and not ours and wal.exists() and wal.stat().st_size > 0:
        # empty main file, content in the WAL: look at a copy with its WAL applied
        with tempfile.TemporaryDirectory(prefix="byteos-inspect-") as tmp:
            copy = Path(tmp) / "copy.db"
            shutil.copyfile(path, copy)
            shutil.copyfile(wal, Path(tmp) / "copy.db-wal")
            conn = sqlite3.connect(copy)
            try:
                kind, revision, app_id = _inspect_connection(path, conn)
            finally:
                conn.close()
            return kind, revision, app_id
    return found


def check_file(path: Path) -> None:
    """Refuse a file that is damaged or not ours, without writing to it."""
    inspect_file(path)


def _sqlite_code(err: BaseException) -> int:
    orig = getattr(err, "orig", err)
    return int(getattr(orig, "sqlite_errorcode", 0) or 0) & 0xFF


def write_failure(err: BaseException, path: Path) -> WriteFailedError | None:
    """The ``WriteFailedError`` a driver error stands for, if it is one the disk caused."""
    code = _sqlite_code(err)
    if code == _SQLITE_FULL:
        return WriteFailedError(f"the disk holding {path} is full", "full")
    if code == _SQLITE_READONLY:
        return WriteFailedError(f"the database {path} is read-only", "read-only")
    if code in (_SQLITE_IOERR, _SQLITE_CANTOPEN):
        return WriteFailedError(f"the disk reported an error writing {path}", "io")
    return None


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
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            now = MigrationContext.configure(conn).get_current_revision()
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
