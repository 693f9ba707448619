"""ByteFeed: the module as a vertical feed of one-idea cards, with a question every few.

Scroll, or press ↓ / ↑ (or J / K) to snap to the next or previous card.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.learn.modalities.base import ModalityHost, ModalityView, local_shortcut
from app.learn.quiz_panel import QuestionWidget
from app.services import learning
from app.shell.theme import ACCENT, INFO_BG, TIP_BG
from engine.content import Question
from engine.modalities.feed import FeedCard, feed_cards

_KIND_STYLE = {"tip": TIP_BG, "question": INFO_BG}


class FeedCardWidget(QFrame):
    def __init__(self, index: int, total: int, card: FeedCard, parent: QWidget | None = None):
        super().__init__(parent)
        self.card = card
        self.setProperty("role", "card")
        self.setObjectName(f"feed-card-{index}")
        bg = _KIND_STYLE.get(card.kind)
        if bg:
            self.setStyleSheet(f"QFrame#feed-card-{index} {{ background: {bg}; }}")
        self.setMinimumHeight(220)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(28, 20, 28, 20)
        top = QLabel(f"{card.topic}  ·  {index}/{total}")
        top.setStyleSheet(f"color: {ACCENT}; font-weight: 600;")
        lay.addWidget(top)
        self.question_widget: QuestionWidget | None = None
        if card.kind == "question":
            assert card.question is not None
            self.setAccessibleName(f"Question card: {card.text}")
        else:
            text = QLabel(card.text)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            mono = "font-family: monospace; " if card.kind == "code" else ""
            text.setStyleSheet(f"{mono}font-size: 15pt;")
            lay.addWidget(text, 1)
            self.setAccessibleName(f"Card {index} of {total}: {card.text}")


class FeedView(ModalityView):
    name = "feed"
    label = "ByteFeed"

    def __init__(self, host: ModalityHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        m = host.module
        self.cards = feed_cards(m.title, m.blocks, m.quiz)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("feed-scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setAccessibleName("ByteFeed: scroll or press down for the next card")
        inner = QWidget()
        inner.setObjectName("page")
        col = QVBoxLayout(inner)
        col.setContentsMargins(80, 16, 80, 16)
        col.setSpacing(18)
        self.widgets: list[FeedCardWidget] = []
        for i, card in enumerate(self.cards, start=1):
            w = FeedCardWidget(i, len(self.cards), card)
            if card.question is not None:
                w.question_widget = QuestionWidget(i, card.question, self._attempt)
                w.layout().addWidget(w.question_widget)
            col.addWidget(w)
            self.widgets.append(w)
        end = QLabel("You reached the end of the feed. ✓")
        end.setAlignment(Qt.AlignmentFlag.AlignCenter)
        end.setProperty("role", "muted")
        col.addWidget(end)
        col.addStretch(1)
        self.scroll.setWidget(inner)
        lay.addWidget(self.scroll)
        self.position = 0
        for key in ("Down", "J"):
            local_shortcut(self, key, self.next_card)
        for key in ("Up", "K"):
            local_shortcut(self, key, self.previous_card)

    def _attempt(
        self, question: Question, selected: list[str], correct: bool, attempt: int, secs: int
    ) -> None:
        self.host.record(
            "quiz_attempt",
            duration_secs=secs,
            payload=learning.quiz_attempt_payload(
                question,
                selected,
                correct,
                attempt_no=attempt,
                difficulty=self.host.course.difficulty,
            ),
        )

    def show_card(self, index: int) -> None:
        if not self.widgets:
            return
        self.position = max(0, min(len(self.widgets) - 1, index))
        w = self.widgets[self.position]
        self.scroll.verticalScrollBar().setValue(w.y() - 16)
        w.setFocus()

    def next_card(self) -> None:
        self.show_card(self.position + 1)

    def previous_card(self) -> None:
        self.show_card(self.position - 1)

    def activate(self) -> None:
        self.scroll.setFocus()
