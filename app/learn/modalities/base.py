"""What every modality view gets from the course player, and what it must provide.

A modality view renders one module in one modality. It never talks SQL: it records events
through ``ModalityHost.record`` (which goes through ``app.services.learning.record_event``
with the right course, module and modality) and runs long work through ``host.runner``
(``app.tasks.TaskRunner``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from app.services.accounts import CurrentUser
from app.services.authoring import CourseDoc, ModuleDoc
from app.services.context import AppContext
from app.tasks import TaskRunner

# Keyboard shortcuts of a modality act only while focus is inside it, so they never steal
# keys (Space, arrows, digits) from the rest of the window.
LOCAL = Qt.ShortcutContext.WidgetWithChildrenShortcut


def local_shortcut(
    widget: QWidget, key: QKeySequence | QKeySequence.StandardKey | str, fn: Callable[[], object]
) -> QShortcut:
    """A shortcut that fires only while focus is inside ``widget``."""
    sc = QShortcut(QKeySequence(key), widget)
    sc.setContext(LOCAL)
    sc.activated.connect(fn)
    return sc


@dataclass
class ModalityHost:
    ctx: AppContext
    user: CurrentUser
    course: CourseDoc
    module: ModuleDoc
    runner: TaskRunner
    record: Callable[..., bool]  # record(event_type, *, duration_secs=None, payload=None)
    resolve_image: Callable[[str], str]


class ModalityView(QWidget):
    """Base class: ``name`` is the canonical modality (text, video, audio, mindmap,
    flashcards, game, feed); ``label`` is what the switcher shows."""

    name: str = ""
    label: str = ""

    def __init__(self, host: ModalityHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.setObjectName(f"modality-{self.name}")

    def activate(self) -> None:
        """Called when the learner switches to this modality (start media, focus...)."""

    def deactivate(self) -> None:
        """Called when the learner leaves it (pause media, cancel work...)."""

    def payload_defaults(self) -> dict[str, Any]:
        return {}
