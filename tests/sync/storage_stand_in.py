"""The Supabase Storage part of the stand-in (tests only): the storage-api routes ByteOS uses.

Supabase's storage-api keeps each object's row in ``storage.objects`` and its bytes in a
backend (S3 or a file system); every request runs the row's query as the caller (its JWT's
role and claims), so the policies on ``storage.objects`` decide who reads and writes. This
does the same against the real PostgreSQL fixture, with the bytes in a temporary folder
named by the object's ``version`` (a fresh one per write, so a reader never sees a half
written file). Routes, as storage-api answers them:

* ``POST /object/{bucket}/{key}`` upload (raw body; ``x-upsert: true`` overwrites;
  ``x-metadata`` is base64 JSON user metadata). A body cut short stores nothing.
* ``GET /object/authenticated/{bucket}/{key}`` download (``Range: bytes=N-`` honoured);
  ``HEAD`` the same without the body.
* ``GET /object/info/authenticated/{bucket}/{key}`` the object's size, ETag and metadata.
* ``POST /object/move`` ``{bucketId, sourceKey, destinationKey}``.
* ``POST /object/list/{bucket}`` ``{prefix, limit, offset}``; ``DELETE /object/{bucket}``
  ``{prefixes}``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tempfile
import uuid
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    from tests.sync.supabase_stand_in import StandIn

CHUNK = 1 << 20


class StorageError(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"statusCode": str(status), "error": error, "message": message}


class StorageStandIn:
    def __init__(self, standin: StandIn) -> None:
        self.standin = standin
        self.root = Path(tempfile.mkdtemp(prefix="byteos-storage-"))
        self.requests = 0

    def stop(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def blob(self, version: str) -> Path:
        return self.root / version

    def blob_of(self, bucket: str, key: str) -> Path:
        """The file behind an object (tests corrupt it to play a damaged backend)."""
        with psycopg.connect(self.standin.admin_url) as c:
            row = c.execute(
                "select version from storage.objects where bucket_id = %s and name = %s",
                (bucket, key),
            ).fetchone()
        if row is None:
            raise KeyError(f"{bucket}/{key}")
        return self.blob(str(row[0]))

    # -- the request -----------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler, path: str) -> None:
        self.requests += 1
        length = int(h.headers.get("Content-Length") or 0)
        try:
            try:
                claims = self.standin.claims(h.headers)
            except Exception as err:  # the stand-in's HttpError: answer as storage-api does
                raise StorageError(400, "Unauthorized", str(err) or "invalid jwt") from err
            method = h.command
            if (
                method == "POST"
                and path.startswith("object/")
                and not path.startswith(("object/move", "object/list/"))
            ):
                bucket, key = _split(path[len("object/") :])
                self._upload(h, claims, bucket, key, length)
                return
            raw = h.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else {}
            if method in ("GET", "HEAD") and path.startswith("object/info/"):
                rest = path[len("object/info/") :].removeprefix("authenticated/")
                self._json(h, 200, self._info(claims, *_split(rest)))
            elif method in ("GET", "HEAD") and path.startswith("object/"):
                rest = path[len("object/") :].removeprefix("authenticated/")
                self._download(h, claims, *_split(rest))
            elif method == "POST" and path == "object/move":
                self._move(claims, body)
                self._json(h, 200, {"message": "Successfully moved"})
            elif method == "POST" and path.startswith("object/list/"):
                self._json(h, 200, self._list(claims, path[len("object/list/") :], body))
            elif method == "DELETE" and path.startswith("object/"):
                self._json(h, 200, self._delete(claims, path[len("object/") :], body))
            else:
                raise StorageError(404, "not_found", f"no route {method} /storage/v1/{path}")
        except StorageError as err:
            self._json(h, err.status, err.body)
        except psycopg.Error as err:
            self._json(h, *_pg_error(err))

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _json(h: BaseHTTPRequestHandler, status: int, result: Any) -> None:
        payload = json.dumps(result).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(payload)

    def _as_user(self, claims: dict[str, Any]) -> tuple[psycopg.Connection[Any], Any]:
        conn = self.standin._conn()
        tx = conn.transaction()
        tx.__enter__()
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(claims["role"])))
        conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
        return conn, tx

    def _run(self, claims: dict[str, Any], query: str, args: tuple[Any, ...]) -> list[Any]:
        conn, tx = self._as_user(claims)
        try:
            rows = conn.execute(query, args).fetchall()
        except BaseException as err:
            tx.__exit__(type(err), err, err.__traceback__)
            self.standin._release(conn)
            raise
        tx.__exit__(None, None, None)
        self.standin._release(conn)
        return rows

    def _bucket_exists(self, bucket: str) -> bool:
        with psycopg.connect(self.standin.admin_url) as c:
            return (
                c.execute("select 1 from storage.buckets where id = %s", (bucket,)).fetchone()
                is not None
            )

    # -- routes ----------------------------------------------------------------------------
    def _upload(
        self, h: BaseHTTPRequestHandler, claims: dict[str, Any], bucket: str, key: str, length: int
    ) -> None:
        version = uuid.uuid4().hex
        part = self.root / f".{version}.part"
        md5 = hashlib.md5(usedforsecurity=False)
        got = 0
        with part.open("wb") as fh:
            while got < length:
                chunk = h.rfile.read(min(CHUNK, length - got))
                if not chunk:
                    break
                fh.write(chunk)
                md5.update(chunk)
                got += len(chunk)
        if got < length:  # the client went away mid-body: nothing is stored
            part.unlink(missing_ok=True)
            h.close_connection = True
            return
        try:
            if not self._bucket_exists(bucket):
                raise StorageError(404, "Bucket not found", "Bucket not found")
            raw_meta = h.headers.get("x-metadata")
            user_meta = json.loads(base64.b64decode(raw_meta)) if raw_meta else None
            meta = {
                "eTag": f'"{md5.hexdigest()}"',
                "size": got,
                "mimetype": h.headers.get("Content-Type") or "application/octet-stream",
                "cacheControl": h.headers.get("cache-control") or "max-age=3600",
                "contentLength": got,
            }
            upsert = (h.headers.get("x-upsert") or "").lower() == "true"
            conflict = (
                " on conflict (bucket_id, name) do update set metadata = excluded.metadata,"
                " user_metadata = excluded.user_metadata, version = excluded.version,"
                " updated_at = now()"
                if upsert
                else ""
            )
            conn, tx = self._as_user(claims)
            try:
                row = conn.execute(
                    "insert into storage.objects (bucket_id, name, owner, owner_id, metadata,"
                    " user_metadata, version) values (%s, %s, %s, %s, %s, %s, %s)"
                    + conflict
                    + " returning id",
                    (
                        bucket,
                        key,
                        claims.get("sub"),
                        claims.get("sub"),
                        json.dumps(meta),
                        json.dumps(user_meta) if user_meta is not None else None,
                        version,
                    ),
                ).fetchone()
                part.replace(self.blob(version))
            except BaseException as err:
                tx.__exit__(type(err), err, err.__traceback__)
                self.standin._release(conn)
                raise
            tx.__exit__(None, None, None)
            self.standin._release(conn)
        except psycopg.errors.UniqueViolation as err:
            raise StorageError(409, "Duplicate", "The resource already exists") from err
        finally:
            part.unlink(missing_ok=True)
        assert row is not None
        self._json(h, 200, {"Key": f"{bucket}/{key}", "Id": str(row[0])})

    def _row(self, claims: dict[str, Any], bucket: str, key: str) -> tuple[Any, ...]:
        rows = self._run(
            claims,
            "select id, version, metadata, user_metadata, created_at, updated_at"
            " from storage.objects where bucket_id = %s and name = %s",
            (bucket, key),
        )
        if not rows:
            raise StorageError(404, "not_found", "Object not found")
        return tuple(rows[0])

    def _info(self, claims: dict[str, Any], bucket: str, key: str) -> dict[str, Any]:
        oid, version, meta, user_meta, created, updated = self._row(claims, bucket, key)
        meta = meta or {}
        return {
            "id": str(oid),
            "name": key,
            "bucket_id": bucket,
            "version": version,
            "size": meta.get("size"),
            "content_type": meta.get("mimetype"),
            "etag": meta.get("eTag"),
            "metadata": user_meta or {},
            "created_at": created.isoformat(),
            "last_modified": updated.isoformat(),
        }

    def _download(
        self, h: BaseHTTPRequestHandler, claims: dict[str, Any], bucket: str, key: str
    ) -> None:
        _, version, meta, _, _, _ = self._row(claims, bucket, key)
        blob = self.blob(str(version))
        size = blob.stat().st_size
        start = 0
        ranged = h.headers.get("Range", "")
        if ranged.startswith("bytes=") and ranged[6:].endswith("-"):
            start = min(int(ranged[6:-1] or 0), size)
        h.send_response(206 if start else 200)
        h.send_header("Content-Type", (meta or {}).get("mimetype") or "application/octet-stream")
        h.send_header("Content-Length", str(size - start))
        h.send_header("ETag", (meta or {}).get("eTag") or "")
        if start:
            h.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        h.end_headers()
        if h.command == "HEAD":
            return
        with blob.open("rb") as fh:
            fh.seek(start)
            shutil.copyfileobj(fh, h.wfile, CHUNK)

    def _move(self, claims: dict[str, Any], body: dict[str, Any]) -> None:
        bucket, src, dst = body.get("bucketId"), body.get("sourceKey"), body.get("destinationKey")
        if not (bucket and src and dst):
            raise StorageError(400, "InvalidRequest", "bucketId, sourceKey and destinationKey")
        try:
            rows = self._run(
                claims,
                "update storage.objects set name = %s, updated_at = now()"
                " where bucket_id = %s and name = %s returning id",
                (dst, bucket, src),
            )
        except psycopg.errors.UniqueViolation as err:
            raise StorageError(409, "Duplicate", "The resource already exists") from err
        if not rows:
            raise StorageError(404, "not_found", "Object not found")

    def _list(self, claims: dict[str, Any], bucket: str, body: dict[str, Any]) -> list[Any]:
        prefix = str(body.get("prefix") or "").strip("/")
        folder = f"{prefix}/" if prefix else ""
        rows = self._run(
            claims,
            "select name, id, updated_at, created_at, metadata, user_metadata"
            " from storage.objects where bucket_id = %s and starts_with(name, %s)"
            " order by name limit %s offset %s",
            (bucket, folder, int(body.get("limit") or 100), int(body.get("offset") or 0)),
        )
        return [
            {
                "name": name[len(folder) :],
                "id": str(oid),
                "updated_at": updated.isoformat(),
                "created_at": created.isoformat(),
                "metadata": meta,
                "user_metadata": user_meta,
            }
            for name, oid, updated, created, meta, user_meta in rows
        ]

    def _delete(self, claims: dict[str, Any], bucket: str, body: dict[str, Any]) -> list[Any]:
        keys = [str(k) for k in body.get("prefixes") or []]
        rows = self._run(
            claims,
            "delete from storage.objects where bucket_id = %s and name = any(%s)"
            " returning name, id, version",
            (bucket, keys),
        )
        for _, _, version in rows:
            self.blob(str(version)).unlink(missing_ok=True)
        return [{"name": name, "id": str(oid), "bucket_id": bucket} for name, oid, _ in rows]


def _split(rest: str) -> tuple[str, str]:
    bucket, _, key = unquote(rest).partition("/")
    if not bucket or not key or ".." in key.split("/"):
        raise StorageError(400, "InvalidKey", f"invalid object key: {rest}")
    return bucket, key


def _pg_error(err: psycopg.Error) -> tuple[int, dict[str, Any]]:
    state = err.sqlstate or ""
    message = err.diag.message_primary or str(err)
    if state == "42501":
        return 403, {"statusCode": "403", "error": "Unauthorized", "message": message}
    return 500, {"statusCode": "500", "error": "internal", "message": message}
