"""Where settings come from: the user file, policies (JSON, Windows registry, macOS plist)
and the environment. Each reader returns plain values plus the problems it found.

Why problems are returned, never raised: a policy file that IT got wrong must not stop the
app, and must not be silently ignored either (the most common complaint about Firefox's
``policies.json``). Every problem names the file (or registry key / variable), the line and
column where that can be known, and the reason, and the caller shows it at start.

Nothing here runs at import; files are read only when asked.
"""

from __future__ import annotations

import json
import os
import plistlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from engine.config.locations import (
    MAC_POLICY_FILE_ENV,
    POLICY_CACHE_ENV,
    POLICY_FILE_ENV,
    REGISTRY_KEY,
    SETTINGS_FILE_ENV,
    mac_policy_path,
    policy_cache_path,
    policy_file_path,
    user_settings_path,
)
from engine.config.schema import ENV_VARS, PolicyDocument, PolicyValues

__all__ = [
    "MAC_POLICY_FILE_ENV",
    "POLICY_CACHE_ENV",
    "POLICY_FILE_ENV",
    "REGISTRY_KEY",
    "SETTINGS_FILE_ENV",
    "ConfigProblem",
    "PolicyRead",
    "RegistryReader",
    "WinRegistry",
    "environment_values",
    "mac_policy_path",
    "parse_policy_document",
    "platform_policies",
    "policy_cache_path",
    "policy_file_path",
    "read_json_policy",
    "read_plist_policy",
    "read_registry_policy",
    "read_user_file",
    "user_overrides",
    "user_settings_path",
    "validate_values",
]


@dataclass(frozen=True)
class ConfigProblem:
    """Something in a settings source that could not be used, said for a person."""

    where: str  # a file path, registry key or environment variable
    reason: str
    line: int | None = None
    column: int | None = None
    setting: str | None = None
    consequence: str = ""

    @property
    def message(self) -> str:
        place = self.where
        if self.line is not None:
            place += f", line {self.line}" + (f", column {self.column}" if self.column else "")
        text = f"{place}: {self.reason}"
        return f"{text}. {self.consequence}" if self.consequence else text


@dataclass
class PolicyRead:
    """What one policy source gave: locked and recommended values (``None`` when the source
    is absent or broken) and the problems found."""

    where: str
    locked: dict[str, Any] | None = None
    recommended: dict[str, Any] | None = None
    problems: list[ConfigProblem] = field(default_factory=list)
    raw: dict[str, Any] | None = None  # the document as read, for the last-good cache

    @property
    def ok(self) -> bool:
        return self.locked is not None and not self.problems


# -- validation with a place ----------------------------------------------------------------
def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def locate(text: str, loc: tuple[int | str, ...]) -> tuple[int | None, int | None]:
    """Where the key at ``loc`` (a pydantic error location) is written in JSON ``text``:
    each key is searched after the previous one, which finds it in any well-formed file."""
    pos, found = 0, None
    for part in loc:
        if not isinstance(part, str):
            continue
        hit = text.find(json.dumps(part), pos)
        if hit >= 0:  # a level the source does not spell out (a flat plist) is skipped
            pos = found = hit
    return _line_col(text, found) if found is not None else (None, None)


def _reason(err: dict[str, Any]) -> tuple[str, str]:
    loc = ".".join(str(p) for p in err["loc"])
    msg = str(err["msg"])
    if err["type"] == "extra_forbidden":
        return loc, f"unknown setting {loc!r}"
    if msg.startswith("Value error, "):
        msg = "expected " + msg.removeprefix("Value error, ")
    return loc, f"{loc}: {msg} (got {err.get('input')!r})"


def validation_problems(
    where: str, err: ValidationError, text: str | None = None, *, consequence: str = ""
) -> list[ConfigProblem]:
    problems = []
    for e in err.errors():
        _loc, reason = _reason(dict(e))
        line, col = locate(text, tuple(e["loc"])) if text is not None else (None, None)
        setting = next((str(p) for p in reversed(e["loc"]) if isinstance(p, str)), None)
        problems.append(ConfigProblem(where, reason, line, col, setting, consequence))
    return problems


# -- policy documents -----------------------------------------------------------------------
BROKEN_POLICY = "Its values are not applied; ByteOS uses the last good policy or its defaults."


