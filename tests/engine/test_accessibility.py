"""WCAG contrast maths, and the nearest passing colour offered when a colour fails."""

from __future__ import annotations

import colorsys

import pytest

from engine.accessibility import (
    AA_NON_TEXT,
    AA_TEXT,
    contrast_ratio,
    is_hex_colour,
    nearest_passing,
    shade,
    worst_ratio,
)


def test_contrast_ratio_matches_the_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert contrast_ratio("#3B5BDB", "#FFFFFF") == contrast_ratio("#FFFFFF", "#3B5BDB")
    assert worst_ratio("#767676", ["#FFFFFF", "#F4F6FB"]) < contrast_ratio("#767676", "#FFFFFF")


def test_hex_colours() -> None:
    assert is_hex_colour("#1d4ed8") and is_hex_colour("#1D4ED8")
    assert not any(is_hex_colour(c) for c in ("1D4ED8", "#1D4ED", "#GGGGGG", "blue", ""))


@pytest.mark.parametrize(
    ("colour", "backgrounds", "minimum"),
    [
        ("#88AAFF", ["#FFFFFF"], AA_TEXT),  # a light blue: darkened
        ("#FFD400", ["#FFFFFF", "#F4F6FB"], AA_TEXT),  # yellow: a dark olive-gold
        ("#12B886", ["#FFFFFF"], AA_NON_TEXT),
        ("#202020", ["#111111"], AA_NON_TEXT),  # on a dark background: lightened
    ],
)
def test_the_suggestion_passes_keeps_the_hue_and_is_the_nearest(
    colour: str, backgrounds: list[str], minimum: float
) -> None:
    assert worst_ratio(colour, backgrounds) < minimum
    suggestion = nearest_passing(colour, backgrounds, minimum)
    assert is_hex_colour(suggestion) and worst_ratio(suggestion, backgrounds) >= minimum

    def hls(c: str) -> tuple[float, float, float]:
        return colorsys.rgb_to_hls(*(int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)))

    (h0, l0, _), (h1, l1, _) = hls(colour), hls(suggestion)
    assert abs(h0 - h1) < 0.02 or min(h0, h1) + 1 - max(h0, h1) < 0.02
    # one lightness step less would not pass: it is the nearest of its hue
    step_back = 0.005 if l1 < l0 else -0.005
    rgb = colorsys.hls_to_rgb(h1, l1 + step_back, hls(suggestion)[2])
    closer = "#" + "".join(f"{round(c * 255):02X}" for c in rgb)
    assert worst_ratio(closer, backgrounds) < minimum + 0.05


def test_a_passing_colour_is_its_own_suggestion_and_shades_stay_in_range() -> None:
    assert nearest_passing("#1d4ed8", ["#FFFFFF"]) == "#1D4ED8"
    assert shade("#3B5BDB", 0.0) == "#3B5BDB"
    assert shade("#3B5BDB", 1.0) == "#000000" and shade("#3B5BDB", -1.0) == "#FFFFFF"
    assert contrast_ratio(shade("#3B5BDB", 0.18), "#FFFFFF") > contrast_ratio("#3B5BDB", "#FFFFFF")
    # nothing of a hue passes on mid grey at 7:1: black or white, whichever is better
    assert nearest_passing("#808080", ["#777777"], 7.0) in ("#000000", "#FFFFFF")
