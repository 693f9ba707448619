"""Every sentence that uses the course carries its citation; a sentence about something the
course never says is marked; greetings and questions back are left alone."""

from __future__ import annotations

from engine.retrieval.chunking import chunk_module
from engine.tutor.grounding import UNSUPPORTED, ground
from tests.engine.tutor.test_tutor_conversation import MODULES

SOURCES = {
    m.order_index + 1: " ".join(f"{c.heading} {c.text}" for c in chunk_module(m)) for m in MODULES
}


def test_an_uncited_sentence_from_one_module_gets_its_citation() -> None:
    g = ground(
        "Retrieval practice means pulling information out of memory instead of putting it "
        "back in. Keep going!",
        SOURCES,
    )
    assert g.text.startswith("Retrieval practice means") and "in [M2]." in g.text
    assert g.text.endswith("Keep going!") and g.added == 1 and g.unsupported == 0


def test_a_sentence_the_course_never_says_is_marked() -> None:
    g = ground(
        "Spacing spreads sessions over days [M3]. The hippocampus releases dopamine during "
        "sleep, which cements synaptic plasticity in neurons.",
        SOURCES,
    )
    assert g.unsupported == 1
    assert g.text.endswith(f"neurons{UNSUPPORTED}.")
    assert "over days [M3]." in g.text  # the supported one is untouched


def test_paraphrases_short_sentences_and_questions_are_left_alone() -> None:
    text = (
        "Spacing beats cramming because each session starts after some forgetting, so "
        "recalling takes effort. Great question! Which of the two feels harder to you?"
    )
    g = ground(text, SOURCES)
    assert g.unsupported == 0 and UNSUPPORTED not in g.text


def test_nothing_to_check_against_changes_nothing() -> None:
    assert ground("Anything at all about volcanoes and lava.", {}).text.startswith("Anything")
