"""Every ByteOS setting, typed, in one flat model: the vocabulary of settings files and policies.

Why one flat model: the same names are used in the user settings file, the policy file
(``/etc/byteos/policies.json``), the Windows registry (one value per setting under
``HKLM\\Software\\Policies\\ByteOS``), a macOS managed-preferences plist, and the About /
Policies page. A flat name maps one-to-one onto a registry value or a plist key, and each
setting's origin (default, user file, recommended policy, environment, locked policy) is
tracked per name. Groups are only a prefix (``proxy_*``, ``tts_*``...).

:data:`ENV_VARS` keeps the environment-variable names earlier versions read directly
(``BYTEOS_LLM_PROVIDERS``, ``OPENAI_BASE_URL``, ...), so existing deployments keep working.
The policy file's JSON Schema (``resources/policies.schema.json``) is generated from
:class:`PolicyDocument` (``python -m engine.config resources/policies.schema.json``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

LLM_PROVIDERS = ("local", "together", "openai", "anthropic")
"""Every language-model provider ByteOS knows, in the default order of preference."""
LLMProvider = Literal["local", "together", "openai", "anthropic"]

SIGN_IN_METHODS = ("password", "magic_link", "sso")
"""Ways to sign in to the organisation's Supabase project (``password`` is what exists today)."""
SignInMethod = Literal["password", "magic_link", "sso"]

TTS_MODES = ("auto", "edge", "piper", "espeak")
_TTS_ALIASES = {"online": "edge", "offline": "piper", "local": "piper", "espeak-ng": "espeak"}

KEY_SOURCES = ("any", "environment", "keyring", "none")
"""Where cloud API keys may come from: ``any`` (the environment, then the keyring), only the
environment (IT provisions them; the Settings dialog cannot store one), only the keyring, or
``none`` (no cloud keys at all)."""

PROXY_MODES = ("system", "none", "explicit", "pac")


