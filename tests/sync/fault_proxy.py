"""A loopback HTTP proxy between a device and the Supabase stand-in that injects faults.

Per request it can: pass it on (optionally after a delay), ``cut`` the connection before the
server sees the request, ``drop`` the response after the server has committed (so the client
sends it again: duplicate delivery), or answer ``503`` itself. Faults come from a queue of
planned actions (``plan``) matched by method and path, or at random with given odds.

Faults tied to the n-th request since the last ``reset`` (``at={n: action}``):

* ``kill``: call ``on_kill`` (the test kills the client process with SIGKILL) before the
  server sees the request; ``kill_after``: after the server has committed it;
* ``offline``: stop listening (new connections are refused) and cut every open connection,
  this request included, until ``go_online``;
* ``expire``: the access token of this request (or of the next REST request) expires: from
  now on PostgREST answers it ``401 PGRST303 JWT expired``, as Supabase does, and the client
  must refresh its session.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACTIONS = ("pass", "cut", "drop", "503", "kill", "kill_after", "offline", "expire", "expired")


@dataclass
class Planned:
    action: str
    method: str = ""
    path_contains: str = ""

    def matches(self, method: str, path: str) -> bool:
        return (not self.method or self.method == method) and self.path_contains in path


@dataclass
class FaultPlan:
    planned: list[Planned] = field(default_factory=list)
    odds: dict[str, float] = field(default_factory=dict)
    latency: float = 0.0
    rng: random.Random = field(default_factory=random.Random)
    at: dict[int, str] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)
    n: int = 0
    expire_next: bool = False

    def decide(self, method: str, path: str) -> str:
        self.n += 1
        triggered = self.at.pop(self.n, None)
        if triggered == "expire":
            self.expire_next = True
        elif triggered is not None:
            return triggered
        if self.expire_next and path.startswith("/rest/v1/"):
            self.expire_next = False
            return "expire"
        for i, p in enumerate(self.planned):
            if p.matches(method, path):
                del self.planned[i]
                return p.action
        roll = self.rng.random()
        for action, p in self.odds.items():
            if roll < p:
                return action
            roll -= p
        return "pass"


class FaultProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.plan = FaultPlan()
        self.lock = threading.Lock()
        self.counts: dict[str, int] = dict.fromkeys(ACTIONS, 0)
        self.refreshes = 0
        """Token refreshes seen (``grant_type=refresh_token``)."""
        self.expired: set[str] = set()
        self.on_kill: Callable[[], None] | None = None
        self.offline = False
        self.port = 0
        self._listen()
        self.url = f"http://127.0.0.1:{self.port}"

    def _listen(self) -> None:
        handler = type("Handler", (_ProxyHandler,), {"proxy": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def go_offline(self) -> None:
        """Nothing listens on the address any more (connections are refused), and the
        connections already open are cut at their next request."""
        with self.lock:
            if self.offline:
                return
            self.offline = True
        self.stop()

    def go_online(self) -> None:
        with self.lock:
            if not self.offline:
                return
            self.offline = False
        self._listen()

    def reset(self, **plan: Any) -> None:
        with self.lock:
            self.plan = FaultPlan(**plan)

    def decide(self, method: str, path: str) -> tuple[str, float]:
        with self.lock:
            if self.offline:
                return "cut", 0.0
            action = self.plan.decide(method, path)
            self.counts[action] += 1
            if "grant_type=refresh_token" in path:
                self.refreshes += 1
            return action, self.plan.latency

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    proxy: FaultProxy

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _abort(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _answer(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _token(self) -> str:
        auth = self.headers.get("Authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else ""

    def _kill(self) -> None:
        if self.proxy.on_kill is not None:
            self.proxy.on_kill()

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        action, latency = self.proxy.decide(self.command, self.path)
        if latency:
            time.sleep(latency)
        if action == "offline":
            self.proxy.go_offline()
            action = "cut"
        if action == "kill":
            self._kill()
            action = "cut"
        if action == "cut":
            self._abort()
            return
        if action == "503":
            self._answer(503, b"upstream unavailable", "text/plain")
            return
        token = self._token()
        if action == "expire" and token:
            with self.proxy.lock:
                self.proxy.expired.add(token)
        if self.path.startswith("/rest/v1/") and token and token in self.proxy.expired:
            with self.proxy.lock:
                self.proxy.counts["expired"] += action != "expire"
            payload = json.dumps(
                {"code": "PGRST303", "message": "JWT expired", "details": None, "hint": None}
            ).encode()
            self._answer(401, payload, "application/json; charset=utf-8")
            return
        upstream = http.client.HTTPConnection("127.0.0.1", self.proxy.upstream_port, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            upstream.request(self.command, self.path, body=body, headers=headers)
            resp = upstream.getresponse()
            data = resp.read()
        finally:
            upstream.close()
        if action == "kill_after":  # the server has done the work; the client dies
            self._kill()
            action = "drop"
        if action == "drop" or self.proxy.offline:  # the client never hears of it
            self._abort()
            return
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in (
                "content-length",
                "connection",
                "transfer-encoding",
                "date",
                "server",
            ):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _forward
