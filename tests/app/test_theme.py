"""Readable contrast (WCAG 2.1 AA: 4.5:1 for text) for the theme's text colours."""

from __future__ import annotations

import pytest

from app.shell import theme


@pytest.mark.parametrize(
    ("fg", "bg"),
    [
        (theme.TEXT, theme.SURFACE),
        (theme.TEXT, theme.BACKGROUND),
        (theme.MUTED, theme.SURFACE),
        (theme.MUTED, theme.BACKGROUND),
        ("#FFFFFF", theme.ACCENT),
        (theme.ACCENT, theme.SURFACE),
        (theme.SUCCESS, theme.SURFACE),
        (theme.DANGER, theme.SURFACE),
        (theme.WARNING_TEXT, theme.WARNING_BG),
        (theme.TEXT, theme.INFO_BG),
        (theme.TEXT, theme.TIP_BG),
    ],
)
def test_text_contrast_meets_aa(fg: str, bg: str) -> None:
    assert theme.contrast_ratio(fg, bg) >= 4.5


def test_contrast_ratio_known_values() -> None:
    assert theme.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast_ratio("#777777", "#FFFFFF") < 4.5
