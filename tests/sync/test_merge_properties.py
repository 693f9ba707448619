"""Properties of the conflict rule and the hybrid logical clock (no server needed)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sync.hlc import HybridClock, encode
from sync.merge import merge_rows

FIELDS = ["title", "description", "tags"]
values = st.one_of(st.none(), st.text(max_size=5), st.lists(st.text(max_size=3), max_size=2))


@st.composite
def versions(draw: st.DrawFn, node: str) -> tuple[dict[str, object], dict[str, str]]:
    row = {f: draw(values) for f in FIELDS}
    clocks = {}
    for f in FIELDS:
        if draw(st.booleans()):
            clocks[f] = encode(draw(st.integers(1, 50)), draw(st.integers(0, 3)), node)
    return row, clocks


@given(versions("a"), versions("b"), versions("base"))
def test_both_sides_reach_the_same_row_and_losers_are_kept(a, b, base) -> None:  # type: ignore[no-untyped-def]
    (ra, ca), (rb, cb), (_rbase, cbase) = a, b, base
    ab = merge_rows(FIELDS, ra, ca, cbase, rb, cb)
    ba = merge_rows(FIELDS, rb, cb, cbase, ra, ca)
    for f in FIELDS:
        changed_a, changed_b = ca.get(f, "") != cbase.get(f, ""), cb.get(f, "") != cbase.get(f, "")
        if changed_a and changed_b and ra[f] != rb[f]:
            # a true conflict: both orders pick the later clock, and keep the other value
            assert ab.values[f] == ba.values[f]
            lost = {c.field: c.lost_value for c in ab.conflicts}
            assert lost[f] in (ra[f], rb[f]) and lost[f] != ab.values[f]
        elif changed_a and not changed_b:
            assert ab.values[f] == ra[f] and ba.values[f] == ra[f]
        elif changed_b and not changed_a:
            assert ab.values[f] == rb[f] and ba.values[f] == rb[f]


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)), max_size=30))
def test_clock_never_goes_back_and_passes_what_it_saw(steps: list[tuple[int, int]]) -> None:
    now = {"t": 0}
    clock = HybridClock("n1", now_ms=lambda: now["t"])
    last = ""
    for wall, seen in steps:
        now["t"] = wall
        clock.observe(encode(seen, 0, "n2"))
        stamp = clock.tick()
        assert stamp > last and stamp > encode(seen, 0, "n2")
        last = stamp
