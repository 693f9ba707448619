"""Accessibility checks that need no window: WCAG 2.1 colour contrast, and the nearest colour
that passes when one does not (an organisation's brand colour is refused with a suggestion
rather than a bare "no")."""

from __future__ import annotations

import colorsys
import re
from collections.abc import Iterable

AA_TEXT = 4.5
"""WCAG 2.1 AA for body text (1.4.3)."""
AA_NON_TEXT = 3.0
"""WCAG 2.1 AA for graphics and control boundaries (1.4.11), and large text."""

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def is_hex_colour(value: str) -> bool:
    return bool(_HEX.match(value))


def relative_luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#RRGGBB`` colours (AA text needs 4.5:1)."""
    hi, lo = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def worst_ratio(colour: str, backgrounds: Iterable[str]) -> float:
    """The lowest contrast of ``colour`` against any of ``backgrounds``."""
    return min(contrast_ratio(colour, bg) for bg in backgrounds)


def _hex(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02X}" for c in (r, g, b))


def shade(colour: str, amount: float) -> str:
    """``colour`` mixed with black (``amount`` > 0) or white (< 0), by ``|amount|`` (0..1)."""
    rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    target = 0.0 if amount > 0 else 1.0
    t = min(1.0, abs(amount))
    r, g, b = (c + (target - c) * t for c in rgb)
    return _hex(r, g, b)


def nearest_passing(colour: str, backgrounds: Iterable[str], minimum: float = AA_TEXT) -> str:
    """The colour closest to ``colour`` in lightness (same hue and saturation) whose contrast
    against every one of ``backgrounds`` is at least ``minimum``; ``colour`` itself if it
    already passes. Searches lighter and darker in steps of 0.5 % lightness and returns the
    smaller change; black or white when no shade of the hue passes."""
    bgs = list(backgrounds)
    if worst_ratio(colour, bgs) >= minimum:
        return colour.upper()
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    for step in range(1, 201):
        delta = step * 0.005
        for candidate_l in (lightness - delta, lightness + delta):
            if not 0.0 <= candidate_l <= 1.0:
                continue
            candidate = _hex(*colorsys.hls_to_rgb(h, candidate_l, s))
            if worst_ratio(candidate, bgs) >= minimum:
                return candidate
    black, white = "#000000", "#FFFFFF"
    return black if worst_ratio(black, bgs) >= worst_ratio(white, bgs) else white
