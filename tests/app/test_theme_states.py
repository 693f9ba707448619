"""Issue 11 (items 3, 6, 7): checked toggles do not clip their labels, every focus is
visible, and disabled text is readable."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.shell import theme

LABELS = ["Video", "Audio", "ByteMind", "Flashcards", "Quiz (3)", "Helpful", "Text"]


@pytest.fixture
def styled(qapp: QApplication):  # type: ignore[no-untyped-def]
    before = qapp.styleSheet()
    qapp.setStyleSheet(theme.STYLESHEET)
    yield qapp
    qapp.setStyleSheet(before)


def _rules() -> list[tuple[str, str]]:
    css = re.sub(r"/\*.*?\*/", "", theme.STYLESHEET, flags=re.S)
    return [(sel.strip(), body) for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)]


def test_no_state_changes_the_font_weight() -> None:
    for selector, body in _rules():
        if any(p in selector for p in (":checked", ":focus", ":hover", ":pressed")):
            assert "font-weight" not in body and "font-size" not in body, selector


def _repolish(w: QWidget) -> None:
    w.style().unpolish(w)
    w.style().polish(w)
    w.updateGeometry()


@pytest.mark.parametrize("role", [None, "nav", "primary"])
def test_checked_and_focused_buttons_keep_their_size(
    qtbot: QtBot, styled: QApplication, role: str | None
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    lay = QHBoxLayout(host)
    buttons = []
    for text in LABELS:
        b = QPushButton(text)
        b.setCheckable(True)
        if role:
            b.setProperty("role", role)
        lay.addWidget(b)
        buttons.append(b)
    host.show()
    qtbot.waitExposed(host)
    for b in buttons:
        normal = b.sizeHint()
        b.setChecked(True)
        _repolish(b)
        assert b.sizeHint() == normal, b.text()
        # the label fits in the checked state's font
        need = b.fontMetrics().horizontalAdvance(b.text())
        assert b.sizeHint().width() >= need + 24, b.text()
        b.setChecked(False)
        _repolish(b)
        assert b.sizeHint() == normal, b.text()


def _border_pixel(w: QWidget) -> QColor:
    img = w.grab().toImage()
    return img.pixelColor(img.width() // 2, 0)


@pytest.mark.parametrize("kind", ["button", "primary", "nav", "checked", "line", "combo"])
def test_every_focus_is_visible(qtbot: QtBot, styled: QApplication, kind: str) -> None:
    host = QWidget()
    host.setObjectName("page")
    qtbot.addWidget(host)
    lay = QHBoxLayout(host)
    other = QPushButton("Other")
    lay.addWidget(other)
    w: QWidget
    if kind == "line":
        w = QLineEdit("text")
    elif kind == "combo":
        combo = QComboBox()
        combo.addItems(["One", "Two"])
        w = combo
    else:
        b = QPushButton("Target")
        if kind in ("primary", "nav"):
            b.setProperty("role", kind)
        if kind == "checked":
            b.setCheckable(True)
            b.setChecked(True)
        w = b
    lay.addWidget(w)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    unfocused = _border_pixel(w)
    w.setFocus()
    qtbot.waitUntil(w.hasFocus)
    _repolish(w)
    focused = _border_pixel(w)
    ring = QColor(theme.FOCUS_RING)
    assert focused != unfocused
    assert (
        max(
            abs(focused.red() - ring.red()),
            abs(focused.green() - ring.green()),
            abs(focused.blue() - ring.blue()),
        )
        < 40
    ), (kind, focused.name())


@pytest.mark.parametrize(
    "bg", [theme.SURFACE, theme.BACKGROUND, theme.INFO_BG, theme.ACCENT, theme.DISABLED_BG]
)
def test_focus_ring_contrast(bg: str) -> None:
    assert theme.contrast_ratio(theme.FOCUS_RING, bg) >= 3.0


@pytest.mark.parametrize(
    ("fg", "bg"),
    [
        (theme.DISABLED_TEXT, theme.DISABLED_BG),
        (theme.DISABLED_TEXT, theme.SURFACE),
        (theme.DISABLED_TEXT, theme.BACKGROUND),
        (theme.MUTED, theme.PRIMARY_DISABLED_BG),
        (theme.ACCENT_DARK, theme.INFO_BG),
    ],
)
def test_disabled_and_checked_text_meets_aa(fg: str, bg: str) -> None:
    assert theme.contrast_ratio(fg, bg) >= 4.5


def test_stylesheet_uses_only_readable_disabled_colours() -> None:
    """Every colour a :disabled rule gives text is readable on its disabled background."""
    for selector, body in _rules():
        if ":disabled" not in selector:
            continue
        m = re.search(r"(?<![-\w])color:\s*(#[0-9A-Fa-f]{6})", body)
        if m:
            bg = re.search(r"background:\s*(#[0-9A-Fa-f]{6})", body)
            back = bg.group(1) if bg else theme.DISABLED_BG
            assert theme.contrast_ratio(m.group(1), back) >= 4.5, selector
