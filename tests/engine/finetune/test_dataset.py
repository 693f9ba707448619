"""The data set builder: consent first, personal data removed, duplicates dropped, chat JSONL."""

from __future__ import annotations

import json

import pytest

from engine.finetune.dataset import ConsentRequired, Exchange, KeptModule, build


def test_consent_off_refuses() -> None:
    with pytest.raises(ConsentRequired, match="not allowed fine-tuning"):
        build([Exchange("q", "a")], [], consent=False)


def test_personal_data_is_removed() -> None:
    ex = Exchange(
        "Hi, I'm Sam Rivera (sam.rivera@example.org, +44 20 7946 0958). Ask Priya? "
        "My notes: https://drive.example.com/users/sam/notes?id=9 and https://en.wikipedia.org/wiki/Memory",
        "Sam, spaced repetition means reviewing at growing intervals.",
        ["Module 2 says Rivera's method spaces reviews."],
    )
    ds = build([ex], [], names=["Sam Rivera", "Priya Nair"], consent=True)
    text = ds.lines[0]
    for leaked in ("Sam", "Rivera", "Priya", "sam.rivera@", "7946", "users/sam"):
        assert leaked not in text
    assert "[email]" in text and "[phone]" in text and "[name]" in text and "[link]" in text
    assert "https://en.wikipedia.org/wiki/Memory" in text  # a public page stays
    assert ds.redactions >= 6


def test_duplicates_and_format() -> None:
    ex = [
        Exchange("What is recall?", "Retrieving from memory.", ["Recall is retrieval."]),
        Exchange("  what is RECALL ", "Retrieving from memory!"),  # same, up to case/punctuation
        Exchange("What is interleaving?", "Mixing topics."),
    ]
    mods = [
        KeptModule("Learning", "Sleep", "Sleep consolidates memory."),
        KeptModule("Learning", "Sleep again", "sleep consolidates memory"),
    ]
    ds = build(ex, mods, consent=True)
    assert ds.examples == 3 and ds.skipped_duplicates == 2
    assert ds.sources == {"tutor": 2, "modules": 1}
    for line in ds.lines:
        roles = [m["role"] for m in json.loads(line)["messages"]]
        assert roles == ["system", "user", "assistant"]
    first = ds.sample(1)[0]["messages"]
    assert "Course passages:\n[1] Recall is retrieval." in first[1]["content"]  # type: ignore[index]
    assert ds.size_bytes == len(ds.data) and ds.data.endswith(b"\n")
    assert ds.approx_tokens > 0
