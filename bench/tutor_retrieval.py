"""Retrieval for Byte over a 10,000-chunk course: indexing, query latency, keeping in step.

    .venv/bin/python -m bench.tutor_retrieval [--chunks 10000] [--queries 50]
                                              [--embedder minilm|hashing]

Builds a course of ``chunks / 10`` modules of about ten chunks each from varied sentences of
the demo course, indexes it with the real embedder (all-MiniLM-L6-v2 from its PyPI package,
offline, 2 threads) through :meth:`VectorIndex.sync_course` — the path the tutor uses — then
times:

* ``index_s`` / ``index_chunks_per_s`` — embedding all chunks once,
* ``query_ms_p50`` / ``p95`` — one question end to end: embed it, score every chunk, top 3,
* ``search_only_ms_p50`` — the vector part alone (10,000 × 384 dot products and a top-k),
* ``sync_unchanged_ms`` — the check run before every question when nothing changed,
* ``sync_one_edit_ms`` — one module edited: only it is re-embedded.

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _sentences() -> list[str]:
    from engine.content import parse_blocks, plain_text

    course = json.loads((ROOT / "resources/demo/demo_content.json").read_text())["courses"][0]
    text = " ".join(plain_text(parse_blocks(m["content"])) for m in course["modules"])
    out = [s.strip() + "." for s in text.replace("\n", " ").split(".") if len(s.strip()) > 20]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--embedder", choices=("minilm", "hashing"), default="minilm")
    args = ap.parse_args()

    from engine.content import parse_blocks
    from engine.retrieval.chunking import ModuleText, chunk_module
    from engine.retrieval.embedding import HashingEmbedder, MiniLMEmbedder
    from engine.retrieval.index import VectorIndex

    embedder = MiniLMEmbedder(threads=2) if args.embedder == "minilm" else HashingEmbedder(384)
    rng = random.Random(7)
    sentences = _sentences()
    topics = ["memory", "exams", "music", "chemistry", "history", "coding", "languages", "art"]
    n_modules = max(1, args.chunks // 10)
    modules = []
    for i in range(n_modules):
        blocks = []
        for j in range(10):
            body = " ".join(rng.sample(sentences, 4))
            blocks.append({"type": "heading", "text": f"Part {j + 1}: {rng.choice(topics)}"})
            blocks.append({"type": "paragraph", "text": f"Section {i}.{j}. {body}"})
        modules.append(ModuleText("course", f"m{i}", f"Module {i + 1}", i, parse_blocks(blocks)))
    n_chunks = sum(len(chunk_module(m)) for m in modules)

    embedder.embed(["warm up"])  # load the model outside the timings
    index = VectorIndex(embedder)
    t = time.perf_counter()
    index.sync_course("course", modules)
    index_s = time.perf_counter() - t

    questions = [
        "Why is re-reading less effective than testing yourself?",
        "How does spacing help long-term memory?",
        "What is interleaving and why does it feel harder?",
        "How do I plan a week of study?",
        "What is the forgetting curve?",
    ]
    index.search(questions[0], "course")  # builds the course matrix once
    full, vec_only = [], []
    for i in range(args.queries):
        q = questions[i % len(questions)]
        t = time.perf_counter()
        hits = index.search(q, "course", k=3)
        full.append((time.perf_counter() - t) * 1000)
        qv = embedder.embed([q])[0]
        t = time.perf_counter()
        index.search_vector(qv, "course", k=3)
        vec_only.append((time.perf_counter() - t) * 1000)
        assert hits

    t = time.perf_counter()
    unchanged = index.sync_course("course", modules)
    sync_unchanged_ms = (time.perf_counter() - t) * 1000
    assert not unchanged.changed
    edited = list(modules)
    m = edited[0]
    edited[0] = ModuleText(
        m.course_id, m.module_id, m.title + " (edited)", m.order_index, m.blocks, m.quiz
    )
    t = time.perf_counter()
    report = index.sync_course("course", edited)
    sync_edit_ms = (time.perf_counter() - t) * 1000
    assert report.embedded == (m.module_id,)

    def pct(xs: list[float], p: float) -> float:
        xs = sorted(xs)
        return round(xs[min(len(xs) - 1, int(p * len(xs)))], 2)

    print(
        json.dumps(
            {
                "bench": "tutor_retrieval",
                "embedder": embedder.name,
                "chunks": n_chunks,
                "modules": n_modules,
                "index_s": round(index_s, 2),
                "index_chunks_per_s": round(n_chunks / index_s, 1),
                "query_ms_p50": round(statistics.median(full), 2),
                "query_ms_p95": pct(full, 0.95),
                "search_only_ms_p50": round(statistics.median(vec_only), 3),
                "sync_unchanged_ms": round(sync_unchanged_ms, 1),
                "sync_one_edit_ms": round(sync_edit_ms, 1),
                "queries": args.queries,
            }
        )
    )


if __name__ == "__main__":
    main()
