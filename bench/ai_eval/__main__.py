"""Run the AI evaluation suite (see ``bench/ai_eval/__init__.py`` and the data README)."""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import app  # noqa: F401  (pydantic before Qt, as the app imports them)
from bench.ai_eval import metrics as mx

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench" / "ai_eval_data"
MEASURES = ("coverage", "faithfulness", "quiz", "factcheck", "tutor", "hint")
GENERATION_MEASURES = ("coverage", "faithfulness", "quiz")


# -- timing -----------------------------------------------------------------------------------


class Clock:
    """Seconds per named step (mean over its runs) for ``seconds_per_step``."""

    def __init__(self) -> None:
        self.runs: dict[str, list[float]] = defaultdict(list)

    def add(self, step: str, seconds: float) -> None:
        self.runs[step].append(seconds)

    def timed(self, step: str, fn: Callable[[], Any]) -> Any:
        t = time.perf_counter()
        try:
            return fn()
        finally:
            self.add(step, time.perf_counter() - t)

    def summary(self) -> dict[str, float]:
        return {k: round(sum(v) / len(v), 1) for k, v in sorted(self.runs.items()) if v}


def say(line: str = "") -> None:
    print(line, flush=True)


# -- data -------------------------------------------------------------------------------------


@dataclasses.dataclass
class DocSpec:
    name: str
    path: Path
    key: dict[str, Any]


def load_docs(folder: Path) -> list[DocSpec]:
    """Every ``<name>.key.json`` (or ``.key.yaml``) in ``folder`` with the document it names."""
    specs: list[DocSpec] = []
    for kf in sorted(folder.iterdir()):
        if kf.name.endswith(".key.json"):
            key = json.loads(kf.read_text(encoding="utf-8"))
        elif kf.name.endswith((".key.yaml", ".key.yml")):
            import yaml

            key = yaml.safe_load(kf.read_text(encoding="utf-8"))
        else:
            continue
        doc = folder / key["document"]
        if not doc.is_file():
            raise SystemExit(f"{kf.name}: document {doc.name} not found in {folder}")
        specs.append(DocSpec(kf.name.split(".key.")[0], doc, key))
    if not specs:
        raise SystemExit(f"No <name>.key.json files in {folder} (see bench/ai_eval_data/README.md)")
    return specs


# -- generation, coverage, faithfulness, quiz validity ----------------------------------------


def pick_by_format(specs: Sequence[DocSpec], n: int) -> list[DocSpec]:
    """Up to ``n`` documents, each of a different format while formats remain (name order)."""
    chosen: list[DocSpec] = []
    formats: set[str] = set()
    for spec in specs:
        if len(chosen) < n and spec.path.suffix.lower() not in formats:
            chosen.append(spec)
            formats.add(spec.path.suffix.lower())
    for spec in specs:
        if len(chosen) < n and spec not in chosen:
            chosen.append(spec)
    return chosen


def course_text(state: Any) -> str:
    from engine.content import parse_blocks, plain_text

    parts = [state.title, state.description]
    for i, m in enumerate(state.modules, start=1):
        parts.append(f"Module {i}: {m.title}")
        parts.append(plain_text(parse_blocks(m.blocks)))
    return "\n".join(p for p in parts if p)


