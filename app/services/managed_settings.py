"""The settings and IT policies as the views see them: every value, where it came from, and
the user's own changes (refused, with the reason, where IT locked the value).

Why a service: the Settings dialog and the About / Policies page show the same rows and save
through the same checks; neither builds a policy reader or writes a file itself. The
settings themselves are ``engine.config`` (one typed object, one precedence for the app).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from app.services.errors import UserError
from engine.config import (
    FIELDS,
    ConfigProblem,
    Effective,
    LockedSetting,
    Settings,
    Source,
    current,
    save_user_values,
)
from engine.config.precedence import PRECEDENCE
from engine.config.schema import ENV_VARS

SOURCE_LABELS = {
    Source.DEFAULT: "Default",
    Source.USER: "Your settings file",
    Source.RECOMMENDED: "Recommended by your organisation",
    Source.ENVIRONMENT: "Environment variable",
    Source.LOCKED: "Locked by your organisation",
}

LABELS = {
    "supabase_url": "Supabase project URL",
    "supabase_anon_key": "Supabase anon key",
    "sign_in_methods": "Allowed sign-in methods",
    "local_profiles_allowed": "Local profiles may be created",
    "llm_providers": "AI providers allowed (in order)",
    "ai_key_source": "Where cloud AI keys come from",
    "llm_model_path": "On-device model file",
    "llm_lora_path": "On-device model adapter (LoRA)",
    "model_cache": "Model cache folder",
    "together_base_url": "Together AI address",
    "together_model": "Together AI model",
    "openai_base_url": "OpenAI address",
    "openai_model": "OpenAI model",
    "anthropic_base_url": "Anthropic address",
    "anthropic_model": "Anthropic model",
    "tts_mode": "Narration voice",
    "tts_voice": "Online voice name",
    "piper_model": "Offline voice file",
    "proxy_mode": "Proxy",
    "proxy_url": "Proxy address",
    "proxy_pac_url": "Proxy auto-config (PAC) address",
    "ca_bundle": "Extra CA certificates (PEM)",
    "updates_enabled": "Look for updates",
    "update_url": "Update feed address",
    "telemetry_enabled": "Send usage statistics",
    "data_dir": "Data folder",
    "default_language": "Default language",
    "branding_name": "Organisation name",
    "branding_accent_color": "Organisation accent colour",
    "branding_logo": "Organisation logo",
}
assert set(LABELS) == set(FIELDS)

EDITABLE = (
    "llm_model_path",
    "tts_mode",
    "default_language",
    "proxy_mode",
    "proxy_url",
    "ca_bundle",
    "updates_enabled",
    "telemetry_enabled",
)
"""What the Settings dialog lets a person change (the rest is for IT and the environment)."""

LOCK_EXPLANATION = (
    "Your organisation's IT has locked this setting through a policy; it applies to everyone "
    "on this device and cannot be changed here."
)


@dataclass(frozen=True)
class SettingRow:
    name: str
    label: str
    value: Any
    text: str  # the value as shown
    source: Source
    where: str  # the file, registry key or variable that set it; "" for a default
    env_var: str

    @property
    def locked(self) -> bool:
        return self.source is Source.LOCKED

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]


def effective() -> Effective:
    return current()


def show(value: Any) -> str:
    if value is None:
        return "Not set"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "None"
    return str(value)


def rows() -> list[SettingRow]:
    """Every setting with its effective value and origin, in the schema's order."""
    out = []
    for name, value, source, where in current().describe():
        text = show(value)
        if name == "supabase_anon_key" and value:
            text = f"{str(value)[:6]}… (public key)"
        out.append(SettingRow(name, LABELS[name], value, text, source, where, ENV_VARS[name]))
    return out


def choices(name: str) -> tuple[str, ...] | None:
    """The allowed values of a setting with a fixed vocabulary, else ``None``."""
    annotation = Settings.model_fields[name].annotation
    args = get_args(annotation)
    return tuple(str(a) for a in args) if args and all(isinstance(a, str) for a in args) else None


def is_flag(name: str) -> bool:
    return Settings.model_fields[name].annotation is bool


def problems() -> list[ConfigProblem]:
    return list(current().problems)


def problem_summary() -> str | None:
    """One line for the status bar when a settings source could not be used, else ``None``."""
    found = problems()
    if not found:
        return None
    first = found[0].message
    more = f" (and {len(found) - 1} more: Help → About / Policies)" if len(found) > 1 else ""
    return f"Policy problem: {first}{more}"


def save(changes: dict[str, Any]) -> Effective:
    """Save the user's ``changes`` (empty text clears a setting). ``UserError`` saying why
    when a value is locked or invalid; then nothing is saved."""
    cleaned: dict[str, Any] = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip() or None
        if name in ("ca_bundle", "llm_model_path", "llm_lora_path") and isinstance(value, str):
            value = str(Path(value).expanduser())
        if name == "llm_model_path" and value is not None:
            _require_gguf(Path(value))
        if name == "llm_lora_path" and value is not None:
            from engine.finetune.lora import LoraAdapterError, check_adapter

            try:
                check_adapter(Path(value))
            except LoraAdapterError as err:
                raise UserError(f"Not saved: {err}") from None
        cleaned[name] = value
    unchanged = current().values.model_dump()
    cleaned = {k: v for k, v in cleaned.items() if _differs(unchanged.get(k), v)}
    if not cleaned:
        return current()
    try:
        return save_user_values(cleaned)
    except LockedSetting as err:
        raise UserError(str(err)) from None
    except ValueError as err:
        raise UserError(f"Not saved: {err}") from None


def _require_gguf(path: Path) -> None:
    """A model file the local tutor can load: it exists and is GGUF (llama.cpp's format)."""
    if not path.is_file():
        raise UserError(f"Not saved: there is no model file at {path}.")
    from engine.llm.bundled import gguf_version

    if gguf_version(path) is None:
        raise UserError(
            f"Not saved: {path.name} is not a GGUF model (llama.cpp's format, e.g. "
            "qwen2.5-7b-instruct-q4_k_m.gguf)."
        )


def _differs(old: Any, new: Any) -> bool:
    return (str(old) if old is not None else None) != (str(new) if new is not None else None)


PRECEDENCE_TEXT = " < ".join(SOURCE_LABELS[s].lower() for s in PRECEDENCE)
