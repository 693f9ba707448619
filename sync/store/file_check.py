"""What a file is, found out without writing to it or next to it, and the errors that say so.

Why apart from ``database``: deciding whether a file may be touched at all (new, ours, a
creation an older ByteOS did not finish, another program's, damaged, newer) is read-only
work that must be right before anything opens the file for writing; keeping it here keeps
``database`` to opening, migrating and transactions. See ``sync.store.database`` for the
rules; everything here is re-exported there.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

# read from the migration files as text: checking a file's version never imports Alembic
from sync.store.revisions import head_revision as head_revision
from sync.store.revisions import known_revisions as known_revisions

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
APPLICATION_ID = 0x42797465  # "Byte": PRAGMA application_id of every ByteOS database
SQLITE_MAGIC = b"SQLite format 3\x00"
# primary SQLite result codes (sqlite3.Error.sqlite_errorcode & 0xFF)
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL = 8, 10, 11, 13
_SQLITE_CANTOPEN, _SQLITE_NOTADB = 14, 26


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's configuration for the migrations folder (imports Alembic: migrating only)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def byteos_tables() -> frozenset[str]:
    from sync.store.models import Base

    return frozenset(Base.metadata.tables) | {"alembic_version"}


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


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?{mode}"


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
