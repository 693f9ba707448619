"""The one settings precedence of the whole app, and the effective settings of this run.

    defaults  <  user settings file  <  recommended policies  <  environment  <  locked policies

* **defaults**: :class:`engine.config.schema.Settings`;
* **user settings file**: ``settings.json`` in the user config folder (what the Settings
  dialog saves; ``BYTEOS_SETTINGS_FILE`` overrides the path);
* **recommended policies**: IT's defaults (``"recommended"`` in ``/etc/byteos/policies.json``,
  ``HKLM/HKCU\\Software\\Policies\\ByteOS\\Recommended``, the macOS plist's ``recommended``);
  they win over what the user file already held, so a new recommendation reaches every
  laptop; a value the user then changes in Settings is recorded as overriding the
  recommendation (``_overrides_recommended`` in the file) and stands, since a
  recommendation is a default the user may change;
* **environment variables** (:data:`engine.config.schema.ENV_VARS`): one run, a script, a test;
* **locked policies**: what IT enforces; nothing overrides them and the Settings dialog
  shows them read-only.

A policy source that does not parse or fails the schema is reported (file, line, reason)
and replaced by the last good copy of it (kept in the user cache folder) or, without one,
contributes nothing. The result is cached per process and recomputed when a relevant
environment variable or a file changes, so tests and a changed policy file are seen.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from engine.config.schema import ENV_VARS, FIELDS, Settings
from engine.config.sources import (
    MAC_POLICY_FILE_ENV,
    OVERRIDES_KEY,
    POLICY_CACHE_ENV,
    POLICY_FILE_ENV,
    SETTINGS_FILE_ENV,
    ConfigProblem,
    PolicyRead,
    RegistryReader,
    environment_values,
    parse_policy_document,
    platform_policies,
    policy_cache_path,
    read_user_file,
    user_overrides,
    user_settings_path,
    validate_values,
)

log = logging.getLogger(__name__)


class Source(Enum):
    """Where an effective value came from, lowest precedence first."""

    DEFAULT = "default"
    USER = "user file"
    RECOMMENDED = "recommended policy"
    ENVIRONMENT = "environment"
    LOCKED = "locked policy"


PRECEDENCE = tuple(Source)


@dataclass(frozen=True)
class Layer:
    """The values one source sets, and where each came from (a file, key or variable)."""

    source: Source
    values: Mapping[str, Any]
    where: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Effective:
    """The settings of this run, the origin of each value, and what could not be used."""

    values: Settings
    origins: Mapping[str, Source]
    where: Mapping[str, str]
    problems: tuple[ConfigProblem, ...] = ()

    def locked(self, name: str) -> bool:
        return self.origins[name] is Source.LOCKED

    @property
    def locked_names(self) -> frozenset[str]:
        return frozenset(n for n, s in self.origins.items() if s is Source.LOCKED)

    def describe(self) -> list[tuple[str, Any, Source, str]]:
        """(setting, value, source, where) for every setting, in schema order."""
        dumped = self.values.model_dump()
        return [(n, dumped[n], self.origins[n], self.where.get(n, "")) for n in FIELDS]


class LockedSetting(ValueError):
    """A change to a setting IT has locked."""


def resolve(layers: list[Layer], problems: tuple[ConfigProblem, ...] = ()) -> Effective:
    """Merge ``layers`` by :data:`PRECEDENCE` (the order of the list does not matter)."""
    merged: dict[str, Any] = {}
    origins = dict.fromkeys(FIELDS, Source.DEFAULT)
    where: dict[str, str] = {}
    for layer in sorted(layers, key=lambda lay: PRECEDENCE.index(lay.source)):
        for name, value in layer.values.items():
            merged[name] = value
            origins[name] = layer.source
            if name in layer.where:
                where[name] = layer.where[name]
            else:
                where.pop(name, None)
    return Effective(Settings.model_validate(merged), origins, where, problems)


# -- the last good copy of each policy source --------------------------------------------------
def _load_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _remember(path: Path, where: str, raw: dict[str, Any]) -> None:
    cache = _load_cache(path)
    if cache.get(where) == raw:
        return
    cache[where] = raw
    with contextlib.suppress(OSError):  # a read-only home: nothing to keep, nothing breaks
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(cache, indent=1, default=str), encoding="utf-8")
        os.replace(tmp, path)


def _last_good(read: PolicyRead, cache_file: Path) -> PolicyRead:
    """A broken source replaced by its last good copy (its problems kept, to be shown)."""
    cached = _load_cache(cache_file).get(read.where)
    if isinstance(cached, dict):
        old = parse_policy_document(read.where, cached)
        if old.locked is not None:
            note = "ByteOS applies the last good copy of this policy until it is fixed."
            old.problems = [_with(p, note) for p in read.problems]
            return old
    note = "No earlier good copy is known: ByteOS uses its defaults for these policies."
    return PolicyRead(read.where, problems=[_with(p, note) for p in read.problems])


def _with(problem: ConfigProblem, consequence: str) -> ConfigProblem:
    return ConfigProblem(
        problem.where, problem.reason, problem.line, problem.column, problem.setting, consequence
    )


# -- loading -----------------------------------------------------------------------------------
def load(
    environ: Mapping[str, str] | None = None,
    *,
    platform: str | None = None,
    registry: RegistryReader | None = None,
) -> Effective:
    """Read every source now and merge them (see the module docstring)."""
    env = os.environ if environ is None else environ
    problems: list[ConfigProblem] = []
    user_path = user_settings_path(env)
    user, found = read_user_file(user_path)
    problems += found
    layers = [Layer(Source.USER, user, dict.fromkeys(user, str(user_path)))]
    overridden = user_overrides(user_path) & set(user)
    cache_file = policy_cache_path(env)
    for read in platform_policies(env, platform=platform, registry=registry):
        if read.ok and read.raw is not None:
            _remember(cache_file, read.where, read.raw)
        else:
            read = _last_good(read, cache_file)
        problems += read.problems
        recommended = {k: v for k, v in (read.recommended or {}).items() if k not in overridden}
        for source, values in ((Source.RECOMMENDED, recommended), (Source.LOCKED, read.locked)):
            if values:
                layers.append(Layer(source, values, dict.fromkeys(values, read.where)))
    env_values, env_names, found = environment_values(env)
    problems += found
    layers.append(Layer(Source.ENVIRONMENT, env_values, env_names))
    return resolve(_merge_same_source(layers), tuple(problems))


def _merge_same_source(layers: list[Layer]) -> list[Layer]:
    """Several policy sources of one level (HKCU then HKLM) become one layer, later wins."""
    out: dict[Source, Layer] = {}
    for layer in layers:
        prev = out.get(layer.source)
        if prev is None:
            out[layer.source] = layer
        else:
            out[layer.source] = Layer(
                layer.source, {**prev.values, **layer.values}, {**prev.where, **layer.where}
            )
    return list(out.values())


_WATCHED_ENV = (
    *ENV_VARS.values(),
    POLICY_FILE_ENV,
    MAC_POLICY_FILE_ENV,
    SETTINGS_FILE_ENV,
    POLICY_CACHE_ENV,
)
_lock = threading.Lock()
_cached: tuple[tuple[object, ...], Effective] | None = None
_reported: set[str] = set()


def _fingerprint() -> tuple[object, ...]:
    env = tuple(os.environ.get(n) for n in _WATCHED_ENV)
    stats: list[object] = []
    from engine.config.sources import mac_policy_path, policy_file_path

    for path in (user_settings_path(), policy_file_path(), mac_policy_path()):
        try:
            st = path.stat()
            stats.append((st.st_mtime_ns, st.st_size))
        except OSError:
            stats.append(None)
    return (*env, *stats)


def current() -> Effective:
    """The effective settings now (cached until the environment or a settings file changes).
    New problems are logged once; the app shows them at start (``app/shell/policies_page``)."""
    global _cached
    key = _fingerprint()
    with _lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
    effective = load()
    with _lock:
        _cached = (key, effective)
        for problem in effective.problems:
            if problem.message not in _reported:
                _reported.add(problem.message)
                log.warning("settings: %s", problem.message)
    return effective


def settings() -> Settings:
    """Shorthand for ``current().values``."""
    return current().values


def reset() -> None:
    """Forget the cached settings (tests)."""
    global _cached
    with _lock:
        _cached = None


def save_user_values(changes: Mapping[str, Any]) -> Effective:
    """Write ``changes`` to the user settings file (``None`` removes a setting) and return the
    new effective settings. A locked setting or an invalid value raises ``ValueError``
    (:class:`LockedSetting` for a lock) and the file is left as it was."""
    effective = current()
    locked = sorted(set(changes) & effective.locked_names)
    if locked:
        names = ", ".join(locked)
        raise LockedSetting(f"{names} is set by your organisation's policy and cannot be changed.")
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValueError(f"Unknown setting {', '.join(unknown)}.")
    path = user_settings_path()
    current_file, _ = read_user_file(path)
    setting = {k: v for k, v in changes.items() if v is not None}
    good, problems = validate_values("the new value", setting)
    if problems:
        raise ValueError("; ".join(p.reason for p in problems))
    new: dict[str, Any] = {**current_file, **good}
    overrides = user_overrides(path) & set(new)
    for name, value in changes.items():
        if value is None:
            new.pop(name, None)
            overrides.discard(name)
        elif effective.origins[name] is Source.RECOMMENDED:
            overrides.add(name)  # the user changed IT's default: theirs now stands
    if overrides:
        new[OVERRIDES_KEY] = sorted(overrides)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(new, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    reset()
    return current()
