"""The 14 course templates: all present, distinct, and readable (WCAG AA contrast)."""

from __future__ import annotations

import pytest

from engine.accessibility import contrast_ratio
from engine.templates import DEFAULT, TEMPLATES, stylesheet, template


def test_fourteen_distinct_templates() -> None:
    assert len(TEMPLATES) == 14
    assert len({t.id for t in TEMPLATES}) == 14 and len({t.name for t in TEMPLATES}) == 14
    assert len({(t.background, t.accent) for t in TEMPLATES}) == 14


@pytest.mark.parametrize("t", TEMPLATES, ids=lambda t: t.id)
def test_text_contrast(t) -> None:  # type: ignore[no-untyped-def]
    for fg, bg in (
        (t.text, t.background),
        (t.muted, t.background),
        (t.accent, t.background),
        (t.text, t.callout_bg),
        (t.accent, t.callout_bg),
        (t.text, t.code_bg),
        (t.slide_foreground, t.slide_background),
    ):
        assert contrast_ratio(fg, bg) >= 4.5, (t.id, fg, bg)


def test_lookup_and_stylesheet() -> None:
    assert template("night").name == "Night"
    assert template(None) is DEFAULT and template("no-such") is DEFAULT
    css = stylesheet(template("paper"), scale=2.0)
    assert "font-size: 22.0pt" in css and "#FBF6EC" in css
