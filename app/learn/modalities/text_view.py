"""Text: the module rendered as a readable page, with adjustable font size."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from app.learn.modalities.base import ModalityHost, ModalityView, local_shortcut
from app.learn.render import module_html

BASE_PT = 11
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
        self.smaller.clicked.connect(lambda: self.set_point_size(self.point_size - 1))
        self.larger.clicked.connect(lambda: self.set_point_size(self.point_size + 1))
        local_shortcut(self, QKeySequence.StandardKey.ZoomIn, lambda: self.larger.click())
        local_shortcut(self, QKeySequence.StandardKey.ZoomOut, lambda: self.smaller.click())
        local_shortcut(self, "Ctrl+=", lambda: self.larger.click())
        self.set_point_size(BASE_PT)

    def set_point_size(self, pt: int) -> None:
        self.point_size = max(MIN_PT, min(MAX_PT, pt))
        s = self.point_size
        self.browser.document().setDefaultStyleSheet(
            f"body {{ font-size: {s}pt; }} h1 {{ font-size: {round(s * 1.8)}pt; }} "
            f"h2 {{ font-size: {round(s * 1.4)}pt; }} h3 {{ font-size: {round(s * 1.2)}pt; }} "
            "p, li { line-height: 140%; }"
        )
        m = self.host.module
        self.browser.setHtml(module_html(m.title, m.blocks, self.host.resolve_image))
        self.smaller.setEnabled(self.point_size > MIN_PT)
        self.larger.setEnabled(self.point_size < MAX_PT)

    def activate(self) -> None:
        self.browser.setFocus()
