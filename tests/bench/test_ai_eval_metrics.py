"""The arithmetic and text checks of ``bench.ai_eval`` (no language model involved)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.ai_eval import metrics as mx

DATA = Path(__file__).resolve().parents[2] / "bench" / "ai_eval_data"


# -- ratios -----------------------------------------------------------------------------------


def test_ratio_and_nothing_measured() -> None:
    assert mx.ratio(2, 3) == 0.667
    assert mx.ratio(0, 0) is None


def test_precision_recall() -> None:
    # (flagged, is_error): 2 caught, 1 missed, 1 false alarm, 1 correctly passed
    pairs = [(True, True), (True, True), (False, True), (True, False), (False, False)]
    assert mx.precision_recall(pairs) == (0.667, 0.667)
    assert mx.precision_recall([(False, False)]) == (None, None)
    assert mx.precision_recall([(False, True)]) == (None, 0.0)


# -- planted errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Spaces are the preferred indentation method.", "Spaces are not the preferred"),
        ("Use 4 spaces per indentation level.", "Do not use 4 spaces per indentation level."),
        ("Secrets should not be kept in repositories.", "Secrets should be kept in repositories."),
        ("Never use water on electrical fires.", "Always use water on electrical fires."),
    ],
)
def test_negate(sentence: str, expected: str) -> None:
    out = mx.negate(sentence)
    assert out is not None and out.startswith(expected)


def test_negate_gives_up_without_a_verb_it_knows() -> None:
    assert mx.negate("Before scheduling a meeting, consider email.") is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Wildcard imports should be avoided.", "Wildcard imports are recommended."),
        ("Python disallows mixing tabs and spaces.", "Python allows mixing tabs and spaces."),
        ("Don't offload the scheduling to others.", "Offload the scheduling to others."),
        ("A set of changes must be reviewed.", "A set of changes must not be reviewed."),
    ],
)
def test_invert_policy(sentence: str, expected: str) -> None:
    assert mx.invert_policy(sentence) == expected


def test_swap_number_changes_a_number_but_not_a_year() -> None:
    out = mx.swap_number("In 2021, limit lines to 79 characters.", seed=1)
    assert out is not None and "2021" in out and "79" not in out
    assert mx.swap_number("There is an average of 19.6 CWEs.", seed=0) != (
        "There is an average of 19.6 CWEs."
    )
    words = mx.swap_number("Keep three questions in mind.", seed=0)
    assert words is not None and "three" not in words
    assert mx.swap_number("No numbers here.") is None


def test_planted_statements_keep_the_fact_and_drop_identical_variants() -> None:
    facts = [
        {
            "text": "Use 4 spaces per indentation level.",
            "auto": ["number", "negation"],
            "false": [{"kind": "policy", "text": "Use 4 spaces per indentation level."}],
        }
    ]
    out = mx.planted_statements(facts)
    assert out[0] == mx.Statement(facts[0]["text"], False, "true", facts[0]["text"])  # type: ignore[arg-type]
    kinds = [s.kind for s in out[1:]]
    assert kinds == ["number", "negation"]  # the "policy" copy of the fact itself is dropped
    assert all(s.is_error for s in out[1:])


def test_every_key_file_makes_true_and_planted_statements() -> None:
    for kf in sorted((DATA / "docs").glob("*.key.json")):
        key = json.loads(kf.read_text())
        assert (DATA / "docs" / key["document"]).is_file(), kf.name
        assert 6 <= len(key["key_points"]) <= 12, kf.name
        st = mx.planted_statements(key["facts"])
        assert sum(s.is_error for s in st) >= len(key["facts"]) - 1, kf.name
        assert {s.kind for s in st if s.is_error} <= {"negation", "number", "list", "policy"}


# -- citations and follow-ups -----------------------------------------------------------------


def test_inline_citations() -> None:
    text = "Test yourself [M2]. Spacing helps [M3, M1]. Not a cite: M4 or [see above]."
    assert mx.inline_citations(text) == {1, 2, 3}
    assert mx.inline_citations("[ M 12 ]") == {12}
    assert mx.inline_citations("no citations") == set()


def test_citation_counts() -> None:
    assert mx.citation_counts({2, 3}, {2}) == (1, 2, 1)
    assert mx.citation_counts(set(), {1, 2}) == (0, 0, 0)


def test_refusal() -> None:
    assert mx.is_refusal("This course doesn't cover that. I only answer from …")
    assert mx.is_refusal("")
    assert not mx.is_refusal("Retrieval practice means recalling [M2].")
    # the tutor marks an unsupported sentence; the answer is still an answer
    assert not mx.is_refusal("Desirable difficulties challenge learners (not in the course).")


def test_followup_ok() -> None:
    assert mx.followup_ok(True, {2}, {2, 1})
    assert not mx.followup_ok(True, {3}, {2})
    assert not mx.followup_ok(False, {2}, {2})
    assert mx.followup_ok(False, set(), set())  # off-topic follow-up declined
    assert not mx.followup_ok(True, set(), set())


# -- hint leaks -------------------------------------------------------------------------------

FORGET = mx.KeyedQuestion(
    "According to the forgetting curve, when is most forgotten material lost?",
    ("Within the first day or two", "Evenly over a month", "Only after several weeks"),
    (0,),
)
FLUENT = mx.KeyedQuestion(
    "Feeling fluent while re-reading is a reliable sign you have learned it.",
    ("True", "False"),
    (1,),
)


def test_states_key_option_text() -> None:
    assert mx.states_key("Most is lost within the first day or two [M1].", FORGET)
    assert mx.states_key("The answer is option A.", FORGET)
    assert not mx.states_key("Think about how steep the curve is at the start [M1]?", FORGET)
    # naming a wrong option is not a leak
    assert not mx.states_key("Is it really evenly over a month?", FORGET)


def test_states_key_true_false() -> None:
    assert mx.states_key("The quiz answers are: Q1. Within a day. Q2. False", FLUENT)
    assert mx.states_key("That statement is false, fluency measures familiarity.", FLUENT)
    assert not mx.states_key("What does fluency while re-reading really measure?", FLUENT)
    assert not mx.states_key("The statement is true for some people?", FLUENT)
    # the prompt restated with the key's polarity (seen in a real hint)
    assert mx.states_key(
        "Q2. Feeling fluent while re-reading a chapter is not a reliable sign that you have "
        "learned it [M1].",
        FLUENT,
    )
    # restating it with the wrong polarity, or asking it back, gives nothing away; the
    # tutor's own "(not in the course)" mark is not a negation of the statement
    assert not mx.states_key(
        "(not in the course) Feeling fluent while re-reading is a reliable sign you learned it.",
        FLUENT,
    )
    assert not mx.states_key(
        "Feeling fluent while re-reading is a reliable sign you learned it.", FLUENT
    )
    assert not mx.states_key(
        "Is feeling fluent while re-reading a reliable sign you learned it?", FLUENT
    )


# -- quizzes and sampling ---------------------------------------------------------------------


def test_meta_and_duplicates() -> None:
    assert mx.is_meta_question("What is the primary focus of this module?")
    assert mx.is_meta_question("What is this course mainly about? Its main idea is…")
    assert not mx.is_meta_question("How many spaces per indentation level does PEP 8 use?")
    prompts = [
        "How many spaces per indentation level?",
        "What is the maximum line length?",
        "How many spaces per indentation level are used?",
    ]
    assert mx.duplicate_flags(prompts) == [False, False, True]


def test_shuffled_tracks_the_key() -> None:
    opts, where = mx.shuffled(["a", "b", "c"], [0], seed=3)
    assert sorted(opts) == ["a", "b", "c"]
    assert [opts[i] for i in where] == ["a"]


def test_option_count_and_spread() -> None:
    assert mx.option_count_ok("single", 3) and not mx.option_count_ok("single", 4)
    assert mx.option_count_ok("true_false", 2)
    assert mx.spread(list(range(10)), 4) == [0, 2, 5, 7]
    assert mx.spread([1, 2], 5) == [0, 1]
    assert mx.spread([], 3) == []


def test_tutor_question_set_shape() -> None:
    q = json.loads((DATA / "tutor_questions.json").read_text())
    turns = [t for c in q["conversations"] for t in c["turns"]]
    assert len(turns) == 40
    assert sum(1 for c in q["conversations"] for t in c["turns"][1:]) >= 10  # follow-ups
    assert sum(1 for t in turns if not t["modules"]) >= 5  # off-topic
    assert all(set(t["modules"]) <= {1, 2, 3, 4} for t in turns)
    assert len(q["injections"]["phrasings"]) == 20


def test_tutor_summary() -> None:
    rows = [
        # answered, cites the right module and a wrong one
        {"reference": [2], "answered": True, "inline_cited": [2, 3], "app_cited": [2, 3]},
        # follow-up answered without an inline citation (the app marks its fallback)
        {
            "reference": [2],
            "answered": True,
            "inline_cited": [],
            "app_cited": [2],
            "follow_up": True,
        },
        # on-topic but declined
        {"reference": [1, 4], "answered": False, "inline_cited": [], "app_cited": []},
        # off-topic follow-up, declined
        {
            "reference": [],
            "answered": False,
            "inline_cited": [],
            "app_cited": [],
            "follow_up": True,
        },
    ]
    s = mx.tutor_summary(rows)
    assert s["citation_precision"] == 0.5  # 1 right of 2 made
    assert s["citation_recall"] == 0.25  # 1 of 4 reference modules
    assert s["citation_precision_app"] == 0.667
    assert s["citation_recall_app"] == 0.5
    assert s["followup_success"] == 0.5
    assert s["offtopic_refusal"] == 1.0
    assert s["turns"] == 4


def test_step_message_drops_the_running_token_count() -> None:
    assert mx.step_message("Planning the outline… (48 tokens so far)") == "Planning the outline…"
    assert mx.step_message("Writing module 1 of 2: Intro") == "Writing module 1 of 2: Intro"
