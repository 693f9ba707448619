"""Course generation with the real local model (grammar-constrained JSON), its resume, and
the fact-checker flagging a planted false claim."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.content import ParagraphBlock, parse_blocks, parse_quiz
from engine.generation.factcheck import fact_check
from engine.generation.pipeline import Brief, CourseGenerator, GenerationState
from engine.generation.schemas import GenModule, GenQuiz, to_blocks, to_questions
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
    quiz = GenQuiz.model_validate(
        {
            "questions": [
                {
                    "type": "single",
                    "prompt": "Which exit?",
                    "explanation": "Because.",
                    "choices": [{"text": "A", "correct": False}, {"text": "B", "correct": False}],
                },
                {
                    "type": "true_false",
                    "prompt": "Lifts are safe in a fire.",
                    "explanation": "No.",
                    "choices": [
                        {"text": "True", "correct": False},
                        {"text": "False", "correct": True},
                    ],
                },
            ]
        }
    )
    [q] = to_questions(quiz)  # the question with no correct answer is dropped
    assert q.type == "true_false" and [c.text for c in q.choices if c.correct] == ["False"]


@pytest.mark.slow
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
        assert len(blocks) >= 2 and quiz
        assert m.citations and set(m.citations) <= ids  # each module cites real passages
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
