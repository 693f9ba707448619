"""``byteos sync`` and ``byteos supabase migrate`` as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

from sync.remote.server_schema import migration_files, run_sql_file, supabase_dir
from tests.sync.conftest import Supabase

ROOT = Path(__file__).resolve().parents[2]


def byteos(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        # no OS keyring in CI: the session stays in this process's memory
        "PYTHON_KEYRING_BACKEND": "sync.remote.session_store.MemoryKeyring",
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_supabase_migrate_applies_once(supabase: Supabase) -> None:
    with psycopg.connect(supabase.admin_url, autocommit=True) as c:
        c.execute("drop database if exists fresh_project")
        c.execute("create database fresh_project")
    url = supabase.admin_url.rsplit("/", 1)[0] + "/fresh_project"
    run_sql_file(url, supabase_dir() / "test" / "supabase_stand_in.sql")  # Supabase's own part
    first = byteos("supabase", "migrate", "--url", url)
    assert first.returncode == 0, first.stderr
    assert f"applied {len(migration_files())} migration(s)" in first.stdout
    again = byteos("supabase", "migrate", "--url", url)
    assert again.returncode == 0 and "applied 0 migration(s)" in again.stdout
    with psycopg.connect(url) as c:
        policies = c.execute("select count(*) from pg_policies where schemaname = 'public'")
        assert (policies.fetchone() or [0])[0] > 20
        no_rls = c.execute(
            "select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity "
            "and relname <> 'byteos_schema_migrations'"
        ).fetchall()
        assert no_rls == []  # every table has row-level security on


def test_headless_sync(supabase: Supabase, tmp_path: Path) -> None:
    org = supabase.create_org("Headless")
    learner = supabase.create_user("learner", org)
    db = str(tmp_path / "byteos.db")
    r = byteos("sync", "--db", db, "--status")
    assert r.returncode == 0 and json.loads(r.stdout)["configured"] is False
    r = byteos("sync", "--db", db)
    assert r.returncode == 4 and "not set up" in r.stderr
    r = byteos(
        "sync",
        "--db",
        db,
        "--url",
        supabase.url,
        "--anon-key",
        supabase.anon_key,
        "--email",
        learner.email,
        "--password-stdin",
        stdin=learner.password + "\n",
    )
    assert r.returncode == 0, r.stderr
    assert "synced:" in r.stdout
    assert learner.password not in r.stdout + r.stderr
    status = json.loads(byteos("sync", "--db", db, "--status").stdout)
    assert status["account"] == learner.email and status["last_synced"]
    # nothing of the session is on disk: no password, no token (JWTs start with "eyJ"; the
    # project's anon key, a public JWT, is the one allowed)
    for f in tmp_path.iterdir():
        if f.is_file():
            data = f.read_bytes().replace(supabase.anon_key.encode(), b"")
            assert learner.password.encode() not in data and b"eyJ" not in data, f
    # the session was only in that process's memory: a new run must sign in again
    r = byteos("sync", "--db", db)
    assert r.returncode == 4 and "Sign in" in r.stderr
    # offline: a fast, clear refusal
    byteos("sync", "--db", db, "--url", "http://127.0.0.1:9", "--anon-key", "k", "--status")
    r = byteos("sync", "--db", db, "--email", learner.email, "--password-stdin", stdin="x\n")
    assert r.returncode == 3 and "offline" in r.stderr.lower()
