"""Saved model states of prompt beginnings, so a question re-reads only what is new.

The on-device model reads a prompt at ~60 tokens/s on two cores; the tutor's rules and a
module's text are ~600 tokens, ten seconds, although they are the same for every question
about that module. llama.cpp can hand out its memory of a read prompt (the KV cache of one
sequence) as bytes and take it back later. This module keeps such states, keyed by the exact
token ids they stand for, in memory (a byte budget, least recently used first out) and on
disk (so the work survives a restart: computed once, loaded at start), and finds the longest
saved state that begins a new prompt.

A disk file is ``BYTEKV1`` + token count (uint32) + model fingerprint length (uint16) + the
fingerprint + the token ids (int32) + the state bytes. A file that is short, foreign or for
another model is ignored and removed; writes are atomic (a crash leaves no half file).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
import threading
from array import array
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"BYTEKV1"
_HEAD = struct.Struct("<IH")


@dataclass(frozen=True)
class SavedState:
    tokens: tuple[int, ...]
    data: bytes


def key_of(tokens: Sequence[int]) -> str:
    return hashlib.sha256(array("i", tokens).tobytes()).hexdigest()[:32]


class PromptStates:
    def __init__(
        self,
        model_fingerprint: str,
        folder: Path | None = None,
        *,
        memory_budget: int = 384 << 20,
        disk_budget: int = 1 << 30,
    ) -> None:
        self.fingerprint = model_fingerprint
        self.folder = folder
        self.memory_budget = memory_budget
        self.disk_budget = disk_budget
        self._lock = threading.Lock()
        self._memory: OrderedDict[str, SavedState] = OrderedDict()
        self._disk_index: dict[str, tuple[int, ...]] | None = None  # key -> tokens

    # -- lookup -------------------------------------------------------------------------
    def best_for(self, tokens: Sequence[int], at_least: int = 0) -> SavedState | None:
        """The saved state covering the longest beginning of ``tokens`` (more than
        ``at_least`` tokens of it), loading it from disk if needed."""
        want = tuple(tokens)
        with self._lock:
            best: tuple[int, str, bool] | None = None  # (length, key, in memory)
            for key, st in self._memory.items():
                n = len(st.tokens)
                if n > at_least and want[:n] == st.tokens and (best is None or n > best[0]):
                    best = (n, key, True)
            for key, toks in self._index().items():
                n = len(toks)
                if n > at_least and want[:n] == toks and (best is None or n > best[0]):
                    best = (n, key, key in self._memory)
            if best is None:
                return None
            _, key, in_memory = best
            if in_memory:
                self._memory.move_to_end(key)
                return self._memory[key]
        loaded = self._read(key)
        if loaded is not None:
            with self._lock:
                self._remember(key, loaded)
        return loaded

    def has(self, tokens: Sequence[int]) -> bool:
        key = key_of(tokens)
        with self._lock:
            return key in self._memory or key in self._index()

    # -- saving -------------------------------------------------------------------------
    def put(self, tokens: Sequence[int], data: bytes) -> None:
        st = SavedState(tuple(tokens), data)
        key = key_of(st.tokens)
        with self._lock:
            self._remember(key, st)
        self._write(key, st)

    def _remember(self, key: str, st: SavedState) -> None:
        self._memory[key] = st
        self._memory.move_to_end(key)
        total = sum(len(s.data) for s in self._memory.values())
        while total > self.memory_budget and len(self._memory) > 1:
            _, old = self._memory.popitem(last=False)
            total -= len(old.data)

    # -- disk ---------------------------------------------------------------------------
    def _index(self) -> dict[str, tuple[int, ...]]:
        """(with the lock held) the token ids of every state file, read once."""
        if self._disk_index is None:
            self._disk_index = {}
            if self.folder is not None and self.folder.is_dir():
                for path in self.folder.glob("*.kv"):
                    toks = self._read_tokens(path)
                    if toks is None:
                        with contextlib.suppress(OSError):
                            path.unlink()
                    else:
                        self._disk_index[path.stem] = toks
        return self._disk_index

    def _read_tokens(self, path: Path) -> tuple[int, ...] | None:
        try:
            with path.open("rb") as f:
                return self._header(f)
        except (OSError, ValueError, struct.error):
            return None

    def _header(self, f: object) -> tuple[int, ...] | None:
        read = f.read  # type: ignore[attr-defined]
        if read(len(MAGIC)) != MAGIC:
            return None
        n, flen = _HEAD.unpack(read(_HEAD.size))
        if read(flen).decode("utf-8", "replace") != self.fingerprint:
            return None
        raw = read(4 * n)
        if len(raw) != 4 * n:
            return None
        return tuple(array("i", raw))

    def _read(self, key: str) -> SavedState | None:
        if self.folder is None:
            return None
        path = self.folder / f"{key}.kv"
        try:
            with path.open("rb") as f:
                toks = self._header(f)
                data = f.read()
            if toks is None or not data:
                raise ValueError("not a state file")
            os.utime(path)  # recently used: kept longest when the folder is trimmed
            return SavedState(toks, data)
        except (OSError, ValueError, struct.error):
            with self._lock:
                if self._disk_index is not None:
                    self._disk_index.pop(key, None)
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def _write(self, key: str, st: SavedState) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fp = self.fingerprint.encode("utf-8")
            tmp = self.folder / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
            with tmp.open("wb") as f:
                f.write(MAGIC + _HEAD.pack(len(st.tokens), len(fp)) + fp)
                f.write(array("i", st.tokens).tobytes())
                f.write(st.data)
            os.replace(tmp, self.folder / f"{key}.kv")
        except OSError:  # a full or read-only disk only costs speed
            with contextlib.suppress(OSError, UnboundLocalError):
                tmp.unlink()
            return
        with self._lock:
            self._index()[key] = st.tokens
        self._trim()

    def _trim(self) -> None:
        assert self.folder is not None
        try:
            files = sorted(self.folder.glob("*.kv"), key=lambda p: p.stat().st_mtime)
            total = sum(p.stat().st_size for p in files)
        except OSError:
            return
        while total > self.disk_budget and len(files) > 1:
            old = files.pop(0)
            with contextlib.suppress(OSError):
                total -= old.stat().st_size
                old.unlink()
            with self._lock:
                self._index().pop(old.stem, None)
