"""ByteOS settings and IT policies: one typed object, one precedence, for every layer.

Why here: ``engine`` is the one package every layer may import (``app``, ``sync`` and the
engine's own providers), and this package is pure in the layering sense (no Qt, SQL, sync or
app; pydantic and the standard library only). It reads files only when asked — nothing at
import — and its public names load on first use, so ``engine.config.early`` can be asked for
the data folder before the first frame without pydantic (``app/shell/launch.py``).

* :mod:`engine.config.schema` — the settings (:class:`Settings`), the policy document and
  its JSON Schema, and each setting's environment variable;
* :mod:`engine.config.locations` — where the user file, policy files and cache are;
* :mod:`engine.config.sources` — the readers: the user file, ``/etc/byteos/policies.json``,
  the Windows registry, the macOS managed-preferences plist, the environment;
* :mod:`engine.config.precedence` — defaults < user file < recommended policy < environment
  < locked policy, the last good policy, and :func:`current`;
* :mod:`engine.config.early` — the one setting needed before the first frame (the data
  folder), read with the standard library only.

Use: ``from engine.config import settings; settings().tts_mode``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.config.precedence import (
        Effective,
        Layer,
        LockedSetting,
        Source,
        current,
        load,
        reset,
        resolve,
        save_user_values,
        settings,
    )
    from engine.config.schema import ENV_VARS, FIELDS, PolicyDocument, Settings
    from engine.config.sources import ConfigProblem

_HOMES = {
    **dict.fromkeys(
        (
            "Effective",
            "Layer",
            "LockedSetting",
            "Source",
            "current",
            "load",
            "reset",
            "resolve",
            "save_user_values",
            "settings",
        ),
        "engine.config.precedence",
    ),
    **dict.fromkeys(("ENV_VARS", "FIELDS", "PolicyDocument", "Settings"), "engine.config.schema"),
    "ConfigProblem": "engine.config.sources",
}


def __getattr__(name: str) -> Any:
    """The public names load on first use, so ``engine.config.early`` (read before the
    first frame, for the data folder) does not bring pydantic with it."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'engine.config' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "ENV_VARS",
    "FIELDS",
    "ConfigProblem",
    "Effective",
    "Layer",
    "LockedSetting",
    "PolicyDocument",
    "Settings",
    "Source",
    "current",
    "load",
    "reset",
    "resolve",
    "save_user_values",
    "settings",
]
