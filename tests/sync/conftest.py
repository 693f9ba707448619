"""A real PostgreSQL with the Supabase migrations applied, and the PostgREST/GoTrue stand-in.

Started once per test session (a few seconds); each test makes its own organisations and
users with fresh UUIDs, so tests do not see each other's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import psycopg
import pytest

from app.services import accounts, authoring
from app.services.accounts import CurrentUser
from app.services.authoring import CourseDoc
from app.services.context import AppContext
from app.shell.sync_glue import sync_service
from engine.content import parse_blocks
from sync.remote.client import TransientError
from sync.remote.server_schema import apply_migrations, run_sql_file, supabase_dir
from sync.remote.session_store import MemoryKeyring
from sync.replicator import RetryPolicy, SyncReport
from tests.sync.fault_proxy import FaultProxy
from tests.sync.pg_cluster import PgCluster
from tests.sync.supabase_stand_in import StandIn


@dataclass
class Account:
    id: str
    email: str
    password: str
    role: str
    org_id: str | None


class Supabase:
    """The test project: admin SQL access plus the HTTP stand-in."""

    def __init__(self, cluster: PgCluster, standin: StandIn) -> None:
        self.cluster = cluster
        self.admin_url = cluster.url
        self.standin = standin

    @property
    def url(self) -> str:
        return self.standin.url

    @property
    def anon_key(self) -> str:
        return self.standin.anon_key

    def sql(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.admin_url, autocommit=True) as c:
            cur = c.execute(query, params)
            return cur.fetchall() if cur.description else []

    def create_org(self, name: str = "Org") -> str:
        oid = str(uuid.uuid4())
        self.sql(
            "insert into organisations (id, name, slug) values (%s, %s, %s)",
            (oid, name, f"{name.lower().replace(' ', '-')}-{oid[:8]}"),
        )
        return oid

    def create_user(
        self, role: str, org_id: str | None, name: str = "", password: str = "secret-pass"
    ) -> Account:
        uid = str(uuid.uuid4())
        email = f"{role}-{uid[:8]}@example.org"
        self.sql(
            "insert into auth.users (id, email, encrypted_password) "
            "values (%s, %s, crypt(%s, gen_salt('bf', 4)))",
            (uid, email, password),
        )
        self.sql(
            "insert into profiles (id, full_name, role, org_id) values (%s, %s, %s, %s)",
            (uid, name or f"{role.title()} {uid[:4]}", role, org_id),
        )
        if org_id is not None:
            member_role = {"org_admin": "admin", "super_admin": "admin"}.get(role, role)
            self.sql(
                "insert into org_members (org_id, user_id, role) values (%s, %s, %s)",
                (org_id, uid, member_role),
            )
        self.sql("insert into learner_profiles (user_id) values (%s)", (uid,))
        return Account(uid, email, password, role, org_id)


@contextmanager
def running_project() -> Iterator[Supabase]:
    """Start PostgreSQL, apply the Supabase stand-in and ByteOS migrations, serve HTTP."""
    cluster = PgCluster()
    cluster.start()
    standin: StandIn | None = None
    try:
        root: Path = supabase_dir()
        run_sql_file(cluster.url, root / "test" / "supabase_stand_in.sql")
        apply_migrations(cluster.url)
        auth_url = cluster.url.replace("postgres@", "authenticator@")
        standin = StandIn(auth_url, cluster.url).start()
        yield Supabase(cluster, standin)
    finally:
        if standin is not None:
            standin.stop()
        cluster.stop()


@pytest.fixture(scope="session")
def supabase() -> Iterator[Supabase]:
    with running_project() as project:
        yield project


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Secrets stay in this process's memory: never the developer's real keyring."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class Device:
    """One installation of ByteOS: its own local database, signed in to the test project."""

    def __init__(self, folder: Path, project: Supabase, account: Account, url: str = "") -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.account = account
        self.ctx = AppContext.open(folder / "byteos.db", folder / "assets")
        self.service = sync_service(self.ctx)
        self.service.configure(url or project.url, project.anon_key)
        self.service.sign_in(account.email, account.password)

    def sync(self, attempts: int = 3, **options: Any) -> SyncReport:
        retry = RetryPolicy(attempts=attempts, base_delay=0.01)
        return self.service.sync_now(retry=retry, **options)

    def settle(self, rounds: int = 4, attempts: int = 3) -> None:
        """Sync until nothing is pending, riding out transient failures."""
        for _ in range(rounds):
            try:
                self.sync(attempts=attempts)
            except TransientError:
                continue
            if self.service.status().pending == 0:
                return
        raise AssertionError(f"still pending after {rounds} rounds: {self.service.status()}")

    @property
    def user(self) -> CurrentUser:
        return accounts.sign_in(self.ctx.db, self.account.id)

    def close(self) -> None:
        self.ctx.close()


@pytest.fixture
def devices(tmp_path: Path) -> Iterator[list[Device]]:
    made: list[Device] = []
    yield made
    for d in made:
        d.close()


@pytest.fixture
def proxy(supabase: Supabase) -> Iterator[FaultProxy]:
    p = FaultProxy(supabase.standin.port)
    yield p
    p.stop()


def publish_course(studio: Device, title: str = "Sync 101", modules: int = 2) -> CourseDoc:
    """Author and publish a course on a studio device and sync it up."""
    doc = authoring.create_course(studio.ctx, studio.user, title)
    doc.modules = [
        authoring.ModuleDoc(f"Module {i + 1}", parse_blocks([{"type": "paragraph", "text": "Hi"}]))
        for i in range(modules)
    ]
    doc = authoring.save_course(studio.ctx, studio.user, doc)
    doc = authoring.set_status(studio.ctx, studio.user, doc.id, "published")
    studio.sync()
    return doc
