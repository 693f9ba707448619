"""Slide Mode: a module presented as slides, in the course template's colours.

The slides are the same ones the narrated video is rendered from (``engine.media.script``),
so what a creator checks here is what learners will see. ←/→, PageUp/PageDown or Space move
between slides; F toggles full screen; the narration of each slide shows as speaker notes.
"""

from __future__ import annotations

import io

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine.media.script import NarrationScript
from engine.media.slides import render_slide, theme_for
from engine.templates import Template


class SlideModeDialog(QDialog):
    def __init__(
        self, script: NarrationScript, template: Template, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.script, self.template = script, template
        self.setWindowTitle(f"Slide Mode — {script.title}")
        self.setObjectName("slide-mode")
        outer = QVBoxLayout(self)
        self.canvas = QLabel()
        self.canvas.setObjectName("slide-canvas")
        self.canvas.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.canvas.setMinimumSize(480, 270)
        self.canvas.setStyleSheet("background: #101114;")
        outer.addWidget(self.canvas, 1)
        self.notes = QLabel()
        self.notes.setObjectName("slide-notes")
        self.notes.setWordWrap(True)
        self.notes.setProperty("role", "muted")
        outer.addWidget(self.notes)
        bar = QHBoxLayout()
        self.prev_button = QPushButton("← Previous")
        self.prev_button.setAccessibleName("Previous slide")
        self.prev_button.clicked.connect(lambda: self.go(self.index - 1))
        self.position = QLabel()
        self.position.setObjectName("slide-position")
        self.next_button = QPushButton("Next →")
        self.next_button.setAccessibleName("Next slide")
        self.next_button.clicked.connect(lambda: self.go(self.index + 1))
        full = QPushButton("Full screen (F)")
        full.setAccessibleName("Toggle full screen")
        full.clicked.connect(self.toggle_full_screen)
        bar.addWidget(self.prev_button)
        bar.addStretch(1)
        bar.addWidget(self.position)
        bar.addStretch(1)
        bar.addWidget(full)
        bar.addWidget(self.next_button)
        outer.addLayout(bar)
        self._pixmaps: dict[int, QPixmap] = {}
        self.index = 0
        self.resize(1040, 720)
        self.go(0)

    @property
    def count(self) -> int:
        return len(self.script.slides)

    def pixmap(self, i: int) -> QPixmap:
        if i not in self._pixmaps:
            footer = (
                f"{self.script.course_title} · {self.script.title}"
                if self.script.course_title
                else self.script.title
            )
            img = render_slide(
                self.script.slides[i], self.count, theme=theme_for(self.template), footer=footer
            )
            buf = io.BytesIO()
            img.save(buf, "PNG", compress_level=1)
            pm = QPixmap()
            pm.loadFromData(buf.getvalue(), "PNG")
            self._pixmaps[i] = pm
        return self._pixmaps[i]

    def go(self, i: int) -> None:
        if not self.count:
            self.canvas.setText("This module has no content to present yet.")
            self.position.setText("")
            return
        self.index = max(0, min(self.count - 1, i))
        slide = self.script.slides[self.index]
        self._show()
        self.position.setText(f"Slide {self.index + 1} of {self.count}")
        self.canvas.setAccessibleName(f"Slide {self.index + 1}: {slide.title}")
        self.notes.setText(f"Narration: {slide.narration}")
        self.prev_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < self.count - 1)

    def _show(self) -> None:
        if self.count:
            pm = self.pixmap(self.index)
            self.canvas.setPixmap(
                pm.scaled(
                    self.canvas.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space):
            self.go(self.index + 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp):
            self.go(self.index - 1)
        elif key == Qt.Key.Key_Home:
            self.go(0)
        elif key == Qt.Key.Key_End:
            self.go(self.count - 1)
        elif key == Qt.Key.Key_F:
            self.toggle_full_screen()
        else:
            super().keyPressEvent(event)
