"""The 14 visual course templates: theme, typography and how blocks are laid out.

A course names its template (``courses.template``); the Learn player, Slide Mode and exports
all style content from the same ``Template``, so a course looks the same everywhere. Every
template keeps WCAG 2.1 AA contrast for its text colours (checked by the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

HeadingStyle = Literal["plain", "underline", "band"]
CalloutStyle = Literal["filled", "bordered"]


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    description: str
    background: str
    text: str
    muted: str
    accent: str  # headings, links, rules
    callout_bg: str
    code_bg: str
    heading_font: str
    body_font: str
    heading_style: HeadingStyle = "plain"
    callout_style: CalloutStyle = "filled"
    body_pt: float = 11.0
    line_height: int = 150  # percent
    slide_bg: str = ""  # Slide Mode background (defaults to ``background``)
    slide_text: str = ""

    @property
    def slide_background(self) -> str:
        return self.slide_bg or self.background

    @property
    def slide_foreground(self) -> str:
        return self.slide_text or self.text


_SANS = "Inter, 'Noto Sans', 'DejaVu Sans', Arial, sans-serif"
_SERIF = "'Noto Serif', 'DejaVu Serif', Georgia, serif"
_MONO = "'DejaVu Sans Mono', 'Noto Sans Mono', monospace"
_ROUND = "'Nunito', 'Noto Sans', 'DejaVu Sans', sans-serif"

TEMPLATES: tuple[Template, ...] = (
    Template(
        "classic",
        "Classic",
        "Calm blue headings on white; the ByteOS default.",
        "#FFFFFF",
        "#1F2430",
        "#4A5263",
        "#3B5BDB",
        "#EAF0FF",
        "#F1F3F8",
        _SANS,
        _SANS,
    ),
    Template(
        "modern",
        "Modern",
        "Generous spacing and a bold violet accent band.",
        "#FFFFFF",
        "#18181B",
        "#52525B",
        "#6D28D9",
        "#F3E8FF",
        "#F4F4F5",
        _SANS,
        _SANS,
        heading_style="band",
        line_height=160,
    ),
    Template(
        "minimal",
        "Minimal",
        "Black on white, nothing to distract.",
        "#FFFFFF",
        "#111111",
        "#555555",
        "#111111",
        "#F5F5F5",
        "#F5F5F5",
        _SANS,
        _SANS,
        callout_style="bordered",
    ),
    Template(
        "bold",
        "Bold",
        "Large type and strong red headings for short punchy modules.",
        "#FFFFFF",
        "#1A1A1A",
        "#4D4D4D",
        "#B91C1C",
        "#FEE2E2",
        "#F5F5F5",
        _SANS,
        _SANS,
        body_pt=12.5,
        heading_style="underline",
    ),
    Template(
        "corporate",
        "Corporate",
        "Navy and grey, for policy and compliance training.",
        "#FFFFFF",
        "#1E293B",
        "#475569",
        "#1E3A8A",
        "#E0E7FF",
        "#F1F5F9",
        _SANS,
        _SANS,
        heading_style="underline",
    ),
    Template(
        "playful",
        "Playful",
        "Rounded type and warm colours for younger learners.",
        "#FFFBF0",
        "#2D2A26",
        "#5C554B",
        "#C2410C",
        "#FFEDD5",
        "#FFF3D6",
        _ROUND,
        _ROUND,
        body_pt=12.0,
        line_height=160,
    ),
    Template(
        "academic",
        "Academic",
        "Serif body text with footnote-like asides.",
        "#FFFFFF",
        "#222222",
        "#555555",
        "#7C2D12",
        "#F7F3EE",
        "#F4F1EC",
        _SERIF,
        _SERIF,
        callout_style="bordered",
        line_height=165,
    ),
    Template(
        "night",
        "Night",
        "Light text on dark, easy on the eyes in the evening.",
        "#111827",
        "#E5E7EB",
        "#B6BCC8",
        "#93C5FD",
        "#1F2937",
        "#1F2937",
        _SANS,
        _SANS,
    ),
    Template(
        "ocean",
        "Ocean",
        "Teal and sea-blue on a pale background.",
        "#F0FDFA",
        "#0F2E2B",
        "#35524F",
        "#0F766E",
        "#CCFBF1",
        "#E0F2F1",
        _SANS,
        _SANS,
        heading_style="band",
    ),
    Template(
        "forest",
        "Forest",
        "Deep greens for nature, safety and sustainability topics.",
        "#F6FBF4",
        "#1B2B1B",
        "#475747",
        "#166534",
        "#DCFCE7",
        "#ECF5E8",
        _SERIF,
        _SANS,
    ),
    Template(
        "sunset",
        "Sunset",
        "Warm magenta and amber accents.",
        "#FFF7F5",
        "#2A1F24",
        "#5B4A52",
        "#BE185D",
        "#FCE7F3",
        "#FDF0EB",
        _SANS,
        _SANS,
        heading_style="underline",
    ),
    Template(
        "monochrome",
        "Monochrome",
        "Greys only; prints well and suits any brand.",
        "#FAFAFA",
        "#1C1C1C",
        "#4F4F4F",
        "#333333",
        "#EDEDED",
        "#EDEDED",
        _SERIF,
        _SANS,
        callout_style="bordered",
    ),
    Template(
        "blueprint",
        "Blueprint",
        "White on blueprint blue, with monospaced headings.",
        "#0B3D91",
        "#F8FAFC",
        "#D6E2F5",
        "#FDE68A",
        "#0E4AA8",
        "#0A3380",
        _MONO,
        _SANS,
    ),
    Template(
        "paper",
        "Paper",
        "Cream paper and ink-brown serif for long reading.",
        "#FBF6EC",
        "#2B2118",
        "#5E5041",
        "#8A4B08",
        "#F3E9D2",
        "#F1E8D6",
        _SERIF,
        _SERIF,
        line_height=170,
    ),
)
DEFAULT = TEMPLATES[0]
_BY_ID = {t.id: t for t in TEMPLATES}


def template(template_id: str | None) -> Template:
    """The course's template; unknown or missing ids fall back to the default."""
    return _BY_ID.get(template_id or "", DEFAULT)


