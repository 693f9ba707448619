"""Fixtures for the media tests; among them a local stand-in for the edge-tts service.

The fake WebSocket server speaks the service's wire protocol to the real ``edge_tts`` client:
it takes the ``speech.config`` and ``ssml`` requests and answers with a ``turn.start`` text
frame, binary ``Path:audio`` frames (2-byte header length, headers, MP3 bytes) and
``turn.end``. Modes show failures: ``silent`` never answers, ``no_audio`` ends the turn
without audio, ``close`` drops the connection.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import WSMsgType, web

from engine.content import Block, parse_blocks


@dataclass
class FakeEdge:
    mp3: bytes
    mode: str = "ok"
    requests: list[dict[str, str]] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _runner: web.AppRunner | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/consumer/speech/synthesize/readaloud/edge/v1?TrustedClientToken=test"

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        seen: dict[str, str] = {"query": request.query_string}
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            head, _, body = msg.data.partition("\r\n\r\n")
            path = re.search(r"Path:([\w.]+)", head)
            seen[path.group(1) if path else "?"] = body
            if "ssml" not in seen:
                continue
            self.requests.append(seen)
            if self.mode == "silent":
                await asyncio.sleep(2)  # longer than the client waits in the test
                return ws
            if self.mode == "close":
                await ws.close()
                return ws
            rid = "X-RequestId:0123456789abcdef0123456789abcdef\r\n"
            await ws.send_str(
                f"{rid}Content-Type:application/json; charset=utf-8\r\nPath:turn.start\r\n\r\n{{}}"
            )
            if self.mode == "ok":
                header = (
                    f"{rid}Content-Type:audio/mpeg\r\nX-StreamId:1\r\nPath:audio\r\n"
                ).encode()
                for i in range(0, len(self.mp3), 4096):
                    chunk = self.mp3[i : i + 4096]
                    await ws.send_bytes(len(header).to_bytes(2, "big") + header + chunk)
                end_header = f"{rid}X-StreamId:1\r\nPath:audio\r\n".encode()
                await ws.send_bytes(len(end_header).to_bytes(2, "big") + end_header)
            await ws.send_str(f"{rid}Path:turn.end\r\n\r\n{{}}")
            return ws
        return ws

    def start(self) -> FakeEdge:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_get("/{tail:.*}", self._ws)
            self._runner = web.AppRunner(app)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            server = site._server
            assert server is not None
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)


def make_mp3(dest: Path, seconds: float = 1.5) -> bytes:
    import subprocess

    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=330:duration={seconds}:sample_rate=24000",
            "-ac",
            "1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "48k",
            str(dest),
        ],
        check=True,
    )
    return dest.read_bytes()


@pytest.fixture(scope="session")
def mp3_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_mp3(tmp_path_factory.mktemp("mp3") / "tone.mp3")


@pytest.fixture
def fake_edge(mp3_bytes: bytes) -> Iterator[FakeEdge]:
    server = FakeEdge(mp3_bytes).start()
    yield server
    server.stop()


SHORT_BLOCKS: list[dict[str, object]] = [
    {"type": "heading", "text": "Spacing", "level": 2},
    {"type": "paragraph", "text": "Spread your study over several days."},
    {"type": "list", "items": ["Review tomorrow.", "Review next week."]},
    {"type": "callout", "style": "tip", "text": "Short sessions beat one long one."},
]


@pytest.fixture
def short_blocks() -> list[Block]:
    return parse_blocks(SHORT_BLOCKS)
