"""The Supabase project as the replicator sees it: a few calls through supabase-py.

Every call is classified on the way out, so the replicator can decide what to do:

* ``TransientError``: the network or the server failed (connection refused or cut, timeout,
  5xx, 429). Retry later; nothing is lost, since every write is idempotent.
* ``AuthExpired``: the access token was refused; refresh the session and retry.
* ``AuthRequired``: the session cannot be refreshed (revoked or missing refresh token); the
  user must sign in again. Local work and queued changes are untouched.
* ``Refused``: the server said no for good (row-level security, a constraint, a bad value).

Time-outs are short (connect 3 s) and connectivity is probed with a plain TCP connect first,
so being offline is detected in about a second and never blocks the caller for long.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import httpx
from postgrest.exceptions import APIError
from supabase import Client, ClientOptions, create_client
from supabase_auth.errors import AuthApiError, AuthError, AuthRetryableError

from engine.config import Settings
from engine.net.http import make_client

T = TypeVar("T")
Row = dict[str, Any]


class RemoteError(Exception):
    pass


class TransientError(RemoteError):
    pass


class AuthExpired(RemoteError):
    pass


class AuthRequired(RemoteError):
    pass


class Refused(RemoteError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} ({code})" if code else message)
        self.code = code


@dataclass(frozen=True)
class RemoteSession:
    user_id: str
    email: str | None
    access_token: str
    refresh_token: str
    expires_at: int | None


def probe(url: str, timeout: float = 1.5) -> bool:
    """True when something accepts TCP connections at ``url``'s host and port."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


