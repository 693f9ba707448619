"""An organisation's branding (``organisations.branding``): what its colours are used for,
and whether they can be read there.

Why here: the branding screen, the app theme, course templates, certificates and SCORM
packages all draw the same two colours, and a colour is refused (with its measured ratio and
the nearest colour that passes) before it is stored, so none of them ever shows unreadable
text. Pure logic: the services layer reads and writes the document.

Where the colours go:

* ``primary_color``: text and links on the app's white surfaces, its page background and
  its tint (checked toggles, course callouts),
  the fill of primary buttons behind white text, headings of course templates and the bar of
  exported SCORM packages: WCAG AA text contrast, 4.5:1, against both light backgrounds
  (white text on the colour has the same ratio as the colour on white).
* ``secondary_color``: bars, underlines and outlines (the checked-tab bar, progress, the
  certificate's rules, the SCORM focus outline): WCAG AA non-text contrast, 3:1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.accessibility import (
    AA_NON_TEXT,
    AA_TEXT,
    contrast_ratio,
    is_hex_colour,
    nearest_passing,
    shade,
)

SURFACE = "#FFFFFF"
PAGE_BACKGROUND = "#F4F6FB"
TINT = "#EAF0FF"
"""The light backgrounds ByteOS draws brand colours on: surfaces, the page, and the tint of
checked toggles and course callouts (``app.shell.theme`` uses the same values; it asserts
they agree)."""

COLOUR_KEYS = ("primary_color", "secondary_color")
COLOUR_NAMES = {"primary_color": "primary colour", "secondary_color": "secondary colour"}
_FONT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,63}$")


@dataclass(frozen=True)
class ColourUse:
    what: str
    background: str
    minimum: float


USES: dict[str, tuple[ColourUse, ...]] = {
    "primary_color": (
        ColourUse("text on white", SURFACE, AA_TEXT),
        ColourUse("text on the page background", PAGE_BACKGROUND, AA_TEXT),
        ColourUse("text on tinted callouts and checked buttons", TINT, AA_TEXT),
    ),
    "secondary_color": (
        ColourUse("bars and outlines on white", SURFACE, AA_NON_TEXT),
        ColourUse("bars and outlines on the page background", PAGE_BACKGROUND, AA_NON_TEXT),
    ),
}


@dataclass(frozen=True)
class ColourProblem:
    key: str
    colour: str
    use: ColourUse
    ratio: float
    suggestion: str

    @property
    def message(self) -> str:
        return (
            f"The {COLOUR_NAMES[self.key]} {self.colour.upper()} has a contrast of "
            f"{self.ratio:.2f}:1 as {self.use.what} ({self.use.background}); WCAG AA needs "
            f"{self.use.minimum:g}:1. The nearest colour that passes is {self.suggestion}."
        )


class BrandingError(ValueError):
    """A branding document that cannot be stored; the message says which value and why."""


def colour_problems(key: str, colour: str) -> list[ColourProblem]:
    """Every use of ``colour`` (as ``key``) that fails AA, each with the one suggestion that
    passes all of the key's uses."""
    uses = USES[key]
    failing = [u for u in uses if contrast_ratio(colour, u.background) < u.minimum]
    if not failing:
        return []
    minimum = max(u.minimum for u in uses)
    suggestion = nearest_passing(colour, [u.background for u in uses], minimum)
    return [
        ColourProblem(key, colour, u, contrast_ratio(colour, u.background), suggestion)
        for u in failing
    ]


def clean_branding(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The branding document to store: colours ``#RRGGBB`` (upper case) that pass AA, a font
    family name, the logo's URL; empty values dropped, unknown keys kept (a newer client's).
    Raises :class:`BrandingError` with the first problem."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            continue
        if key in COLOUR_KEYS:
            if not isinstance(value, str) or not is_hex_colour(value):
                raise BrandingError(
                    f"The {COLOUR_NAMES[key]} “{value}” is not a colour: write it as #RRGGBB."
                )
            problems = colour_problems(key, value)
            if problems:
                raise BrandingError(problems[0].message)
            value = value.upper()
        elif key == "font":
            if not isinstance(value, str) or not _FONT.match(value):
                raise BrandingError(
                    f"“{value}” is not a font family name (letters, digits, spaces and "
                    "hyphens, up to 64)."
                )
        elif key == "logo_url" and not isinstance(value, str):
            raise BrandingError("The logo must be a picture from the media library.")
        out[key] = value
    return out


@dataclass(frozen=True)
class BrandColours:
    """The colours a themed surface uses, derived from a (checked) branding document."""

    accent: str
    accent_dark: str
    """Hover fills and selected-tab text: a little darker, so still AA."""
    secondary: str
    font: str | None


def brand_colours(branding: Mapping[str, Any] | None, accent: str, secondary: str) -> BrandColours:
    """The organisation's colours where set and readable, the defaults otherwise."""
    doc = branding or {}
    primary = doc.get("primary_color")
    second = doc.get("secondary_color")
    font = doc.get("font")
    use_primary = (
        isinstance(primary, str)
        and is_hex_colour(primary)
        and not colour_problems("primary_color", primary)
    )
    use_second = (
        isinstance(second, str)
        and is_hex_colour(second)
        and not colour_problems("secondary_color", second)
    )
    chosen = primary.upper() if use_primary and isinstance(primary, str) else accent
    return BrandColours(
        accent=chosen,
        accent_dark=shade(chosen, 0.18),
        secondary=second.upper() if use_second and isinstance(second, str) else secondary,
        font=font if isinstance(font, str) and _FONT.match(font) else None,
    )
