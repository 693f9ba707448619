"""The API keys a creator can keep in Settings: cloud AI and image search.

Every key goes through the one secrets helper, ``engine.secrets`` (the OS keyring, or the
encrypted file keyring), under its environment-variable name, which is also where the
providers look (``engine.llm.keys.secret``: the environment first, then the keyring). A key
is never returned in full to a view: :func:`key_states` gives a masked form, and nothing here
logs a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.services.errors import UserError
from engine import secrets
from engine.llm.keys import ENV_KEYS


@dataclass(frozen=True)
class KeyDef:
    name: str  # environment-variable name, and the keyring entry
    label: str
    group: str  # "ai" or "images"
    hint: str = ""


AI_KEYS = [
    KeyDef(ENV_KEYS["together"], "Together AI", "ai", "Used first when Byte runs in the cloud"),
    KeyDef(ENV_KEYS["openai"], "OpenAI", "ai", "Fallback cloud model"),
    KeyDef(ENV_KEYS["anthropic"], "Anthropic", "ai", "Fallback cloud model"),
]
IMAGE_KEYS = [
    KeyDef("PEXELS_API_KEY", "Pexels", "images", "pexels.com/api"),
    KeyDef("UNSPLASH_ACCESS_KEY", "Unsplash access key", "images", "unsplash.com/developers"),
    KeyDef("GIPHY_API_KEY", "Giphy", "images", "developers.giphy.com"),
    KeyDef("GOOGLE_SEARCH_API_KEY", "Google search API key", "images", "with the engine ID"),
    KeyDef("GOOGLE_SEARCH_ENGINE_ID", "Google search engine ID", "images", "programmable search"),
]
KEYS = [*AI_KEYS, *IMAGE_KEYS]
_BY_NAME = {k.name: k for k in KEYS}


@dataclass(frozen=True)
class KeyState:
    key: KeyDef
    stored: bool  # in the keyring
    from_environment: bool  # an environment variable wins over the keyring
    masked: str  # e.g. "•••••••• 4f2a"; "" when there is none

    @property
    def summary(self) -> str:
        if self.from_environment:
            return f"{self.masked} (set by the environment)"
        return self.masked if self.stored else "Not set"


@dataclass(frozen=True)
class StoreState:
    persistent: bool
    message: str


def mask(value: str) -> str:
    """Enough to recognise a key, never enough to use it."""
    value = value.strip()
    if not value:
        return ""
    tail = value[-4:] if len(value) >= 16 else ""
    return "••••••••" + (f" {tail}" if tail else "")


def store_state() -> StoreState:
    st = secrets.status()
    return StoreState(st.persistent, st.message)


def key_states() -> list[KeyState]:
    out = []
    for k in KEYS:
        env = secrets.env_value(k.name) or ""
        stored = secrets.get_secret(k.name) or ""
        shown = env or stored
        out.append(KeyState(k, bool(stored), bool(env), mask(shown)))
    return out


def locked_reason(name: str) -> str | None:
    """Why the key ``name`` cannot be kept in the keyring here (the ``ai_key_source``
    setting, usually locked by IT), or ``None`` when it can."""
    from engine.config import Source, current

    key = _BY_NAME.get(name)
    if key is None or key.group != "ai":
        return None
    effective = current()
    source = effective.values.ai_key_source
    if source not in ("environment", "none"):
        return None
    who = (
        "Your organisation's policy"
        if effective.origins["ai_key_source"] is Source.LOCKED
        else "The ai_key_source setting"
    )
    if source == "none":
        return f"{who} turns cloud AI keys off on this device."
    return f"{who} provides cloud AI keys through the environment only, not the keyring."


def save_key(name: str, value: str) -> None:
    """Keep ``value`` in the keyring; ``UserError`` saying why when it cannot be kept."""
    if name not in _BY_NAME:
        raise UserError(f"Unknown key {name}.")
    reason = locked_reason(name)
    if reason:
        raise UserError(reason)
    value = value.strip()
    if not value:
        raise UserError("Paste the key first.")
    if any(c.isspace() for c in value):
        raise UserError("A key has no spaces: check that only the key was pasted.")
    try:
        secrets.set_secret(name, value)
    except secrets.SecretsUnavailable as err:
        raise UserError(str(err)) from None


def remove_key(name: str) -> None:
    if name not in _BY_NAME:
        raise UserError(f"Unknown key {name}.")
    secrets.delete_secret(name)
