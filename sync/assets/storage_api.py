"""Supabase Storage's REST protocol, spoken over the app's one HTTP client.

Why not ``supabase-py``'s storage client (``storage3``): its upload reads the whole file into
memory and sends it as a multipart form, and its download returns the whole body as bytes,
so a 100 MB SCORM package would sit in memory twice and a cut download could not resume.
This speaks the same storage-api routes (``/storage/v1/object/...``) through the
``httpx.Client`` that :class:`sync.remote.client.Remote` got from
``engine.net.http.make_client`` (its proxy, CAs and time-outs), streaming bodies from and to
files. Failures are classified as the row calls are (``TransientError``, ``AuthExpired``,
``Refused``), plus ``NotFound`` and ``Conflict`` for the two answers the transfer logic
acts on. An expired token is refreshed once through the remote, as the replicator does.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from sync.remote.client import AuthExpired, Refused, TransientError

if TYPE_CHECKING:
    from sync.remote.client import Remote, RemoteSession

T = TypeVar("T")
CHUNK = 1 << 20


class NotFound(Refused):
    """No such object (or the caller may not read it: storage-api answers both alike)."""


class Conflict(Refused):
    """The key is taken (an upload without upsert, a move onto an existing object)."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int | None
    sha256: str | None
    """From the object's user metadata (``x-metadata``), as the uploader recorded it."""


def _classify(status: int, body: bytes) -> Exception:
    try:
        data: Any = json.loads(body) if body else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    code = str(data.get("statusCode") or status)
    message = str(data.get("message") or data.get("error") or f"HTTP {status}")
    if status >= 500 or status in (408, 429) or code.startswith("5"):
        return TransientError(f"storage {status}: {message}")
    if status == 401 or "jwt expired" in message.lower() or message.lower() == "exp":
        return AuthExpired(message)
    if status == 404 or code == "404":
        return NotFound(code, message)
    if status == 409 or code == "409":
        return Conflict(code, message)
    return Refused(code, message)


class StorageApi:
    def __init__(
        self, remote: Remote, on_session: Callable[[RemoteSession], None] | None = None
    ) -> None:
        self.remote = remote
        self.on_session = on_session
        self.base = f"{remote.url}/storage/v1"
        self.anon_key = str(remote.client.supabase_key)

    # -- plumbing ----------------------------------------------------------------------------
    def _headers(self, **extra: str) -> dict[str, str]:
        session = self.remote.session
        token = session.access_token if session is not None else self.anon_key
        return {"apikey": self.anon_key, "Authorization": f"Bearer {token}", **extra}

    def _call(self, fn: Callable[[], T]) -> T:
        """``fn`` once; on an expired token, refresh the session and try once more."""
        try:
            return self._guard(fn)
        except AuthExpired:
            session = self.remote.refresh()
            if self.on_session is not None:
                self.on_session(session)
            return self._guard(fn)

    @staticmethod
    def _guard(fn: Callable[[], T]) -> T:
        try:
            return fn()
        except httpx.TransportError as err:
            raise TransientError(f"network: {type(err).__name__}: {err}") from err

    def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = self._headers(**kw.pop("headers", {}))
        response = self.remote.http.request(method, f"{self.base}/{path}", headers=headers, **kw)
        if response.status_code >= 300:
            raise _classify(response.status_code, response.content)
        return response

    @staticmethod
    def _path(bucket: str, key: str) -> str:
        return f"{quote(bucket, safe='')}/{quote(key, safe='/')}"

    # -- routes ------------------------------------------------------------------------------
    def info(self, bucket: str, key: str) -> ObjectInfo | None:
        """The object at ``key``, or None when there is none (or it may not be read)."""
        try:
            res = self._call(
                lambda: self._send("GET", f"object/info/authenticated/{self._path(bucket, key)}")
            )
        except NotFound:
            return None
        data = res.json()
        meta = data.get("metadata") or {}
        sha = meta.get("sha256") if isinstance(meta, dict) else None
        size = data.get("size")
        return ObjectInfo(key, int(size) if size is not None else None, sha)

    def upload(
        self,
        bucket: str,
        key: str,
        source: Path,
        *,
        sha256: str,
        content_type: str = "application/octet-stream",
        upsert: bool = False,
    ) -> None:
        """Stream ``source`` to ``key`` (its sha256 recorded in the object's metadata)."""
        size = source.stat().st_size
        meta = base64.b64encode(json.dumps({"sha256": sha256}).encode()).decode()
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(size),
            "x-upsert": "true" if upsert else "false",
            "x-metadata": meta,
            "cache-control": "max-age=3600",
        }

        def chunks() -> Iterator[bytes]:
            with source.open("rb") as fh:
                while chunk := fh.read(CHUNK):
                    yield chunk

        self._call(
            lambda: self._send(
                "POST", f"object/{self._path(bucket, key)}", content=chunks(), headers=headers
            )
        )

    def move(self, bucket: str, source_key: str, destination_key: str) -> None:
        body = {"bucketId": bucket, "sourceKey": source_key, "destinationKey": destination_key}
        self._call(lambda: self._send("POST", "object/move", json=body))

    def remove(self, bucket: str, keys: list[str]) -> None:
        self._call(
            lambda: self._send(
                "DELETE", f"object/{quote(bucket, safe='')}", json={"prefixes": keys}
            )
        )

    def list(self, bucket: str, prefix: str, limit: int = 100) -> list[dict[str, Any]]:
        body = {"prefix": prefix, "limit": limit, "offset": 0}
        res = self._call(
            lambda: self._send("POST", f"object/list/{quote(bucket, safe='')}", json=body)
        )
        data = res.json()
        return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []

    def download(self, bucket: str, key: str, dest: Path) -> None:
        """Append the object to ``dest``, going on from what ``dest`` already holds (a
        download cut earlier resumes with a ``Range`` request)."""

        def go() -> None:
            offset = dest.stat().st_size if dest.exists() else 0
            headers = self._headers(**({"Range": f"bytes={offset}-"} if offset else {}))
            url = f"{self.base}/object/authenticated/{self._path(bucket, key)}"
            with self.remote.http.stream("GET", url, headers=headers) as res:
                if res.status_code >= 300:
                    raise _classify(res.status_code, res.read())
                mode = "ab" if offset and res.status_code == 206 else "wb"
                with dest.open(mode) as fh:
                    for chunk in res.iter_bytes(CHUNK):
                        fh.write(chunk)

        self._call(go)
