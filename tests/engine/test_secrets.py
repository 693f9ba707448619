"""The one secrets helper on a machine without an OS keyring (keyring's real ``fail`` backend),
with the encrypted file keyring, and its refusals. No secret may ever reach a file in clear."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from engine import secrets
from engine.llm.keys import api_key, store_api_key
from sync.remote.client import RemoteSession
from sync.remote.session_store import MemoryKeyring, SessionStore
from tests.support.cli_process import ROOT, run_byteos

SECRET = "sk-test-4f1c9a7e-not-a-real-key"


@pytest.fixture
def no_os_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """What a headless Linux machine has: keyring's active backend is ``fail.Keyring``."""
    for var in (secrets.PASSPHRASE_ENV, secrets.PASSPHRASE_FILE_ENV, secrets.DISABLE_ENV):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv(secrets.FILE_ENV, str(tmp_path / "secrets.cfg"))
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    secrets.reset()
    yield tmp_path / "secrets.cfg"
    keyring.set_keyring(previous)
    secrets.reset()


def test_no_keyring_is_said_plainly_and_nothing_is_stored(no_os_keyring: Path) -> None:
    st = secrets.status()
    assert st.kind == "none" and not st.persistent
    assert secrets.PASSPHRASE_ENV in st.message and "dbus-run-session" in st.message
    assert secrets.get_secret("OPENAI_API_KEY") is None
    with pytest.raises(secrets.SecretsUnavailable, match="No keyring is available"):
        secrets.set_secret("OPENAI_API_KEY", SECRET)
    # the settings path used to raise keyring's raw NoKeyringError
    with pytest.raises(secrets.SecretsUnavailable):
        store_api_key("openai", SECRET)
    assert not no_os_keyring.exists()


def test_a_keyring_that_stores_nothing_is_not_a_keyring(no_os_keyring: Path) -> None:
    from keyring.backends import null

    keyring.set_keyring(null.Keyring())
    assert secrets.status().kind == "none"
    with pytest.raises(secrets.SecretsUnavailable):
        secrets.set_secret("OPENAI_API_KEY", SECRET)


def test_session_kept_in_memory_with_a_warning(no_os_keyring: Path) -> None:
    store = SessionStore()
    session = RemoteSession("u1", "a@example.org", "access", "refresh", None)
    store.save("https://p.example", session)
    assert store.load("https://p.example", "u1") == session  # this run still works
    assert store.warning and "this run only" in store.warning
    assert SessionStore().load("https://p.example", "u1") is None  # not beyond it


def test_encrypted_file_keyring_round_trip(
    no_os_keyring: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(secrets.PASSPHRASE_ENV, "correct horse battery staple")
    secrets.reset()
    st = secrets.status()
    assert st.kind == "encrypted-file" and st.persistent and st.path == no_os_keyring
    store_api_key("openai", SECRET)
    assert api_key("openai") == SECRET
    data = no_os_keyring.read_bytes()
    assert SECRET.encode() not in data and b"sk-test" not in data
    assert (no_os_keyring.stat().st_mode & 0o777) == 0o600
    secrets.delete_secret("OPENAI_API_KEY")
    assert api_key("openai") is None


def test_wrong_passphrase_is_refused_clearly(
    no_os_keyring: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(secrets.PASSPHRASE_ENV, "right")
    secrets.reset()
    secrets.set_secret("GIPHY_API_KEY", SECRET)
    monkeypatch.setenv(secrets.PASSPHRASE_ENV, "wrong")
    secrets.reset()
    st = secrets.status()
    assert st.kind == "none" and "does not open" in st.message
    assert secrets.get_secret("GIPHY_API_KEY") is None
    # a passphrase file (what IT deploys) opens it again
    monkeypatch.delenv(secrets.PASSPHRASE_ENV)
    pw = tmp_path / "pass"
    pw.write_text("right\n", encoding="utf-8")
    monkeypatch.setenv(secrets.PASSPHRASE_FILE_ENV, str(pw))
    secrets.reset()
    assert secrets.get_secret("GIPHY_API_KEY") == SECRET


def test_legacy_session_entries_move_under_one_service(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    secrets.reset()
    try:
        backend.set_password("ByteOS Supabase session", "https://p#u", '{"x": 1}')
        assert secrets.get_secret("https://p#u") == '{"x": 1}'
        assert backend.secrets == {(secrets.SERVICE, "https://p#u"): '{"x": 1}'}
    finally:
        keyring.set_keyring(previous)
        secrets.reset()


def test_keyring_cli_on_a_headless_machine(tmp_path: Path) -> None:
    """Real processes with keyring's own backend choice (no D-Bus here), then the file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON_KEYRING", "BYTEOS_"))}
    env.update(
        {
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=" + str(tmp_path / "no-bus"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            secrets.FILE_ENV: str(tmp_path / "secrets.cfg"),
        }
    )
    r = run_byteos("keyring", "status", env=env)
    assert r.returncode == 5 and '"store": "none"' in r.stdout
    r = run_byteos("keyring", "set-key", "openai", env=env, stdin=SECRET + "\n")
    assert r.returncode == 5 and secrets.PASSPHRASE_ENV in r.stderr
    assert "Traceback" not in r.stderr
    env[secrets.PASSPHRASE_ENV] = "it-policy-passphrase"
    r = run_byteos("keyring", "set-key", "openai", env=env, stdin=SECRET + "\n")
    assert r.returncode == 0, r.stderr
    assert SECRET not in r.stdout + r.stderr
    probe = (
        "from engine.llm.keys import api_key; import sys; "
        f"sys.exit(0 if api_key('openai') == {SECRET!r} else 1)"
    )
    assert subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env).returncode == 0
    assert SECRET.encode() not in (tmp_path / "secrets.cfg").read_bytes()
