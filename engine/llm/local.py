"""The on-device model: a GGUF file run by llama.cpp through llama-cpp-python.

The model is loaded once per process (about a second from the page cache) and kept. Every
heavy step holds the process's :class:`~engine.llm.queue.ModelQueue`, so the tutor and a
course generation never fight over the same cores; a background job hands the model to a
waiting learner between two tokens (its state is saved and put back, grammar included) and
carries on afterwards.

Reading the prompt is what a learner waits for: the prompt is evaluated in small batches
with a cancellation check between them (Stop works while a long prompt is still being read).
The KV cache keeps the longest common prefix with the previous prompt, so a follow-up in the
same conversation reads only the new question; and :meth:`LlamaCppProvider.prepare` reads a
prompt's fixed beginning ahead of time (the tutor's rules and the module on screen) and keeps
the resulting state in :class:`~engine.llm.prompt_states.PromptStates`, on disk too, so a
first question reads only itself. There is no wall-clock limit unless the caller sets one:
slow hardware gets a slow answer, never a thrown-away one.

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
from engine.llm.prompt_states import PromptStates
from engine.llm.queue import DEFAULT_QUEUE, ModelQueue

PROMPT_BATCH = 96
PREFIX_MARK = "\u2063\u2063byteos-prefix-end\u2063\u2063"
"""Appended to the last message of a prompt's fixed beginning to find where it ends in the
rendered chat template (the template closes the message after it)."""


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
        queue: ModelQueue | None = None,
        states_dir: Path | None = None,
        lora_path: Path | None = None,
    ) -> None:
        from engine.config import settings

        self.model_path = model_path or settings().llm_model_path
        self.lora_path = lora_path or settings().llm_lora_path  # a fine-tuned adapter (issue 16)
        self.bundled = bundled
        self.cache_dir = cache_dir
        self.n_threads = n_threads or physical_cores()
        self.n_ctx = n_ctx
        self.queue = queue or DEFAULT_QUEUE
        self._states_dir = states_dir
        self.states: PromptStates | None = None
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
                lora: dict[str, Any] = {}
                if self.lora_path is not None:
                    from engine.finetune.lora import LoraAdapterError, check_adapter

                    try:
                        lora = {"lora_path": str(check_adapter(self.lora_path))}
                    except LoraAdapterError as err:
                        raise ProviderFailed(f"The LoRA adapter cannot be used: {err}") from err
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
                        **lora,
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
                size = path.stat().st_size
                fingerprint = f"{path.name}:{size}:ctx{self.n_ctx}:llama-cpp-{_llama_version()}"
                if self.lora_path is not None:  # an adapter changes every prompt state
                    fingerprint += f":lora-{self.lora_path.name}:{self.lora_path.stat().st_size}"
                folder = self._states_dir
                if folder is None:
                    folder = (self.cache_dir or _default_cache()) / "prompt-states" / path.stem
                self.states = PromptStates(fingerprint, folder)
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

    def _render(self, messages: list[ChatMessage]) -> str:
        return str(
            self._formatter(
                messages=[{"role": m.role, "content": m.content} for m in messages]
            ).prompt
        )

    def _tokens(self, llm: Any, messages: list[ChatMessage]) -> list[int]:
        tokens: list[int] = llm.tokenize(
            self._render(messages).encode("utf-8"), add_bos=True, special=True
        )
        return tokens

    def prefix_tokens(self, messages: list[ChatMessage]) -> list[int]:
        """The tokens of a prompt's fixed beginning: ``messages`` as they start every prompt
        built on them, the last one cut where its text ends (a later prompt adds to it)."""
        llm = self.load()
        *head, last = messages
        rendered = self._render([*head, ChatMessage(last.role, last.content + PREFIX_MARK)])
        cut = rendered.index(PREFIX_MARK)
        tokens: list[int] = llm.tokenize(rendered[:cut].encode("utf-8"), add_bos=True, special=True)
        return tokens[:-2]  # the last tokens may merge with what follows

    def prepare(self, messages: list[ChatMessage], cancel: CancelToken | None = None) -> bool:
        """Read a prompt's fixed beginning now and keep its state (in memory and on disk);
        False if it was ready already. Runs as the current queue job (background work
        hands over to a learner's question between two batches)."""
        cancel = cancel or CancelToken()
        llm = self.load()
        tokens = self.prefix_tokens(messages)
        assert self.states is not None
        if len(tokens) < 16 or len(tokens) >= self.n_ctx - 64 or self.states.has(tokens):
            return False
        with self.queue.hold("Preparing Byte"), self._run_lock:
            self._use_best_state(llm, tokens)
            self._eval_prompt(llm, [*tokens, 0], cancel, None)  # all but the dummy last
            self.states.put(tokens, self._kv_bytes(llm))
        return True

    def stream(
        self,
        messages: list[ChatMessage],
        settings: GenerationSettings,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        deadline = Deadline(settings.timeout_s) if settings.timeout_s else None
        llm = self.load()
        cancel.check()
        import llama_cpp

        started = time.monotonic()
        with self.queue.hold("Byte's model"), self._run_lock:
            tokens = self._tokens(llm, messages)
            room = self.n_ctx - len(tokens)
            if room < 16:
                raise ProviderFailed("The question and its context are too long for the model.")
            max_tokens = min(settings.max_tokens, room - 1)
            if stats is not None:
                stats.provider, stats.model = self.name, self.model
                stats.prompt_tokens = len(tokens)
            llama_cpp.llama_perf_context_reset(llm.ctx)
            loaded = self._use_best_state(llm, tokens)
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
                    if deadline is not None:
                        deadline.check()
                    self._pause_point(llm)
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
                            "state_loaded_tokens": float(loaded),
                        }
                    )

    _last_reused = 0

    # -- states ---------------------------------------------------------------------------
    @staticmethod
    def _kv_bytes(llm: Any) -> bytes:
        import ctypes

        import llama_cpp

        size = int(llama_cpp.llama_state_seq_get_size(llm.ctx, 0))
        buf = (ctypes.c_uint8 * size)()
        n = int(llama_cpp.llama_state_seq_get_data(llm.ctx, buf, size, 0))
        return ctypes.string_at(buf, n)

    @staticmethod
    def _set_kv(llm: Any, tokens: list[int] | tuple[int, ...], data: bytes) -> None:
        import ctypes

        import llama_cpp

        buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        if int(llama_cpp.llama_state_seq_set_data(llm.ctx, buf, len(data), 0)) != len(data):
            llm.n_tokens = 0  # the cache is in an unknown state: read everything again
            llm._ctx.kv_cache_seq_rm(-1, 0, -1)
            raise ProviderFailed("The model's saved state could not be restored.")
        llm.input_ids[: len(tokens)] = tokens
        llm.n_tokens = len(tokens)

    def _use_best_state(self, llm: Any, tokens: list[int]) -> int:
        """Load the saved state covering more of ``tokens`` than the KV cache already does;
        returns how many tokens it covered (0 if none was better)."""
        if self.states is None:
            return 0
        cached = 0
        for a, b in zip(llm.input_ids[: llm.n_tokens], tokens, strict=False):
            if int(a) != b:
                break
            cached += 1
        best = self.states.best_for(tokens, at_least=cached + 8)
        if best is None:
            return 0
        try:
            self._set_kv(llm, best.tokens, best.data)
        except ProviderFailed:
            return 0
        return len(best.tokens)

    def _pause_point(self, llm: Any) -> None:
        """Hand the model to a waiting higher-priority job, then put this job's state back."""
        if not self.queue.should_yield():
            return
        saved: dict[str, Any] = {}

        def before() -> None:
            saved["tokens"] = [int(t) for t in llm.input_ids[: llm.n_tokens]]
            saved["kv"] = self._kv_bytes(llm)
            saved["sampler"] = llm._sampler
            self._run_lock.release()

        def after() -> None:
            self._run_lock.acquire()
            self._set_kv(llm, saved["tokens"], saved["kv"])
            llm._sampler = saved["sampler"]

        self.queue.pause_point(before, after)

    def _eval_prompt(
        self, llm: Any, tokens: list[int], cancel: CancelToken, deadline: Deadline | None
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
            if deadline is not None:
                deadline.check()
            self._pause_point(llm)
            nxt = min(end, pos + PROMPT_BATCH)
            llm.eval(tokens[pos:nxt])
            pos = nxt


def physical_cores() -> int:
    """Threads for llama.cpp: one per physical core (hyper-threads slow it down), at most 8."""
    logical = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    logical = logical or os.cpu_count() or 2
    try:
        pairs = set()
        phys = core = ""
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("physical id"):
                phys = line.split(":", 1)[1].strip()
            elif line.startswith("core id"):
                core = line.split(":", 1)[1].strip()
                pairs.add((phys, core))
        physical = len(pairs) or logical
    except OSError:
        physical = logical
    return max(1, min(8, physical, logical))


def _llama_version() -> str:
    try:
        from importlib.metadata import version

        return version("llama_cpp_python")
    except Exception:
        return "unknown"


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
    from engine.config import settings

    configured = settings().model_cache
    if configured is not None:
        return configured
    import platformdirs

    return Path(platformdirs.user_cache_dir("ByteOS")) / "models"