def generate(spec: DocSpec, llm: Any, embedder: Any, clock: Clock, modules: int) -> dict[str, Any]:
    from engine.generation.pipeline import Brief, CourseGenerator, GenerationState
    from engine.generation.sources import PassageIndex, passages
    from engine.ingest.sources import ingest_file
    from engine.llm.base import CancelToken

    doc = clock.timed("ingest", lambda: ingest_file(spec.path))
    index = PassageIndex(passages(doc, spec.name), embedder)
    brief = Brief(
        topic=spec.key.get("topic") or doc.title,
        audience=spec.key.get("audience", "adult learners"),
        modules=int(spec.key.get("modules", modules)) if modules <= 0 else modules,
    )
    marks: list[tuple[float, str]] = []

    def progress(_f: float, msg: str) -> None:
        msg = mx.step_message(msg)  # "… (48 tokens so far)" is the same step going on
        if marks and marks[-1][1] == msg:
            return
        now = time.perf_counter()
        if marks:
            say(f"    {now - marks[-1][0]:5.0f}s  {marks[-1][1]}")
        marks.append((now, msg))

    t0 = time.perf_counter()
    error = ""
    state = GenerationState(brief)
    try:
        state = CourseGenerator(llm, index).run(state, progress, CancelToken())
    except Exception as err:  # a failed step is a finding, not a crash of the suite
        error = f"{type(err).__name__}: {err}"
        marks.append((time.perf_counter(), "failed"))
    total = time.perf_counter() - t0
    for (t, msg), (t_next, _m) in itertools.pairwise(marks):
        step = (
            "gen_outline"
            if msg.startswith("Planning")
            else "gen_module"
            if msg.startswith("Writing module")
            else "gen_quiz"
            if msg.startswith("Writing the quiz")
            else "gen_skills"
            if msg.startswith("Tagging")
            else ""
        )
        if step:
            clock.add(step, t_next - t)
    return {"doc": doc, "index": index, "state": state, "error": error, "seconds": total}


def reuse_course(spec: DocSpec, state: dict[str, Any], embedder: Any) -> dict[str, Any]:
    """A course generated by an earlier run, with its document's passage index rebuilt."""
    from engine.generation.pipeline import GenerationState
    from engine.generation.sources import PassageIndex, passages
    from engine.ingest.sources import ingest_file

    doc = ingest_file(spec.path)
    index = PassageIndex(passages(doc, spec.name), embedder)
    return {
        "doc": doc,
        "index": index,
        "state": GenerationState.from_json(state),
        "error": "",
        "seconds": 0.0,
    }


COVERAGE_SIMILARITY = 0.65
"""A key point counts as taught only if the judge says so AND some course statement is this
close to it (MiniLM cosine): the 1.5B judge says "yes" to almost anything on the topic."""


def measure_coverage(
    spec: DocSpec,
    gen: dict[str, Any],
    llm: Any,
    embedder: Any,
    clock: Clock,
    controls: Sequence[str] = (),
) -> tuple[list[bool], list[bool], list[bool]]:
    """Key points taught (judge and similarity gate), the judge's own verdicts, and, as a
    check on the judge, whether it calls key points of *other* documents (``controls``)
    taught too (it should not)."""
    from bench.ai_eval.judges import taught
    from engine.content import parse_blocks
    from engine.generation.factcheck import claims

    state = gen["state"]
    text = course_text(state)[:6000]
    statements = [c for m in state.modules for _b, c in claims(parse_blocks(m.blocks))]
    vectors = embedder.embed(statements) if statements else None

    def nearest(point: str) -> float:
        if vectors is None:
            return 0.0
        return float((vectors @ embedder.embed([point])[0]).max())

    out, judged = [], []
    for kp in spec.key["key_points"]:
        yes = bool(text.strip()) and clock.timed(
            "judge_coverage", lambda kp=kp: taught(llm, text, kp)
        )
        sim = nearest(kp)
        ok = bool(yes) and sim >= COVERAGE_SIMILARITY
        judged.append(bool(yes))
        out.append(ok)
        say(
            f"    {'TAUGHT ' if ok else 'MISSING'} judge={'yes' if yes else 'no '} "
            f"sim={sim:.2f} {kp}"
        )
    control = []
    for kp in controls:
        yes = bool(text.strip()) and clock.timed(
            "judge_coverage", lambda kp=kp: taught(llm, text, kp)
        )
        control.append(bool(yes))
        say(f"    control (another document's point): judge={'yes?!' if yes else 'no'} {kp}")
    return out, judged, control


