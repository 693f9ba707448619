"""Course generation with the real local model (grammar-constrained JSON), its resume, and
the fact-checker flagging a planted false claim."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.content import ParagraphBlock, parse_blocks, parse_quiz
from engine.generation.factcheck import fact_check
from engine.generation.pipeline import Brief, CourseGenerator, GenerationState
from engine.generation.quiz import (
    GenPassageQuestion,
    answer_from_passage,
    shape_problem,
)
from engine.generation.schemas import GenModule, to_blocks
from engine.generation.sources import PassageIndex, passages
from engine.generation.structured import GenerationError, ask_json
from engine.ingest.html_source import ingest_html
from engine.llm.base import CancelToken, ChatMessage, GenerationCancelled
from tests.engine.tutor.helpers import real_embedder, real_local_provider

FIRE_HTML = """<html><head><title>Fire safety at work</title></head><body><article>
<h1>Fire safety at work</h1>
<p>Every workplace needs a fire risk assessment. It identifies what could start a fire and
who is at risk.</p>
<h2>Extinguishers</h2>
<p>Use the right extinguisher for the class of fire. Water extinguishers must never be used
on electrical fires. Carbon dioxide extinguishers are the right choice for electrical
equipment.</p>
<ul><li>Water: paper, wood and textiles</li><li>CO2: electrical equipment</li>
<li>Foam: flammable liquids</li></ul>
<h2>Evacuation</h2>
<p>Know your nearest exit and your assembly point. Never use lifts during a fire. Close doors
behind you to slow the spread of smoke.</p>
</article></body></html>"""


@pytest.fixture(scope="module")
def index() -> PassageIndex:
    doc = ingest_html(FIRE_HTML, name="fire.html")
    return PassageIndex(passages(doc, "fire"), real_embedder())


def test_schema_conversion_drops_invalid_items() -> None:
    mod = GenModule.model_validate(
        {
            "blocks": [
                {"type": "heading", "text": "Exits"},
                {"type": "paragraph", "text": "  "},
                {"type": "list", "items": ["Know the exit", ""]},
            ]
        }
    )
    assert [b.type for b in to_blocks(mod)] == ["heading", "list"]


def test_question_shape_checks() -> None:
    def q(prompt: str, *options: str) -> GenPassageQuestion:
        return GenPassageQuestion(prompt=prompt, options=list(options), correct="A")

    ok = q("Which extinguisher suits electrical equipment?", "Carbon dioxide", "Water", "Foam")
    assert shape_problem(ok, []) is None
    meta = q("What is the primary focus of this module?", "Fire", "Water", "Exits")
    assert "course material" in (shape_problem(meta, []) or "")
    same = q("Which extinguisher suits electrical fires?", "CO2", "co2 ", "Foam")
    assert shape_problem(same, []) == "two options say the same"
    catch_all = q("Which extinguishers exist?", "Water", "Foam", "All of the above")
    assert "all/none" in (shape_problem(catch_all, []) or "")
    again = q("Which extinguisher suits electrical equipment best?", "CO2", "Water", "Foam")
    assert "repeats" in (shape_problem(again, [ok.prompt]) or "")
    with pytest.raises(ValueError):  # the grammar's shape: exactly three options
        GenPassageQuestion(prompt="Which exit is nearest?", options=["A", "B"], correct="A")


@pytest.mark.slow
@pytest.mark.timeout(600)  # ~150 s idle on 2 cores; the whole-document plan drafts every passage
def test_generates_a_grounded_course_and_resumes(index: PassageIndex, tmp_path: Path) -> None:
    llm = real_local_provider()
    gen = CourseGenerator(llm, index, passages_per_step=2)
    state = GenerationState(
        Brief(topic="Fire safety at work for new staff", modules=2, target_skills=["Fire safety"])
    )
    saved: list[dict] = []  # type: ignore[type-arg]
    steps: list[float] = []

    # cancel after the outline: the outline survives and the run resumes from there
    cancel = CancelToken()

    def stop_after_outline(s: GenerationState) -> None:
        saved.append(s.to_json())
        if s.outlined:
            cancel.cancel()

    with pytest.raises(GenerationCancelled):
        gen.run(state, lambda f, _m: steps.append(f), cancel, stop_after_outline)
    resumed = GenerationState.from_json(saved[-1])
    assert resumed.outlined and len(resumed.modules) == 2 and resumed.title
    assert not any(m.done_content for m in resumed.modules)

    done = gen.run(resumed, lambda f, _m: steps.append(f), CancelToken())
    assert done.finished and done.skills == ["Fire safety"] and steps[-1] == 1.0
    ids = {p.id for p in index.items}
    for m in done.modules:
        blocks = parse_blocks(m.blocks)  # valid course content, by construction
        quiz = parse_quiz(m.quiz)
        assert len(blocks) >= 2
        # every question passed the answering pass: three options, one key; a module with
        # fewer questions says so, and why, in the draft's warnings
        assert all(len(q.choices) == 3 and sum(c.correct for c in q.choices) == 1 for q in quiz)
        if len(quiz) < 2:
            assert any(m.title in w for w in done.warnings), done.warnings
        assert m.citations and set(m.citations) <= ids  # each module cites real passages
        assert m.sections  # and names the source sections it teaches
    owned = [c for m in done.modules for c in m.citations]
    assert sorted(owned) == sorted(ids)  # the whole document is planned, each passage once
    text = " ".join(b.get("text", "") for m in done.modules for b in m.blocks).lower()
    assert any(w in text for w in ("extinguisher", "exit", "assembly", "evacuat", "fire"))


@pytest.mark.slow
def test_malformed_answers_never_pass(index: PassageIndex) -> None:
    from engine.generation.schemas import GenSkills

    llm = real_local_provider()
    # a 5-token budget cannot hold a valid object: the step fails cleanly after its repair
    with pytest.raises(GenerationError, match="skill list"):
        ask_json(
            llm,
            [ChatMessage("user", "List skills.")],
            GenSkills,
            step="skill list",
            cancel=CancelToken(),
            max_tokens=5,
        )


def test_fact_check_flags_a_planted_false_claim(index: PassageIndex) -> None:
    blocks = [
        ParagraphBlock(
            text="Carbon dioxide extinguishers are the right choice for electrical equipment."
        ),
        ParagraphBlock(text="Water extinguishers are the best choice on electrical fires."),
        ParagraphBlock(text="Never use lifts during a fire."),
        ParagraphBlock(
            text="Fire wardens must renew their training every 7 years under company policy."
        ),
    ]
    checks = {c.claim: c for c in fact_check(blocks, index)}
    good = checks["Carbon dioxide extinguishers are the right choice for electrical equipment."]
    assert good.verdict == "supported"
    planted = checks["Water extinguishers are the best choice on electrical fires."]
    assert planted.verdict == "contradicted" and "never" in planted.reason.lower()
    assert planted.passage is not None and "Extinguishers" in planted.passage.heading
    assert checks["Never use lifts during a fire."].verdict == "supported"
    invented = checks["Fire wardens must renew their training every 7 years under company policy."]
    assert invented.verdict != "supported"


@pytest.mark.slow
def test_the_answering_pass_reads_the_passage_not_the_option_order(index: PassageIndex) -> None:
    llm = real_local_provider()
    passage = next(p for p in index.items if "electrical" in p.text)
    options = ["Foam", "Water", "Carbon dioxide"]
    prompt = "Which extinguisher is the right choice for electrical equipment?"
    assert answer_from_passage(llm, passage.text, prompt, options, CancelToken()) == 2
    options = ["Carbon dioxide", "Foam", "Water"]  # the same question, the key moved
    assert answer_from_passage(llm, passage.text, prompt, options, CancelToken()) == 0
