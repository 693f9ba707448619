"""Feed cards, mind maps and games derived from a module's blocks (pure functions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.content import parse_blocks, parse_quiz
from engine.modalities import feed, game, mindmap
from engine.modalities.text_units import key_terms, sentences, shorten

DEMO = Path(__file__).resolve().parents[3] / "resources" / "demo" / "demo_content.json"


@pytest.fixture(scope="module")
def module() -> dict:  # type: ignore[type-arg]
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    return data["courses"][0]["modules"][2]  # type: ignore[no-any-return]


def test_sentences_and_terms() -> None:
    assert sentences("One idea. Two ideas! Three?") == ["One idea.", "Two ideas!", "Three?"]
    text = "Spaced repetition beats cramming. Spaced repetition schedules reviews."
    assert "spaced repetition" in key_terms(text)
    assert shorten("a " * 50, 20).endswith("…") and len(shorten("a " * 50, 20)) <= 20


def test_feed_interleaves_questions(module: dict) -> None:  # type: ignore[type-arg]
    blocks, quiz = parse_blocks(module["content"]), parse_quiz(module["quiz"])
    cards = feed.feed_cards(module["title"], blocks, quiz, question_every=3)
    kinds = [c.kind for c in cards]
    assert kinds.count("question") == len(quiz)  # every question appears once
    first_q = kinds.index("question")
    assert first_q == 3  # after three ideas
    assert all(c.text for c in cards)
    assert {c.topic for c in cards} >= {"Spread it out", "Mix it up"}


def test_mindmap_structure_and_roundtrip(module: dict) -> None:  # type: ignore[type-arg]
    blocks = parse_blocks(module["content"])
    g = mindmap.build_mindmap(module["title"], blocks)
    sections = list(g.successors(mindmap.ROOT))
    assert [g.nodes[s]["label"] for s in sections] == ["Spread it out", "Mix it up"]
    assert all(g.out_degree(s) > 0 for s in sections)
    assert all(g.in_degree(n) == 1 for n in g if n != mindmap.ROOT)  # a tree
    concept = next(n for n in g if g.nodes[n]["kind"] == "concept")
    assert g.nodes[concept]["label"].lower() in g.nodes[concept]["detail"].lower()
    again = mindmap.from_data(json.loads(json.dumps(mindmap.to_data(g))))
    assert set(again.edges) == set(g.edges)
    refined = mindmap.refine(g, {concept: "Better label", mindmap.ROOT: "hijack", "nope": "x"})
    assert refined.nodes[concept]["label"] == "Better label"
    assert refined.nodes[mindmap.ROOT]["label"] == module["title"]  # only concepts change
    assert set(refined.edges) == set(g.edges)
    pos = mindmap.radial_layout(g)
    assert set(pos) == set(g) and pos[mindmap.ROOT] == (0.0, 0.0)


def test_game_rules(module: dict) -> None:  # type: ignore[type-arg]
    blocks, quiz = parse_blocks(module["content"]), parse_quiz(module["quiz"])
    state = game.new_game(blocks, quiz, seed=1)
    assert sum(r.kind == "quiz" for r in state.rounds) == len(quiz)
    assert any(r.kind == "term" for r in state.rounds)
    rnd = state.current
    assert rnd is not None
    fast = game.answer(state, rnd.correct_ids, game.SECONDS_PER_ROUND)
    slow = game.answer(state, rnd.correct_ids, 0.0)
    assert fast.score > slow.score > 0 and fast.lives == game.LIVES
    wrong = game.answer(state, frozenset({"nope"}), 10)
    assert wrong.score == 0 and wrong.lives == game.LIVES - 1 and wrong.results == (False,)
    s = state
    while not s.over:
        s = game.timeout(s)
    assert s.lives == 0 or s.index == len(s.rounds)
    assert game.answer(s, frozenset(), 1.0) == s  # no moves after the end


def test_streak_bonus(module: dict) -> None:  # type: ignore[type-arg]
    blocks, quiz = parse_blocks(module["content"]), parse_quiz(module["quiz"])
    s = game.new_game(blocks, quiz, seed=2)
    scores = []
    for _ in range(2):
        assert s.current is not None
        before = s.score
        s = game.answer(s, s.current.correct_ids, 0.0)
        scores.append(s.score - before)
    assert scores[1] > scores[0] and s.streak == 2


def _demo_sections() -> dict[str, str]:
    """Each section of the demo course: heading → its paragraphs' text."""
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for course in data["courses"]:
        for mod in course["modules"]:
            heading = "Overview"
            for b in mod["content"]:
                if b["type"] == "heading":
                    heading = b["text"]
                elif b["type"] == "paragraph":
                    out[heading] = f"{out.get(heading, '')} {b['text']}".strip()
    return out


def test_key_terms_keep_names_and_noun_phrases_whole() -> None:
    sections = _demo_sections()
    terms = {h: key_terms(text, 4) for h, text in sections.items()}
    assert "Hermann Ebbinghaus" in terms["The forgetting curve"]
    assert {"storage strength", "retrieval strength"} <= set(terms["Two kinds of strength"])
    assert "Robert and Elizabeth Bjork" in terms["Two kinds of strength"]
    assert "retrieval practice" in terms["Test yourself to learn"]
    assert "spacing effect" in terms["Spread it out"]
    assert "interleaving" in terms["Mix it up"]
    names = ("Hermann", "Ebbinghaus", "Robert", "Elizabeth", "Bjork", "Roediger", "Karpicke")
    for heading, chosen in terms.items():
        text = sections[heading].lower()
        for term in chosen:
            assert term.lower() in text, (heading, term)  # as the text says it
            assert term.lower() not in {n.lower() for n in names}, (heading, term)  # fragment
            assert term not in ("strength", "storage", "retrieval", "effect", "able", "within")
            others = [c for c in chosen if c != term]
            assert not any(f" {term} " in f" {c} " for c in others), (heading, term, chosen)


def test_mindmap_concepts_have_no_name_fragments() -> None:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    first = data["courses"][0]["modules"][0]
    g = mindmap.build_mindmap(first["title"], parse_blocks(first["content"]))
    labels = [g.nodes[n]["label"] for n in g if g.nodes[n]["kind"] == "concept"]
    assert "Hermann Ebbinghaus" in labels
    assert not {"hermann", "ebbinghaus", "strength"} & {label.lower() for label in labels}