def stylesheet(t: Template, scale: float = 1.0) -> str:
    """CSS for Qt rich text (a subset of CSS 2.1) in this template."""
    pt = t.body_pt * scale
    h_deco = {
        "plain": "",
        "underline": f"border-bottom: 2px solid {t.accent};",
        "band": f"background-color: {t.callout_bg}; padding: 4px;",
    }[t.heading_style]
    return (
        f"body {{ background-color: {t.background}; color: {t.text}; "
        f"font-family: {t.body_font}; font-size: {pt:.1f}pt; }}"
        f"h1, h2, h3, h4, h5 {{ color: {t.accent}; font-family: {t.heading_font}; }}"
        f"h1 {{ font-size: {pt * 1.9:.1f}pt; }} h2 {{ font-size: {pt * 1.45:.1f}pt; {h_deco} }}"
        f"h3 {{ font-size: {pt * 1.2:.1f}pt; }}"
        f"p, li {{ line-height: {t.line_height}%; }}"
        f"pre {{ background-color: {t.code_bg}; font-family: {_MONO}; }}"
        f"a {{ color: {t.accent}; }}"
    )


def branded(t: Template, primary: str | None, font: str | None = None) -> Template:
    """``t`` in an organisation's colours (issue 13): its accent becomes the brand's primary
    colour and its headings the brand's font, where the colour keeps AA text contrast on this
    template's background and callouts (a dark template keeps its own accent)."""
    from dataclasses import replace

    from engine.accessibility import AA_TEXT, is_hex_colour, worst_ratio

    accent = t.accent
    readable = primary and is_hex_colour(primary)
    if readable and worst_ratio(primary or "", (t.background, t.callout_bg)) >= AA_TEXT:
        accent = (primary or "").upper()
    heading = f"'{font}', {t.heading_font}" if font else t.heading_font
    return replace(t, accent=accent, heading_font=heading)
