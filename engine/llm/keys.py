"""API keys for the cloud providers: environment variables first, then the OS keyring.

Keys are read at the moment a provider is built and kept only inside the SDK client; they
are never logged, printed or stored by ByteOS. The keyring is consulted lazily (its backends
may talk to D-Bus) and a broken or absent keyring counts as "no key".
"""

from __future__ import annotations

import os

KEYRING_SERVICE = "ByteOS"

ENV_KEYS: dict[str, str] = {
    "together": "TOGETHER_API_KEY",
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
}


def api_key(provider: str, *, use_keyring: bool = True) -> str | None:
    """The key for ``provider`` (``together``/``openai``/``anthropic``) or ``None``."""
    return secret(ENV_KEYS[provider], use_keyring=use_keyring)


def secret(var: str, *, use_keyring: bool = True) -> str | None:
    """A secret by its environment-variable name (e.g. ``PEXELS_API_KEY``): the environment
    first, then the OS keyring under the same name; ``None`` when neither has it."""
    value = os.environ.get(var, "").strip()
    if value:
        return value
    if not use_keyring or os.environ.get("BYTEOS_NO_KEYRING"):
        return None
    try:
        import keyring

        stored = keyring.get_password(KEYRING_SERVICE, var)
    except Exception:  # no backend, locked, D-Bus missing: treat as absent
        return None
    return stored.strip() if stored and stored.strip() else None


def store_api_key(provider: str, key: str) -> None:
    """Save a key in the OS keyring (the settings screen's "remember this key")."""
    import keyring

    keyring.set_password(KEYRING_SERVICE, ENV_KEYS[provider], key.strip())
