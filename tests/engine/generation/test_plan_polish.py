"""The plan from the whole document and the polish of drafted modules (no model needed)."""

from __future__ import annotations

from engine.content import HeadingBlock, ListBlock, ParagraphBlock
from engine.generation.plan import Section, chunks, partition, plan, sections
from engine.generation.polish import plain, polish, untaught
from engine.generation.sources import Passage, PassageIndex
from tests.engine.tutor.helpers import real_embedder


def _p(i: int, source: str, heading: str, text: str) -> Passage:
    return Passage(f"p{i}", source, heading, text)


def test_partition_is_contiguous_and_balanced() -> None:
    assert partition([5, 5, 5, 5], 2) == [[0, 1], [2, 3]]
    assert partition([10, 1, 1, 1, 1], 2) == [[0], [1, 2, 3, 4]]
    assert partition([3, 3], 5) == [[0], [1]]  # never more groups than items


def test_every_section_is_owned_once_or_skipped_with_a_reason() -> None:
    body = "Words about the subject that a learner needs. " * 6
    items = [
        _p(0, "Guide", "Foreword", body),
        _p(1, "Guide", "Tabs or spaces", body),
        _p(2, "Guide", "Tabs or spaces", body),
        _p(3, "Guide", "Short", "Tiny."),
        _p(4, "Guide", "Imports", body),
        _p(5, "Handbook", "Devices", body),
        _p(6, "Guide", "References", body),
    ]
    assert [s.heading for s in sections(items)] == [
        "Foreword",
        "Tabs or spaces",
        "Short",
        "Imports",
        "Devices",
        "References",
    ]
    p = plan(items, 3)
    assert [k for k in (s.key for s, _w in p.skipped)] == ["Guide › Foreword", "Guide › References"]
    owned = [pid for m in p.modules for s in m for pid in s.passage_ids]
    assert sorted(owned) == ["p1", "p2", "p3", "p4", "p5"]  # each once, the tiny one folded in
    assert len(p.modules) == 3 and p.modules[-1][0].source == "Handbook"  # the second file too
    assert plan(items[:2], 3).modules == (
        (Section("Guide", "Tabs or spaces", ("p1",), len(body)),),
    )


def test_chunks_keep_order_and_size() -> None:
    items = [_p(i, "S", "H", "x" * 1200) for i in range(5)]
    assert [[p.id for p in c] for c in chunks(items, 3000)] == [["p0", "p1"], ["p2", "p3"], ["p4"]]


def test_plain_turns_markdown_into_the_words_it_shows() -> None:
    text = (
        "See [the OWASP site](https://owasp.org/Top10) and **A01:2021** or `x = 1` <https://a.b>."
    )
    assert plain(text) == "See the OWASP site and A01:2021 or x = 1 https://a.b."


def test_polish_drops_what_the_sources_do_not_say_and_repeats() -> None:
    source = [
        _p(
            0,
            "Fire",
            "Extinguishers",
            "Water extinguishers must never be used on electrical "
            "fires. Carbon dioxide extinguishers are the right choice for electrical equipment.",
        ),
        _p(
            1,
            "Fire",
            "Evacuation",
            "Know your nearest exit and your assembly point. Never use lifts during a fire.",
        ),
    ]
    index = PassageIndex(source, real_embedder())
    blocks = [
        HeadingBlock(text="Putting out fires"),
        ParagraphBlock(
            text="Carbon dioxide extinguishers are the right choice for electrical equipment. "
            "Fire wardens must renew their training every 7 years under company policy."
        ),
        ListBlock(items=["Never use lifts during a fire.", "Use water on electrical fires."]),
        ParagraphBlock(text="Know your nearest exit and your assembly point."),
        HeadingBlock(text="Nothing under this"),
    ]
    done = polish(blocks, index, earlier=["Know your nearest exit and your assembly point."])
    assert [type(b).__name__ for b in done.blocks] == [
        "HeadingBlock",
        "ParagraphBlock",
        "ListBlock",
    ]
    assert done.blocks[1].text == (  # type: ignore[union-attr]
        "Carbon dioxide extinguishers are the right choice for electrical equipment."
    )
    assert done.blocks[2].items == ["Never use lifts during a fire."]  # type: ignore[union-attr]
    assert len(done.dropped) == 3 and any("repeats" in d for d in done.dropped)
    assert untaught([[source[0]], [source[1]]], done.blocks) == []
    assert untaught([[source[1]]], done.blocks[:2]) == [0]
