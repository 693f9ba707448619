"""Learning events the database could not take yet: kept, shown to the learner, saved later.

When a write is refused by the disk (full, read-only, I/O error: ``WriteFailedError``),
``learning.record_event`` does not drop the event. It is queued here and the caller gets
``NotSaved`` (a ``UserError``, so every view shows its message) saying what happened and
where the event is kept:

* durably, in a side journal next to the database (``<db>.unsaved.jsonl``, one JSON line per
  event, fsync'd) whenever that file can be written, e.g. an immutable database in a
  writable folder, or a database locked by its size limit;
* otherwise (the disk is full, the folder is read-only) in memory, for as long as ByteOS runs.

The queue is retried before every new event and on the main window's timer; each event keeps
its client-generated id and time, so saving it again is idempotent, and its progress counts
from the moment it happened. A journal left by an earlier run is read when the database is
next opened and saved on the first retry; once everything is saved the journal is removed.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.services.errors import UserError
from sync.store.column_types import InvalidDocument
from sync.store.database import WriteFailedError

log = logging.getLogger(__name__)


class NotSaved(UserError):
    """The event was not written to the database; it is queued (``durable`` says where)."""

    def __init__(self, message: str, *, event_id: str, durable: bool, kind: str) -> None:
        super().__init__(message)
        self.event_id = event_id
        self.durable = durable
        self.kind = kind


@dataclass(frozen=True)
class PendingEvent:
    id: str
    user_id: str
    event_type: str
    course_id: str | None
    module_id: str | None
    modality: str | None
    duration_secs: int | None
    payload: dict[str, Any] | None
    created_at: datetime

    def to_json(self) -> str:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        return json.dumps(data, default=str, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> PendingEvent:
        data = json.loads(line)
        data["created_at"] = datetime.fromisoformat(data["created_at"])
        return cls(**data)


class PendingWrites:
    """The unsaved events of one database file (thread-safe)."""

    def __init__(self, db_path: Path) -> None:
        self.journal = db_path.with_name(db_path.name + ".unsaved.jsonl")
        self._lock = threading.RLock()
        self._events: list[PendingEvent] = []
        self._durable: set[str] = set()
        self.last_error: str | None = None
        self._listeners: list[Callable[[], None]] = []
        self._load()

    def _load(self) -> None:
        try:
            lines = self.journal.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except OSError:
            log.exception("cannot read %s", self.journal)
            return
        seen: set[str] = set()
        for line in lines:
            try:
                ev = PendingEvent.from_json(line)
            except (ValueError, TypeError, KeyError):
                continue  # a line cut short by a crash: never acknowledged as durable
            if ev.id not in seen:
                seen.add(ev.id)
                self._events.append(ev)
        self._durable = set(seen)

    def __len__(self) -> int:
        with self._lock:
            return len(self._events)

    @property
    def all_durable(self) -> bool:
        with self._lock:
            return all(ev.id in self._durable for ev in self._events)

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` (from any thread) whenever the queue changes; returns an
        unsubscribe function."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _notify(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:  # a view that went away must not break a write
                log.exception("pending-writes listener failed")

    def add(self, event: PendingEvent, reason: str) -> bool:
        """Queue ``event``; returns whether it is also in the durable journal."""
        with self._lock:
            self._events.append(event)
            self.last_error = reason
            durable = self._append_journal(event)
        self._notify()
        return durable

    def _append_journal(self, event: PendingEvent) -> bool:
        try:
            fd = os.open(self.journal, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                data = (event.to_json() + "\n").encode("utf-8")
                if os.write(fd, data) != len(data):
                    raise OSError("short write")
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            return False
        self._durable.add(event.id)
        return True

    def persist(self) -> bool:
        """Journal what is only in memory (e.g. space came back, the database is still
        refused, ByteOS is quitting); returns whether every queued event is durable."""
        with self._lock:
            for ev in self._events:
                if ev.id not in self._durable:
                    self._append_journal(ev)
            return self.all_durable

    def flush(self, write: Callable[[PendingEvent], object]) -> int:
        """Save queued events in order with ``write`` until one fails; returns how many were
        saved. ``write`` must be idempotent for an event already in the database."""
        saved = 0
        with self._lock:
            if not self._events:
                return 0
            while self._events:
                ev = self._events[0]
                try:
                    write(ev)
                except WriteFailedError as err:
                    self.last_error = str(err)
                    break
                except InvalidDocument:
                    log.exception("dropping a queued event the database refuses: %s", ev)
                except Exception as err:  # e.g. its learner is not in this database
                    log.exception("cannot save queued event %s; it stays queued", ev.id)
                    self.last_error = f"could not be saved: {err}"
                    break
                self._events.pop(0)
                saved += 1
            if not self._events:
                self.last_error = None
                self._durable.clear()
                try:
                    self.journal.unlink(missing_ok=True)
                except OSError:
                    log.warning("could not remove %s (its events are saved)", self.journal)
        if saved:
            self._notify()
        return saved

    def message(self) -> str:
        """What to tell the learner about the queue ("" when it is empty)."""
        with self._lock:
            n = len(self._events)
            if not n:
                return ""
            where = (
                f"kept in {self.journal.name}"
                if self.all_durable
                else "kept in memory while ByteOS stays open"
            )
            what = "1 learning event is" if n == 1 else f"{n} learning events are"
            return (
                f"Not saved: {what} waiting ({self.last_error or 'the database refused it'}); "
                f"{where} and saved as soon as the database can be written."
            )


_QUEUES: dict[Path, PendingWrites] = {}
_QUEUES_LOCK = threading.Lock()


def queue_for(db_path: Path) -> PendingWrites:
    """The one queue of this database file in this process."""
    key = db_path.resolve()
    with _QUEUES_LOCK:
        queue = _QUEUES.get(key)
        if queue is None:
            queue = _QUEUES[key] = PendingWrites(key)
        return queue


def forget(db_path: Path) -> None:
    """Drop the in-memory queue of a file (tests; a file moved aside)."""
    with _QUEUES_LOCK:
        _QUEUES.pop(db_path.resolve(), None)
