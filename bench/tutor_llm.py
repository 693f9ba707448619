"""Byte's on-device model: time to first token, tokens/s against llama.cpp's own, memory.

    .venv/bin/python -m bench.tutor_llm [--runs 3] [--threads 2] [--max-tokens 128]

Runs the real tutor prompt (rules, learner notes, three retrieved excerpts of the demo
course, a question) through :class:`engine.llm.local.LlamaCppProvider` — the path the app
uses — and reports, per run:

* ``ttft_cold_s`` — from the call to the first piece of text with an empty KV cache,
* ``ttft_warm_s`` — the same for a follow-up question (the fixed rules are reused),
* ``ours_tok_s`` — generated tokens per second as the caller receives them (decode phase:
  tokens after the first, over the time after the first),
* ``llama_tok_s`` — llama.cpp's own decode speed for the same run, from its internal
  performance counters (``llama_perf_context``: n_eval / t_eval), same model and threads,
* ``ratio`` — ours / llama.cpp's (1.0 means the Python streaming, detokenising, guard-free
  path adds nothing measurable),
* ``prompt_tok_s`` — llama.cpp's prompt-reading speed.

Also the resident memory before and after loading the model (``/proc/self/status``).
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> tuple[float, float]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            fields[key] = float(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def _prompt(question: str) -> list:  # type: ignore[type-arg]
    from engine.content import parse_blocks, parse_quiz
    from engine.retrieval.chunking import ModuleText
    from engine.retrieval.embedding import HashingEmbedder
    from engine.retrieval.index import VectorIndex
    from engine.tutor.memory import LearnerContext, learner_notes
    from engine.tutor.prompts import Mode, build_messages

    course = json.loads((ROOT / "resources/demo/demo_content.json").read_text())["courses"][0]
    modules = [
        ModuleText(
            "c", m["id"], m["title"], i, parse_blocks(m["content"]), parse_quiz(m.get("quiz"))
        )
        for i, m in enumerate(course["modules"])
    ]
    index = VectorIndex(HashingEmbedder())
    index.sync_course("c", modules)
    hits = index.search(question, "c", k=3)
    notes = learner_notes(LearnerContext(difficulty_comfort="beginner", streak_days=3))
    return build_messages(
        course_title=course["title"],
        mode=Mode.EXPLANATION,
        question=question,
        hits=hits,
        learner_notes=notes,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=128)
    args = ap.parse_args()

    from engine.llm.base import CancelToken, GenerationSettings, GenerationStats
    from engine.llm.local import LlamaCppProvider

    rss_before, _ = _rss_mb()
    provider = LlamaCppProvider(n_threads=args.threads)
    t = time.perf_counter()
    llm = provider.load()
    load_s = time.perf_counter() - t
    rss_loaded, _ = _rss_mb()
    settings = GenerationSettings(max_tokens=args.max_tokens, temperature=0.0, timeout_s=600)

    questions = [
        "Why is re-reading less effective than testing yourself? Explain in detail.",
        "How does spacing study sessions help memory? Explain in detail.",
        "How should I build a weekly study plan from these ideas? Explain in detail.",
    ]
    runs = []
    for i in range(args.runs):
        q = questions[i % len(questions)]
        for phase in ("cold", "warm"):
            if phase == "cold":
                llm.reset()  # empty KV cache: the whole prompt is read
                messages = _prompt(q)
            else:  # a follow-up: same rules and notes, new excerpts and question
                messages = _prompt("And what about interleaving? " + q)
            stats = GenerationStats()
            started = time.perf_counter()
            first = None
            for _piece in provider.stream(messages, settings, CancelToken(), stats):
                if first is None:
                    first = time.perf_counter() - started
            total = time.perf_counter() - started
            ttft = first or total
            n = stats.completion_tokens
            ours = (n - 1) / (total - ttft) if n > 1 and total > ttft else 0.0
            e = stats.extra
            llama = (
                e["llama_eval_tokens"] / (e["llama_eval_ms"] / 1000) if e["llama_eval_ms"] else 0
            )
            prompt_rate = (
                e["llama_prompt_tokens"] / (e["llama_prompt_ms"] / 1000)
                if e["llama_prompt_ms"]
                else 0.0
            )
            runs.append(
                {
                    "phase": phase,
                    "prompt_tokens": stats.prompt_tokens,
                    "cached_prompt_tokens": int(e["cached_prompt_tokens"]),
                    "tokens": n,
                    "ttft_s": round(ttft, 3),
                    "total_s": round(total, 3),
                    "ours_tok_s": round(ours, 2),
                    "llama_tok_s": round(llama, 2),
                    "ratio": round(ours / llama, 3) if llama else None,
                    "prompt_tok_s": round(prompt_rate, 1),
                }
            )
            print(json.dumps(runs[-1]))
    _, peak = _rss_mb()

    def med(phase: str, key: str) -> float:
        return round(statistics.median(r[key] for r in runs if r["phase"] == phase), 3)

    result = {
        "bench": "tutor_llm",
        "model": provider.model,
        "threads": args.threads,
        "cpu_count": os.cpu_count(),
        "load_s": round(load_s, 2),
        "ttft_cold_s": med("cold", "ttft_s"),
        "ttft_warm_s": med("warm", "ttft_s"),
        "ours_tok_s": med("cold", "ours_tok_s"),
        "llama_tok_s": med("cold", "llama_tok_s"),
        "ratio": med("cold", "ratio"),
        "prompt_tok_s": med("cold", "prompt_tok_s"),
        "prompt_tokens": med("cold", "prompt_tokens"),
        "rss_before_load_mb": round(rss_before, 1),
        "rss_model_loaded_mb": round(rss_loaded, 1),
        "rss_peak_mb": round(peak, 1),
        "runs": len(runs),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