def judge_planted(spec: DocSpec, gen: dict[str, Any], llm: Any, clock: Clock, n: int) -> list[bool]:
    """The entailment judge on ``n`` planted errors of this document (each should come out
    not supported): how far its faithfulness verdicts can be trusted."""
    from bench.ai_eval.judges import entailment

    planted = [s for s in mx.planted_statements(spec.key.get("facts", [])) if s.is_error]
    out = []
    for i in mx.spread(planted, n):
        st = planted[i]
        found = [p.text for p, _sc in gen["index"].search(st.text, 2)]
        verdict = clock.timed(
            "judge_faithfulness", lambda s=st.text, f=found: entailment(llm, f, s)
        )
        out.append(verdict != "supported")
        say(f"    control (planted {st.kind}): {verdict:12s} {st.text[:140]}")
    return out


def measure_faithfulness(
    gen: dict[str, Any], llm: Any, clock: Clock, sample: int
) -> list[tuple[str, str]]:
    from bench.ai_eval.judges import entailment
    from engine.content import parse_blocks
    from engine.generation.factcheck import claims

    statements = [c for m in gen["state"].modules for _b, c in claims(parse_blocks(m.blocks))]
    out = []
    for i in mx.spread(statements, sample):
        s = statements[i]
        found = [p.text for p, _sc in gen["index"].search(s, 2)]
        verdict = clock.timed("judge_faithfulness", lambda s=s, f=found: entailment(llm, f, s))
        out.append((s, verdict))
        say(f"    {verdict:12s} {s[:150]}")
    return out


def measure_quiz(gen: dict[str, Any], llm: Any, clock: Clock, limit: int) -> list[dict[str, Any]]:
    from bench.ai_eval.judges import answer_from_passage

    qs = [(m.title, q) for m in gen["state"].modules for q in m.quiz]
    dups = mx.duplicate_flags([q.get("prompt", "") for _t, q in qs])
    rows = []
    for n, ((title, q), dup) in enumerate(zip(qs, dups, strict=True)):
        if n >= limit:
            break
        options = [c.get("text", "") for c in q.get("choices", [])]
        correct = [i for i, c in enumerate(q.get("choices", [])) if c.get("correct")]
        row: dict[str, Any] = {
            "module": title,
            "prompt": q.get("prompt", ""),
            "options": options,
            "key": [options[i] for i in correct],
            "explanation": q.get("explanation", ""),
            "count_ok": mx.option_count_ok(q.get("type", ""), len(options)),
            "meta": mx.is_meta_question(q.get("prompt", "")),
            "duplicate": dup,
            "single_key": len(correct) == 1,
        }
        opts, where = mx.shuffled(options, correct, seed=n)
        query = f"{row['prompt']} {' '.join(row['key'])}"
        found = [p.text for p, _sc in gen["index"].search(query, 2)]
        pick = clock.timed(
            "judge_quiz", lambda f=found, o=opts, q=row["prompt"]: answer_from_passage(llm, f, q, o)
        )
        row["judge_pick"] = opts[pick] if pick is not None else None
        row["key_confirmed"] = pick is not None and [pick] == where
        row["valid"] = all(row[k] for k in ("count_ok", "single_key", "key_confirmed")) and not (
            row["meta"] or row["duplicate"]
        )
        rows.append(row)
        flags = [k for k in ("meta", "duplicate") if row[k]] + [
            k for k in ("count_ok", "single_key", "key_confirmed") if not row[k]
        ]
        say(
            f"    {'VALID  ' if row['valid'] else 'INVALID'} {row['prompt'][:90]} "
            f"key={row['key']} judge={row['judge_pick']!r}"
            + (
                f" [{', '.join(f if row.get(f) is True else 'not ' + f for f in flags)}]"
                if flags
                else ""
            )
        )
    return rows


# -- fact-check -------------------------------------------------------------------------------


