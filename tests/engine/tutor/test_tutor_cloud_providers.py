"""Together, OpenAI and Anthropic through their official SDKs, against local servers that
speak each API's streaming shape; fallback, offline detection, cancellation, and keys."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from engine.llm.base import (
    CancelToken,
    ChatMessage,
    GenerationCancelled,
    GenerationSettings,
    GenerationStats,
    NoProviderAvailable,
    ProviderFailed,
)
from engine.llm.chain import ChainResult, ProviderChain, provider_order
from engine.llm.cloud import (
    AnthropicProvider,
    OpenAIProvider,
    TogetherProvider,
    forget_reachability,
)
from engine.llm.keys import api_key
from tests.engine.tutor.helpers import FakeAPI, ScriptedProvider

MESSAGES = [
    ChatMessage("system", "You are Byte."),
    ChatMessage("user", "What is spacing?"),
]
SETTINGS = GenerationSettings(max_tokens=50, temperature=0.0, timeout_s=20.0)
SECRET = "sk-test-SECRET-never-shown"


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    forget_reachability()
    yield
    forget_reachability()


@pytest.fixture
def servers() -> Iterator[list[FakeAPI]]:
    made: list[FakeAPI] = []
    yield made
    for s in made:
        s.close()


def _serve(servers: list[FakeAPI], kind: str, pieces: list[str], mode: str = "ok") -> FakeAPI:
    api = FakeAPI(kind, pieces, mode=mode)
    servers.append(api)
    return api


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("cls", "kind", "suffix", "path"),
    [
        (OpenAIProvider, "openai", "/v1", "/v1/chat/completions"),
        (TogetherProvider, "openai", "", "/v1/chat/completions"),
        (AnthropicProvider, "anthropic", "", "/v1/messages"),
    ],
)
def test_each_provider_streams_through_its_official_sdk(
    servers: list[FakeAPI], cls: type, kind: str, suffix: str, path: str
) -> None:
    api = _serve(servers, kind, ["Spacing ", "spreads ", "study ", "out [M3]."])
    provider = cls(key=SECRET, base_url=api.url + suffix, model="test-model")
    stats = GenerationStats()
    pieces = list(provider.stream(MESSAGES, SETTINGS, CancelToken(), stats))
    assert pieces == ["Spacing ", "spreads ", "study ", "out [M3]."]
    assert stats.provider == provider.name and stats.completion_tokens == 4
    assert stats.first_token_s is not None
    req = api.requests[0]
    assert req["path"] == path
    assert req["body"]["stream"] is True and req["body"]["model"] == "test-model"
    headers = {k.lower(): v for k, v in req["headers"].items()}
    if kind == "anthropic":
        assert SECRET in (headers.get("x-api-key"), headers.get("authorization", "")[7:])
        assert "anthropic-version" in headers
        assert req["body"]["system"] == "You are Byte."  # system turn moved where it belongs
        assert [m["role"] for m in req["body"]["messages"]] == ["user"]
    else:
        assert headers["authorization"] == f"Bearer {SECRET}"
        assert [m["role"] for m in req["body"]["messages"]] == ["system", "user"]
    assert SECRET not in repr(provider) and SECRET not in provider.label


def test_server_error_is_a_provider_failure_without_the_key(servers: list[FakeAPI]) -> None:
    api = _serve(servers, "openai", [], mode="error")
    provider = OpenAIProvider(key=SECRET, base_url=api.url + "/v1")
    with pytest.raises(ProviderFailed) as err:
        list(provider.stream(MESSAGES, SETTINGS, CancelToken()))
    assert "500" in str(err.value) and SECRET not in str(err.value)


def test_chain_falls_back_in_order_primary_secondary_tertiary(servers: list[FakeAPI]) -> None:
    together = _serve(servers, "openai", [], mode="error")  # primary fails
    openai_down = f"http://127.0.0.1:{_closed_port()}/v1"  # secondary offline
    anthropic = _serve(servers, "anthropic", ["From ", "Anthropic."])  # tertiary answers
    chain = ProviderChain(
        [
            TogetherProvider(key=SECRET, base_url=together.url),
            OpenAIProvider(key=SECRET, base_url=openai_down),
            AnthropicProvider(key=SECRET, base_url=anthropic.url),
        ]
    )
    result = ChainResult()
    started = time.monotonic()
    text = "".join(chain.stream(MESSAGES, SETTINGS, CancelToken(), result))
    assert text == "From Anthropic."
    assert result.provider is not None and result.provider.name == "anthropic"
    assert "500" in result.skipped["together"]
    assert result.skipped["openai"] == "offline"
    assert time.monotonic() - started < 5  # offline is detected at once, not by time-out
    assert len(together.requests) == 1


def test_no_key_means_unavailable_and_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("TOGETHER_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("BYTEOS_NO_KEYRING", "1")
    assert api_key("openai") is None
    chain = ProviderChain([TogetherProvider(), OpenAIProvider(), AnthropicProvider()])
    with pytest.raises(NoProviderAvailable) as err:
        list(chain.stream(MESSAGES, SETTINGS, CancelToken()))
    assert set(err.value.reasons) == {"together", "openai", "anthropic"}
    assert "no OpenAI API key configured" in str(err.value)


def test_keys_come_from_the_environment_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", " from-env ")
    assert api_key("anthropic") == "from-env"
    assert AnthropicProvider().has_key


def test_cancel_mid_stream_stops_a_cloud_answer(servers: list[FakeAPI]) -> None:
    api = _serve(servers, "openai", ["one ", "two ", "three ", "four ", "five "], mode="slow")
    provider = OpenAIProvider(key=SECRET, base_url=api.url + "/v1")
    cancel = CancelToken()
    got: list[str] = []
    with pytest.raises(GenerationCancelled):
        for piece in provider.stream(MESSAGES, SETTINGS, cancel):
            got.append(piece)
            if len(got) == 2:
                cancel.cancel()
    assert got == ["one ", "two "]


def test_no_fallback_once_text_has_been_shown() -> None:
    broken = ScriptedProvider("a b c d", name="together", fail="lost", fail_after=2)
    spare = ScriptedProvider("spare", name="openai")
    chain = ProviderChain([broken, spare])
    got: list[str] = []
    with pytest.raises(ProviderFailed):
        got.extend(chain.stream(MESSAGES, SETTINGS, CancelToken()))
    assert "".join(got) == "a b" and spare.calls == []


def test_cancel_is_never_fallen_back_from() -> None:
    first = ScriptedProvider("x y z", name="local", delay=0.05)
    spare = ScriptedProvider("spare", name="openai")
    cancel = CancelToken()
    threading.Timer(0.07, cancel.cancel).start()
    with pytest.raises(GenerationCancelled):
        list(ProviderChain([first, spare]).stream(MESSAGES, SETTINGS, cancel))
    assert spare.calls == []


def test_provider_order_setting() -> None:
    assert provider_order({}) == ("local", "together", "openai", "anthropic")
    assert provider_order({"BYTEOS_LLM_PROVIDERS": "anthropic, local,bogus,local"}) == (
        "anthropic",
        "local",
    )
