"""A thin stand-in for Supabase's PostgREST and GoTrue, for tests only.

PostgREST and GoTrue cannot be installed here, so this does per request what they do, no
more: verify the JWT with the project's secret, ``SET LOCAL ROLE`` to the token's role, put
the claims in ``request.jwt.claims`` and run the query, upsert or RPC in one transaction,
answering in PostgREST's JSON shapes and status codes. Row-level security is therefore
enforced by PostgreSQL itself, exactly as on Supabase. The GoTrue part serves
``/auth/v1/token`` (password and refresh-token grants, refresh tokens rotated), ``/user`` and
``/logout`` against the ``auth.users`` table of ``resources/supabase/test/``. Storage
(``/storage/v1/``) is served by ``tests/sync/storage_stand_in.py`` the same way.
"""

from __future__ import annotations

import json
import queue
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import psycopg
from psycopg import sql

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
OPS = {"eq": "=", "neq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
STATUS_BY_SQLSTATE = {
    "23505": 409,
    "23503": 409,
    "23514": 400,
    "23502": 400,
    "22P02": 400,
    "22023": 400,
    "P0001": 400,
    "42883": 404,
    "42P01": 404,
}


class HttpError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message") or body.get("error_description"))
        self.status = status
        self.body = body


class StandIn:
    def __init__(
        self,
        authenticator_url: str,
        admin_url: str,
        jwt_secret: str = "test-project-jwt-secret-of-at-least-32-chars",
        access_token_ttl: int = 3600,
    ) -> None:
        self.authenticator_url = authenticator_url
        self.admin_url = admin_url
        self.secret = jwt_secret
        self.access_token_ttl = access_token_ttl
        self.anon_key = jwt.encode({"role": "anon", "iss": "supabase"}, self.secret, "HS256")
        self.service_key = jwt.encode(
            {"role": "service_role", "iss": "supabase"}, self.secret, "HS256"
        )
        self._pool: queue.LifoQueue[psycopg.Connection[Any]] = queue.LifoQueue()
        self._columns: dict[str, dict[str, str]] = {}
        self._functions: dict[str, tuple[list[tuple[str, str]], bool]] = {}
        self._meta_lock = threading.Lock()
        self.requests = 0
        handler = type("Handler", (_Handler,), {"standin": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        from tests.sync.storage_stand_in import StorageStandIn

        self.storage = StorageStandIn(self)

    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        while not self._pool.empty():
            self._pool.get_nowait().close()
        self.storage.stop()

    # -- connections and catalogue ---------------------------------------------------------
    def _conn(self) -> psycopg.Connection[Any]:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            return psycopg.connect(self.authenticator_url)

    def _release(self, conn: psycopg.Connection[Any]) -> None:
        if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.close()
        else:
            self._pool.put(conn)

    def columns(self, table: str) -> dict[str, str]:
        with self._meta_lock:
            if table not in self._columns:
                with psycopg.connect(self.admin_url) as c:
                    rows = c.execute(
                        "select a.attname, format_type(a.atttypid, a.atttypmod) "
                        "from pg_attribute a join pg_class k on k.oid = a.attrelid "
                        "join pg_namespace n on n.oid = k.relnamespace "
                        "where n.nspname = 'public' and k.relname = %s and a.attnum > 0 "
                        "and not a.attisdropped order by a.attnum",
                        (table,),
                    ).fetchall()
                if not rows:
                    raise HttpError(
                        404,
                        {"code": "PGRST205", "message": f"Could not find the table '{table}'"},
                    )
                self._columns[table] = {r[0]: r[1] for r in rows}
            return self._columns[table]

    def function(self, name: str) -> tuple[list[tuple[str, str]], bool]:
        with self._meta_lock:
            if name not in self._functions:
                with psycopg.connect(self.admin_url) as c:
                    row = c.execute(
                        "select p.proargnames, "
                        "array(select format_type(t, null) from unnest(p.proargtypes) t), "
                        "p.proretset, p.pronargs from pg_proc p "
                        "join pg_namespace n on n.oid = p.pronamespace "
                        "where n.nspname = 'public' and p.proname = %s",
                        (name,),
                    ).fetchone()
                if row is None:
                    raise HttpError(
                        404, {"code": "PGRST202", "message": f"Could not find function {name}"}
                    )
                names, types, retset, nargs = row
                self._functions[name] = (list(zip(names[:nargs], types, strict=True)), retset)
            return self._functions[name]

    # -- auth ------------------------------------------------------------------------------
    def claims(self, headers: Any) -> dict[str, Any]:
        auth = headers.get("Authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else headers.get("apikey", "")
        if not token:
            raise HttpError(401, {"code": "PGRST302", "message": "Anonymous access is disabled"})
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"verify_aud": False}
            )
        except jwt.ExpiredSignatureError as err:
            raise HttpError(401, {"code": "PGRST303", "message": "JWT expired"}) from err
        except jwt.InvalidTokenError as err:
            raise HttpError(401, {"code": "PGRST301", "message": str(err)}) from err
        if claims.get("role") not in ("anon", "authenticated", "service_role"):
            raise HttpError(401, {"code": "PGRST301", "message": "unknown role"})
        return claims

    def issue_session(self, user: dict[str, Any]) -> dict[str, Any]:
        now = int(time.time())
        exp = now + self.access_token_ttl
        token = jwt.encode(
            {
                "sub": user["id"],
                "role": "authenticated",
                "aud": "authenticated",
                "email": user["email"],
                "iat": now,
                "exp": exp,
                "app_metadata": user["app_metadata"],
                # unique per issue: two tokens issued within one second must differ, or the
                # fault proxy (which expires a token by its text) would see a fresh token
                # as the expired one (seed 384520 of test_sync_random failed that way)
                "jti": secrets.token_hex(8),
            },
            self.secret,
            "HS256",
        )
        refresh = secrets.token_urlsafe(24)
        with psycopg.connect(self.admin_url) as c:
            c.execute(
                "insert into auth.refresh_tokens (token, user_id) values (%s, %s)",
                (refresh, user["id"]),
            )
        return {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": self.access_token_ttl,
            "expires_at": exp,
            "refresh_token": refresh,
            "user": user,
        }

    @staticmethod
    def _user_json(row: tuple[Any, ...]) -> dict[str, Any]:
        uid, email, created, app_meta, user_meta = row
        return {
            "id": str(uid),
            "aud": "authenticated",
            "role": "authenticated",
            "email": email,
            "app_metadata": app_meta or {},
            "user_metadata": user_meta or {},
            "created_at": created.isoformat(),
        }

    def gotrue(self, method: str, path: str, query: dict[str, str], body: Any, headers: Any) -> Any:
        user_cols = "id, email, created_at, raw_app_meta_data, raw_user_meta_data"
        if method == "POST" and path == "token":
            grant = query.get("grant_type")
            with psycopg.connect(self.admin_url) as c:
                if grant == "password":
                    row = c.execute(
                        f"update auth.users set last_sign_in_at = now() where email = %s "
                        f"and encrypted_password = crypt(%s, encrypted_password) "
                        f"returning {user_cols}",
                        (body.get("email"), body.get("password")),
                    ).fetchone()
                elif grant == "refresh_token":
                    row = c.execute(
                        f"with r as (update auth.refresh_tokens set revoked = true "
                        f" where token = %s and not revoked returning user_id) "
                        f"select {user_cols} from auth.users where id = (select user_id from r)",
                        (body.get("refresh_token"),),
                    ).fetchone()
                else:
                    raise HttpError(400, {"error": "unsupported_grant_type"})
            if row is None:
                msg = (
                    "Invalid login credentials"
                    if grant == "password"
                    else "Invalid Refresh Token: Refresh Token Not Found"
                )
                raise HttpError(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": msg,
                        "code": 400,
                        "msg": msg,
                    },
                )
            return self.issue_session(self._user_json(row))
        claims = self.claims(headers)
        if method == "GET" and path == "user":
            with psycopg.connect(self.admin_url) as c:
                row = c.execute(
                    f"select {user_cols} from auth.users where id = %s", (claims.get("sub"),)
                ).fetchone()
            if row is None:
                raise HttpError(404, {"code": 404, "msg": "User not found"})
            return self._user_json(row)
        if method == "POST" and path == "logout":
            with psycopg.connect(self.admin_url) as c:
                c.execute(
                    "update auth.refresh_tokens set revoked = true where user_id = %s",
                    (claims.get("sub"),),
                )
            return None
        raise HttpError(404, {"code": 404, "msg": f"no route {method} /auth/v1/{path}"})

    # -- PostgREST ---------------------------------------------------------------------------
    def _where(
        self, table: str, params: list[tuple[str, str]]
    ) -> tuple[list[sql.Composable], list[Any]]:
        cols = self.columns(table)
        conds: list[sql.Composable] = []
        args: list[Any] = []
        for key, value in params:
            if key in ("select", "order", "limit", "offset", "on_conflict", "columns"):
                continue
            if key not in cols:
                raise HttpError(400, {"code": "42703", "message": f"column {key} does not exist"})
            op, _, operand = value.partition(".")
            ident = sql.Identifier(key)
            ctype = sql.SQL(cols[key])
            if op in OPS:
                conds.append(sql.SQL("{} {} %s::{}").format(ident, sql.SQL(OPS[op]), ctype))
                args.append(operand)
            elif op == "in":
                items = [v.strip().strip('"') for v in operand.strip("()").split(",") if v]
                conds.append(sql.SQL("{} = any(%s::{}[])").format(ident, ctype))
                args.append(items)
            elif op == "is" and operand == "null":
                conds.append(sql.SQL("{} is null").format(ident))
            else:
                raise HttpError(400, {"code": "PGRST100", "message": f"bad filter {value}"})
        return conds, args

    def rest(
        self, method: str, path: str, params: list[tuple[str, str]], body: Any, headers: Any
    ) -> tuple[int, Any]:
        claims = self.claims(headers)
        prefer = {
            p.strip() for h in headers.get_all("Prefer", []) for p in h.split(",") if p.strip()
        }
        conn = self._conn()
        try:
            with conn.transaction():
                conn.execute(sql.SQL("set local role {}").format(sql.Identifier(claims["role"])))
                conn.execute(
                    "select set_config('request.jwt.claims', %s, true)", (json.dumps(claims),)
                )
                status, result = self._rest_in_tx(conn, method, path, params, body, prefer)
            return status, result
        except psycopg.Error as err:
            state = err.sqlstate or ""
            code = 401 if state == "42501" and claims.get("role") == "anon" else 403
            status = code if state == "42501" else STATUS_BY_SQLSTATE.get(state, 500)
            diag = err.diag
            raise HttpError(
                status,
                {
                    "code": state,
                    "message": diag.message_primary or str(err),
                    "details": diag.message_detail,
                    "hint": diag.message_hint,
                },
            ) from err
        finally:
            self._release(conn)

    def _rest_in_tx(
        self,
        conn: psycopg.Connection[Any],
        method: str,
        path: str,
        params: list[tuple[str, str]],
        body: Any,
        prefer: set[str],
    ) -> tuple[int, Any]:
        if path.startswith("rpc/"):
            name = path[4:]
            if not IDENT.match(name):
                raise HttpError(404, {"code": "PGRST202", "message": "bad function"})
            args_spec, retset = self.function(name)
            given = body or {}
            parts = [
                sql.SQL("{} => %s::{}").format(sql.Identifier(n), sql.SQL(t))
                for n, t in args_spec
                if n in given
            ]
            values = [
                json.dumps(given[n]) if t in ("json", "jsonb") else given[n]
                for n, t in args_spec
                if n in given
            ]
            call = sql.SQL("public.{}({})").format(sql.Identifier(name), sql.SQL(", ").join(parts))
            q = (
                sql.SQL("select coalesce(json_agg(r), '[]'::json)::text from {} r").format(call)
                if retset
                else sql.SQL("select to_json({})::text").format(call)
            )
            row = conn.execute(q, values).fetchone()
            return 200, json.loads(row[0]) if row and row[0] is not None else None
        table = path
        if not IDENT.match(table):
            raise HttpError(404, {"code": "PGRST205", "message": "bad table"})
        cols = self.columns(table)
        pmap = dict(params)
        conds, args = self._where(table, params)
        where = sql.SQL(" where ") + sql.SQL(" and ").join(conds) if conds else sql.SQL("")
        tname = sql.SQL("public.{}").format(sql.Identifier(table))
        representation = "return=representation" in prefer
        if method == "GET":
            sel = pmap.get("select", "*")
            select_list: sql.Composable = (
                sql.SQL("*")
                if sel == "*"
                else sql.SQL(", ").join(sql.Identifier(c) for c in sel.split(",") if c in cols)
            )
            order = sql.SQL("")
            if "order" in pmap:
                items = []
                for item in pmap["order"].split(","):
                    col, _, direction = item.partition(".")
                    if col not in cols:
                        raise HttpError(400, {"code": "42703", "message": f"no column {col}"})
                    d = "desc" if direction.startswith("desc") else "asc"
                    items.append(sql.SQL("{} {}").format(sql.Identifier(col), sql.SQL(d)))
                order = sql.SQL(" order by ") + sql.SQL(", ").join(items)
            limit = sql.SQL("")
            if "limit" in pmap:
                limit = sql.SQL(" limit {}").format(sql.Literal(int(pmap["limit"])))
            if "offset" in pmap:
                limit += sql.SQL(" offset {}").format(sql.Literal(int(pmap["offset"])))
            q = sql.SQL(
                "select coalesce(json_agg(t), '[]'::json)::text from (select {} from {}{}{}{}) t"
            ).format(select_list, tname, where, order, limit)
            row = conn.execute(q, args).fetchone()
            return 200, json.loads(row[0]) if row else []
        if method == "POST":
            rows = body if isinstance(body, list) else [body]
            if not rows:
                return 201, []
            names = (
                [c.strip().strip('"') for c in pmap["columns"].split(",")]
                if "columns" in pmap
                else list(rows[0])
            )
            unknown = [n for n in names if n not in cols]
            if unknown:
                raise HttpError(
                    400, {"code": "PGRST204", "message": f"Could not find column {unknown[0]}"}
                )
            idents = sql.SQL(", ").join(sql.Identifier(n) for n in names)
            conflict = sql.SQL("")
            if "resolution=ignore-duplicates" in prefer or "resolution=merge-duplicates" in prefer:
                target = pmap.get("on_conflict", "id").split(",")
                tgt = sql.SQL(", ").join(sql.Identifier(c) for c in target)
                if "resolution=ignore-duplicates" in prefer:
                    conflict = sql.SQL(" on conflict ({}) do nothing").format(tgt)
                else:
                    sets = sql.SQL(", ").join(
                        sql.SQL("{0} = excluded.{0}").format(sql.Identifier(n)) for n in names
                    )
                    conflict = sql.SQL(" on conflict ({}) do update set {}").format(tgt, sets)
            q = sql.SQL(
                "with w as (insert into {t} ({c}) select {c} from "
                "json_populate_recordset(null::{t}, %s::json){conf} returning *) "
                "select coalesce(json_agg(w), '[]'::json)::text from w"
            ).format(t=tname, c=idents, conf=conflict)
            row = conn.execute(q, [json.dumps(rows)]).fetchone()
            return 201, json.loads(row[0]) if representation and row else None
        if method == "PATCH":
            names = [n for n in body if n in cols]
            idents = sql.SQL(", ").join(sql.Identifier(n) for n in names)
            q = sql.SQL(
                "with w as (update {t} set ({c}) = (select {c} from "
                "json_populate_record(null::{t}, %s::json)){w} returning *) "
                "select coalesce(json_agg(w), '[]'::json)::text from w"
            ).format(t=tname, c=idents, w=where)
            row = conn.execute(q, [json.dumps(body), *args]).fetchone()
            return (200, json.loads(row[0])) if representation and row else (204, None)
        if method == "DELETE":
            q = sql.SQL(
                "with w as (delete from {t}{w} returning *) "
                "select coalesce(json_agg(w), '[]'::json)::text from w"
            ).format(t=tname, w=where)
            row = conn.execute(q, args).fetchone()
            return (200, json.loads(row[0])) if representation and row else (204, None)
        raise HttpError(405, {"code": "PGRST117", "message": f"{method} not supported"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    standin: StandIn

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        s = self.standin
        s.requests += 1
        parts = urlsplit(self.path)
        if parts.path.startswith("/storage/v1/"):
            s.storage.handle(self, parts.path[len("/storage/v1/") :])
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, result = 500, None
        try:
            body = json.loads(raw) if raw else None
            if parts.path.startswith("/auth/v1/"):
                query = dict(parse_qsl(parts.query))
                result = s.gotrue(
                    self.command, parts.path[len("/auth/v1/") :], query, body or {}, self.headers
                )
                status = 200 if result is not None else 204
            elif parts.path.startswith("/rest/v1/"):
                params = parse_qsl(parts.query, keep_blank_values=True)
                status, result = s.rest(
                    self.command, parts.path[len("/rest/v1/") :], params, body, self.headers
                )
            else:
                raise HttpError(404, {"message": "not found"})
        except HttpError as err:
            status, result = err.status, err.body
        except Exception as err:  # the stand-in must answer, as PostgREST would
            status, result = 500, {"code": "XX000", "message": str(err)}
        payload = b"" if result is None else json.dumps(result).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        if isinstance(result, list):
            self.send_header("Content-Range", f"0-{max(len(result) - 1, 0)}/*")
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = do_HEAD = _dispatch
