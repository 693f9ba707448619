"""API keys for the cloud providers: environment variables first, then the OS keyring.

Keys are read at the moment a provider is built and kept only inside the SDK client; they
are never logged or printed. Storage is the one secrets helper, ``engine.secrets``: a broken or
absent keyring counts as "no key". Where AI keys may come from is a setting IT can lock
(``ai_key_source``: ``any``, ``environment`` only, ``keyring`` only, or ``none``).
"""

from __future__ import annotations

from engine import secrets

ENV_KEYS: dict[str, str] = {
    "together": "TOGETHER_API_KEY",
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
}


def api_key(provider: str, *, use_keyring: bool = True) -> str | None:
    """The key for ``provider`` (``together``/``openai``/``anthropic``) or ``None``, from
    where the ``ai_key_source`` setting allows."""
    from engine.config import settings

    source = settings().ai_key_source
    var = ENV_KEYS[provider]
    if source == "none":
        return None
    if source == "keyring":
        stored = secrets.get_secret(var) if use_keyring else None
        return stored.strip() if stored and stored.strip() else None
    return secret(var, use_keyring=use_keyring and source == "any")


def secret(var: str, *, use_keyring: bool = True) -> str | None:
    """A secret by its environment-variable name (e.g. ``PEXELS_API_KEY``): the environment
    first, then the keyring under the same name; ``None`` when neither has it."""
    if not use_keyring:
        return secrets.env_value(var)
    return secrets.env_or_secret(var)


def store_api_key(provider: str, key: str) -> None:
    """Save a key in the keyring (``byteos keyring set-key``); raises
    ``secrets.SecretsUnavailable`` with a message saying how to set one up when there is none."""
    secrets.set_secret(ENV_KEYS[provider], key.strip())
