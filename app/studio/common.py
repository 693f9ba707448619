"""Small helpers shared by the Studio widgets."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QLabel, QWidget

from app.services.authoring import STATUS_LABELS

W = TypeVar("W", bound=QWidget)

# Dark text on light tints: every pair is above 4.5:1 (WCAG AA).
STATUS_COLOURS = {
    "draft": ("#E9ECEF", "#212529"),
    "published": ("#D3F9D8", "#1B5E20"),
    "archived": ("#FFE8CC", "#7A3E00"),
}


def named(widget: W, object_name: str, accessible_name: str, tooltip: str | None = None) -> W:
    """Give ``widget`` an object name (for tests and the shell) and an accessible name."""
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name)
    if tooltip:
        widget.setToolTip(tooltip)
    return widget


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.capitalize())


def badge_style(status: str) -> str:
    bg, fg = STATUS_COLOURS.get(status, STATUS_COLOURS["draft"])
    return (
        f"QLabel {{ background: {bg}; color: {fg}; border-radius: 8px; padding: 2px 10px;"
        " font-weight: 600; }"
    )


def muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label


def clear_layout_widgets(widgets: list[QWidget]) -> None:
    """Detach then delete widgets, so ``findChild`` never sees a half-deleted one."""
    for w in widgets:
        w.hide()
        w.setParent(None)  # type: ignore[call-overload]
        w.deleteLater()
