"""The README's headless flow on a machine with no OS keyring: sign in once, then a scheduled
``byteos sync`` in a new process, with the encrypted file keyring IT configured."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli_process import headless_env, run_byteos
from tests.sync.conftest import Supabase


def test_scheduled_sync_keeps_its_session_in_the_encrypted_file(
    supabase: Supabase, tmp_path: Path
) -> None:
    org = supabase.create_org("Headless keyring")
    learner = supabase.create_user("learner", org)
    db = str(tmp_path / "byteos.db")
    env = headless_env(tmp_path / "secrets.cfg")
    sign_in = (
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
    )
    # without a passphrase: it works for this run and says plainly that it will not last
    r = run_byteos(*sign_in, env=env, stdin=learner.password + "\n")
    assert r.returncode == 0, r.stderr
    assert "this run only" in r.stderr and "BYTEOS_KEYRING_PASSPHRASE" in r.stderr
    assert run_byteos("sync", "--db", db, env=env).returncode == 4
    # with IT's passphrase: the next scheduled run needs no password
    env["BYTEOS_KEYRING_PASSPHRASE"] = "managed-by-it"
    r = run_byteos(*sign_in, env=env, stdin=learner.password + "\n")
    assert r.returncode == 0 and "this run only" not in r.stderr, r.stderr
    r = run_byteos("sync", "--db", db, env=env)
    assert r.returncode == 0 and "synced:" in r.stdout, r.stderr
    for f in tmp_path.iterdir():
        if f.is_file():
            data = f.read_bytes().replace(supabase.anon_key.encode(), b"")
            # a JWT's header is base64 of '{"alg"…' (the encrypted entries are base64 JSON too,
            # so look for the token's own prefix, not just "eyJ")
            assert learner.password.encode() not in data, f
            assert b"eyJhbGci" not in data and b"eyJ0eXAi" not in data, f
