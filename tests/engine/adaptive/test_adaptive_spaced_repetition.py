"""Flashcards from content and FSRS scheduling."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from engine.adaptive.spaced_repetition import (
    Flashcard,
    due_cards,
    generate_flashcards,
    merge_deck,
    replay_reviews,
    retrievability,
    review,
)
from engine.content import parse_blocks, parse_quiz, true_false

NOW = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)

BLOCKS = parse_blocks(
    [
        {"type": "heading", "id": "h1", "text": "Phishing"},
        {
            "type": "paragraph",
            "id": "p1",
            "text": "Phishing is a scam that tricks you into revealing secrets. It arrives by "
            "email, text or phone. Attackers pose as someone you trust.",
        },
        {"type": "paragraph", "id": "p2", "text": "A second paragraph is not a new card."},
        {"type": "heading", "id": "h2", "text": "Warning signs"},
        {
            "type": "list",
            "id": "l1",
            "items": ["Urgency", "Odd sender address", "Requests for passwords"],
        },
        {
            "type": "list",
            "id": "l2",
            "items": ["MFA: a second proof of identity", "Vishing – phishing by phone"],
        },
    ]
)
QUIZ = [
    *parse_quiz(
        [
            {
                "id": "q1",
                "type": "single",
                "prompt": "What should you do with a suspicious link?",
                "explanation": "Reporting helps protect everyone.",
                "skill_ids": ["sec"],
                "choices": [{"text": "Report it", "correct": True}, {"text": "Click it"}],
            }
        ]
    ),
    true_false("MFA stops every attack.", False, "It greatly reduces risk, not all.", id="q2"),
]


def _deck() -> list[Flashcard]:
    return generate_flashcards("m1", BLOCKS, QUIZ, now=NOW)


def test_deck_has_term_list_and_quiz_cards() -> None:
    deck = _deck()
    fronts = {c.front: c for c in deck}
    assert fronts["Phishing"].back.startswith("Phishing is a scam")
    assert "second paragraph" not in fronts["Phishing"].back
    assert fronts["MFA"].back == "a second proof of identity"
    assert fronts["Vishing"].back == "phishing by phone"
    assert "Urgency" in fronts["Warning signs: what are the key points?"].back
    q1 = fronts["What should you do with a suspicious link?"]
    assert q1.back == "Report it\n\nReporting helps protect everyone."
    assert q1.skill_ids == ("sec",)
    assert fronts["MFA stops every attack."].back.startswith("False")
    assert len({c.card_id for c in deck}) == len(deck) == 6
    assert [c.card_id for c in _deck()] == [c.card_id for c in deck]  # stable ids


def test_good_schedules_further_out_than_again() -> None:
    card = _deck()[0]
    t = NOW
    good, _ = review(card, "good", t)
    again, _ = review(card, "again", t)
    assert good.due > again.due
    # after graduating, the gap keeps widening with "good" and collapses with "again"
    g = card
    for _ in range(4):
        g, _ = review(g, "good", g.due)
    a, _ = review(g, "again", g.due)
    g2, _ = review(g, "good", g.due)
    assert g2.due - g.due > timedelta(days=3)
    assert g2.due > a.due
    easy, _ = review(g, "easy", g.due)
    hard, _ = review(g, "hard", g.due)
    assert easy.due >= g2.due >= hard.due


def test_state_is_json_serialisable_and_replayable() -> None:
    card = _deck()[1]
    logs = []
    t = NOW
    for grade in ("good", "good", "hard", "again", "good"):
        card, log = review(card, grade, t)  # type: ignore[arg-type]
        logs.append(log)
        t = card.due
    raw = json.loads(json.dumps(card.to_dict()))
    assert Flashcard.from_dict(raw) == card
    assert json.loads(json.dumps(logs)) == logs
    fresh = _deck()[1]
    assert replay_reviews(fresh, logs).fsrs == card.fsrs
    r = retrievability(card, card.due + timedelta(days=30))
    assert 0.0 < r < retrievability(card, card.due) <= 1.0


def test_due_cards_and_merge_keep_history() -> None:
    deck = _deck()
    reviewed, _ = review(deck[0], "good", NOW)
    deck2 = [reviewed, *deck[1:]]
    due_now = due_cards(deck2, NOW)
    assert reviewed not in due_now and len(due_now) == 5
    merged = merge_deck(deck2, generate_flashcards("m1", BLOCKS[:2], (), now=NOW))
    assert len(merged) == 1 and merged[0].fsrs == reviewed.fsrs
