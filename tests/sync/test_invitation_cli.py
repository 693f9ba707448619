"""Joining an organisation from the command line, as real processes: an admin invites, a new
sign-up joins with the code and syncs; a wrong or reused code gets a clear refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.sync.conftest import Supabase
from tests.sync.test_rls_isolation import sign_up

ROOT = Path(__file__).resolve().parents[2]


def _byteos(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_invite_then_join_with_the_code(supabase: Supabase, tmp_path: Path) -> None:
    org = supabase.create_org("Invites")
    admin = supabase.create_user("org_admin", org)
    newcomer = sign_up(supabase)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON_KEYRING", "BYTEOS_"))}
    env.update(
        {
            "QT_QPA_PLATFORM": "offscreen",
            # sessions must outlive each process: the encrypted file keyring
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "BYTEOS_KEYRING_PASSPHRASE": "test-passphrase",
        }
    )
    connect = ("--url", supabase.url, "--anon-key", supabase.anon_key)
    admin_env = {**env, "BYTEOS_KEYRING_FILE": str(tmp_path / "admin-secrets.cfg")}
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

    new_env = {**env, "BYTEOS_KEYRING_FILE": str(tmp_path / "new-secrets.cfg")}
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
