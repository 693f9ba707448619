"""The data folder, known before the first frame: the same sources and precedence as
:mod:`engine.config.precedence`, read with the standard library only.

Why apart: the app shows its window before it loads pydantic (``app/shell/launch.py``), but
it must know where the database is (``sync.store.paths``) to show the last run's image. So
``data_dir`` alone is looked up here, raw: a locked policy, then ``BYTEOS_DATA_DIR``, then a
recommended policy, then the user file. A source that is broken (or whose ``data_dir`` is
not text) is passed over as the full reader passes it over — using its last good copy —
and the full reader reports it once the window is live.
"""

from __future__ import annotations

import json
import os
import plistlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

NAME = "data_dir"
ENV = "BYTEOS_DATA_DIR"


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _levels(data: Any) -> tuple[Any, Any]:
    if not isinstance(data, dict):
        return None, None
    if not {"locked", "recommended", "$schema"} & set(data):
        return data.get(NAME), None
    locked, recommended = data.get("locked"), data.get("recommended")
    return (
        locked.get(NAME) if isinstance(locked, dict) else None,
        recommended.get(NAME) if isinstance(recommended, dict) else None,
    )


def _policy_documents(env: Mapping[str, str]) -> list[tuple[str, Any]]:
    """(where, document) of each policy file of this platform, as the full reader names
    them (the registry is left to the full reader: Windows installs pass the folder there)."""
    from engine.config.locations import mac_policy_path, policy_file_path

    found: list[tuple[str, Any]] = []
    if sys.platform == "darwin":
        path = mac_policy_path(env)
        try:
            found.append((str(path), plistlib.loads(path.read_bytes())))
        except FileNotFoundError:
            pass
        except Exception:
            found.append((str(path), None))
    if sys.platform not in ("win32", "darwin") or env.get("BYTEOS_POLICY_FILE"):
        path = policy_file_path(env)
        if path.exists():
            found.append((str(path), _json(path)))
    return found


def data_dir() -> Path | None:
    """The configured data folder, or ``None`` for the platform's default."""
    from engine.config.locations import policy_cache_path, user_settings_path

    env = os.environ
    locked = recommended = None
    cache: Any = None
    for where, doc in _policy_documents(env):
        lock, rec = _levels(doc)
        if doc is None or not all(v is None or isinstance(v, str) for v in (lock, rec)):
            cache = _json(policy_cache_path(env)) if cache is None else cache
            lock, rec = _levels(cache.get(where) if isinstance(cache, dict) else None)
        locked = lock if isinstance(lock, str) else locked
        recommended = rec if isinstance(rec, str) else recommended
    user = _json(user_settings_path(env))
    mine = user.get(NAME) if isinstance(user, dict) else None
    overrides = user.get("_overrides_recommended") if isinstance(user, dict) else None
    if isinstance(overrides, list) and NAME in overrides:
        recommended = None
    for value in (locked, env.get(ENV, "").strip(), recommended, mine):
        if isinstance(value, str) and value.strip():
            return Path(value.strip()).expanduser()
    return None
