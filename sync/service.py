"""What the app and the ``byteos sync`` command ask of sync: connect, sign in, sync, status.

Qt-free, and nothing here blocks for long when offline: ``sync_now`` first probes the server
with a 1.5 s TCP connect and raises ``Offline`` at once when nothing answers. The session
lives in the OS keyring (``SessionStore``); the project URL, the public anon key and the
signed-in account id (none of them secret) live in the local database's ``sync_state``.
An expired or revoked session never blocks local learning: changes keep queueing in the
outbox and go up after the next sign-in.

One sync of a database at a time: ``sync_now`` holds an exclusive lock on
``<database>.sync-lock`` (an OS file lock, so it also keeps the app and a ``byteos sync`` run
apart, and it is released when a process dies, even by ``kill -9``) plus a lock per database
inside the process (the timer and *Sync now*). A second sync waits for the first to finish,
then runs; two replicators on one mirror would apply the same pages and push the same rows
at once.

The network side (the Supabase client, the replicator, the keyring) is imported where it is
first used, not with this module: the app builds a ``SyncService`` at start for its status
line, which reads the local database only.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update

from sync.outbox import read_state, record, row_scope, write_state
from sync.store.column_types import utcnow
from sync.store.database import Database
from sync.store.models import LocalUser, Profile, SyncConflict, SyncOutbox, SyncRowMeta
from sync.tables import BY_NAME

if TYPE_CHECKING:
    from sync.assets.upload import AssetReport
    from sync.remote.client import Remote, RemoteSession
    from sync.remote.session_store import SessionStore
    from sync.replicator import Control, SyncReport


class SyncError(Exception):
    """A sync that could not run; the message is for the user."""


class Offline(SyncError):
    pass


class NotConfigured(SyncError):
    pass


class SyncBusy(SyncError):
    pass


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


_IN_PROCESS: dict[str, threading.Lock] = {}
_IN_PROCESS_GUARD = threading.Lock()


@contextmanager
def sync_lock(
    db_path: Path, wait: float, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the one sync of the database at ``db_path``, waiting up to ``wait`` seconds."""
    key = str(db_path.resolve())
    with _IN_PROCESS_GUARD:
        local = _IN_PROCESS.setdefault(key, threading.Lock())
    busy = SyncBusy("Another sync of this database is still running; try again later.")
    deadline = time.monotonic() + wait
    if not local.acquire(blocking=False):
        if on_wait is not None:
            on_wait()
            on_wait = None
        if not local.acquire(timeout=max(0.0, wait)):
            raise busy
    try:
        fd = os.open(db_path.with_name(db_path.name + ".sync-lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while not _try_lock(fd):
                if on_wait is not None:
                    on_wait()
                    on_wait = None
                if time.monotonic() >= deadline:
                    raise busy
                time.sleep(0.05)
            try:
                yield
            finally:
                _unlock(fd)
        finally:
            os.close(fd)
    finally:
        local.release()


@dataclass(frozen=True)
class SyncStatus:
    configured: bool
    url: str | None
    account_id: str | None
    email: str | None
    last_synced: datetime | None
    pending: int
    rejected: int
    conflicts: int
    last_error: str | None


@dataclass(frozen=True)
class ConflictView:
    id: int
    table: str
    row_id: str
    field: str
    kept_value: Any
    lost_value: Any
    lost_side: str
    created_at: datetime | None


class SyncService:
    def __init__(
        self,
        db: Database,
        store: SessionStore | None = None,
        after_sync: Callable[[SyncReport], None] | None = None,
    ) -> None:
        self.db = db
        self._store = store
        self.after_sync = after_sync
        """Run after each sync (the app recomputes enrolments from newly arrived events)."""
        self.assets_root: Path = db.path.parent / "assets"
        """The asset store whose files travel with sync (``AppContext.open``'s default)."""
        self.prefetch_budget: int | None = None
        """Bytes of files to download ahead of time per sync (None: the default)."""
        self.last_assets: AssetReport | None = None
        """What the last sync did with asset files (``sync.assets``)."""

    @property
    def store(self) -> SessionStore:
        """Where the session is kept (made, and the keyring loaded, on first use)."""
        if self._store is None:
            from sync.remote.session_store import SessionStore

            self._store = SessionStore()
        return self._store

    @store.setter
    def store(self, store: SessionStore) -> None:
        self._store = store

    # -- settings and account ---------------------------------------------------------------
    def _get(self, key: str) -> str | None:
        with self.db.transaction() as s:
            return read_state(s, key)

    def _set(self, **values: str | None) -> None:
        with self.db.transaction() as s:
            for key, value in values.items():
                write_state(s, key.replace("_", "."), value)

    def settings(self) -> tuple[str | None, str | None]:
        """The project URL and anon key: a locked policy or an environment variable wins;
        otherwise what the user connected to (kept in the database), else IT's recommended
        project (so a managed laptop opens already connected), else none."""
        url = self._setting("supabase_url", "supabase.url")
        key = self._setting("supabase_anon_key", "supabase.anon.key")
        return url, key

    def _setting(self, name: str, state_key: str) -> str | None:
        from engine.config import Source, current

        effective = current()
        value: str | None = getattr(effective.values, name)
        if effective.origins[name] in (Source.LOCKED, Source.ENVIRONMENT):
            return value
        return self._get(state_key) or value

    def configure(self, url: str, anon_key: str) -> None:
        from engine.config import current

        locked = current().locked_names & {"supabase_url", "supabase_anon_key"}
        if locked:
            raise SyncError(
                "Your organisation's policy sets the Supabase project; it cannot be changed here."
            )
        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise SyncError("The Supabase URL must start with https:// (or http://).")
        if not anon_key.strip():
            raise SyncError("The project's anon key is needed.")
        self._set(supabase_url=url, supabase_anon_key=anon_key.strip())

    def _remote(self) -> tuple[Remote, str]:
        from sync.remote.client import Remote

        url, key = self.settings()
        if not url or not key:
            raise NotConfigured("Sync is not set up: connect to your organisation's Supabase.")
        return Remote(url, key), url

    def sign_in(self, email: str, password: str) -> RemoteSession:
        from engine.config import settings
        from sync.remote.client import AuthRequired, probe

        if "password" not in settings().sign_in_methods:
            raise SyncError(
                "Signing in with an email and password is turned off by your organisation's policy."
            )
        remote, url = self._remote()
        try:
            if not probe(url):
                raise Offline(f"Cannot reach {url}: you seem to be offline.")
            session = remote.sign_in(email.strip(), password)
        except AuthRequired as err:
            raise SyncError(f"Sign-in refused: {err}") from err
        finally:
            remote.close()
        self.store.save(url, session)
        self._set(account_id=session.user_id, account_email=session.email)
        with self.db.transaction() as s:  # this profile may now be signed in to here
            meta = s.get(SyncRowMeta, ("local_users", session.user_id))
            if meta is not None:
                s.delete(meta)
        return session

    def sign_out(self) -> None:
        url, _ = self.settings()
        account = self._get("account.id")
        if url and account:
            self.store.clear(url, account)
        self._set(account_id=None, account_email=None)

    # -- status --------------------------------------------------------------------------------
    def status(self) -> SyncStatus:
        url, key = self.settings()
        account = self._get("account.id")
        with self.db.transaction() as s:
            rows = select(func.count(func.distinct(SyncOutbox.table_name + SyncOutbox.row_id)))
            if account is not None:
                org = s.scalar(select(Profile.org_id).where(Profile.id == account))
                # the account's own changes, and those it made to others' rows (a manager's
                # assignment of a learner): not a learner's row a manager changed here
                mine = ((SyncOutbox.user_id == account) & SyncOutbox.author_id.is_(None)) | (
                    SyncOutbox.author_id == account
                )
                if org is not None:
                    mine = mine | (SyncOutbox.user_id.is_(None) & (SyncOutbox.org_id == org))
                rows = rows.where(mine)
            pending = s.scalar(rows.where(SyncOutbox.state == "pending")) or 0
            rejected = s.scalar(rows.where(SyncOutbox.state == "rejected")) or 0
            conflicts = (
                s.scalar(
                    select(func.count(SyncConflict.id)).where(SyncConflict.resolved_at.is_(None))
                )
                or 0
            )
            last = read_state(s, f"last_sync:{account}") if account else None
            error = read_state(s, "last.error")
            email = read_state(s, "account.email")
        return SyncStatus(
            configured=bool(url and key),
            url=url,
            account_id=account,
            email=email,
            last_synced=datetime.fromisoformat(last) if last else None,
            pending=int(pending),
            rejected=int(rejected),
            conflicts=int(conflicts),
            last_error=error,
        )

    # -- syncing -----------------------------------------------------------------------------
    def sync_now(
        self, control: Control | None = None, wait: float = 600.0, **replicator_options: Any
    ) -> SyncReport:
        """Exchange changes now; if another sync of this database runs, wait for it first
        (up to ``wait`` seconds, then ``SyncBusy``)."""
        from sync.remote.client import AuthRequired, probe

        remote, url = self._remote()
        try:
            if not probe(url):
                raise Offline("Offline: your changes are kept and will sync when you reconnect.")
            with sync_lock(self.db.path, wait, lambda: self._waiting(control)):
                report = self._sync_locked(remote, url, control, replicator_options)
        except AuthRequired as err:
            self._set(last_error=f"Sign in again to sync ({err}).")
            raise SyncError(f"Sign in again to sync: {err}") from err
        except Offline as err:
            self._set(last_error=str(err))
            raise
        except Exception as err:
            self._set(last_error=f"Sync stopped: {err}")
            raise
        finally:
            remote.close()
        if self.after_sync is not None:
            self.after_sync(report)
        self._set(last_error=None)
        return report

    @staticmethod
    def _waiting(control: Control | None) -> None:
        if control is not None:
            control.progress(0.0, "Waiting for the other sync to finish…")

    def _sync_locked(
        self, remote: Remote, url: str, control: Control | None, options: dict[str, Any]
    ) -> SyncReport:
        from sync.remote.client import AuthRequired
        from sync.replicator import Replicator

        account = self._get("account.id")
        stored = self.store.load(url, account) if account else None
        if account is None or stored is None:
            raise AuthRequired("Sign in to sync: your changes are kept until then.")
        remote.resume(stored.access_token, stored.refresh_token)
        assert remote.session is not None
        self.store.save(url, remote.session)
        replicator = Replicator(
            self.db,
            remote,
            account,
            on_session=lambda sess: self.store.save(url, sess),
            **options,
        )
        report = replicator.run(control)
        self.last_assets = self._sync_files(remote, url, account)
        return report

    def _sync_files(self, remote: Remote, url: str, account: str) -> AssetReport:
        """Upload asset files after the push, download them after the pull (``sync.assets``)."""
        from sync.assets.download import DEFAULT_BUDGET_BYTES
        from sync.assets.transfer import sync_assets
        from sync.store.assets import AssetStore

        budget = DEFAULT_BUDGET_BYTES if self.prefetch_budget is None else self.prefetch_budget
        return sync_assets(
            self.db,
            AssetStore(self.assets_root),
            remote,
            account,
            on_session=lambda sess: self.store.save(url, sess),
            budget=budget,
        )

    def fetch_asset(self, asset_id: str) -> Path:
        """Download one asset's file now (a learner opened content whose file is missing);
        ``SyncError`` when it cannot be had, ``Offline`` when the server is out of reach."""
        from sync.assets.download import AssetCorrupt, AssetUnavailable, fetch
        from sync.assets.storage_api import NotFound, StorageApi
        from sync.remote.client import AuthRequired, RemoteError, probe
        from sync.store.assets import AssetStore

        remote, url = self._remote()
        try:
            if not probe(url):
                raise Offline("Offline: this file comes when you reconnect.")
            account = self._get("account.id")
            stored = self.store.load(url, account) if account else None
            if stored is None:
                raise SyncError("Sign in to download this file.")
            remote.resume(stored.access_token, stored.refresh_token)
            assert remote.session is not None
            self.store.save(url, remote.session)
            api = StorageApi(remote, lambda sess: self.store.save(url, sess))
            return fetch(self.db, AssetStore(self.assets_root), api, asset_id)
        except NotFound as err:
            raise SyncError("This file has not been uploaded yet, or you may not open it.") from err
        except (AssetCorrupt, AssetUnavailable) as err:
            raise SyncError(str(err)) from err
        except AuthRequired as err:
            raise SyncError(f"Sign in again to download this file: {err}") from err
        except RemoteError as err:
            raise SyncError(f"The file could not be downloaded: {err}") from err
        finally:
            remote.close()

    # -- conflicts ---------------------------------------------------------------------------
    def conflicts(self, include_resolved: bool = False) -> list[ConflictView]:
        with self.db.transaction() as s:
            q = select(SyncConflict).order_by(SyncConflict.id.desc())
            if not include_resolved:
                q = q.where(SyncConflict.resolved_at.is_(None))
            return [
                ConflictView(
                    c.id,
                    c.table_name,
                    c.row_id,
                    c.field,
                    c.kept_value,
                    c.lost_value,
                    c.lost_side,
                    c.created_at,
                )
                for c in s.scalars(q)
            ]

    def resolve(self, conflict_id: int, restore: bool) -> None:
        """Dismiss a conflict, or bring the losing value back as a new local edit (it wins)."""
        from sync.replicator import from_wire, table_of

        with self.db.transaction() as s:
            c = s.get(SyncConflict, conflict_id)
            if c is None or c.resolved_at is not None:
                return
            if restore and c.table_name in BY_NAME and self.db.capture is not None:
                t = table_of(c.table_name)
                exists = s.execute(select(t.c.id).where(t.c.id == c.row_id)).first()
                if c.field == "*":
                    if isinstance(c.lost_value, dict):  # a deleted row's last version
                        values = from_wire(t, c.lost_value)
                        if exists:
                            s.execute(update(t).where(t.c.id == c.row_id).values(**values))
                        else:
                            if c.table_name == "profiles" and s.get(LocalUser, c.row_id) is None:
                                s.add(LocalUser(id=c.row_id))
                                s.flush()
                            s.execute(insert(t).values(**values))
                            meta = s.get(SyncRowMeta, (c.table_name, c.row_id))
                            if meta is not None:
                                meta.server_seq = None
                        fields = [k for k in values if k != "id"]
                        self._record(s, c.table_name, c.row_id, values, fields)
                    elif exists:  # a deletion that lost: delete again
                        s.execute(t.delete().where(t.c.id == c.row_id))
                        record(
                            s, self.db.capture, c.table_name, c.row_id, "delete", (None, None), []
                        )
                elif exists and c.field in t.c:
                    value = from_wire(t, {c.field: c.lost_value})[c.field]
                    s.execute(update(t).where(t.c.id == c.row_id).values({c.field: value}))
                    row = dict(s.execute(select(t).where(t.c.id == c.row_id)).one()._mapping)
                    self._record(s, c.table_name, c.row_id, row, [c.field])
            c.resolved_at = utcnow()
            c.resolution = "restored" if restore else "dismissed"

    def _record(
        self, s: Any, table: str, row_id: str, row: dict[str, Any], fields: list[str]
    ) -> None:
        from sync.replicator import table_of

        assert self.db.capture is not None
        scope = row_scope(s, table_of(table), row)
        record(s, self.db.capture, table, row_id, "upsert", scope, fields)
