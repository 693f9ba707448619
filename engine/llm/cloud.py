"""Cloud language models through their official SDKs: Together AI, OpenAI, Anthropic.

Each is used only when a key is configured (:mod:`engine.llm.keys`) and its API host answers
a TCP connect within a fraction of a second, so an offline machine falls through to the local
model at once instead of waiting on DNS and HTTP time-outs. The SDKs are imported lazily.

Base URLs and models come from the settings (``together_base_url``, ``openai_model``, …; the
environment variables ``TOGETHER_BASE_URL``, ``OPENAI_BASE_URL``, ``ANTHROPIC_BASE_URL``,
``BYTEOS_TOGETHER_MODEL``, … still work); the tests point them at local HTTP servers that
speak each API's streaming format. Every SDK is handed its HTTP client from the one factory
(``engine.net.http.make_client``), so the proxy and the extra CA bundle reach the cloud too.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from engine.llm.base import (
    CancelToken,
    ChatMessage,
    Deadline,
    GenerationSettings,
    GenerationStats,
    GenerationTimeout,
    LLMError,
    LLMProvider,
    ProviderFailed,
    ProviderUnavailable,
)
from engine.llm.keys import api_key

_REACH_CACHE: dict[tuple[str, int], tuple[float, bool]] = {}
_REACH_LOCK = threading.Lock()
REACH_TTL_S = 20.0

STALL_TIMEOUT_S = 60.0
"""A cloud answer whose connection sends nothing for this long is given up."""


def reachable(base_url: str, timeout_s: float = 0.6) -> bool:
    """Whether the host of ``base_url`` accepts a TCP connection (cached for a few seconds)."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    key = (host, port)
    now = time.monotonic()
    with _REACH_LOCK:
        hit = _REACH_CACHE.get(key)
        if hit and now - hit[0] < REACH_TTL_S:
            return hit[1]
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            ok = True
    except OSError:
        ok = False
    with _REACH_LOCK:
        _REACH_CACHE[key] = (time.monotonic(), ok)
    return ok


def forget_reachability() -> None:
    with _REACH_LOCK:
        _REACH_CACHE.clear()


