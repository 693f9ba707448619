"""Small helpers shared by the Studio widgets."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtGui import QGuiApplication
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


def fit_size(dialog: QWidget, width: int, height: int, parent: QWidget | None = None) -> None:
    """Resize ``dialog`` to ``width``×``height``, or less so it fits the screen and the window.

    A dialog never opens taller or wider than what it is shown over (a 1024×700 screen
    keeps its buttons on screen); the layout's own minimum still wins, with scroll areas
    taking up the difference.
    """
    limits = []
    screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
    if screen is not None:
        avail = screen.availableGeometry()
        limits.append((avail.width() - 32, avail.height() - 48))
    if parent is not None and parent.window().isVisible():
        win = parent.window().size()
        limits.append((win.width() - 16, win.height() - 16))
    w, h = width, height
    for lw, lh in limits:
        w, h = min(w, lw), min(h, lh)
    dialog.resize(max(w, dialog.minimumWidth()), max(h, dialog.minimumHeight()))
