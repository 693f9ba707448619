"""Text: the module rendered as a readable page, with adjustable font size."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from app.learn.modalities.base import ModalityHost, ModalityView, local_shortcut
from app.learn.render import module_html
from engine.templates import stylesheet, template

BASE_PT = 11  # the template's body size at 100 %
MIN_PT, MAX_PT = 8, 28


class TextView(ModalityView):
    name = "text"
    label = "Text"

    def __init__(self, host: ModalityHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addStretch(1)
        size_label = QLabel("Text size")
        size_label.setProperty("role", "muted")
        bar.addWidget(size_label)
        self.smaller = QPushButton("A−")
        self.smaller.setObjectName("text-smaller")
        self.smaller.setAccessibleName("Smaller text")
        self.smaller.setToolTip("Smaller text (Ctrl+-)")
        self.larger = QPushButton("A+")
        self.larger.setObjectName("text-larger")
        self.larger.setAccessibleName("Larger text")
        self.larger.setToolTip("Larger text (Ctrl++)")
        bar.addWidget(self.smaller)
        bar.addWidget(self.larger)
        lay.addLayout(bar)
        self.browser = QTextBrowser()
        self.browser.setObjectName("module-reader")
        self.browser.setAccessibleName("Module content")
        self.browser.setOpenExternalLinks(False)
        self.browser.document().setDocumentMargin(24)
        lay.addWidget(self.browser, 1)
        self.point_size = BASE_PT
        self.template = template(host.course.template)
        self.smaller.clicked.connect(lambda: self.set_point_size(self.point_size - 1))
        self.larger.clicked.connect(lambda: self.set_point_size(self.point_size + 1))
        local_shortcut(self, QKeySequence.StandardKey.ZoomIn, lambda: self.larger.click())
        local_shortcut(self, QKeySequence.StandardKey.ZoomOut, lambda: self.smaller.click())
        local_shortcut(self, "Ctrl+=", lambda: self.larger.click())
        self.set_point_size(BASE_PT)

    def set_point_size(self, pt: int) -> None:
        self.point_size = max(MIN_PT, min(MAX_PT, pt))
        t = self.template
        self.browser.document().setDefaultStyleSheet(stylesheet(t, scale=self.point_size / BASE_PT))
        self.browser.setStyleSheet(
            f"QTextBrowser {{ background-color: {t.background}; color: {t.text}; }}"
        )
        m = self.host.module
        self.browser.setHtml(module_html(m.title, m.blocks, self.host.resolve_image, t))
        self.smaller.setEnabled(self.point_size > MIN_PT)
        self.larger.setEnabled(self.point_size < MAX_PT)

    def activate(self) -> None:
        self.browser.setFocus()
