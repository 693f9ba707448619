"""API keys for the cloud providers: environment variables first, then the OS keyring.

Keys are read at the moment a provider is built and kept only inside the SDK client; they
are never logged or printed. Storage is the one secrets helper, ``engine.secrets``: a broken or
absent keyring counts as "no key".
"""

from __future__ import annotations

import os

from engine import secrets

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
    first, then the keyring under the same name; ``None`` when neither has it."""
    if not use_keyring:
        value = os.environ.get(var, "").strip()
        return value or None
    return secrets.env_or_secret(var)


def store_api_key(provider: str, key: str) -> None:
    """Save a key in the keyring (``byteos keyring set-key``); raises
    ``secrets.SecretsUnavailable`` with a message saying how to set one up when there is none."""
    secrets.set_secret(ENV_KEYS[provider], key.strip())
