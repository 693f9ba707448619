"""The dashboard's colours: every series colour has at least 4.5:1 against the chart's white
plot area (more than the 3:1 WCAG 1.4.11 asks of graphics, so a colour also works as text
in the legend), and the heat map picks its cell text by measured contrast.

The organisation's own primary colour (``organisations.branding.primary_color``) leads the
series when it passes the same check against white; otherwise the theme's accent does.
Colour is never the only cue: every bar has its value on hover and in the table beside it.
"""

from __future__ import annotations

from app.shell.theme import ACCENT, TEXT
from engine.accessibility import contrast_ratio

CHART_BACKGROUND = "#FFFFFF"
MIN_RATIO = 4.5

SERIES = (
    ACCENT,  # blue, 6.1:1
    "#A3470A",  # burnt orange, 5.6:1
    "#1E7A46",  # green, 5.5:1
    "#7B3FA0",  # purple, 6.9:1
    "#B42318",  # red, 6.5:1
    "#4A5263",  # slate, 8.0:1
)
PARTS = {
    # the meaning of a colour is the same in every view
    "started": ACCENT,
    "finished": "#1E7A46",
    "stopped": "#B42318",
    "drop_offs": "#A3470A",
    "overdue": "#B42318",
    "due_soon": "#A3470A",
    "pending": "#4A5263",
    "compliant": "#1E7A46",
    "exempt": "#7B3FA0",
}
HEAT_BANDS: tuple[tuple[float, str, str], ...] = (
    # (upper bound of the gap, cell colour, legend label): five steps read better than a
    # continuous ramp, and each step keeps its text at AA (no mid-grey where neither dark
    # nor white text reaches 4.5:1)
    (0.2, "#EEF3FF", "under 0.2"),
    (0.4, "#FFE3B3", "0.2–0.4"),
    (0.6, "#F5A25D", "0.4–0.6"),
    (0.8, "#B93A0C", "0.6–0.8"),
    (1.0, "#7A1712", "0.8 or more"),
)
NO_DATA = "#FFFFFF"  # hatched by the heat map: "not assessed"


def series(brand: str | None = None) -> tuple[str, ...]:
    """The series colours, the organisation's first when it is readable on white."""
    if brand and _valid(brand) and contrast_ratio(brand, CHART_BACKGROUND) >= MIN_RATIO:
        return (brand, *(c for c in SERIES if c.lower() != brand.lower()))
    return SERIES


def _valid(colour: str) -> bool:
    c = colour.lstrip("#")
    return len(c) == 6 and all(ch in "0123456789abcdefABCDEF" for ch in c)


def heat(gap: float) -> str:
    """The cell colour of a gap in [0, 1], from pale (small) to dark red (wide)."""
    g = min(1.0, max(0.0, gap))
    return next(colour for bound, colour, _ in HEAT_BANDS if g < bound or bound == 1.0)


def text_on(background: str) -> str:
    """Dark or white text, whichever contrasts more with ``background`` (always >= 4.5:1
    on the heat scale; a test holds it)."""
    dark, light = TEXT, "#FFFFFF"
    return dark if contrast_ratio(dark, background) >= contrast_ratio(light, background) else light