def measure_factcheck(
    specs: Sequence[DocSpec], embedder: Any, clock: Clock, judge: Any = None
) -> dict[str, Any]:
    """The product's fact-check (word-level; with the model as judge under ``--judge``)."""
    from engine.generation.factcheck import check_claim
    from engine.generation.sources import PassageIndex, passages
    from engine.ingest.sources import ingest_file

    pairs: list[tuple[bool, bool]] = []
    by_kind: dict[str, list[bool]] = defaultdict(list)
    wrong: list[str] = []
    for spec in specs:
        index = PassageIndex(passages(ingest_file(spec.path), spec.name), embedder)
        for st in mx.planted_statements(spec.key.get("facts", [])):
            check = clock.timed(
                "factcheck_statement",
                lambda st=st, ix=index: check_claim("eval", st.text, ix, judge=judge),
            )
            flagged = check.verdict != "supported"
            pairs.append((flagged, st.is_error))
            by_kind[st.kind].append(flagged == st.is_error)
            if flagged != st.is_error:
                what = "FALSE ALARM" if flagged else "MISSED    "
                wrong.append(
                    f"{what} [{spec.name}/{st.kind}] {st.text} → {check.verdict}: {check.reason}"
                )
    p, r = mx.precision_recall(pairs)
    return {
        "precision": p,
        "recall": r,
        "statements": len(pairs),
        "planted": sum(1 for _f, e in pairs if e),
        "correct_by_kind": {k: mx.ratio(sum(v), len(v)) for k, v in sorted(by_kind.items())},
        "wrong": wrong,
    }


# -- tutor ------------------------------------------------------------------------------------


def demo_modules() -> tuple[str, list[Any]]:
    from engine.content import parse_blocks, parse_quiz
    from engine.retrieval.chunking import ModuleText

    course = json.loads((ROOT / "resources/demo/demo_content.json").read_text())["courses"][0]
    mods = [
        ModuleText(
            course["id"],
            m["id"],
            m["title"],
            i,
            parse_blocks(m["content"]),
            parse_quiz(m.get("quiz")),
        )
        for i, m in enumerate(course["modules"])
    ]
    return course["title"], mods


def history_field() -> tuple[str, str] | None:
    """(name, annotation) of a conversation-history field on TutorRequest, if it has one."""
    from engine.tutor.tutor import TutorRequest

    for f in dataclasses.fields(TutorRequest):
        if f.name in ("history", "conversation", "turns", "previous", "exchanges", "context"):
            return f.name, str(f.type)
    return None


def history_value(annotation: str, turns: Sequence[tuple[str, str, Any]]) -> Any:
    """Earlier turns in the shape the field asks for: the tutor's own record of a turn when
    its answer carries one (``TutorAnswer.turn``), else built from (question, answer)."""
    if turns and all(t[2] is not None for t in turns):
        return tuple(t[2] for t in turns)
    pairs = [(q, a) for q, a, _t in turns]
    if "Turn" in annotation:
        from engine.tutor import conversation

        turn_cls = conversation.Turn  # type: ignore[attr-defined]
        names = {f.name for f in dataclasses.fields(turn_cls)}
        return tuple(
            turn_cls(**{k: v for k, v in (("question", q), ("answer", a)) if k in names})
            for q, a in pairs
        )
    if "PastExchange" in annotation:
        from datetime import UTC, datetime

        from engine.tutor.memory import PastExchange

        names = {f.name for f in dataclasses.fields(PastExchange)}
        out = []
        for q, a in pairs:
            kw: dict[str, Any] = {"question": q, "answer": a}
            if "at" in names:
                kw["at"] = datetime.now(UTC)
            if "kind" in names:
                kw["kind"] = "question"
            out.append(PastExchange(**kw))
        return tuple(out)
    if "ChatMessage" in annotation:
        from engine.llm.base import ChatMessage

        msgs = []
        for q, a in pairs:
            msgs += [ChatMessage("user", q), ChatMessage("assistant", a)]
        return tuple(msgs)
    if "dict" in annotation.lower() or "Mapping" in annotation:
        return tuple({"question": q, "answer": a} for q, a in pairs)
    return tuple(pairs)


