"""Where the Supabase session lives between runs: the OS keyring, never a file or a log.

The stored secret is the session (refresh token, access token, expiry, user id) under the
project URL and user id. Tests install an in-memory keyring backend explicitly (``MemoryKeyring``).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from sync.remote.client import RemoteSession

SERVICE = "ByteOS Supabase session"


class SessionStore:
    """The session in the OS keyring; where there is no keyring (a headless server), in this
    process's memory only, so that a ``byteos sync --email`` run still works, and nothing is
    ever written to a file."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self._memory: dict[str, str] = {}

    def load(self, url: str, user_id: str) -> RemoteSession | None:
        key = f"{url}#{user_id}"
        try:
            raw = keyring.get_password(self.service, key) or self._memory.get(key)
        except keyring.errors.KeyringError:
            raw = self._memory.get(key)
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
            keyring.set_password(self.service, key, secret)
        except keyring.errors.KeyringError:
            self._memory[key] = secret

    def clear(self, url: str, user_id: str) -> None:
        self._memory.pop(f"{url}#{user_id}", None)
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(self.service, f"{url}#{user_id}")


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