class _Rules(BaseModel):
    """The checks shared by the full settings and by any subset of them."""

    @field_validator("tts_mode", mode="before", check_fields=False)
    @classmethod
    def _tts_alias(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
            return _TTS_ALIASES.get(value, value)
        return value

    @field_validator("llm_providers", "sign_in_methods", mode="before", check_fields=False)
    @classmethod
    def _list_text(cls, value: Any) -> Any:
        """``"local, openai"`` (an environment variable, a registry REG_SZ) is a list too;
        names are case-insensitive and kept once, in order."""
        if isinstance(value, str):
            value = [v for v in (p.strip() for p in value.split(",")) if v]
        if isinstance(value, list | tuple):
            value = list(
                dict.fromkeys(v.strip().lower() if isinstance(v, str) else v for v in value)
            )
        return value

    @field_validator("default_language", check_fields=False)
    @classmethod
    def _language(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
            raise ValueError("a language tag such as en, fr or pt-BR")
        return value

    @field_validator("branding_accent_color", check_fields=False)
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise ValueError("a colour as #RRGGBB")
        return value

    @field_validator(
        "supabase_url",
        "together_base_url",
        "openai_base_url",
        "anthropic_base_url",
        "proxy_url",
        "proxy_pac_url",
        "update_url",
        check_fields=False,
    )
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"https?://[^\s/]+", value.strip()):
            raise ValueError("a URL starting with http:// or https://")
        return value.strip() if value is not None else None


class Settings(_Rules):
    """The effective settings of this run (see :mod:`engine.config.precedence` for precedence)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # -- the organisation's Supabase project
    supabase_url: str | None = Field(
        None, description="The organisation's Supabase project URL (https://...)."
    )
    supabase_anon_key: str | None = Field(
        None, description="The project's public anon key (not a secret)."
    )
    sign_in_methods: list[SignInMethod] = Field(
        default_factory=lambda: list[SignInMethod](["password"]),
        description="Allowed ways to sign in to the organisation's project.",
    )
    local_profiles_allowed: bool = Field(
        True, description="Whether local (device-only) profiles may be created."
    )
    # -- AI
    llm_providers: list[LLMProvider] = Field(
        default_factory=lambda: list[LLMProvider](["local", "together", "openai", "anthropic"]),
        description="Language-model providers allowed, in order of preference "
        '(["local"] keeps every prompt on the device).',
    )
    ai_key_source: Literal["any", "environment", "keyring", "none"] = Field(
        "any", description="Where cloud AI keys may come from."
    )
    llm_model_path: Path | None = Field(
        None, description="A GGUF model file used instead of the bundled tutor model."
    )
    llm_lora_path: Path | None = Field(
        None, description="A LoRA adapter (GGUF) loaded with the on-device model."
    )
    model_cache: Path | None = Field(None, description="Folder for unpacked model files.")
    together_base_url: str | None = Field(None, description="Together AI API base URL.")
    together_model: str | None = Field(None, description="Together AI model name.")
    openai_base_url: str | None = Field(None, description="OpenAI API base URL.")
    openai_model: str | None = Field(None, description="OpenAI model name.")
    anthropic_base_url: str | None = Field(None, description="Anthropic API base URL.")
    anthropic_model: str | None = Field(None, description="Anthropic model name.")
    # -- narration
    tts_mode: Literal["auto", "edge", "piper", "espeak"] = Field(
        "auto",
        description="Narration voice: auto (online when reachable), edge (online), "
        "piper (offline) or espeak.",
    )
    tts_voice: str | None = Field(None, description="The online (edge) voice name.")
    piper_model: Path | None = Field(None, description="An offline Piper voice (.onnx) file.")
    # -- network
    proxy_mode: Literal["system", "none", "explicit", "pac"] = Field(
        "system",
        description="system: the OS / HTTPS_PROXY settings; none: direct; explicit: "
        "proxy_url; pac: proxy_pac_url.",
    )
    proxy_url: str | None = Field(None, description="http://host:port of the explicit proxy.")
    proxy_pac_url: str | None = Field(None, description="URL of the proxy auto-config file.")
    ca_bundle: Path | None = Field(
        None,
        description="Extra PEM certificate authorities trusted for TLS (for TLS-inspecting "
        "proxies), on top of the public ones.",
    )
    # -- updates, telemetry, data
    updates_enabled: bool = Field(True, description="Whether ByteOS looks for updates.")
    update_url: str | None = Field(
        None, description="An internal update feed URL used instead of the public one."
    )
    telemetry_enabled: bool = Field(
        False, description="Whether anonymous usage statistics may be sent (off by default)."
    )
    data_dir: Path | None = Field(None, description="Where ByteOS keeps its database and media.")
    default_language: str = Field(
        "en", description="Default interface and content language (BCP 47, e.g. en, fr-CA)."
    )
    # -- branding
    branding_name: str | None = Field(None, description="The organisation's name, as shown.")
    branding_accent_color: str | None = Field(
        None, description="The organisation's accent colour (#RRGGBB)."
    )
    branding_logo: Path | None = Field(None, description="The organisation's logo (SVG or PNG).")


FIELDS: tuple[str, ...] = tuple(Settings.model_fields)

ENV_VARS: dict[str, str] = {
    "supabase_url": "BYTEOS_SUPABASE_URL",
    "supabase_anon_key": "BYTEOS_SUPABASE_ANON_KEY",
    "sign_in_methods": "BYTEOS_SIGN_IN_METHODS",
    "local_profiles_allowed": "BYTEOS_LOCAL_PROFILES",
    "llm_providers": "BYTEOS_LLM_PROVIDERS",
    "ai_key_source": "BYTEOS_AI_KEY_SOURCE",
    "llm_model_path": "BYTEOS_LLM_MODEL_PATH",
    "llm_lora_path": "BYTEOS_LLM_LORA_PATH",
    "model_cache": "BYTEOS_MODEL_CACHE",
    "together_base_url": "TOGETHER_BASE_URL",
    "together_model": "BYTEOS_TOGETHER_MODEL",
    "openai_base_url": "OPENAI_BASE_URL",
    "openai_model": "BYTEOS_OPENAI_MODEL",
    "anthropic_base_url": "ANTHROPIC_BASE_URL",
    "anthropic_model": "BYTEOS_ANTHROPIC_MODEL",
    "tts_mode": "BYTEOS_TTS",
    "tts_voice": "BYTEOS_TTS_VOICE",
    "piper_model": "BYTEOS_PIPER_MODEL",
    "proxy_mode": "BYTEOS_PROXY_MODE",
    "proxy_url": "BYTEOS_PROXY_URL",
    "proxy_pac_url": "BYTEOS_PROXY_PAC_URL",
    "ca_bundle": "BYTEOS_CA_BUNDLE",
    "updates_enabled": "BYTEOS_UPDATES",
    "update_url": "BYTEOS_UPDATE_URL",
    "telemetry_enabled": "BYTEOS_TELEMETRY",
    "data_dir": "BYTEOS_DATA_DIR",
    "default_language": "BYTEOS_LANGUAGE",
    "branding_name": "BYTEOS_BRANDING_NAME",
    "branding_accent_color": "BYTEOS_BRANDING_ACCENT_COLOR",
    "branding_logo": "BYTEOS_BRANDING_LOGO",
}
"""The environment variable of each setting (names earlier versions read are kept)."""

assert set(ENV_VARS) == set(FIELDS), "every setting has exactly one environment variable"


def _optional(name: str) -> tuple[Any, Any]:
    field = Settings.model_fields[name]
    # not Optional unless the setting itself is: a policy says a value, or leaves it out
    return (field.annotation, Field(None, description=field.description))


PolicyValues: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "PolicyValues",
    __base__=_Rules,
    __config__=None,
    **{name: _optional(name) for name in FIELDS},
)
PolicyValues.model_config["extra"] = "forbid"
PolicyValues.model_rebuild(force=True)
"""Any subset of the settings: what one settings file, policy level or registry key sets."""


class PolicyDocument(BaseModel):
    """``/etc/byteos/policies.json`` (and the same shape in a macOS plist): values IT
    **locks** (the user cannot change them; they win over everything, environment included)
    and values IT **recommends** (defaults the user may change), as Chrome's
    ``managed``/``recommended`` split."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_ref: str | None = Field(None, alias="$schema", description="Editor hint; ignored.")
    locked: PolicyValues = Field(
        default_factory=PolicyValues, description="Values the user cannot change."
    )
    recommended: PolicyValues = Field(
        default_factory=PolicyValues, description="Defaults the user may change."
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the policy file, as shipped in ``resources/policies.schema.json``."""
    schema = PolicyDocument.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ByteOS managed policies"
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