def parse_policy_document(where: str, data: Any, text: str | None = None) -> PolicyRead:
    """Check a decoded policy document (from JSON or a plist) against the schema."""
    read = PolicyRead(where)
    if isinstance(data, dict) and not {"locked", "recommended", "$schema"} & set(data):
        data = {"locked": data}  # a flat plist / document: every key is locked
    try:
        doc = PolicyDocument.model_validate(data)
    except ValidationError as err:
        read.problems = validation_problems(where, err, text, consequence=BROKEN_POLICY)
        return read
    read.locked = doc.locked.model_dump(exclude_unset=True, exclude_none=True)
    read.recommended = doc.recommended.model_dump(exclude_unset=True, exclude_none=True)
    read.raw = data
    return read


def read_json_policy(path: Path) -> PolicyRead | None:
    """The JSON policy file, or ``None`` when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        return PolicyRead(
            str(path),
            problems=[
                ConfigProblem(str(path), f"cannot be read ({err})", consequence=BROKEN_POLICY)
            ],
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        problem = ConfigProblem(
            str(path), f"is not valid JSON: {err.msg}", err.lineno, err.colno, None, BROKEN_POLICY
        )
        return PolicyRead(str(path), problems=[problem])
    return parse_policy_document(str(path), data, text)


def read_plist_policy(path: Path) -> PolicyRead | None:
    """A macOS managed-preferences plist (XML or binary), or ``None`` when there is none.
    Its keys are the setting names; top-level ``locked`` / ``recommended`` dictionaries
    split them as in the JSON file, other top-level keys are locked (managed preferences
    are enforced)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        return PolicyRead(
            str(path),
            problems=[
                ConfigProblem(str(path), f"cannot be read ({err})", consequence=BROKEN_POLICY)
            ],
        )
    try:
        data = plistlib.loads(raw)
    except Exception as err:  # plistlib raises InvalidFileException, ExpatError, ValueError
        line = getattr(err, "lineno", None)
        return PolicyRead(
            str(path),
            problems=[
                ConfigProblem(
                    str(path), f"is not a valid plist: {err}", line, None, None, BROKEN_POLICY
                )
            ],
        )
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if not k.startswith("PayloadUUID")}
    text = raw.decode("utf-8", "replace") if raw.lstrip().startswith(b"<") else None
    return parse_policy_document(str(path), data, _plist_text(text))


def _plist_text(text: str | None) -> str | None:
    """A plist's XML written so :func:`locate` finds keys: ``<key>name</key>`` → ``"name"``."""
    if text is None:
        return None
    import re

    return re.sub(r"<key>([^<]*)</key>", lambda m: json.dumps(m.group(1)) + " " * 9, text)


class RegistryReader(Protocol):
    """The part of ``winreg`` the policy reader needs: the values of one key, or ``None``
    when the key does not exist. :class:`WinRegistry` is the real one (Windows only)."""

    def values(self, hive: str, key: str) -> dict[str, Any] | None: ...


class WinRegistry:
    """The Windows registry through ``winreg`` (imported when read, on Windows only)."""

    def values(self, hive: str, key: str) -> dict[str, Any] | None:  # pragma: no cover
        if sys.platform != "win32":
            return None
        import winreg

        root = {"HKLM": winreg.HKEY_LOCAL_MACHINE, "HKCU": winreg.HKEY_CURRENT_USER}[hive]
        try:
            handle = winreg.OpenKey(root, key)
        except OSError:
            return None
        out: dict[str, Any] = {}
        with handle:
            index = 0
            while True:
                try:
                    name, value, _kind = winreg.EnumValue(handle, index)
                except OSError:
                    break
                out[name] = value
                index += 1
        return out


