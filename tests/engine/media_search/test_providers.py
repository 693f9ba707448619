"""Each image-search provider against a local HTTP server that speaks its API shape."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from engine.media_search import providers as ms
from engine.media_search.providers import (
    GiphyProvider,
    GoogleImageProvider,
    MediaSearchError,
    PexelsProvider,
    UnsplashProvider,
)

PEXELS = {
    "page": 1,
    "total_results": 2,
    "photos": [
        {
            "id": 101,
            "width": 4000,
            "height": 3000,
            "url": "https://pexels.example/p/101",
            "photographer": "Ana",
            "alt": "A chef slicing onions",
            "src": {"original": "https://img/101.jpg", "medium": "https://img/101-m.jpg"},
        },
        {"id": "broken"},  # a malformed item is skipped, not fatal
    ],
}
UNSPLASH = {
    "total": 1,
    "total_pages": 1,
    "results": [
        {
            "id": "u1",
            "width": 5000,
            "height": 3333,
            "alt_description": "knife on a board",
            "urls": {"regular": "https://u/r.jpg", "small": "https://u/s.jpg"},
            "links": {"html": "https://unsplash.example/u1"},
            "user": {"name": "Ben"},
        }
    ],
}
GIPHY = {
    "data": [
        {
            "id": "g1",
            "title": "Cooking GIF",
            "url": "https://giphy.example/g1",
            "username": "chef",
            "images": {
                "original": {"url": "https://g/o.gif", "width": "480", "height": "270"},
                "fixed_width_small": {"url": "https://g/s.gif"},
            },
        }
    ],
    "pagination": {"total_count": 1},
}
GOOGLE = {
    "items": [
        {
            "title": "Kitchen safety poster",
            "link": "https://site/poster.png",
            "displayLink": "site.example",
            "image": {
                "thumbnailLink": "https://t/poster.png",
                "width": 800,
                "height": 600,
                "contextLink": "https://site/page",
            },
        }
    ]
}


class Server:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        self.mode = "ok"
        srv = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_a: Any) -> None:
                return

            def do_GET(self) -> None:
                u = urlparse(self.path)
                srv.requests.append((u.path, parse_qs(u.query), dict(self.headers)))
                if srv.mode == "slow":
                    time.sleep(1.5)
                status, body = {
                    "401": (401, b'{"error":"bad key"}'),
                    "429": (429, b"{}"),
                    "500": (500, b"oops"),
                    "html": (200, b"<html>not json</html>"),
                    "shape": (200, b'{"unexpected": true}'),
                }.get(srv.mode, (200, b""))
                if srv.mode in ("ok", "slow"):
                    payload = {
                        "/v1/search": PEXELS,
                        "/search/photos": UNSPLASH,
                        "/v1/gifs/search": GIPHY,
                        "/customsearch/v1": GOOGLE,
                    }[u.path]
                    status, body = 200, json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.httpd.shutdown()


def test_pexels(server: Server) -> None:
    hits = PexelsProvider("pk", base_url=server.url).search("knife skills", per_page=5)
    [h] = hits
    assert (h.provider, h.id, h.title, h.full_url, h.width) == (
        "pexels",
        "101",
        "A chef slicing onions",
        "https://img/101.jpg",
        4000,
    )
    assert "Ana" in h.attribution
    path, q, headers = server.requests[0]
    assert path == "/v1/search" and q["query"] == ["knife skills"] and q["per_page"] == ["5"]
    assert headers["Authorization"] == "pk"


def test_unsplash(server: Server) -> None:
    [h] = UnsplashProvider("uk", base_url=server.url).search("knife", page=2)
    assert (h.id, h.title, h.thumb_url, h.author) == (
        "u1",
        "knife on a board",
        "https://u/s.jpg",
        "Ben",
    )
    _, q, headers = server.requests[0]
    assert headers["Authorization"] == "Client-ID uk" and headers["Accept-Version"] == "v1"
    assert q["page"] == ["2"]


def test_giphy(server: Server) -> None:
    [h] = GiphyProvider("gk", base_url=server.url).search("cooking", page=3, per_page=10)
    assert (h.id, h.width, h.thumb_url) == ("g1", 480, "https://g/s.gif")
    _, q, _ = server.requests[0]
    assert q["api_key"] == ["gk"] and q["offset"] == ["20"] and q["rating"] == ["g"]


def test_google_images(server: Server) -> None:
    [h] = GoogleImageProvider("ak", "cx1", base_url=server.url).search("poster")
    assert h.full_url == "https://site/poster.png" and "licence" in h.attribution
    _, q, _ = server.requests[0]
    assert q["searchType"] == ["image"] and q["cx"] == ["cx1"] and q["key"] == ["ak"]


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("401", "refused the API key"),
        ("429", "rate limit"),
        ("500", "error \\(500\\)"),
        ("html", "isn't JSON"),
        ("shape", "unexpected shape"),
    ],
)
def test_failures_become_clear_messages(server: Server, mode: str, message: str) -> None:
    server.mode = mode
    with pytest.raises(MediaSearchError, match=message):
        PexelsProvider("pk", base_url=server.url).search("x")


def test_offline_is_detected_fast() -> None:
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.monotonic()
    with pytest.raises(MediaSearchError, match="offline"):
        UnsplashProvider("k", base_url=f"http://127.0.0.1:{port}").search("x")
    assert time.monotonic() - t0 < 2


def test_slow_service_times_out(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ms, "READ_TIMEOUT", 0.3)
    server.mode = "slow"
    with pytest.raises(MediaSearchError, match="in time"):
        GiphyProvider("k", base_url=server.url).search("x")


def test_configured_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "PEXELS_API_KEY",
        "UNSPLASH_ACCESS_KEY",
        "GIPHY_API_KEY",
        "GOOGLE_SEARCH_API_KEY",
        "GOOGLE_SEARCH_ENGINE_ID",
    ):
        monkeypatch.delenv(var, raising=False)
    assert ms.configured_providers(use_keyring=False) == []
    monkeypatch.setenv("PEXELS_API_KEY", "pk")
    monkeypatch.setenv("GOOGLE_SEARCH_API_KEY", "gk")  # without an engine id: not usable
    assert [p.name for p in ms.configured_providers(use_keyring=False)] == ["Pexels"]
