"""The tutor's decisions with a scripted model: when to answer, what to cite, what to hide."""

from __future__ import annotations

from engine.content import Question, parse_blocks
from engine.llm.chain import ProviderChain
from engine.retrieval.chunking import ModuleText
from engine.retrieval.embedding import HashingEmbedder
from engine.retrieval.index import VectorIndex
from engine.tutor.prompts import NOT_COVERED, Mode
from engine.tutor.safety import REDACTED
from engine.tutor.tutor import Tutor, TutorRequest
from tests.engine.tutor.helpers import ScriptedProvider

QUIZ = Question.model_validate(
    {
        "type": "single",
        "prompt": "When is most forgotten material lost?",
        "choices": [
            {"text": "Within the first day or two", "correct": True},
            {"text": "After about a month"},
        ],
    }
)


def _modules() -> list[ModuleText]:
    def blocks(*paras: str) -> tuple:  # type: ignore[type-arg]
        return tuple(parse_blocks([{"type": "paragraph", "text": p} for p in paras]))

    return [
        ModuleText(
            "c",
            "m1",
            "Why we forget",
            0,
            blocks("The forgetting curve: memory falls steeply in the first day or two."),
            (QUIZ,),
        ),
        ModuleText(
            "c",
            "m2",
            "Spacing",
            1,
            blocks("Spacing spreads study sessions over days so that each one starts fresh."),
        ),
    ]


class Sequence(ScriptedProvider):
    """Answers from a list, one per call."""

    def __init__(self, answers: list[str]) -> None:
        super().__init__("")
        self.answers = list(answers)

    def stream(self, messages, settings, cancel, stats=None):  # type: ignore[no-untyped-def]
        self.answer = self.answers.pop(0)
        return super().stream(messages, settings, cancel, stats)


def _tutor(provider: ScriptedProvider) -> Tutor:
    return Tutor(ProviderChain([provider]), VectorIndex(HashingEmbedder()))


def _req(question: str, mode: Mode = Mode.QUESTION, **kw: object) -> TutorRequest:
    return TutorRequest("c", "Learning", _modules(), question, mode, **kw)  # type: ignore[arg-type]


def test_answers_cite_the_modules_named_in_the_text() -> None:
    provider = ScriptedProvider("Spacing spreads sessions over days [M2].")
    answer = _tutor(provider).answer(_req("What does spacing spread over days?"))
    assert answer.covered and answer.provider == "local"
    assert next((c.module_id, c.cited) for c in answer.citations) == ("m2", True)
    assert answer.context_used("hashing-bow")["modules"][0]["title"] == "Spacing"


def test_without_relevant_material_no_model_is_asked() -> None:
    provider = ScriptedProvider("Canberra.")
    answer = _tutor(provider).answer(_req("Which volcano erupted in Iceland yesterday?"))
    assert not answer.covered and provider.calls == []
    assert answer.text.startswith(NOT_COVERED) and "1. Why we forget; 2. Spacing" in answer.text


def test_a_model_saying_not_covered_is_taken_at_its_word() -> None:
    provider = ScriptedProvider(f"{NOT_COVERED}")
    answer = _tutor(provider).answer(_req("Why does spacing spread study over days?"))
    assert not answer.covered and not any(c.cited for c in answer.citations)


def test_hint_that_leaks_is_retried_then_replaced() -> None:
    leaky = "Most of it is lost within the first day or two."
    # first attempt leaks, the stricter retry is a clean question
    provider = Sequence([leaky, "What does the steep start of the curve tell you?"])
    shown: list[str] = []
    answer = _tutor(provider).answer(
        _req("", Mode.HINT, module_id="m1", protected=(QUIZ,)), on_text=shown.append
    )
    assert "first day or two" not in "".join(shown) and "first day or two" not in answer.text
    assert answer.text.startswith(REDACTED) and answer.text.endswith("tell you?")
    assert len(provider.calls) == 2 and "gave the answer away" in provider.calls[1][1].content
    # both attempts leak: a fixed Socratic prompt pointing at the module
    provider = Sequence([leaky, "It is within the first day or two."])
    answer = _tutor(provider).answer(_req("", Mode.HINT, module_id="m1", protected=(QUIZ,)))
    assert "first day or two" not in answer.text
    assert "reread the part of [M1] “Why we forget”" in answer.text
    assert answer.redactions >= 2


def test_hint_mode_reads_the_module_on_screen_and_shows_unmarked_options() -> None:
    provider = ScriptedProvider("What happens to memory right after learning?")
    answer = _tutor(provider).answer(_req("", Mode.HINT, module_id="m1", protected=(QUIZ,)))
    prompt = provider.calls[0][1].content
    assert "Why we forget" in prompt and "When is most forgotten material lost?" in prompt
    assert "- Within the first day or two" in prompt and "correct: True" not in prompt
    assert answer.question == "Can I have a hint for the quiz on “Why we forget”?"
    assert answer.redactions == 0


def test_a_hint_always_hands_the_thinking_back() -> None:
    provider = ScriptedProvider("The curve is steep at first and then flattens.")
    answer = _tutor(provider).answer(_req("", Mode.HINT, module_id="m1", protected=(QUIZ,)))
    assert answer.text.endswith("which option fits what [M1] says — and why not the others?")
