"""The outbox: every local change to a synced table is recorded in the same transaction.

``install_capture`` hooks the database's sessions: before each flush, every new, changed or
deleted row of a table that is pushed (see ``sync.tables``) gets an outbox entry, and for
editable tables the changed fields are stamped with a fresh hybrid-logical-clock value in
``sync_row_meta``. Bulk ``DELETE`` statements through the ORM are captured too. Because this
happens inside the flush, the change and its outbox entry commit or roll back together: no
code path can change a synced row without queueing it, and a crash cannot leave one
without the other. The replicator's own writes (applying what it pulled) set
``session.info["sync_applying"]`` and are not captured.

Whose account pushes an entry: the row's user (``user_id``), or for organisation rows with no
user, any account of the organisation (``org_id``). A change to a *managed* table
(``sync.tables``: assignments, compliance records, certificates) that the signed-in account
made to someone else's row also records that account as ``author_id``: a manager's
assignment of a learner is pushed by the manager's sync, never by another account that
happens to use the same device.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, event, insert, inspect, select, update
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, UOWTransaction, sessionmaker

from sync.hlc import HybridClock
from sync.store.column_types import utcnow
from sync.store.models import Course, SyncOutbox, SyncRowMeta, SyncState
from sync.tables import BY_NAME

APPLYING = "sync_applying"


def read_state(session: Session, key: str) -> str | None:
    return (
        session.connection().execute(select(SyncState.value).where(SyncState.key == key)).scalar()
    )


def write_state(session: Session, key: str, value: str | None) -> None:
    conn = session.connection()
    done = conn.execute(update(SyncState).where(SyncState.key == key).values(value=value))
    if not done.rowcount:
        conn.execute(insert(SyncState).values(key=key, value=value))


@dataclass
class Capture:
    clock: HybridClock | None = None

    def clock_for(self, session: Session) -> HybridClock:
        """This device's clock, moved past the last stamp stored in the database: another
        process on the same file (``byteos sync`` beside the app) may have ticked it or
        observed later stamps from the server since this process last looked."""
        if self.clock is None:
            node = read_state(session, "device_id")
            if node is None:
                node = uuid.uuid4().hex[:12]
                write_state(session, "device_id", node)
            self.clock = HybridClock(node, read_state(session, "hlc"))
        else:
            stored = read_state(session, "hlc")
            if stored:
                self.clock.observe(stored)
        return self.clock


def _table(obj: Any) -> Table | None:
    table = getattr(obj, "__table__", None)
    return table if isinstance(table, Table) and table.name in BY_NAME else None


def row_scope(session: Session, table: Table, row: dict[str, Any]) -> tuple[str | None, str | None]:
    if table.name == "profiles":
        return row.get("id"), row.get("org_id")
    if table.name == "modules":
        org = (
            session.connection()
            .execute(select(Course.org_id).where(Course.id == row.get("course_id")))
            .scalar()
        )
        return None, org
    return row.get("user_id"), row.get("org_id")


def _column_values(obj: Any) -> dict[str, Any]:
    mapper: Mapper[Any] = inspect(obj).mapper
    return {
        col.name: getattr(obj, mapper.get_property_by_column(col).key) for col in mapper.columns
    }


# Device-local caches inside synced rows: derived media made on this device (asset:// paths
# only this device can open), so a learner regenerating a module's audio never queues an
# edit of a course row the server would refuse.
LOCAL_ONLY: dict[str, frozenset[str]] = {"modules": frozenset({"modality_variants"})}


def _changed_columns(obj: Any) -> list[str]:
    state = inspect(obj)
    mapper = state.mapper
    out = []
    for col in mapper.columns:
        prop = mapper.get_property_by_column(col)
        if state.attrs[prop.key].history.has_changes():
            out.append(col.name)
    return out


def record(
    session: Session,
    capture: Capture,
    table: str,
    row_id: str,
    op: str,
    scope: tuple[str | None, str | None],
    fields: list[str],
) -> None:
    """Queue one change (and stamp ``fields`` for editable tables) on ``session``'s connection."""
    spec = BY_NAME[table]
    conn = session.connection()
    author = read_state(session, "account.id") if spec.managed else None
    conn.execute(
        insert(SyncOutbox).values(
            table_name=table,
            row_id=row_id,
            op=op,
            user_id=scope[0],
            org_id=scope[1],
            author_id=author if author is not None and author != scope[0] else None,
            created_at=utcnow(),
        )
    )
    if spec.append_only or op == "delete" or not fields:
        return
    clock = capture.clock_for(session)
    stamp = clock.tick()
    key = (SyncRowMeta.table_name == table) & (SyncRowMeta.row_id == row_id)
    clocks = conn.execute(select(SyncRowMeta.field_clocks).where(key)).scalar()
    if clocks is None:
        conn.execute(
            insert(SyncRowMeta).values(
                table_name=table,
                row_id=row_id,
                field_clocks={f: stamp for f in fields},
                base_clocks={},
            )
        )
    else:
        conn.execute(
            update(SyncRowMeta)
            .where(key)
            .values(field_clocks={**clocks, **{f: stamp for f in fields}})
        )
    write_state(session, "hlc", clock.last)