def make_tutor(chain: Any, embedder: Any, tokens: int) -> Any:
    from engine.llm.base import GenerationSettings
    from engine.retrieval.index import VectorIndex
    from engine.tutor.tutor import Tutor

    return Tutor(chain, VectorIndex(embedder), GenerationSettings(max_tokens=tokens))


def measure_tutor(
    tutor: Any,
    conversations: Sequence[dict[str, Any]],
    clock: Clock,
    on_turn: Callable[[dict[str, Any], list[dict[str, Any]]], None] | None = None,
) -> dict[str, Any]:
    from engine.tutor.prompts import Mode
    from engine.tutor.tutor import TutorRequest

    title, mods = demo_modules()
    hist = history_field()
    say(
        f"  conversation history: passed as TutorRequest.{hist[0]}"
        if hist
        else "  conversation history: TutorRequest has no history field; follow-ups asked alone"
    )
    rows: list[dict[str, Any]] = []
    for conv in conversations:
        past: list[tuple[str, str, Any]] = []
        for turn_no, turn in enumerate(conv["turns"]):
            kw: dict[str, Any] = {
                "course_id": mods[0].course_id,
                "course_title": title,
                "modules": mods,
                "question": turn["q"],
                "mode": Mode.QUESTION,
            }
            if hist and past:
                kw[hist[0]] = history_value(hist[1], past)
            t = time.perf_counter()
            ans = tutor.answer(TutorRequest(**kw))
            secs = time.perf_counter() - t
            clock.add("tutor_answer" if ans.provider != "none" else "tutor_no_model", secs)
            reference = set(turn["modules"])
            cited = mx.inline_citations(ans.text)
            app_cited = {c.number for c in ans.cited_modules}
            answered = ans.covered and not mx.is_refusal(ans.text)
            past.append((turn["q"], ans.text, getattr(ans, "turn", None)))
            rows.append(
                {
                    "id": f"{conv['id']}.{turn_no + 1}",
                    "q": turn["q"],
                    "reference": sorted(reference),
                    "answered": answered,
                    "inline_cited": sorted(cited),
                    "app_cited": sorted(app_cited),
                    "follow_up": turn_no > 0,
                    "seconds": round(secs, 1),
                    "text": ans.text,
                }
            )
            if on_turn is not None:
                on_turn(dict(mx.tutor_summary(rows), history_field=hist[0] if hist else None), rows)
            tag = "ANSWER " if answered else "REFUSED"
            say(
                f"    {rows[-1]['id']:6s} {tag} ref={sorted(reference)} inline={sorted(cited)} "
                f"app={sorted(app_cited)} {secs:5.1f}s  {turn['q']}"
            )
            say(f"           → {' '.join(ans.text.split())[:220]}")
    summary = mx.tutor_summary(rows)
    return dict(summary, history_field=hist[0] if hist else None, rows=rows)


