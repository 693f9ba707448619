"""The skill-gap heat map: cell values, biggest gaps first, and the cut for a large org."""

from __future__ import annotations

import pytest

from engine.analytics.skill_gaps import Cell, gap_of, rank


def test_cell_value_prefers_the_open_gap_then_proficiency_and_unknown_stays_unknown() -> None:
    assert gap_of(0.7, 0.9) == 0.7
    assert gap_of(None, 0.25) == 0.75
    assert gap_of(None, None) is None
    with pytest.raises(ValueError, match="between 0 and 1"):
        gap_of(1.5, None)


def test_skills_and_learners_are_ranked_biggest_gap_first() -> None:
    cells = [
        Cell("ann", "gdpr", 0.9),
        Cell("bob", "gdpr", 0.7),
        Cell("ann", "excel", 0.2),
        Cell("bob", "excel", 0.1),
        Cell("cat", "excel", 0.6),
        Cell("cat", "safety", 0.4),
    ]
    names = {"gdpr": "GDPR", "excel": "Excel", "safety": "Safety"}
    people = {"ann": "Ann", "bob": "Bob", "cat": "Cat"}
    hm = rank(cells, names, people)
    assert [s.name for s in hm.skills] == ["GDPR", "Safety", "Excel"]
    gdpr = hm.skills[0]
    assert (gdpr.assessed, gdpr.wide, gdpr.mean_gap) == (2, 2, pytest.approx(0.8))
    # Ann: (0.9 + 0.2) / 2 = 0.55, Cat: 0.5, Bob: 0.4
    assert [n for _, n in hm.learners] == ["Ann", "Cat", "Bob"]
    assert hm.value("gdpr", "cat") is None and hm.value("excel", "cat") == 0.6


def test_a_large_organisation_is_cut_to_the_top_and_says_what_it_left_out() -> None:
    cells = [Cell(f"u{u}", f"s{s}", (u * 7 + s) % 10 / 10) for u in range(50) for s in range(8)]
    hm = rank(cells, {}, {}, max_skills=3, max_learners=5)
    assert len(hm.shown_skills) == 3 and len(hm.learners) == 5
    assert (hm.hidden_skills, hm.hidden_learners) == (5, 45)
    assert len(hm.skills) == 8  # the table keeps every skill
    assert all(k[0] in hm.shown_skills for k in hm.values)
    with pytest.raises(ValueError, match="two gaps"):
        rank([Cell("a", "s", 0.1), Cell("a", "s", 0.2)], {}, {})