class Remote:
    def __init__(
        self, url: str, anon_key: str, *, timeout: float = 15.0, settings: Settings | None = None
    ) -> None:
        """``settings`` (the current ones by default) give the proxy and trusted CAs: the
        client comes from the one factory, ``engine.net.http.make_client``."""
        self.url = url.rstrip("/")
        self._status = threading.local()
        self.http: httpx.Client = make_client(
            settings, timeout=timeout, event_hooks={"response": [self._remember_status]}
        )
        options = ClientOptions(
            auto_refresh_token=False,
            persist_session=False,
            postgrest_client_retry=False,
            httpx_client=self.http,
        )
        self.client: Client = create_client(self.url, anon_key, options)
        self.session: RemoteSession | None = None

    def close(self) -> None:
        self.http.close()

    def _remember_status(self, response: httpx.Response) -> None:
        self._status.code = response.status_code

    def _call(self, fn: Callable[[], T]) -> T:
        self._status.code = 0
        try:
            return fn()
        except httpx.TransportError as err:
            raise TransientError(f"network: {type(err).__name__}: {err}") from err
        except APIError as err:
            status = int(getattr(self._status, "code", 0) or 0)
            code = str(err.code or "")
            message = str(err.message or err)
            if status >= 500 or status in (0, 408, 429) or code.startswith("5"):
                raise TransientError(f"server {status}: {message}") from err
            if status == 401 or code in ("PGRST301", "PGRST302", "PGRST303"):
                raise AuthExpired(message) from err
            raise Refused(code, message) from err
        except AuthRetryableError as err:
            raise TransientError(f"auth service: {err}") from err
        except AuthApiError as err:
            if err.status >= 500 or err.status == 429:
                raise TransientError(f"auth service {err.status}: {err}") from err
            raise AuthRequired(str(err)) from err
        except AuthError as err:
            raise AuthRequired(str(err)) from err

    # -- auth ----------------------------------------------------------------------------------
    def _take(self, session: Any) -> RemoteSession:
        if session is None:
            raise AuthRequired("no session")
        self.session = RemoteSession(
            user_id=str(session.user.id),
            email=session.user.email,
            access_token=str(session.access_token),
            refresh_token=str(session.refresh_token),
            expires_at=session.expires_at,
        )
        return self.session

    def sign_in(self, email: str, password: str) -> RemoteSession:
        res = self._call(
            lambda: self.client.auth.sign_in_with_password({"email": email, "password": password})
        )
        return self._take(res.session)

    def resume(self, access_token: str, refresh_token: str) -> RemoteSession:
        """Adopt a stored session (refreshing it if its access token has expired)."""
        res = self._call(lambda: self.client.auth.set_session(access_token, refresh_token))
        return self._take(res.session)

    def refresh(self) -> RemoteSession:
        if self.session is None:
            raise AuthRequired("no session")
        token = self.session.refresh_token
        res = self._call(lambda: self.client.auth.refresh_session(token))
        return self._take(res.session)

    def sign_out(self) -> None:
        self._call(lambda: self.client.auth.sign_out())
        self.session = None

    # -- data ------------------------------------------------------------------------------------
    def pull(self, table: str, since: int, limit: int) -> list[Row]:
        params = {"p_table": table, "p_since": since, "p_limit": limit}
        res = self._call(lambda: self.client.rpc("sync_pull", params).execute())
        return cast(list[Row], res.data or [])

    def insert_ignore(self, table: str, rows: list[Row], *, returning: bool) -> list[Row]:
        """Insert rows whose ids are new; rows already there are left alone (idempotent)."""
        from postgrest.types import ReturnMethod

        ret = ReturnMethod.representation if returning else ReturnMethod.minimal
        res = self._call(
            lambda: (
                self.client.table(table)
                .upsert(rows, on_conflict="id", ignore_duplicates=True, returning=ret)
                .execute()
            )
        )
        return cast(list[Row], res.data or []) if returning else []

    def update_if(self, table: str, row_id: str, seq: int, values: Row) -> list[Row]:
        """Update the row only if the server still has version ``seq`` (compare-and-set)."""
        res = self._call(
            lambda: (
                self.client.table(table)
                .update(values)
                .eq("id", row_id)
                .eq("sync_seq", seq)
                .execute()
            )
        )
        return cast(list[Row], res.data or [])

    def delete_if(self, table: str, row_id: str, seq: int | None) -> list[Row]:
        def go() -> Any:
            q = self.client.table(table).delete().eq("id", row_id)
            if seq is not None:
                q = q.eq("sync_seq", seq)
            return q.execute()

        return cast(list[Row], self._call(go).data or [])

    def get(self, table: str, **eq: Any) -> list[Row]:
        def go() -> Any:
            q = self.client.table(table).select("*")
            for col, value in eq.items():
                q = q.eq(col, value)
            return q.execute()

        return cast(list[Row], self._call(go).data or [])

    # -- joining an organisation ------------------------------------------------------------------
    def create_invitation(self, email: str, role: str, valid_days: int) -> Row:
        """Invite ``email`` into the signed-in org admin's organisation; the answer carries the
        one-time ``token`` (the server keeps only its hash)."""
        args = {"p_email": email, "p_role": role, "p_valid_days": valid_days}
        res = self._call(lambda: self.client.rpc("create_invitation", args).execute())
        return cast(Row, res.data or {})

    def remove_member(self, user_id: str) -> Row:
        """Take ``user_id`` out of the signed-in admin's organisation (``public.remove_member``:
        the membership goes, the profile leaves as a learner). ``Refused`` 42501 for the last
        admin, a super admin, or someone of another organisation."""
        res = self._call(lambda: self.client.rpc("remove_member", {"p_user": user_id}).execute())
        return cast(Row, res.data or {})

    def accept_invitation(self, token: str) -> Row:
        """Join the organisation that invited the signed-in account's email address.

        Returns ``{"user_id", "org_id", "role"}``; the profile and membership are made on the
        server. ``Refused`` with code 22023 when the token is unknown, used or expired, and
        42501 when it is for another email address (or the account is in another
        organisation). Accepting the same invitation again answers the same.
        """
        res = self._call(lambda: self.client.rpc("accept_invitation", {"token": token}).execute())
        return cast(Row, res.data or {})

    def join_organisation(self, slug: str) -> Row:
        """Join organisation ``slug`` as a learner, when it accepts sign-ups from the account's
        confirmed email domain (``organisations.settings.allowed_email_domains``)."""
        res = self._call(lambda: self.client.rpc("join_organisation", {"org_slug": slug}).execute())
        return cast(Row, res.data or {})
