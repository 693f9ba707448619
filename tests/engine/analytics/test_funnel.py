"""The drop-off funnel: course order, modules nobody reached, rates, the biggest drop."""

from __future__ import annotations

import pytest

from engine.analytics.funnel import ModuleCounts, build_funnel

MODULES = [("m1", "Welcome"), ("m2", "Risks"), ("m3", "Quiz")]


def test_funnel_follows_the_course_order_and_fills_modules_nobody_reached() -> None:
    f = build_funnel(
        "c",
        MODULES,
        {
            "m2": ModuleCounts(started=6, finished=3, stopped=3, drop_offs=2),
            "m1": ModuleCounts(started=10, finished=8, stopped=2),
        },
    )
    assert [s.label for s in f.stages] == ["1. Welcome", "2. Risks", "3. Quiz"]
    assert f.entrants == 10
    _, m2, m3 = f.stages
    assert m2.reach.value == pytest.approx(0.6) and m2.finish.value == pytest.approx(0.5)
    assert m3.counts == ModuleCounts() and m3.reach.value == 0.0 and m3.finish.value is None
    assert f.biggest_drop is m2  # 3 stopped at "Risks", 2 at "Welcome"


def test_biggest_drop_tie_goes_to_the_earlier_module_and_none_when_nobody_stopped() -> None:
    tie = build_funnel("c", MODULES, {"m1": ModuleCounts(4, 2, 2), "m3": ModuleCounts(2, 0, 2)})
    assert tie.biggest_drop is not None and tie.biggest_drop.module_id == "m1"
    clean = build_funnel("c", MODULES, {"m1": ModuleCounts(3, 3, 0)})
    assert clean.biggest_drop is None
    assert build_funnel("c", [], {}).stages == ()


def test_a_module_reached_without_the_first_caps_reach_and_strays_are_refused() -> None:
    f = build_funnel("c", MODULES, {"m1": ModuleCounts(2, 2), "m2": ModuleCounts(5, 5)})
    assert f.stages[1].reach.value == 1.0
    with pytest.raises(ValueError, match="not in the course: gone"):
        build_funnel("c", MODULES, {"gone": ModuleCounts(1)})
    with pytest.raises(ValueError, match="negative"):
        ModuleCounts(started=-1)
