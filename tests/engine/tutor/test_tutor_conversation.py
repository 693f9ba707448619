"""Byte follows a conversation on the demo course: follow-ups are resolved against the
previous turn before retrieval and the relevance gate; true off-topic follow-ups are still
refused; the model's context continues the earlier turns exactly as sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.content import parse_blocks, parse_quiz
from engine.llm.chain import ProviderChain
from engine.retrieval.chunking import ModuleText
from engine.retrieval.index import VectorIndex
from engine.tutor.conversation import Turn, refers_back, resolve, unknown_subjects, vocabulary
from engine.tutor.prompts import NOT_COVERED, Mode
from engine.tutor.tutor import Tutor, TutorAnswer, TutorRequest
from tests.engine.tutor.helpers import ScriptedProvider, real_embedder

ROOT = Path(__file__).resolve().parents[3]


def _course() -> tuple[str, list[ModuleText]]:
    raw = json.loads((ROOT / "resources/demo/demo_content.json").read_text())["courses"][0]
    modules = [
        ModuleText(
            "demo", m["id"], m["title"], i, parse_blocks(m["content"]), parse_quiz(m.get("quiz"))
        )
        for i, m in enumerate(raw["modules"])
    ]
    return raw["title"], modules


TITLE, MODULES = _course()
NUMBER = {m.title: m.order_index + 1 for m in MODULES}


class Echo(ScriptedProvider):
    """Cites the modules it was shown, so the test sees what reached the model."""

    def stream(self, messages, settings, cancel, stats=None):  # type: ignore[no-untyped-def]
        last = messages[-1].content
        seen = "".join(m.content for m in messages[1:])  # (the rules' own example is [M2])
        shown = [n for n in range(1, 10) if f"[M{n}]" in seen]
        new = [n for n in shown if f"[M{n}]" in last] or shown
        self.answer = f"Here is what the course says [M{new[0]}]."
        return super().stream(messages, settings, cancel, stats)


@pytest.fixture(scope="module")
def tutor() -> Tutor:
    return Tutor(ProviderChain([Echo()]), VectorIndex(real_embedder()))


def _chat(tutor: Tutor, questions: list[str], module: str = "Why we forget") -> list[TutorAnswer]:
    on_screen = next(m.module_id for m in MODULES if m.title == module)
    history: list[Turn] = []
    answers = []
    for q in questions:
        req = TutorRequest("demo", TITLE, MODULES, q, Mode.QUESTION, on_screen, history=history)
        a = tutor.answer(req)
        answers.append(a)
        assert a.turn is not None
        history.append(a.turn)
    return answers


def _cited(a: TutorAnswer) -> list[int]:
    return [c.number for c in a.citations if c.cited]


def test_a_follow_up_that_says_it_more_simply_is_answered_not_refused(tutor: Tutor) -> None:
    first, again = _chat(
        tutor, ["Why does spacing beat cramming?", "Can you say that more simply?"]
    )
    assert first.covered and _cited(first) == [NUMBER["Spacing and interleaving"]]
    assert again.covered and again.follow_up
    assert _cited(again) == [NUMBER["Spacing and interleaving"]]


def test_why_that_works_better_follows_retrieval_practice(tutor: Tutor) -> None:
    first, why = _chat(
        tutor,
        [
            "What is retrieval practice and how do I do it?",
            "Why does that work better than just re-reading?",
        ],
    )
    assert first.covered and _cited(first) == [NUMBER["Retrieval practice"]]
    assert why.covered and why.follow_up
    assert NUMBER["Retrieval practice"] in [c.number for c in why.citations]


def test_explain_it_with_an_example_and_the_second_one(tutor: Tutor) -> None:
    answers = _chat(
        tutor,
        [
            "What does the course say about spacing and interleaving?",
            "explain it with an example",
            "and the second one?",
        ],
    )
    assert all(a.covered for a in answers)
    assert answers[1].follow_up and answers[2].follow_up
    assert all(NUMBER["Spacing and interleaving"] in _cited(a) for a in answers)


def test_an_off_topic_follow_up_is_still_refused_without_the_model(tutor: Tutor) -> None:
    first, off = _chat(
        tutor, ["What is the forgetting curve?", "And what about the French Revolution?"]
    )
    assert first.covered
    assert not off.covered and off.text.startswith(NOT_COVERED) and off.provider == "none"


def test_a_new_question_with_its_own_subject_starts_afresh(tutor: Tutor) -> None:
    _first, new = _chat(
        tutor, ["Why does spacing beat cramming?", "What is retrieval practice and how do I do it?"]
    )
    assert not new.follow_up and _cited(new) == [NUMBER["Retrieval practice"]]


def test_the_model_continues_the_conversation_exactly_as_sent() -> None:
    provider = Echo()
    tutor = Tutor(ProviderChain([provider]), VectorIndex(real_embedder()))
    _chat(tutor, ["Why does spacing beat cramming?", "Can you say that more simply?"])
    first, second = provider.calls
    assert [m.role for m in second] == ["system", "user", "assistant", "user"]
    assert second[0] == first[0] and second[1] == first[1]  # the cache can reuse all of it
    assert "<course_material" not in second[3].content  # no material sent twice
    assert "more simply" in second[3].content


def test_resolution_rules() -> None:
    vocab = vocabulary(["Spacing and interleaving", "Re-reading feels productive"])
    assert refers_back("Can you say that more simply?") and refers_back("and the second one?")
    assert not refers_back("What is interleaving?")
    assert unknown_subjects("And what about the French Revolution?", vocab) == [
        "french",
        "revolution",
    ]
    assert unknown_subjects("Why does that work better than re-reading?", vocab) == ["better"]
    prev = Turn("Why does spacing beat cramming?", "Because … [M3].", sent="<course_material>…")
    r = resolve("explain it with an example", [prev], vocab)
    assert r.follow_up and r.retrieval_query.startswith(prev.question)
    assert not resolve("explain it with an example", [], vocab).follow_up  # nothing to follow
    refused = Turn("Capital of France?", NOT_COVERED, covered=False)
    assert not resolve("and the second one?", [refused], vocab).follow_up
