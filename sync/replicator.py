"""Push the outbox, pull the server's changes, merge, and never lose or duplicate a row.

Push (table by table in foreign-key order):

* append-only rows (learning events) go up in batches as ``INSERT ... ON CONFLICT (id) DO
  NOTHING``: a batch whose response was lost is simply sent again and changes nothing;
* a new editable row goes up the same way; an existing one as a compare-and-set update
  (``... WHERE id = ? AND sync_seq = <the server version this device last saw>``). If the
  server moved on, the device fetches the server's row, merges field by field
  (``sync.merge``) and tries again with the new version;
* a delete is compare-and-set too: a delete loses to an edit it has not seen (the edited row
  comes back, and the deletion is listed as a conflict);
* an outbox entry is removed only after the server has acknowledged the row, and only up to
  the entry that was read, so an edit made during a push is pushed next time.

Pull (table by table in foreign-key order): ``sync_pull(table, cursor)`` returns rows and
tombstones in server change order; each page is applied in one local transaction together
with the new cursor, so a pull cut at any point leaves the mirror consistent and resumes where
it stopped. A row whose parent has not arrived yet stops that table's page; the next pass
picks it up.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy import Table, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from sync.merge import merge_rows
from sync.outbox import APPLYING, read_state, write_state
from sync.remote.client import AuthExpired, Refused, Remote, RemoteSession, Row, TransientError
from sync.store.column_types import InvalidDocument, UTCDateTime, utcnow
from sync.store.database import Database
from sync.store.models import (
    Base,
    LocalUser,
    Profile,
    SyncConflict,
    SyncCursor,
    SyncOutbox,
    SyncRowMeta,
)
from sync.tables import ORDER, SPECS, TableSpec

T = TypeVar("T")
MAX_FK_ATTEMPTS = 5
MODULE_REFERENCES = ("learning_events", "ai_interactions")
COURSE_REFERENCES = ("learning_events", "enrollments", "ai_interactions")


class Control(Protocol):
    def progress(self, fraction: float, message: str = "") -> None: ...


class _NoControl:
    def progress(self, fraction: float, message: str = "") -> None:
        pass


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: int = 0
    pending: int = 0
    event_courses: set[tuple[str, str]] = field(default_factory=set)
    """(learner, course) pairs whose events arrived: their enrolments need recomputing."""
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 5.0


@dataclass
class _Row:
    table: str
    row_id: str
    op: str
    max_entry: int


# -- converting rows between the local mirror and the wire -----------------------------------


def table_of(name: str) -> Table:
    return Base.metadata.tables[name]


def to_wire(table: Table, row: dict[str, Any]) -> Row:
    out: Row = {}
    for col in table.c:
        value = row.get(col.name)
        out[col.name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def from_wire(table: Table, row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in table.c:
        if col.name not in row:
            continue
        value = row[col.name]
        if isinstance(col.type, UTCDateTime) and isinstance(value, str):
            value = datetime.fromisoformat(value)
        out[col.name] = value
    return out


def wire_equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str) and a != b:
        try:
            return datetime.fromisoformat(a) == datetime.fromisoformat(b)
        except ValueError:
            return False
    return bool(a == b)


class Replicator:
    def __init__(
        self,
        db: Database,
        remote: Remote,
        account_id: str,
        *,
        push_batch: int = 500,
        pull_page: int = 1000,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_session: Callable[[RemoteSession], None] | None = None,
    ) -> None:
        self.db = db
        self.remote = remote
        self.account_id = account_id
        self.push_batch = push_batch
        self.pull_page = pull_page
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.on_session = on_session
        self.report = SyncReport()
        self._control: Control = _NoControl()

    # -- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def _applying(self) -> Iterator[Session]:
        with self.db.transaction() as s:
            s.info[APPLYING] = True
            try:
                yield s
            finally:
                s.info.pop(APPLYING, None)

    def _call(self, fn: Callable[[], T]) -> T:
        """Run one remote call, retrying transient failures with jittered exponential backoff."""
        refreshed = False
        for attempt in range(self.retry.attempts):
            self._control.progress(self._fraction, self._message)
            try:
                return fn()
            except TransientError:
                if attempt == self.retry.attempts - 1:
                    raise
                delay = min(self.retry.max_delay, self.retry.base_delay * 2**attempt)
                self.sleep(delay * (0.5 + random.random() / 2))
            except AuthExpired:
                if refreshed:
                    raise
                session = self.remote.refresh()
                refreshed = True
                if self.on_session is not None:
                    self.on_session(session)
        raise AssertionError("unreachable")

    _fraction = 0.0
    _message = ""

    def _say(self, fraction: float, message: str) -> None:
        self._fraction, self._message = fraction, message
        self._control.progress(fraction, message)

    def my_org(self) -> str | None:
        with self.db.transaction() as s:
            return s.scalar(select(Profile.org_id).where(Profile.id == self.account_id))

    # -- the whole exchange -------------------------------------------------------------------
    def run(self, control: Control | None = None) -> SyncReport:
        self._control = control or _NoControl()
        self.report = SyncReport()
        self._say(0.0, "Receiving changes…")
        with contextlib.suppress(TransientError):  # still worth sending what is queued
            self.pull_all(0.0, 0.5)
        self._say(0.5, "Sending changes…")
        self.push_all(0.5, 0.95)
        self._say(0.95, "Receiving changes…")
        self.pull_all(0.95, 1.0)
        self.report.pending = self.pending_count()
        self.report.finished_at = utcnow()
        with self._applying() as s:
            write_state(s, f"last_sync:{self.account_id}", self.report.finished_at.isoformat())
        self._say(1.0, "Up to date")
        return self.report

    def my_role(self) -> str | None:
        with self.db.transaction() as s:
            return s.scalar(select(Profile.role).where(Profile.id == self.account_id))

    def _in_scope(self) -> Any:
        """The outbox entries this account pushes: changes it made to its own rows (not
        those another account made to them on this device), changes it made to someone
        else's managed row (``author_id``), and its organisation's rows of no user."""
        org = self.my_org()
        me = self.account_id
        mine = ((SyncOutbox.user_id == me) & SyncOutbox.author_id.is_(None)) | (
            SyncOutbox.author_id == me
        )
        if org is None:
            return mine
        return mine | (SyncOutbox.user_id.is_(None) & (SyncOutbox.org_id == org))

    def pending_count(self) -> int:
        with self.db.transaction() as s:
            return int(
                s.scalar(
                    select(func.count(func.distinct(SyncOutbox.table_name + SyncOutbox.row_id)))
                    .where(SyncOutbox.state == "pending")
                    .where(self._in_scope())
                )
                or 0
            )

    # -- push ---------------------------------------------------------------------------------
    def _pending_rows(self) -> list[_Row]:
        with self.db.transaction() as s:
            q = (
                select(
                    SyncOutbox.table_name,
                    SyncOutbox.row_id,
                    SyncOutbox.op,
                    SyncOutbox.id,
                )
                .where(SyncOutbox.state == "pending")
                .where(self._in_scope())
                .order_by(SyncOutbox.id)
            )
            rows: dict[tuple[str, str], _Row] = {}
            for table, row_id, op, entry in s.execute(q):
                rows[(table, row_id)] = _Row(table, row_id, op, entry)  # the last op wins
        return sorted(rows.values(), key=lambda r: (ORDER[r.table], r.max_entry))

    def _done(self, s: Session, row: _Row) -> None:
        s.execute(
            delete(SyncOutbox).where(
                SyncOutbox.table_name == row.table,
                SyncOutbox.row_id == row.row_id,
                SyncOutbox.id <= row.max_entry,
            )
        )

    def _fail(self, row: _Row, err: Refused) -> None:
        with self._applying() as s:
            cond = and_(
                SyncOutbox.table_name == row.table,
                SyncOutbox.row_id == row.row_id,
                SyncOutbox.id <= row.max_entry,
            )
            attempts = s.scalar(select(func.max(SyncOutbox.attempts)).where(cond)) or 0
            # a missing parent may arrive later (pushed by someone else): retry a few times
            final = err.code != "23503" or attempts + 1 >= MAX_FK_ATTEMPTS
            s.execute(
                update(SyncOutbox)
                .where(cond)
                .values(
                    attempts=SyncOutbox.attempts + 1,
                    last_error=str(err),
                    state="rejected" if final else "pending",
                )
            )
        if final:
            self.report.rejected += 1

    def _local(self, s: Session, table: str, row_id: str) -> dict[str, Any] | None:
        t = table_of(table)
        found = s.execute(select(t).where(t.c.id == row_id)).first()
        return dict(found._mapping) if found else None

    def _meta(self, s: Session, table: str, row_id: str) -> SyncRowMeta:
        meta = s.get(SyncRowMeta, (table, row_id))
        if meta is None:
            meta = SyncRowMeta(table_name=table, row_id=row_id, field_clocks={}, base_clocks={})
            s.add(meta)
        return meta

    def push_all(self, lo: float = 0.0, hi: float = 1.0) -> None:
        rows = self._pending_rows()
        total = max(1, len(rows))
        done = 0
        role = self.my_role()
        for spec in SPECS:
            mine = [r for r in rows if r.table == spec.name]
            if not mine:
                continue
            if role is not None and not spec.pushable_by(role):
                # e.g. a certification made on a learner's device: never sent (the server
                # would refuse it too), kept and listed as rejected with the reason. (With
                # the role not known yet, the server decides.)
                for row in mine:
                    why = (
                        f"only {' or '.join(sorted(spec.writers or ()))} accounts send {spec.name}"
                    )
                    self._fail(row, Refused("42501", why))
                done += len(mine)
                continue
            upserts = [r for r in mine if r.op == "upsert"]
            deletes = [r for r in mine if r.op == "delete"]
            for i in range(0, len(upserts), self.push_batch):
                chunk = upserts[i : i + self.push_batch]
                self._push_new(spec, chunk)
                done += len(chunk)
                self._say(lo + (hi - lo) * done / total, f"Sending {spec.name}…")
            for row in deletes:
                self._push_delete(spec, row)
                done += 1

    def _push_new(self, spec: TableSpec, chunk: list[_Row]) -> None:
        """Insert the rows the server has not seen; the others go through compare-and-set."""
        t = table_of(spec.name)
        payload: list[Row] = []
        fresh: list[_Row] = []
        existing: list[_Row] = []
        ids = [r.row_id for r in chunk]
        with self.db.transaction() as s:
            rows = {r.id: dict(r._mapping) for r in s.execute(select(t).where(t.c.id.in_(ids)))}
            metas = (
                {}
                if spec.append_only
                else {
                    m.row_id: m
                    for m in s.scalars(
                        select(SyncRowMeta).where(
                            SyncRowMeta.table_name == spec.name, SyncRowMeta.row_id.in_(ids)
                        )
                    )
                }
            )
            for row in chunk:
                local = rows.get(row.row_id)
                if local is None:  # deleted again before it was ever pushed
                    self._done(s, row)
                    continue
                meta = metas.get(row.row_id)
                if meta is not None and meta.server_seq is not None:
                    existing.append(row)
                    continue
                wire = to_wire(t, local)
                wire["field_clocks"] = dict(meta.field_clocks) if meta is not None else {}
                payload.append(wire)
                fresh.append(row)
        if payload:
            try:
                inserted = self._call(
                    lambda: self.remote.insert_ignore(
                        spec.name, payload, returning=not spec.append_only
                    )
                )
            except Refused:
                if len(payload) == 1:
                    existing.extend(fresh)  # let the one-row path say exactly what is wrong
                    fresh = []
                else:
                    half = len(chunk) // 2
                    self._push_new(spec, chunk[:half])
                    self._push_new(spec, chunk[half:])
                    return
            else:
                by_id = {r["id"]: r for r in inserted}
                sent = {p["id"]: p for p in payload}
                with self._applying() as s:
                    if spec.append_only and fresh:
                        # inserted once, never edited: each row has exactly one entry
                        s.execute(
                            delete(SyncOutbox).where(
                                SyncOutbox.table_name == spec.name,
                                SyncOutbox.row_id.in_([r.row_id for r in fresh]),
                                SyncOutbox.id <= max(r.max_entry for r in fresh),
                            )
                        )
                        self.report.pushed += len(fresh)
                        fresh = []
                    for row in fresh:
                        server = by_id.get(row.row_id)
                        if server is not None:
                            meta = self._meta(s, spec.name, row.row_id)
                            meta.server_seq = int(server["sync_seq"])
                            meta.base_clocks = dict(sent[row.row_id]["field_clocks"])
                            self._done(s, row)
                            self.report.pushed += 1
                        else:
                            existing.append(row)
        for row in existing:
            try:
                self._push_one(spec, row)
            except Refused as err:
                self._fail(row, err)

    def _rekey(self, s: Session, table: str, old_id: str, new_id: str) -> None:
        """Give the local row the server's id: two devices made the same natural-key row."""
        t = table_of(table)
        s.execute(update(t).where(t.c.id == old_id).values(id=new_id))
        s.execute(
            update(SyncOutbox)
            .where(SyncOutbox.table_name == table, SyncOutbox.row_id == old_id)
            .values(row_id=new_id)
        )
        old_meta = s.get(SyncRowMeta, (table, old_id))
        if old_meta is not None:
            clocks = dict(old_meta.field_clocks)
            s.delete(old_meta)
            s.flush()
            meta = self._meta(s, table, new_id)
            meta.field_clocks = clocks

    def _server_row(self, spec: TableSpec, row_id: str, local: dict[str, Any]) -> Row | None:
        found = self._call(lambda: self.remote.get(spec.name, id=row_id))
        if found:
            return found[0]
        if spec.natural_key and all(local.get(k) is not None for k in spec.natural_key):
            key = {k: local[k] for k in spec.natural_key}
            found = self._call(lambda: self.remote.get(spec.name, **key))
            if found:
                return found[0]
        return None

    def _push_one(self, spec: TableSpec, row: _Row) -> None:
        """Compare-and-set one editable row, merging with the server's version when it moved."""
        t = table_of(spec.name)
        row_id = row.row_id
        for _ in range(5):
            with self.db.transaction() as s:
                local = self._local(s, spec.name, row_id)
                if local is None:
                    self._done(s, row)
                    return
                meta = s.get(SyncRowMeta, (spec.name, row_id))
                seq = meta.server_seq if meta else None
                clocks = dict(meta.field_clocks) if meta else {}
            wire = to_wire(t, local)
            wire["field_clocks"] = clocks
            if seq is None:
                inserted: list[Row] = []
                try:
                    inserted = self._call(
                        partial(self.remote.insert_ignore, spec.name, [wire], returning=True)
                    )
                except Refused as err:
                    if err.code != "23505" or not spec.natural_key:
                        raise
                if inserted:
                    self._acknowledge(spec, row, inserted[0], clocks)
                    return
            else:
                body = {k: v for k, v in wire.items() if k != "id"}
                updated = self._call(partial(self.remote.update_if, spec.name, row_id, seq, body))
                if updated:
                    self._acknowledge(spec, row, updated[0], clocks)
                    return
            server = self._server_row(spec, row_id, local)
            if server is None:
                if seq is None:
                    raise Refused("42501", f"the server refused {spec.name} {row_id}")
                self._lost_to_delete(spec, row, local)
                return
            if server["id"] != row_id:
                with self._applying() as s:
                    self._rekey(s, spec.name, row_id, server["id"])
                row_id = server["id"]
                row = _Row(row.table, row_id, row.op, row.max_entry)
            with self._applying() as s:
                if not self._merge_into_local(s, spec, server):
                    self._done(s, row)  # the server already has everything this device had
                    return
        raise Refused("", f"{spec.name} {row_id} kept changing on the server; will retry")

    def _acknowledge(self, spec: TableSpec, row: _Row, server: Row, clocks: dict[str, str]) -> None:
        with self._applying() as s:
            meta = self._meta(s, spec.name, row.row_id)
            meta.server_seq = int(server["sync_seq"])
            meta.base_clocks = dict(server.get("field_clocks") or clocks)
            self._done(s, row)
        self.report.pushed += 1

    def _lost_to_delete(self, spec: TableSpec, row: _Row, local: dict[str, Any]) -> None:
        """The row was deleted on the server after this device edited it: keep the edit."""
        t = table_of(spec.name)
        with self._applying() as s:
            self._conflict(s, spec.name, row.row_id, "*", None, to_wire(t, local), "local")
            self._done(s, row)
            self._delete_local(s, spec, row.row_id)

    def _push_delete(self, spec: TableSpec, row: _Row) -> None:
        with self.db.transaction() as s:
            meta = s.get(SyncRowMeta, (spec.name, row.row_id))
            seq = meta.server_seq if meta else None
            base = dict(meta.base_clocks) if meta else {}
        try:
            gone = self._call(lambda: self.remote.delete_if(spec.name, row.row_id, seq))
            server = None if gone else self._call(lambda: self.remote.get(spec.name, id=row.row_id))
            if server and dict(server[0].get("field_clocks") or {}) == base:
                # restamped by the server (a course was republished) but not edited since
                # this device saw it: still the version the user deleted
                again = int(server[0]["sync_seq"])
                gone = self._call(lambda: self.remote.delete_if(spec.name, row.row_id, again))
                server = None if gone else server
        except Refused as err:
            if err.code == "23503":  # still referenced on the server: the row stays
                server = self._call(lambda: self.remote.get(spec.name, id=row.row_id))
                if not server:
                    self._fail(row, err)
                    return
            else:
                self._fail(row, err)
                return
        with self._applying() as s:
            if server:
                # edited on the server since this device last saw it (or still needed there):
                # the edit wins, the row comes back, the deletion is listed as a conflict
                self._conflict(s, spec.name, row.row_id, "*", server[0], None, "local")
                self._upsert_local(s, spec, server[0])
            else:
                meta_row = s.get(SyncRowMeta, (spec.name, row.row_id))
                if meta_row is not None:
                    s.delete(meta_row)
            self._done(s, row)
        self.report.pushed += 1

    # -- merging ----------------------------------------------------------------------------
    def _conflict(
        self,
        s: Session,
        table: str,
        row_id: str,
        field_name: str,
        kept: Any,
        lost: Any,
        lost_side: str,
        kept_clock: str | None = None,
        lost_clock: str | None = None,
    ) -> None:
        s.add(
            SyncConflict(
                table_name=table,
                row_id=row_id,
                field=field_name,
                kept_value=kept,
                lost_value=lost,
                lost_side=lost_side,
                kept_clock=kept_clock,
                lost_clock=lost_clock,
            )
        )
        self.report.conflicts += 1

    def _observe(self, s: Session, clocks: dict[str, str]) -> None:
        if clocks and self.db.capture is not None:
            clock = self.db.capture.clock_for(s)
            clock.observe(max(clocks.values()))
            write_state(s, "hlc", clock.last)

    def _merge_into_local(self, s: Session, spec: TableSpec, server: Row) -> bool:
        """Merge the server's row into the local one; True when the server lacks something."""
        t = table_of(spec.name)
        row_id = server["id"]
        remote_clocks: dict[str, str] = dict(server.get("field_clocks") or {})
        local = self._local(s, spec.name, row_id)
        meta = self._meta(s, spec.name, row_id)
        meta.server_seq = int(server["sync_seq"])
        self._observe(s, remote_clocks)
        if local is None:
            self._insert_local(s, spec, server)
            meta.field_clocks = dict(remote_clocks)
            meta.base_clocks = dict(remote_clocks)
            return False
        fields = [c.name for c in t.c if c.name != "id"]
        local_wire = to_wire(t, local)
        remote_wire = {f: server.get(f) for f in fields}
        for f in fields:  # the same instant written two ways is the same value
            if wire_equal(local_wire.get(f), remote_wire.get(f)):
                remote_wire[f] = local_wire.get(f)
        merged = merge_rows(
            fields,
            local_wire,
            dict(meta.field_clocks),
            dict(meta.base_clocks),
            remote_wire,
            remote_clocks,
        )
        for c in merged.conflicts:
            self._conflict(
                s,
                spec.name,
                row_id,
                c.field,
                c.kept_value,
                c.lost_value,
                c.lost_side,
                c.kept_clock,
                c.lost_clock,
            )
        if merged.differs_from_local:
            values = from_wire(t, merged.values)
            s.execute(update(t).where(t.c.id == row_id).values(**values))
        meta.field_clocks = merged.clocks
        meta.base_clocks = dict(remote_clocks)
        return merged.differs_from_remote

    def _insert_local(self, s: Session, spec: TableSpec, server: Row) -> None:
        t = table_of(spec.name)
        values = from_wire(t, server)
        if spec.name == "profiles":
            self._ensure_local_user(s, values["id"])
        s.execute(insert(t).values(**values))

    def _ensure_local_user(self, s: Session, user_id: str) -> None:
        if s.get(LocalUser, user_id) is None:
            s.add(LocalUser(id=user_id))
            if user_id != self.account_id:
                # someone else's profile (a colleague): not a profile to sign in with here
                meta = self._meta(s, "local_users", user_id)
                meta.origin = "remote"
            s.flush()

    def _upsert_local(self, s: Session, spec: TableSpec, server: Row) -> None:
        if self._local(s, spec.name, server["id"]) is None:
            self._insert_local(s, spec, server)
        else:
            t = table_of(spec.name)
            s.execute(update(t).where(t.c.id == server["id"]).values(**from_wire(t, server)))
        meta = self._meta(s, spec.name, server["id"])
        meta.server_seq = int(server["sync_seq"])
        meta.field_clocks = dict(server.get("field_clocks") or {})
        meta.base_clocks = dict(meta.field_clocks)

    def _delete_local(self, s: Session, spec: TableSpec, row_id: str) -> None:
        t = table_of(spec.name)
        if spec.name == "modules":
            # activity recorded here on a module that was deleted on the server keeps its
            # course but no longer names the module (as ON DELETE SET NULL would). None of it
            # has reached the server, which refuses to delete a module that activity names,
            # and it would be refused there forever for naming a module that is gone.
            for name in MODULE_REFERENCES:
                ref = table_of(name)
                s.execute(update(ref).where(ref.c.module_id == row_id).values(module_id=None))
        try:
            with s.begin_nested():
                s.execute(delete(t).where(t.c.id == row_id))
        except IntegrityError:
            # still referenced here (a learner's events name the module): keep the row,
            # and take a course or path out of the catalogue instead
            if "status" in t.c:
                s.execute(update(t).where(t.c.id == row_id).values(status="archived"))
        meta = s.get(SyncRowMeta, (spec.name, row_id))
        if meta is not None:
            s.delete(meta)

    # -- pull ---------------------------------------------------------------------------------
    def _cursor(self, s: Session, table: str) -> int:
        return int(
            s.scalar(
                select(SyncCursor.seq).where(
                    SyncCursor.account_id == self.account_id, SyncCursor.table_name == table
                )
            )
            or 0
        )

    def pull_all(self, lo: float = 0.0, hi: float = 1.0) -> None:
        for _ in range(3):
            blocked = False
            for i, spec in enumerate(SPECS):
                self._say(lo + (hi - lo) * i / len(SPECS), f"Receiving {spec.name}…")
                while True:
                    with self.db.transaction() as s:
                        since = self._cursor(s, spec.name)
                    page = self._call(self._puller(spec.name, since))
                    if not page:
                        break
                    stopped = self._apply_page(spec, page)
                    if stopped:
                        blocked = True
                        break
                    if len(page) < self.pull_page:
                        break
            if not blocked:
                return

    def _puller(self, table: str, since: int) -> Callable[[], list[Row]]:
        return lambda: self.remote.pull(table, since, self.pull_page)

    def _apply_page(self, spec: TableSpec, page: list[Row]) -> bool:
        """Apply one page and advance the cursor, atomically; True if a row had to wait.

        The whole page goes in one transaction; only if a row's parent is missing is the
        page applied again row by row (savepoints), up to that row.
        """
        try:
            return self._apply_rows(spec, page, careful=False)
        except (StatementError, InvalidDocument, ValueError, KeyError, TypeError):
            pass  # a missing parent, or a row this version cannot store: go row by row
        return self._apply_rows(spec, page, careful=True)

    def _apply_rows(self, spec: TableSpec, page: list[Row], careful: bool) -> bool:
        stopped = False
        applied = 0
        conflicts_before = self.report.conflicts
        try:
            with self._applying() as s:
                cursor = self._cursor(s, spec.name)
                self._set_cursor(s, spec.name, cursor)  # also opens the write transaction
                pending = {
                    r
                    for (r,) in s.execute(
                        select(SyncOutbox.row_id).where(
                            SyncOutbox.table_name == spec.name, SyncOutbox.state == "pending"
                        )
                    )
                }
                for item in page:
                    if careful:
                        try:
                            with s.begin_nested():
                                self._apply_one(s, spec, item, pending)
                        except IntegrityError as err:
                            if "FOREIGN KEY" in str(err.orig):
                                stopped = True  # the parent is not here yet: next pass
                                break
                            self._unreadable(s, spec, item, err)
                        except (StatementError, InvalidDocument, ValueError, KeyError) as err:
                            self._unreadable(s, spec, item, err)
                    else:
                        self._apply_one(s, spec, item, pending)
                    cursor = int(item["seq"])
                    applied += 1
                s.flush()
                self._set_cursor(s, spec.name, cursor)
        except Exception:
            self.report.conflicts = conflicts_before  # nothing of this page was kept
            raise
        self.report.pulled += applied
        return stopped

    def _unreadable(self, s: Session, spec: TableSpec, item: Row, err: Exception) -> None:
        """A server row this device cannot store (e.g. a newer client's document): it stays
        on the server, is listed as a conflict here, and the pull goes on."""
        detail = str(getattr(err, "orig", None) or err).splitlines()[0][:300]
        row = item.get("row_data") or {}
        self._conflict(s, spec.name, str(row.get("id", "")), "!unreadable", detail, row, "remote")

    def _set_cursor(self, s: Session, table: str, seq: int) -> None:
        done = s.connection().execute(
            update(SyncCursor)
            .where(SyncCursor.account_id == self.account_id)
            .where(SyncCursor.table_name == table)
            .values(seq=seq)
        )
        if not done.rowcount:
            s.connection().execute(
                insert(SyncCursor).values(account_id=self.account_id, table_name=table, seq=seq)
            )

    def _apply_one(self, s: Session, spec: TableSpec, item: Row, pending: set[str]) -> None:
        op = item["op"]
        server: Row = item["row_data"]
        row_id = str(server["id"])
        if op in ("delete", "hide"):
            local = self._local(s, spec.name, row_id)
            if local is None:
                return
            if row_id in pending and op == "delete":
                t = table_of(spec.name)
                self._conflict(s, spec.name, row_id, "*", None, to_wire(t, local), "local")
                s.execute(
                    delete(SyncOutbox).where(
                        SyncOutbox.table_name == spec.name, SyncOutbox.row_id == row_id
                    )
                )
            if op == "hide" and "status" in table_of(spec.name).c:
                t = table_of(spec.name)
                s.execute(update(t).where(t.c.id == row_id).values(status="archived"))
                return
            self._delete_local(s, spec, row_id)
            return
        if spec.append_only:
            if self._local(s, spec.name, row_id) is None:
                self._insert_local(s, spec, server)
                if server.get("course_id") and server.get("user_id"):
                    self.report.event_courses.add((server["user_id"], server["course_id"]))
            return
        if spec.natural_key and self._local(s, spec.name, row_id) is None:
            t = table_of(spec.name)
            key = [t.c[k] == server.get(k) for k in spec.natural_key]
            twin = s.execute(select(t.c.id).where(*key)).scalar()
            if twin is not None and twin != row_id:
                self._rekey(s, spec.name, twin, row_id)
                if twin in pending:
                    pending.add(row_id)
        if row_id in pending and self._local(s, spec.name, row_id) is None:
            # deleted here, changed there: a restamp keeps the deletion, an edit beats it
            meta = s.get(SyncRowMeta, (spec.name, row_id))
            if meta is not None and dict(server.get("field_clocks") or {}) == meta.base_clocks:
                meta.server_seq = int(server["sync_seq"])
                return
            self._conflict(s, spec.name, row_id, "*", server, None, "local")
            s.execute(
                delete(SyncOutbox).where(
                    SyncOutbox.table_name == spec.name, SyncOutbox.row_id == row_id
                )
            )
            pending.discard(row_id)
        if row_id in pending:
            self._merge_into_local(s, spec, server)
        else:
            self._upsert_local(s, spec, server)
            self._observe(s, dict(server.get("field_clocks") or {}))
        if spec.name == "courses" and server.get("status") == "published":
            self._retry_refused_for(s, row_id)

    def _retry_refused_for(self, s: Session, course_id: str) -> None:
        """A learner may only write rows naming a course they can see: activity recorded
        while a course was being unpublished was refused by row-level security. Now that the
        course is visible again, it goes up again."""
        for name in COURSE_REFERENCES:
            t = table_of(name)
            s.execute(
                update(SyncOutbox)
                .where(
                    SyncOutbox.table_name == name,
                    SyncOutbox.state == "rejected",
                    SyncOutbox.last_error.like("%(42501)"),
                    SyncOutbox.row_id.in_(select(t.c.id).where(t.c.course_id == course_id)),
                )
                .values(state="pending", attempts=0)
            )


def last_synced(db: Database, account_id: str) -> datetime | None:
    with db.transaction() as s:
        raw = read_state(s, f"last_sync:{account_id}")
    return datetime.fromisoformat(raw) if raw else None
