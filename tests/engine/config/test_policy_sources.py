"""Policy sources: a broken file is reported with its line and the last good policy applies;
the Windows registry and macOS plist readers; the shipped JSON Schema is up to date."""

from __future__ import annotations

import json
import plistlib
from pathlib import Path
from typing import Any

from engine.config import Source, current, load
from engine.config.schema import schema_text
from engine.config.sources import REGISTRY_KEY, platform_policies

ROOT = Path(__file__).resolve().parents[3]

GOOD = """{
  "locked": {
    "llm_providers": ["local"],
    "telemetry_enabled": false
  },
  "recommended": {
    "tts_mode": "piper"
  }
}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_policy_file_applies_locked_and_recommended(policy_file: Path) -> None:
    write(policy_file, GOOD)
    effective = current()
    assert effective.values.llm_providers == ["local"] and effective.locked("llm_providers")
    assert effective.values.tts_mode == "piper"
    assert effective.origins["tts_mode"] is Source.RECOMMENDED
    assert effective.problems == ()


def test_a_file_that_does_not_parse_is_reported_with_its_line(policy_file: Path) -> None:
    write(policy_file, GOOD.replace('"local"]', '"local"],,'))
    effective = current()
    [problem] = effective.problems
    assert problem.where == str(policy_file) and problem.line == 3
    assert "is not valid JSON" in problem.reason
    assert f"{policy_file}, line 3, column" in problem.message
    assert "defaults" in problem.message  # no earlier good copy: the defaults apply
    assert effective.values.llm_providers == ["local", "together", "openai", "anthropic"]


def test_a_value_that_fails_the_schema_names_the_line_and_the_setting(policy_file: Path) -> None:
    write(policy_file, GOOD.replace('"telemetry_enabled": false', '"telemetry_enabled": "maybe"'))
    [problem] = current().problems
    assert problem.line == 4 and problem.setting == "telemetry_enabled"
    assert "locked.telemetry_enabled" in problem.reason and "'maybe'" in problem.reason


def test_an_unknown_setting_is_an_error_not_silently_ignored(policy_file: Path) -> None:
    write(policy_file, GOOD.replace('"tts_mode"', '"tts_mood"'))
    [problem] = current().problems
    assert problem.line == 7 and "unknown setting 'recommended.tts_mood'" in problem.reason


def test_a_broken_file_falls_back_to_the_last_good_policy(policy_file: Path) -> None:
    write(policy_file, GOOD)
    assert current().values.llm_providers == ["local"]  # read once: remembered as good
    write(policy_file, GOOD.replace('"piper"', '"loud"'))
    effective = current()
    [problem] = effective.problems
    assert "last good copy" in problem.message and problem.line == 7
    assert effective.values.llm_providers == ["local"] and effective.locked("llm_providers")
    assert effective.values.tts_mode == "piper"


class DictRegistry:
    """The registry as ``winreg`` would return it, for the reader's adapter (winreg itself
    exists on Windows only)."""

    def __init__(self, keys: dict[tuple[str, str], dict[str, Any]]) -> None:
        self.keys = keys

    def values(self, hive: str, key: str) -> dict[str, Any] | None:
        return self.keys.get((hive, key))


def test_registry_policies_machine_wins_over_user_and_types_convert() -> None:
    reg = DictRegistry(
        {
            ("HKCU", REGISTRY_KEY): {"default_language": "fr", "telemetry_enabled": 1},
            ("HKLM", REGISTRY_KEY): {
                "default_language": "de",
                "llm_providers": ["local"],  # REG_MULTI_SZ
                "local_profiles_allowed": 0,  # REG_DWORD
            },
            ("HKLM", REGISTRY_KEY + r"\Recommended"): {"sign_in_methods": "password, sso"},
        }
    )
    effective = load(platform="win32", registry=reg, environ={})
    s = effective.values
    assert s.default_language == "de" and effective.locked("default_language")
    assert effective.where["default_language"] == r"HKEY_LOCAL_MACHINE" + "\\" + REGISTRY_KEY
    assert s.telemetry_enabled is True and effective.locked("telemetry_enabled")
    assert s.llm_providers == ["local"] and s.local_profiles_allowed is False
    assert s.sign_in_methods == ["password", "sso"]
    assert effective.origins["sign_in_methods"] is Source.RECOMMENDED


def test_a_bad_registry_value_is_reported_with_its_key() -> None:
    reg = DictRegistry({("HKLM", REGISTRY_KEY): {"proxy_mode": "sideways"}})
    [read] = platform_policies({}, platform="win32", registry=reg)
    [problem] = read.problems
    assert problem.where == "HKEY_LOCAL_MACHINE\\" + REGISTRY_KEY
    assert problem.setting == "proxy_mode" and "sideways" in problem.reason
    assert read.locked is None


def test_macos_managed_preferences_plist(tmp_path: Path) -> None:
    plist = tmp_path / "managed" / "app.byteos.ByteOS.plist"
    plist.parent.mkdir(parents=True)
    plist.write_bytes(plistlib.dumps({"tts_mode": "espeak", "updates_enabled": False}))
    effective = load(platform="darwin")
    assert effective.values.tts_mode == "espeak" and effective.locked("tts_mode")
    assert effective.values.updates_enabled is False
    plist.write_bytes(
        plistlib.dumps(
            {"locked": {"telemetry_enabled": False}, "recommended": {"tts_mode": "edge"}}
        )
    )
    effective = load(platform="darwin")
    assert effective.origins["tts_mode"] is Source.RECOMMENDED
    plist.write_bytes(plistlib.dumps({"tts_mode": "loud"}))
    [problem] = load(platform="darwin").problems
    assert problem.where == str(plist) and problem.line == 5 and "loud" in problem.reason
    plist.write_text("<plist><dict><key>x", encoding="utf-8")
    [problem] = load(platform="darwin").problems
    assert "is not a valid plist" in problem.reason


def test_the_shipped_json_schema_is_up_to_date() -> None:
    shipped = (ROOT / "resources" / "policies.schema.json").read_text(encoding="utf-8")
    assert shipped == schema_text(), "run: python -m engine.config resources/policies.schema.json"
    schema = json.loads(shipped)
    props = schema["$defs"]["PolicyValues"]["properties"]
    assert {"supabase_url", "proxy_mode", "ca_bundle", "llm_providers"} <= set(props)
    assert schema["additionalProperties"] is False
