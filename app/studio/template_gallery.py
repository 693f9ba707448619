"""The template gallery: all 14 course templates, each previewed with the course's own first
module (or a sample), to pick one with the keyboard or mouse."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.learn.render import module_html
from app.studio.common import fit_size
from engine.content import Block, CalloutBlock, HeadingBlock, ListBlock, ParagraphBlock
from engine.templates import TEMPLATES, Template, stylesheet

SAMPLE: list[Block] = [
    HeadingBlock(text="A section heading"),
    ParagraphBlock(text="Body text as learners will read it, with enough words to judge it."),
    ListBlock(items=["A first point", "A second point"]),
    CalloutBlock(style="tip", text="A tip stands out from the text."),
]


def preview(t: Template, title: str, blocks: list[Block]) -> QTextBrowser:
    b = QTextBrowser()
    b.setObjectName(f"template-preview-{t.id}")
    b.setAccessibleName(f"Preview of the {t.name} template")
    b.document().setDefaultStyleSheet(stylesheet(t, scale=0.8))
    b.setStyleSheet(f"QTextBrowser {{ background-color: {t.background}; color: {t.text}; }}")
    b.setHtml(module_html(title, blocks[:6], None, t))
    b.setFixedSize(300, 210)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return b


class TemplateGallery(QDialog):
    def __init__(
        self,
        current: str | None,
        title: str = "Module title",
        blocks: list[Block] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose a course template")
        self.setObjectName("template-gallery")
        self.chosen: str | None = current or TEMPLATES[0].id
        outer = QVBoxLayout(self)
        intro = QLabel(
            "Templates set colours, type and layout for Learn, Slide Mode and "
            "exports. Every template keeps text readable (WCAG AA contrast)."
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)
        scroll = QScrollArea()
        scroll.setObjectName("template-grid")
        scroll.setAccessibleName("Templates")
        scroll.setWidgetResizable(True)
        host = QWidget()
        grid = QGridLayout(host)
        self.buttons: dict[str, QPushButton] = {}
        for i, t in enumerate(TEMPLATES):
            cell = QVBoxLayout()
            cell.addWidget(preview(t, title, blocks or SAMPLE))
            b = QPushButton(t.name)
            b.setCheckable(True)
            b.setObjectName(f"template-{t.id}")
            b.setAccessibleName(f"{t.name} template: {t.description}")
            b.setToolTip(t.description)
            b.setChecked(t.id == self.chosen)
            b.clicked.connect(lambda _=False, tid=t.id: self.choose(tid))
            self.buttons[t.id] = b
            cell.addWidget(b)
            grid.addLayout(cell, i // 3, i % 3)
        scroll.setWidget(host)
        outer.addWidget(scroll, 1)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = box.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Use this template")
        ok.setObjectName("template-use")
        ok.setAccessibleName("Use the selected template")
        cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName("template-cancel")
        cancel.setAccessibleName("Cancel and keep the current template")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        outer.addWidget(box)
        fit_size(self, 1020, 720, parent)

    def choose(self, template_id: str) -> None:
        self.chosen = template_id
        for tid, b in self.buttons.items():
            b.setChecked(tid == template_id)
