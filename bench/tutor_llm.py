"""Byte's on-device model through the tutor's real path: time to first token, decode speed
against llama.cpp's own, and the same while a background generation competes for the cores.

    .venv/bin/python -m bench.tutor_llm [--runs 3] [--max-tokens 96] [--no-competing]

Everything runs through :class:`engine.tutor.tutor.Tutor` with the bundled model
(:class:`engine.llm.local.LlamaCppProvider`) and the app's embedder, on the demo course,
exactly as the sidebar asks. Phases, per run (a different question each run):

* ``cold`` — a first question with nothing prepared: an empty KV cache and no saved prompt
  state (what a learner got before prompts were read ahead),
* ``first`` — a first question about the module on screen after the player has read that
  module's prompt beginning ahead of time (``Tutor.prepare``; states are kept on disk, so
  after the first start this is every first question),
* ``follow_up`` — "Can you say that more simply?" continuing that conversation,
* ``competing`` — a first question (prepared) asked while a course outline is being
  generated on the same model in another thread (the model queue hands over between two
  tokens); also how long the background job was held up.

Reported per phase: ``ttft_s`` (call to first text, retrieval included), ``prompt_read``
(tokens llama.cpp had to read), ``ours_tok_s`` (tokens per second as the caller receives
them after the first), ``llama_tok_s`` (llama.cpp's own decode speed from its performance
counters for the same run) and their ``ratio``. Goals (issue 11): first ≤ 1.5 s, follow-up
≤ 1 s on an idle 2-core machine, ratio ≈ 1. The last line is one JSON object; an idle
machine matters (``load_before`` says how busy it was).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

QUESTIONS = [
    ("Why does spacing beat cramming?", "Spacing and interleaving"),
    ("What is retrieval practice and how do I do it?", "Retrieval practice"),
    ("What is the forgetting curve?", "Why we forget"),
    ("How should I plan my study week?", "Your study plan"),
]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1]) / 1024
    return 0.0


def _course() -> tuple[str, list[Any]]:
    from engine.content import parse_blocks, parse_quiz
    from engine.retrieval.chunking import ModuleText

    raw = json.loads((ROOT / "resources/demo/demo_content.json").read_text())["courses"][0]
    modules = [
        ModuleText(
            "demo", m["id"], m["title"], i, parse_blocks(m["content"]), parse_quiz(m.get("quiz"))
        )
        for i, m in enumerate(raw["modules"])
    ]
    return raw["title"], modules


def _measure(tutor: Any, req: Any) -> tuple[dict[str, Any], Any]:
    started = time.perf_counter()
    first: list[float] = []

    def on_text(_piece: str) -> None:
        if not first:
            first.append(time.perf_counter() - started)

    answer = tutor.answer(req, on_text=on_text)
    total = time.perf_counter() - started
    ttft = first[0] if first else total
    st = answer.stats
    e = st.extra
    n = st.completion_tokens
    gen_total = st.total_s or total
    gen_ttft = st.first_token_s or ttft
    ours = (n - 1) / (gen_total - gen_ttft) if n > 1 and gen_total > gen_ttft else 0.0
    llama = e["llama_eval_tokens"] / (e["llama_eval_ms"] / 1000) if e.get("llama_eval_ms") else 0
    return (
        {
            "ttft_s": round(ttft, 3),
            "total_s": round(total, 2),
            "retrieval_ms": round(answer.retrieval_ms),
            "prompt_tokens": st.prompt_tokens,
            "prompt_read": int(e.get("llama_prompt_tokens", 0)),
            "state_loaded": int(e.get("state_loaded_tokens", 0)),
            "tokens": n,
            "ours_tok_s": round(ours, 2),
            "llama_tok_s": round(llama, 2),
            "ratio": round(ours / llama, 3) if llama else None,
            "covered": answer.covered,
            "follow_up": answer.follow_up,
        },
        answer,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=96)
    ap.add_argument("--no-competing", action="store_true")
    args = ap.parse_args()

    from engine.llm.base import CancelToken, ChatMessage, GenerationSettings
    from engine.llm.chain import ProviderChain
    from engine.llm.local import LlamaCppProvider
    from engine.llm.queue import BACKGROUND, INTERACTIVE, job
    from engine.retrieval.embedding import default_embedder
    from engine.retrieval.index import VectorIndex
    from engine.tutor.prompts import Mode
    from engine.tutor.tutor import Tutor, TutorRequest

    load_before = os.getloadavg()[0]
    title, modules = _course()
    by_title = {m.title: m for m in modules}
    states = Path(tempfile.mkdtemp(prefix="byteos-bench-states-"))
    provider = LlamaCppProvider(states_dir=states)
    t = time.perf_counter()
    llm = provider.load()
    load_s = time.perf_counter() - t
    embedder = default_embedder()
    index = VectorIndex(embedder)
    index.sync_course("demo", modules)
    embedder.embed(["warm up"])
    settings = GenerationSettings(max_tokens=args.max_tokens, temperature=0.0)
    tutor = Tutor(ProviderChain([provider]), index, settings)
    rows: list[dict[str, Any]] = []

    def req(q: str, module: Any, history: tuple[Any, ...] = ()) -> Any:
        return TutorRequest("demo", title, modules, q, Mode.QUESTION, module.module_id,
                            history=history)  # fmt: skip

    def record(phase: str, row: dict[str, Any]) -> None:
        rows.append({"phase": phase, **row})
        print(json.dumps(rows[-1]), flush=True)

    prepare_s: list[float] = []
    for i in range(args.runs):
        q, module_title = QUESTIONS[i % len(QUESTIONS)]
        module = by_title[module_title]
        # cold: nothing prepared, nothing cached
        assert provider.states is not None
        saved, provider.states = provider.states, type(provider.states)("cold", None)
        llm.reset()
        with job(INTERACTIVE):
            record("cold", _measure(tutor, req(q, module))[0])
        provider.states = saved
        # the player opened the module: its prompt beginning is read in the background
        llm.reset()  # (from scratch, not from the cold run's cache)
        t = time.perf_counter()
        with job(BACKGROUND):
            tutor.prepare(req("", module), [module.module_id])
        prepare_s.append(time.perf_counter() - t)
        llm.reset()  # as after a restart: the state comes from the saved file
        with job(INTERACTIVE):
            row, answer = _measure(tutor, req(q, module))
            record("first", row)
            follow, _ = _measure(
                tutor, req("Can you say that more simply?", module, (answer.turn,))
            )
            record("follow_up", follow)

    competing: dict[str, Any] = {}
    if not args.no_competing:
        source = "\n\n".join(
            f"# {m.title}\n" + "\n".join(getattr(b, "text", "") for b in m.blocks) for m in modules
        )
        bg_done = threading.Event()
        bg_time: list[float] = []

        def background() -> None:
            t0 = time.perf_counter()
            with job(BACKGROUND, name="Generating a course"):  # an outline step's shape
                schema = json.dumps(
                    {
                        "type": "object",
                        "properties": {"modules": {"type": "array", "items": {"type": "string"}}},
                        "required": ["modules"],
                    }
                )
                list(
                    provider.stream(
                        [
                            ChatMessage("system", "You write course outlines as JSON."),
                            ChatMessage(
                                "user",
                                "Write a 12-module outline (module titles, one sentence each) "
                                "for a course from this text:\n" + source[:2500],
                            ),
                        ],
                        GenerationSettings(max_tokens=400, temperature=0.0, json_schema=schema),
                        CancelToken(),
                    )
                )
            bg_time.append(time.perf_counter() - t0)
            bg_done.set()

        q, module_title = QUESTIONS[0]
        module = by_title[module_title]
        thread = threading.Thread(target=background, daemon=True)
        thread.start()
        time.sleep(8.0)  # well into the background job
        waited: list[str] = []
        with job(INTERACTIVE, on_wait=waited.append):
            row, _ = _measure(tutor, req(q, module))
        row["waited_for"] = waited
        row["background_running"] = not bg_done.is_set()
        record("competing", row)
        thread.join()
        competing = {
            "ttft_competing_s": row["ttft_s"],
            "background_job_s": round(bg_time[0], 1) if bg_time else None,
        }

    def med(phase: str, key: str) -> float:
        vals = [r[key] for r in rows if r["phase"] == phase and r[key] is not None]
        return round(statistics.median(vals), 3) if vals else 0.0

    result = {
        "bench": "tutor_llm",
        "model": provider.model,
        "threads": provider.n_threads,
        "cpu_count": os.cpu_count(),
        "load_before": round(load_before, 2),
        "load_s": round(load_s, 2),
        "prepare_module_s": round(statistics.median(prepare_s), 2) if prepare_s else None,
        "ttft_cold_s": med("cold", "ttft_s"),
        "ttft_first_s": med("first", "ttft_s"),
        "ttft_follow_up_s": med("follow_up", "ttft_s"),
        "prompt_read_cold": med("cold", "prompt_read"),
        "prompt_read_first": med("first", "prompt_read"),
        "prompt_read_follow_up": med("follow_up", "prompt_read"),
        "ours_tok_s": med("first", "ours_tok_s"),
        "llama_tok_s": med("first", "llama_tok_s"),
        "ratio": med("first", "ratio"),
        **competing,
        "rss_peak_mb": round(_rss_mb(), 1),
        "runs": args.runs,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
