"""Branding documents: colours refused with their ratio and a suggestion, the rest kept."""

from __future__ import annotations

import re

import pytest

from engine.accessibility import contrast_ratio
from engine.org.branding import (
    PAGE_BACKGROUND,
    SURFACE,
    BrandingError,
    brand_colours,
    clean_branding,
    colour_problems,
)


def test_a_failing_primary_colour_is_refused_with_ratio_and_nearest_passing_colour() -> None:
    with pytest.raises(BrandingError) as info:
        clean_branding({"primary_color": "#88AAFF"})
    message = str(info.value)
    ratio = contrast_ratio("#88AAFF", SURFACE)
    assert f"{ratio:.2f}:1" in message and "needs 4.5:1" in message
    suggested = re.search(r"nearest colour that passes is (#[0-9A-F]{6})", message)
    assert suggested is not None
    colour = suggested.group(1)
    assert min(contrast_ratio(colour, SURFACE), contrast_ratio(colour, PAGE_BACKGROUND)) >= 4.5
    assert clean_branding({"primary_color": colour})["primary_color"] == colour


def test_the_secondary_colour_needs_non_text_contrast() -> None:
    assert colour_problems("secondary_color", "#2F9E44") == []  # 3:1 is enough for bars
    assert colour_problems("primary_color", "#2F9E44")  # not for text
    [*problems] = colour_problems("secondary_color", "#B8E0D2")
    assert problems and all(p.use.minimum == 3.0 for p in problems)
    assert problems[0].ratio < 3.0


def test_shapes_are_checked_and_unknown_keys_kept() -> None:
    doc = clean_branding(
        {
            "primary_color": "#1d4ed8",
            "secondary_color": "",
            "font": " Inter ",
            "logo_url": "asset://ab/logo.png",
            "tagline": "kept for newer clients",
        }
    )
    assert doc == {
        "primary_color": "#1D4ED8",
        "font": "Inter",
        "logo_url": "asset://ab/logo.png",
        "tagline": "kept for newer clients",
    }
    for bad, says in (
        ({"primary_color": "blue"}, "#RRGGBB"),
        ({"font": "Inter; color: red"}, "font family"),
        ({"logo_url": 3}, "media library"),
    ):
        with pytest.raises(BrandingError, match=says):
            clean_branding(bad)


def test_brand_colours_fall_back_to_the_defaults_for_what_is_unset_or_unreadable() -> None:
    default = brand_colours(None, "#3B5BDB", "#3B5BDB")
    assert (default.accent, default.secondary, default.font) == ("#3B5BDB", "#3B5BDB", None)
    brand = brand_colours({"primary_color": "#0F766E", "font": "Inter"}, "#3B5BDB", "#3B5BDB")
    assert brand.accent == "#0F766E" and brand.font == "Inter"
    assert contrast_ratio(brand.accent_dark, SURFACE) > contrast_ratio(brand.accent, SURFACE)
    stale = brand_colours({"primary_color": "#FFFF00"}, "#3B5BDB", "#123456")
    assert stale.accent == "#3B5BDB" and stale.secondary == "#123456"