def install_capture(sessions: sessionmaker[Session]) -> Capture:
    capture = Capture()

    @event.listens_for(sessions, "before_flush")
    def _before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
        if session.info.get(APPLYING):
            return
        for obj in list(session.new):
            table = _table(obj)
            if table is None or not BY_NAME[table.name].push:
                continue
            values = _column_values(obj)
            if values.get("id") is None:
                # client-side defaults run at flush; fix the id now so the outbox can name it
                obj.id = str(uuid.uuid4())
                values["id"] = obj.id
            local = LOCAL_ONLY.get(table.name, frozenset())
            fields = [c for c in values if c != "id" and c not in local]
            record(
                session,
                capture,
                table.name,
                values["id"],
                "upsert",
                row_scope(session, table, values),
                fields,
            )
        for obj in list(session.dirty):
            table = _table(obj)
            if table is None or not BY_NAME[table.name].push:
                continue
            local = LOCAL_ONLY.get(table.name, frozenset())
            changed = [c for c in _changed_columns(obj) if c not in local]
            if not changed:
                continue
            if "updated_at" in table.c and "updated_at" not in changed:
                changed.append("updated_at")
            values = _column_values(obj)
            record(
                session,
                capture,
                table.name,
                values["id"],
                "upsert",
                row_scope(session, table, values),
                changed,
            )
        for obj in list(session.deleted):
            table = _table(obj)
            if table is None or not BY_NAME[table.name].push:
                continue
            values = _column_values(obj)
            record(
                session,
                capture,
                table.name,
                values["id"],
                "delete",
                row_scope(session, table, values),
                [],
            )

    @event.listens_for(sessions, "do_orm_execute")
    def _bulk(state: ORMExecuteState) -> None:
        if state.session.info.get(APPLYING) or not (state.is_delete or state.is_update):
            return
        mapper = state.bind_mapper
        table = mapper.local_table if mapper is not None else None
        if not isinstance(table, Table) or table.name not in BY_NAME:
            return
        if not BY_NAME[table.name].push:
            return
        where = state.statement.whereclause  # type: ignore[attr-defined]
        q = select(table)
        if where is not None:
            q = q.where(where)
        rows = [dict(r._mapping) for r in state.session.connection().execute(q)]
        op = "delete" if state.is_delete else "upsert"
        fields = [c.name for c in table.c if c.name != "id"] if op == "upsert" else []
        for row in rows:
            record(
                state.session,
                capture,
                table.name,
                row["id"],
                op,
                row_scope(state.session, table, row),
                fields,
            )

    return capture
