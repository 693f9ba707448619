"""The on-device model: a GGUF file run by llama.cpp through llama-cpp-python.

The model is loaded once per process (about a second from the page cache) and kept; one
generation runs at a time. The prompt is evaluated in small batches with a cancellation and
time-out check between them, so Stop works while a long prompt is still being read, not only
once tokens flow. The KV cache keeps the longest common prefix with the previous prompt (the
tutor's fixed rules come first), so a follow-up question re-reads only what changed.

Text is decoded incrementally from bytes so a character split across tokens is never shown
half-made.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.llm.base import (
    CancelToken,
    ChatMessage,
    Deadline,
    GenerationSettings,
    GenerationStats,
    LLMProvider,
    ProviderFailed,
    ProviderUnavailable,
)
from engine.llm.bundled import DEFAULT_MODEL, BundledModel, ensure_gguf, part_paths

PROMPT_BATCH = 96


class LlamaCppProvider(LLMProvider):
    name = "local"

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        bundled: BundledModel = DEFAULT_MODEL,
        cache_dir: Path | None = None,
        n_threads: int | None = None,
        n_ctx: int = 4096,
    ) -> None:
        env_path = os.environ.get("BYTEOS_LLM_MODEL_PATH")
        self.model_path = model_path or (Path(env_path) if env_path else None)
        self.bundled = bundled
        self.cache_dir = cache_dir
        self.n_threads = n_threads or min(4, os.cpu_count() or 2)
        self.n_ctx = n_ctx
        self._llm: Any = None
        self._formatter: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()
        self.load_s: float | None = None

    @property
    def model(self) -> str:
        if self.model_path is not None:
            return self.model_path.stem
        return self.bundled.display_name

    @property
    def label(self) -> str:
        return f"{self.model} (on this device)"

    @property
    def is_local(self) -> bool:
        return True

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    def availability(self) -> str | None:
        if self._llm is not None:
            return None
        if importlib.util.find_spec("llama_cpp") is None:
            return "llama-cpp-python is not installed"
        if self.model_path is not None:
            return None if self.model_path.is_file() else f"model file {self.model_path} missing"
        try:
            part_paths(self.bundled)
        except ProviderUnavailable as err:
            return str(err)
        return None

    # -- loading --------------------------------------------------------------------------
    def _resolve_path(self) -> Path:
        if self.model_path is not None:
            return self.model_path
        cache = self.cache_dir or _default_cache()
        return ensure_gguf(self.bundled, cache)

    def load(self) -> Any:
        """Load the model now (the UI warms it up in the background)."""
        with self._load_lock:
            if self._llm is None:
                reason = self.availability()
                if reason:
                    raise ProviderUnavailable(reason)
                started = time.monotonic()
                path = self._resolve_path()
                try:
                    from llama_cpp import Llama
                    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

                    llm = Llama(
                        model_path=str(path),
                        n_ctx=self.n_ctx,
                        n_threads=self.n_threads,
                        n_threads_batch=self.n_threads,
                        n_batch=512,
                        seed=7,
                        verbose=False,
                    )
                except Exception as err:  # damaged file, unsupported architecture
                    raise ProviderFailed(f"The local model could not be loaded: {err}") from err
                template = llm.metadata.get("tokenizer.chat_template")
                if not template:
                    raise ProviderFailed("The local model has no chat template.")
                eos = llm.detokenize([llm.token_eos()], special=True).decode("utf-8", "replace")
                bos_id = llm.token_bos()
                bos = (
                    llm.detokenize([bos_id], special=True).decode("utf-8", "replace")
                    if bos_id >= 0
                    else ""
                )
                self._formatter = Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos)
                self._llm = llm
                self.load_s = time.monotonic() - started
                atexit.register(self.close)  # free it before the interpreter tears down
            return self._llm

    def close(self) -> None:
        """Free the model (waits a few seconds for a generation in progress to stop)."""
        if not self._run_lock.acquire(timeout=5.0):
            return
        try:
            if self._llm is not None:
                llm, self._llm = self._llm, None
                llm.close()
        finally:
            self._run_lock.release()

    # -- generation -----------------------------------------------------------------------
    def count_tokens(self, messages: list[ChatMessage]) -> int:
        llm = self.load()
        return len(self._tokens(llm, messages))

    def _tokens(self, llm: Any, messages: list[ChatMessage]) -> list[int]:
        prompt = self._formatter(
            messages=[{"role": m.role, "content": m.content} for m in messages]
        ).prompt
        tokens: list[int] = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
        return tokens

    def stream(
        self,
        messages: list[ChatMessage],
        settings: GenerationSettings,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        deadline = Deadline(settings.timeout_s)
        llm = self.load()
        cancel.check()
        import llama_cpp

        started = time.monotonic()
        with self._run_lock:
            tokens = self._tokens(llm, messages)
            room = self.n_ctx - len(tokens)
            if room < 16:
                raise ProviderFailed("The question and its context are too long for the model.")
            max_tokens = min(settings.max_tokens, room - 1)
            if stats is not None:
                stats.provider, stats.model = self.name, self.model
                stats.prompt_tokens = len(tokens)
            llama_cpp.llama_perf_context_reset(llm.ctx)
            self._eval_prompt(llm, tokens, cancel, deadline)
            vocab = llama_cpp.llama_model_get_vocab(llm.model)
            produced: list[int] = []
            pending = b""
            text = ""
            grammar = (
                llama_cpp.llama_grammar.LlamaGrammar.from_json_schema(
                    settings.json_schema, verbose=False
                )
                if settings.json_schema
                else None
            )
            gen = llm.generate(
                tokens,
                temp=settings.temperature,
                top_p=settings.top_p,
                top_k=40,
                min_p=0.05,
                repeat_penalty=1.1,
                reset=True,
                grammar=grammar,
            )
            try:
                for token in gen:
                    if llama_cpp.llama_vocab_is_eog(vocab, token):
                        break
                    produced.append(token)
                    if stats is not None:
                        stats.completion_tokens = len(produced)
                        if stats.first_token_s is None:
                            stats.first_token_s = time.monotonic() - started
                    pending += llm.detokenize([token], prev_tokens=produced[:-1])
                    piece, pending = _decode_prefix(pending)
                    if piece:
                        text += piece
                        stop_at = _stop_index(text, settings.stop)
                        if stop_at is not None:
                            keep = len(piece) - (len(text) - stop_at)
                            if keep > 0:
                                yield piece[:keep]
                            break
                        yield piece
                    if len(produced) >= max_tokens:
                        break
                    cancel.check()
                    deadline.check()
                if pending:
                    tail = pending.decode("utf-8", "replace")
                    if tail.strip("\ufffd"):
                        yield tail
            finally:
                gen.close()
                if stats is not None:
                    stats.total_s = time.monotonic() - started
                    perf = llama_cpp.llama_perf_context(llm.ctx)
                    stats.extra.update(
                        {
                            "llama_prompt_ms": float(perf.t_p_eval_ms),
                            "llama_prompt_tokens": float(perf.n_p_eval),
                            "llama_eval_ms": float(perf.t_eval_ms),
                            "llama_eval_tokens": float(perf.n_eval),
                            "cached_prompt_tokens": float(self._last_reused),
                        }
                    )

    _last_reused = 0

    def _eval_prompt(
        self, llm: Any, tokens: list[int], cancel: CancelToken, deadline: Deadline
    ) -> None:
        """Evaluate all but the last prompt token, reusing the cached common prefix."""
        cached = llm.input_ids[: llm.n_tokens]
        prefix = 0
        for a, b in zip(cached, tokens, strict=False):
            if int(a) != b:
                break
            prefix += 1
        prefix = min(prefix, len(tokens) - 1)
        llm.n_tokens = prefix  # eval() drops the KV cache beyond n_tokens
        self._last_reused = prefix
        end = len(tokens) - 1
        pos = prefix
        while pos < end:
            cancel.check()
            deadline.check()
            nxt = min(end, pos + PROMPT_BATCH)
            llm.eval(tokens[pos:nxt])
            pos = nxt


def _decode_prefix(data: bytes) -> tuple[str, bytes]:
    """Decode the longest complete UTF-8 prefix; return it and the incomplete rest."""
    for cut in range(len(data), max(-1, len(data) - 4), -1):
        try:
            return data[:cut].decode("utf-8"), data[cut:]
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace"), b""


def _stop_index(text: str, stops: tuple[str, ...]) -> int | None:
    found = [i for i in (text.find(s) for s in stops if s) if i >= 0]
    return min(found) if found else None


def _default_cache() -> Path:
    env = os.environ.get("BYTEOS_MODEL_CACHE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("ByteOS")) / "models"