def read_registry_policy(reader: RegistryReader, hive: str) -> PolicyRead | None:
    """The policies under ``hive\\Software\\Policies\\ByteOS`` (locked) and its ``Recommended``
    subkey. REG_DWORD 0/1 are booleans, REG_MULTI_SZ (or a comma-separated REG_SZ) lists."""
    where = f"{'HKEY_LOCAL_MACHINE' if hive == 'HKLM' else 'HKEY_CURRENT_USER'}\\{REGISTRY_KEY}"
    locked = reader.values(hive, REGISTRY_KEY)
    recommended = reader.values(hive, REGISTRY_KEY + r"\Recommended")
    if locked is None and recommended is None:
        return None
    read = PolicyRead(where, {}, {})
    for name, values in (("locked", locked), ("recommended", recommended)):
        if not values:
            continue
        place = where if name == "locked" else where + r"\Recommended"
        try:
            model = PolicyValues.model_validate(values)
        except ValidationError as err:
            read.problems += validation_problems(place, err, consequence=BROKEN_POLICY)
            continue
        getattr(read, name).update(model.model_dump(exclude_unset=True, exclude_none=True))
    if read.problems:
        read.locked = read.recommended = None
    else:
        read.raw = {"locked": locked or {}, "recommended": recommended or {}}
    return read


# -- the user's own file and the environment -----------------------------------------------
OVERRIDES_KEY = "_overrides_recommended"
"""In the user file: settings the user changed while IT recommended a value; these keep the
user's value above the recommendation (a recommendation is a default the user may change)."""


def user_overrides(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    names = data.get(OVERRIDES_KEY) if isinstance(data, dict) else None
    return {str(n) for n in names} if isinstance(names, list) else set()


def read_user_file(path: Path) -> tuple[dict[str, Any], list[ConfigProblem]]:
    """The user's settings file: a JSON object of setting names. A bad value drops only
    that setting (the others still apply), and is reported."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as err:
        return {}, [ConfigProblem(str(path), f"cannot be read ({err})")]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        return {}, [
            ConfigProblem(
                str(path),
                f"is not valid JSON: {err.msg}",
                err.lineno,
                err.colno,
                None,
                "Your saved settings are not applied.",
            )
        ]
    if not isinstance(data, dict):
        return {}, [ConfigProblem(str(path), "must hold a JSON object of settings")]
    data.pop(OVERRIDES_KEY, None)
    return validate_values(str(path), data, text, "That setting keeps its other value.")


def validate_values(
    where: str, data: Mapping[str, Any], text: str | None = None, consequence: str = ""
) -> tuple[dict[str, Any], list[ConfigProblem]]:
    """Valid settings of ``data``, one by one, and a problem for each one that is not."""
    good: dict[str, Any] = {}
    problems: list[ConfigProblem] = []
    for name, value in data.items():
        try:
            model = PolicyValues.model_validate({name: value})
        except ValidationError as err:
            problems += validation_problems(where, err, text, consequence=consequence)
            continue
        good.update(model.model_dump(exclude_unset=True, exclude_none=True))
    return good, problems


def environment_values(
    environ: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], dict[str, str], list[ConfigProblem]]:
    """Settings given by environment variables (empty ones count as unset), which variable
    gave each, and a problem for each value that is not valid."""
    env = os.environ if environ is None else environ
    good: dict[str, Any] = {}
    names: dict[str, str] = {}
    problems: list[ConfigProblem] = []
    for setting, var in ENV_VARS.items():
        raw = env.get(var, "").strip()
        if not raw:
            continue
        values, found = validate_values(
            f"environment variable {var}", {setting: raw}, consequence="It is ignored."
        )
        good.update(values)
        problems += found
        if values:
            names[setting] = var
    return good, names, problems


def platform_policies(
    environ: Mapping[str, str] | None = None,
    *,
    platform: str | None = None,
    registry: RegistryReader | None = None,
) -> list[PolicyRead]:
    """Every policy source of this platform that exists, lowest priority first (on Windows
    HKCU, then HKLM: machine policy wins). The JSON file is read on every platform when
    ``BYTEOS_POLICY_FILE`` names one, and on Linux (and other Unixes) at its usual place."""
    platform = platform or sys.platform
    env = os.environ if environ is None else environ
    reads: list[PolicyRead | None] = []
    if platform == "win32":
        reg = registry or WinRegistry()
        reads += [read_registry_policy(reg, "HKCU"), read_registry_policy(reg, "HKLM")]
        if env.get(POLICY_FILE_ENV):
            reads.append(read_json_policy(policy_file_path(env)))
    elif platform == "darwin":
        reads.append(read_plist_policy(mac_policy_path(env)))
        if env.get(POLICY_FILE_ENV):
            reads.append(read_json_policy(policy_file_path(env)))
    else:
        reads.append(read_json_policy(policy_file_path(env)))
    return [r for r in reads if r is not None]
