"""Where the settings files are: the user file, the policy files, the last-good cache.

Standard library (and platformdirs) only, so that :mod:`engine.config.early` can find them
before pydantic loads. Each path can be moved by an environment variable (tests; a policy
file kept elsewhere)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "ByteOS"
BUNDLE_ID = "app.byteos.ByteOS"
"""The macOS bundle identifier, and so the managed-preferences domain."""

LINUX_POLICY_FILE = Path("/etc/byteos/policies.json")
MAC_POLICY_FILE = Path("/Library/Managed Preferences") / f"{BUNDLE_ID}.plist"
REGISTRY_KEY = r"Software\Policies\ByteOS"
"""Under HKLM (machine, wins) and HKCU (user); its ``Recommended`` subkey holds recommended
values, the key itself the locked ones (as Chrome's ``Software\\Policies\\Google\\Chrome``)."""

POLICY_FILE_ENV = "BYTEOS_POLICY_FILE"
MAC_POLICY_FILE_ENV = "BYTEOS_MAC_POLICY_FILE"
SETTINGS_FILE_ENV = "BYTEOS_SETTINGS_FILE"
POLICY_CACHE_ENV = "BYTEOS_POLICY_CACHE"


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def user_settings_path(environ: Mapping[str, str] | None = None) -> Path:
    env = _env(environ)
    if env.get(SETTINGS_FILE_ENV):
        return Path(env[SETTINGS_FILE_ENV])
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.json"


def policy_cache_path(environ: Mapping[str, str] | None = None) -> Path:
    env = _env(environ)
    if env.get(POLICY_CACHE_ENV):
        return Path(env[POLICY_CACHE_ENV])
    import platformdirs

    folder = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    return folder / "policies.last-good.json"


def policy_file_path(environ: Mapping[str, str] | None = None) -> Path:
    env = _env(environ)
    return Path(env[POLICY_FILE_ENV]) if env.get(POLICY_FILE_ENV) else LINUX_POLICY_FILE


def mac_policy_path(environ: Mapping[str, str] | None = None) -> Path:
    env = _env(environ)
    return Path(env[MAC_POLICY_FILE_ENV]) if env.get(MAC_POLICY_FILE_ENV) else MAC_POLICY_FILE
