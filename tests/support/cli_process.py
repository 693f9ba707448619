"""Running ``byteos`` as a real process, on a machine with no OS keyring.

Shared by the tests of the secrets helper, the headless scheduled sync and the invitation
commands, which all need a command's session or key to outlive its process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_byteos(
    *args: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def headless_env(keyring_file: Path, passphrase: str | None = None) -> dict[str, str]:
    """A machine with no OS keyring (keyring's fail backend) and, with a passphrase, the
    encrypted file keyring at ``keyring_file``: sessions then outlive each process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON_KEYRING", "BYTEOS_"))}
    env.update(
        {
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "BYTEOS_KEYRING_FILE": str(keyring_file),
        }
    )
    if passphrase is not None:
        env["BYTEOS_KEYRING_PASSPHRASE"] = passphrase
    return env
