"""Where the Supabase session lives between runs: the OS keyring, never a plain file or a log.

The stored secret is the session (refresh token, access token, expiry, user id) under the
project URL and user id, kept through the one secrets helper (``engine.secrets``): the OS
keyring, or the encrypted file keyring where IT configured a passphrase. With neither (a
headless machine with no D-Bus session), the session lives in this process's memory only and
:attr:`SessionStore.warning` says so and how to fix it, so ``byteos sync`` can tell the user
why the next run will ask to sign in again. Tests install an in-memory keyring backend
explicitly (``MemoryKeyring``).
"""

from __future__ import annotations

import json
from typing import Any

import keyring.errors
from keyring.backend import KeyringBackend

from engine import secrets
from sync.remote.client import RemoteSession


class SessionStore:
    """The session in the keyring; where there is none, in this process's memory only."""

    def __init__(self) -> None:
        self._memory: dict[str, str] = {}
        self.warning: str | None = None
        """Set when a session could not be kept beyond this run (no keyring)."""

    def load(self, url: str, user_id: str) -> RemoteSession | None:
        key = f"{url}#{user_id}"
        raw = self._memory.get(key) or secrets.get_secret(key)
        if not raw:
            return None
        try:
            data: dict[str, Any] = json.loads(raw)
            return RemoteSession(
                user_id=str(data["user_id"]),
                email=data.get("email"),
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                expires_at=data.get("expires_at"),
            )
        except (ValueError, KeyError, TypeError):
            return None

    def save(self, url: str, session: RemoteSession) -> None:
        key = f"{url}#{session.user_id}"
        secret = json.dumps(
            {
                "user_id": session.user_id,
                "email": session.email,
                "access_token": session.access_token,
                "refresh_token": session.refresh_token,
                "expires_at": session.expires_at,
            }
        )
        try:
            secrets.set_secret(key, secret)
        except secrets.SecretsUnavailable as err:
            self._memory[key] = secret
            self.warning = f"The sign-in is kept for this run only. {err}"
        else:
            self._memory.pop(key, None)

    def clear(self, url: str, user_id: str) -> None:
        key = f"{url}#{user_id}"
        self._memory.pop(key, None)
        secrets.delete_secret(key)


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in this process's memory only (tests, CI)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)
