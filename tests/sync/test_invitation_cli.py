"""Joining an organisation from the command line, as real processes: an admin invites, a new
sign-up joins with the code and syncs; a wrong or reused code gets a clear refusal."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli_process import headless_env
from tests.support.cli_process import run_byteos as _byteos
from tests.sync.conftest import Supabase
from tests.sync.test_rls_isolation import sign_up


def test_invite_then_join_with_the_code(supabase: Supabase, tmp_path: Path) -> None:
    org = supabase.create_org("Invites")
    admin = supabase.create_user("org_admin", org)
    newcomer = sign_up(supabase)
    connect = ("--url", supabase.url, "--anon-key", supabase.anon_key)
    # sessions must outlive each process: the encrypted file keyring
    admin_env = headless_env(tmp_path / "admin-secrets.cfg", "test-passphrase")
    admin_db = str(tmp_path / "admin.db")
    r = _byteos(
        "sync", "--db", admin_db, *connect, "--email", admin.email, "--password-stdin",
        env=admin_env, stdin=admin.password + "\n",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = _byteos("org", "invite", "someone@", "--db", admin_db, env=admin_env)
    assert r.returncode == 4 and "not an email address" in r.stderr
    r = _byteos("org", "invite", newcomer.email.upper(), "--db", admin_db, env=admin_env)
    assert r.returncode == 0, r.stderr
    code = r.stdout.split("Code (shown once): ")[1].strip()
    assert len(code) == 64 and code not in (tmp_path / "admin-secrets.cfg").read_text()

    new_env = headless_env(tmp_path / "new-secrets.cfg", "test-passphrase")
    new_db = str(tmp_path / "new.db")
    join = ("sync", "--db", new_db, *connect, "--email", newcomer.email, "--password-stdin")
    r = _byteos(*join, "--invitation", "0" * 64, env=new_env, stdin=newcomer.password + "\n")
    assert r.returncode == 4 and "unknown, already used or expired" in r.stderr
    r = _byteos(*join, "--invitation", code, env=new_env, stdin=newcomer.password + "\n")
    assert r.returncode == 0 and "joined the organisation as learner" in r.stderr, r.stderr
    assert supabase.sql(
        "select org_id::text, role from profiles where id = %s", (newcomer.id,)
    ) == [(org, "learner")]
    # a learner cannot invite
    r = _byteos("org", "invite", "x@example.org", "--db", new_db, env=new_env)
    assert r.returncode == 4 and "only an organisation admin" in r.stderr