class _CloudProvider(LLMProvider):
    default_base_url = ""
    default_model = ""
    env_prefix = ""

    def __init__(
        self,
        *,
        key: str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        connect_timeout_s: float = 5.0,
    ) -> None:
        from engine.config import settings

        config = settings()
        self._key = key if key is not None else api_key(self.name)
        self.base_url = (
            base_url or getattr(config, f"{self.name}_base_url") or self.default_base_url
        )
        self._model = model or getattr(config, f"{self.name}_model") or self.default_model
        self.connect_timeout_s = connect_timeout_s

    @property
    def model(self) -> str:
        return self._model

    @property
    def label(self) -> str:
        return f"{self._model} ({self.display})"

    display = ""

    @property
    def has_key(self) -> bool:
        return bool(self._key)

    def availability(self) -> str | None:
        if not self._key:
            return f"no {self.display} API key configured"
        if not reachable(self.base_url):
            return "offline"
        return None

    def _timeout(self, settings: GenerationSettings) -> Any:
        # without a caller's limit, a stalled connection still ends: no byte for a minute
        return max(1.0, settings.timeout_s or STALL_TIMEOUT_S)

    def _http(self, settings: GenerationSettings, library: str) -> Any:
        """The SDK's HTTP client, from the one factory (proxy, CAs, time-outs)."""
        from engine.net.http import make_client

        return make_client(timeout=self._timeout(settings), library=library)

    def stream(
        self,
        messages: list[ChatMessage],
        settings: GenerationSettings,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        reason = self.availability()
        if reason:
            raise ProviderUnavailable(reason)
        deadline = Deadline(settings.timeout_s or None)
        started = time.monotonic()
        if stats is not None:
            stats.provider, stats.model = self.name, self._model
        try:
            for piece in self._stream(messages, settings, cancel, deadline, stats):
                if stats is not None:
                    stats.completion_tokens += 1
                    if stats.first_token_s is None:
                        stats.first_token_s = time.monotonic() - started
                yield piece
        except LLMError:
            raise
        except Exception as err:  # SDK errors: connection, status, decoding
            if _is_timeout(err):
                raise GenerationTimeout(f"{self.display} did not answer in time.") from err
            raise ProviderFailed(f"{self.display}: {_describe(err)}") from err
        finally:
            if stats is not None:
                stats.total_s = time.monotonic() - started

    def _stream(
        self,
        messages: list[ChatMessage],
        settings: GenerationSettings,
        cancel: CancelToken,
        deadline: Deadline,
        stats: GenerationStats | None,
    ) -> Iterator[str]:
        raise NotImplementedError


class _OpenAIShaped(_CloudProvider):
    """OpenAI's chat-completions streaming shape (OpenAI itself, and Together's SDK)."""

    def _client(self, settings: GenerationSettings) -> Any:
        raise NotImplementedError

    def _stream(
        self,
        messages: list[ChatMessage],
        settings: GenerationSettings,
        cancel: CancelToken,
        deadline: Deadline,
        stats: GenerationStats | None,
    ) -> Iterator[str]:
        client = self._client(settings)
        response = client.chat.completions.create(
            model=self._model,
            messages=[{"role": m.role, "content": m.content} for m in messages],
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            top_p=settings.top_p,
            stream=True,
            **({"stop": list(settings.stop)} if settings.stop else {}),
        )
        try:
            for chunk in response:
                cancel.check()
                deadline.check()
                usage = getattr(chunk, "usage", None)
                if usage is not None and stats is not None:
                    stats.prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
                choices = getattr(chunk, "choices", None) or []
                if not choices:
                    continue
                delta = getattr(choices[0], "delta", None)
                text = getattr(delta, "content", None) if delta is not None else None
                if text:
                    yield text
        finally:
            _close(response)


class OpenAIProvider(_OpenAIShaped):
    name = "openai"
    display = "OpenAI"
    env_prefix = "OPENAI"
    default_base_url = "https://api.openai.com/v1"
    default_model = "gpt-4o-mini"

    def _client(self, settings: GenerationSettings) -> Any:
        import openai

        return openai.OpenAI(
            api_key=self._key,
            base_url=self.base_url,
            timeout=self._timeout(settings),
            max_retries=0,
            http_client=self._http(settings, "httpx2"),  # the SDK's own httpx fork
        )


class TogetherProvider(_OpenAIShaped):
    name = "together"
    display = "Together AI"
    env_prefix = "TOGETHER"
    default_base_url = "https://api.together.ai"  # the SDK adds /v1/…
    default_model = "meta-llama/Llama-3.3-70B-Instruct-Turbo"

    def _client(self, settings: GenerationSettings) -> Any:
        import together

        return together.Together(
            api_key=self._key,
            base_url=self.base_url,
            timeout=self._timeout(settings),
            max_retries=0,
            http_client=self._http(settings, "httpx"),
        )


class AnthropicProvider(_CloudProvider):
    name = "anthropic"
    display = "Anthropic"
    env_prefix = "ANTHROPIC"
    default_base_url = "https://api.anthropic.com"
    default_model = "claude-3-5-haiku-latest"

    def _stream(
        self,
        messages: list[ChatMessage],
        settings: GenerationSettings,
        cancel: CancelToken,
        deadline: Deadline,
        stats: GenerationStats | None,
    ) -> Iterator[str]:
        import anthropic

        client = anthropic.Anthropic(
            api_key=self._key,
            base_url=self.base_url,
            timeout=self._timeout(settings),
            max_retries=0,
            http_client=self._http(settings, "httpx2"),  # the SDK's own httpx fork
        )
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        turns = [{"role": m.role, "content": m.content} for m in messages if m.role != "system"]
        # (current Anthropic models take no sampling temperature: the API dropped it)
        kwargs: dict[str, Any] = {
            "model": self._model,
            "max_tokens": settings.max_tokens,
            "messages": turns,
        }
        if system:
            kwargs["system"] = system
        if settings.stop:
            kwargs["stop_sequences"] = list(settings.stop)
        with client.messages.stream(**kwargs) as stream:
            for text in stream.text_stream:
                cancel.check()
                deadline.check()
                if text:
                    yield text
            if stats is not None:
                final = stream.get_final_message()
                stats.prompt_tokens = int(getattr(final.usage, "input_tokens", 0) or 0)


def _close(response: Any) -> None:
    close = getattr(response, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()


def _is_timeout(err: BaseException) -> bool:
    return "timeout" in type(err).__name__.lower() or isinstance(err, TimeoutError)


def _describe(err: BaseException) -> str:
    status = getattr(err, "status_code", None)
    if status is not None:
        return f"HTTP {status}"
    return type(err).__name__


CLOUD_PROVIDERS: dict[str, type[_CloudProvider]] = {
    "together": TogetherProvider,
    "openai": OpenAIProvider,
    "anthropic": AnthropicProvider,
}