def measure_hints(
    tutor: Any,
    phrasings: Sequence[str],
    module_numbers: Sequence[int],
    clock: Clock,
    on_hint: Callable[[float | None, list[dict[str, Any]]], None] | None = None,
) -> dict[str, Any]:
    from engine.tutor.prompts import Mode
    from engine.tutor.safety import AnswerGuard, split_sentences
    from engine.tutor.tutor import TutorRequest

    title, mods = demo_modules()
    leaks = 0
    rows = []
    for i, text in enumerate(phrasings):
        mod = mods[module_numbers[i % len(module_numbers)] - 1]
        protected = list(mod.quiz)
        req = TutorRequest(
            course_id=mod.course_id,
            course_title=title,
            modules=mods,
            question=text,
            mode=Mode.HINT,
            module_id=mod.module_id,
            protected=protected,
        )
        t = time.perf_counter()
        ans = tutor.answer(req)
        clock.add("tutor_hint", time.perf_counter() - t)
        guard = AnswerGuard(protected)
        by_guard = any(guard.leaks(s) for s in split_sentences(ans.text))
        keyed = [
            mx.KeyedQuestion(
                q.prompt,
                tuple(c.text for c in q.choices),
                tuple(j for j, c in enumerate(q.choices) if c.correct),
            )
            for q in protected
        ]
        by_check = [k.prompt for k in keyed if mx.states_key(ans.text, k)]
        leaked = by_guard or bool(by_check)
        leaks += leaked
        rows.append(
            {
                "phrasing": text,
                "module": mod.title,
                "leaked": leaked,
                "guard": by_guard,
                "independent": by_check,
                "redactions": ans.redactions,
                "text": ans.text,
            }
        )
        if on_hint is not None:
            on_hint(mx.ratio(leaks, len(rows)), rows)
        say(
            f"    {'LEAK   ' if leaked else 'ok     '} M{mod.order_index + 1} "
            f"redacted={ans.redactions} guard={by_guard} check={bool(by_check)}  {text}"
        )
        say(f"           → {' '.join(ans.text.split())[:220]}")
    return {"hint_leak_rate": mx.ratio(leaks, len(phrasings)), "rows": rows}


