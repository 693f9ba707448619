"""A clean settings world for a test: no user file, no policy, no settings variables.

The user file, the policy file (Linux and macOS) and the last-good cache point into the
test's temporary folder, so a test writes real files and never sees the machine's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import config
from engine.config.schema import ENV_VARS
from engine.config.sources import (
    MAC_POLICY_FILE_ENV,
    POLICY_CACHE_ENV,
    POLICY_FILE_ENV,
    SETTINGS_FILE_ENV,
)


def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every settings source at ``tmp_path``; returns the policy file's path."""
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv(SETTINGS_FILE_ENV, str(tmp_path / "user" / "settings.json"))
    monkeypatch.setenv(POLICY_FILE_ENV, str(tmp_path / "etc" / "policies.json"))
    monkeypatch.setenv(MAC_POLICY_FILE_ENV, str(tmp_path / "managed" / "app.byteos.ByteOS.plist"))
    monkeypatch.setenv(POLICY_CACHE_ENV, str(tmp_path / "cache" / "last-good.json"))
    config.reset()
    return tmp_path / "etc" / "policies.json"