# -- main -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.ai_eval", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a small subset (a few minutes)")
    ap.add_argument("--docs", type=Path, default=DATA / "docs", help="documents + key files")
    ap.add_argument("--only", default="", help="comma list of: " + ",".join(MEASURES))
    ap.add_argument("--questions", type=Path, default=DATA / "tutor_questions.json")
    ap.add_argument("--modules", type=int, default=0, help="modules per course (0: key file)")
    ap.add_argument("--max-docs", type=int, default=0, help="generate for at most N documents")
    ap.add_argument(
        "--gen-docs", type=int, default=2, help="courses generated (one per format; default 2)"
    )
    ap.add_argument("--all-docs", action="store_true", help="generate from every document")
    ap.add_argument("--tutor-tokens", type=int, default=160)
    ap.add_argument(
        "--judge",
        action="store_true",
        help="fact-check also with the model as entailment judge (off: the product's default)",
    )
    ap.add_argument("--save", type=Path, default=None, help="write details JSON here")
    ap.add_argument(
        "--reuse", type=Path, default=None, help="judge the courses of an earlier --save file"
    )
    args = ap.parse_args(argv)

    only = {m.strip() for m in args.only.split(",") if m.strip()} or set(MEASURES)
    unknown = only - set(MEASURES) - {"quiz_validity"}
    if unknown:
        ap.error(f"unknown measure(s): {', '.join(sorted(unknown))}")
    if "quiz_validity" in only:
        only.add("quiz")
    started = time.perf_counter()
    clock = Clock()
    specs = load_docs(args.docs.resolve())

    from engine.llm import build_chain
    from engine.retrieval.embedding import default_embedder

    embedder = default_embedder()
    chain = build_chain()
    llm = chain.first_available()
    needs_llm = bool(only & {"coverage", "faithfulness", "quiz", "tutor", "hint"})
    if needs_llm and llm is None:
        reasons = "; ".join(f"{n}: {r}" for n, _l, r in chain.describe() if r)
        say(f"No language model is available ({reasons}).")
        return 3
    provider = llm.name if llm else "none"
    model = llm.model if llm else ""
    say(f"ai_eval: provider={provider} model={model} embedder={embedder.name}")
    say(f"documents: {args.docs} ({len(specs)}), quick={args.quick}, measures={sorted(only)}")
    if needs_llm and llm is not None and hasattr(llm, "load"):
        clock.timed("model_load", llm.load)

    result: dict[str, Any] = {
        k: None
        for k in (
            "coverage",
            "faithfulness",
            "quiz_validity",
            "factcheck_precision",
            "factcheck_recall",
            "citation_precision",
            "citation_recall",
            "followup_success",
            "hint_leak_rate",
        )
    }
    details: dict[str, Any] = {}

    def checkpoint() -> None:
        """Write what is measured so far (a long run interrupted still leaves its figures)."""
        if args.save:
            partial = dict(result, seconds_per_step=clock.summary())
            partial["total_seconds"] = round(time.perf_counter() - started, 1)
            args.save.write_text(
                json.dumps({"result": partial, "details": details}, indent=1, default=str)
            )

    def run_generation() -> None:
        # generation-based measures
        if only & set(GENERATION_MEASURES):
            gen_specs = list(specs)
            reuse: dict[str, dict[str, Any]] = {}
            if args.reuse:  # judge courses generated by an earlier run (--save) again
                saved = json.loads(args.reuse.read_text(encoding="utf-8"))
                reuse = {c["doc"]: c["state"] for c in saved["details"].get("courses", [])}
                gen_specs = [s for s in gen_specs if s.path.name in reuse]
            elif args.quick:  # the shortest document only
                gen_specs = sorted(gen_specs, key=lambda s: s.path.stat().st_size)[:1]
            elif not args.all_docs:  # the time budget: one document per format, up to N
                gen_specs = pick_by_format(gen_specs, args.gen_docs)
            if args.max_docs:
                gen_specs = gen_specs[: args.max_docs]
            modules = args.modules or (1 if args.quick else 0)
            taught_all: list[bool] = []
            controls_taught: list[bool] = []
            judged_all: list[bool] = []
            planted_caught: list[bool] = []
            verdicts: list[str] = []
            quiz_rows: list[dict[str, Any]] = []
            details["courses"] = []
            for spec in gen_specs:
                say(f"\n== generating a course from {spec.path.name}")
                reused = reuse.get(spec.path.name)
                gen = (
                    reuse_course(spec, reused, embedder)
                    if reused
                    else generate(spec, llm, embedder, clock, modules)
                )
                st = gen["state"]
                say(
                    f"  {gen['seconds']:.0f}s, title={st.title!r}, modules="
                    f"{[m.title for m in st.modules]}, "
                    f"questions={sum(len(m.quiz) for m in st.modules)}"
                    + (f", ERROR {gen['error']}" if gen["error"] else "")
                )
                for w in st.warnings:
                    say(f"  warning: {w}")
                course: dict[str, Any] = {
                    "doc": spec.path.name,
                    "error": gen["error"],
                    "state": st.to_json(),
                }
                if "coverage" in only:
                    say("  coverage (key points the course teaches):")
                    others = [o.key["key_points"][0] for o in specs if o is not spec][:2]
                    t, judged, ctl = measure_coverage(spec, gen, llm, embedder, clock, others)
                    taught_all += t
                    judged_all += judged
                    controls_taught += ctl
                    course["coverage"] = mx.ratio(sum(t), len(t))
                if "faithfulness" in only and st.modules:
                    planted_caught += judge_planted(spec, gen, llm, clock, 2 if args.quick else 3)
                    say("  faithfulness (generated statements vs nearest source passages):")
                    f = measure_faithfulness(gen, llm, clock, 4 if args.quick else 8)
                    verdicts += [v for _s, v in f]
                    course["faithfulness"] = f
                if "quiz" in only and st.modules:
                    say("  quiz validity (answering pass sees only the source passage):")
                    rows = measure_quiz(gen, llm, clock, 2 if args.quick else 99)
                    quiz_rows += rows
                    course["quiz"] = rows
                details["courses"].append(course)
            if "coverage" in only:
                result["coverage"] = mx.ratio(sum(taught_all), len(taught_all))
                result["coverage_judge_only"] = mx.ratio(sum(judged_all), len(judged_all))
                result["judge_control_false_taught"] = mx.ratio(
                    sum(controls_taught), len(controls_taught)
                )
            if "faithfulness" in only:
                result["judge_planted_caught"] = mx.ratio(sum(planted_caught), len(planted_caught))
            if "faithfulness" in only:
                result["faithfulness"] = mx.ratio(verdicts.count("supported"), len(verdicts))
                result["faithfulness_statements"] = len(verdicts)
            if "quiz" in only:
                result["quiz_validity"] = mx.ratio(
                    sum(r["valid"] for r in quiz_rows), len(quiz_rows)
                )
                result["quiz_questions"] = len(quiz_rows)

    if "factcheck" in only:
        say("\n== fact-check on planted errors (engine.generation.factcheck)")
        judge = None
        if llm is not None and args.judge:
            from engine.generation.entailment import model_judge

            judge = model_judge(llm)
        say(f"  judge: {'the model (' + llm.model + ')' if judge and llm else 'words only'}")
        result["factcheck_judge"] = llm.model if judge and llm else None
        fc = measure_factcheck(specs, embedder, clock, judge)
        for w in fc["wrong"]:
            say(f"  {w}")
        say(
            f"  {fc['statements']} statements, {fc['planted']} planted errors; "
            f"right by kind: {fc['correct_by_kind']}"
        )
        result["factcheck_precision"], result["factcheck_recall"] = fc["precision"], fc["recall"]
        details["factcheck"] = fc
        checkpoint()

    questions = json.loads(args.questions.read_text(encoding="utf-8"))
    tutor = make_tutor(chain, embedder, args.tutor_tokens) if only & {"tutor", "hint"} else None
    if "hint" in only:
        inj = questions["injections"]
        phrasings = inj["phrasings"][:3] if args.quick else inj["phrasings"]
        say(f"\n== hint mode under {len(phrasings)} injection phrasings")

        def partial_hint(rate: float | None, rows: list[dict[str, Any]]) -> None:
            result["hint_leak_rate"] = rate
            result["hints_done"] = len(rows)
            details["hints"] = {"rows": rows}
            checkpoint()

        hr = measure_hints(tutor, phrasings, inj["modules"], clock, partial_hint)
        result["hint_leak_rate"] = hr["hint_leak_rate"]
        details["hints"] = hr
        checkpoint()

    if "tutor" in only:
        convs = questions["conversations"]
        if args.quick:
            convs = [c for c in convs if c["id"] in ("s06", "c01", "o01")]
        say(f"\n== tutor: {sum(len(c['turns']) for c in convs)} questions on the demo course")

        def partial_tutor(summary: dict[str, Any], rows: list[dict[str, Any]]) -> None:
            details["tutor"] = {"rows": rows}
            result.update({k: v for k, v in summary.items() if k not in ("history_field", "turns")})
            result["tutor_turns_done"] = summary["turns"]
            checkpoint()

        tr = measure_tutor(tutor, convs, clock, partial_tutor)
        for k in ("citation_precision", "citation_recall", "followup_success"):
            result[k] = tr[k]
        result["citation_precision_app"] = tr["citation_precision_app"]
        result["citation_recall_app"] = tr["citation_recall_app"]
        result["offtopic_refusal"] = tr["offtopic_refusal"]
        result["tutor_history_field"] = tr["history_field"]
        details["tutor"] = tr
        checkpoint()
    run_generation()
    checkpoint()

    result.update(
        provider=provider,
        model=model,
        embedder=embedder.name,
        quick=args.quick,
        seconds_per_step=clock.summary(),
        total_seconds=round(time.perf_counter() - started, 1),
    )
    if args.save:
        args.save.write_text(
            json.dumps({"result": result, "details": details}, indent=1, default=str)
        )
    say("")
    for k, v in result.items():
        if k != "seconds_per_step":
            say(f"{k:24s} {v}")
    say(f"{'seconds_per_step':24s} {result['seconds_per_step']}")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
