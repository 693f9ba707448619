"""Flashcards: the module's cards reviewed on the FSRS schedule (again / hard / good / easy).

Keyboard: Space shows the answer, 1–4 grade it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.learn.modalities.base import ModalityHost, ModalityView, local_shortcut
from app.services import flashcards
from app.services.errors import UserError
from engine.adaptive import spaced_repetition as sr

GRADE_BUTTONS: tuple[tuple[sr.Grade, str, str], ...] = (
    ("again", "Again", "1"),
    ("hard", "Hard", "2"),
    ("good", "Good", "3"),
    ("easy", "Easy", "4"),
)


def _when(seconds: float) -> str:
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


class FlashcardsView(ModalityView):
    name = "flashcards"
    label = "Flashcards"

    def __init__(self, host: ModalityHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 16, 24, 16)
        self.status = QLabel()
        self.status.setObjectName("flashcards-status")
        self.status.setProperty("role", "muted")
        lay.addWidget(self.status)
        self.card = QFrame()
        self.card.setProperty("role", "card")
        self.card.setObjectName("flashcard")
        self.card.setMinimumHeight(260)
        cl = QVBoxLayout(self.card)
        cl.setContentsMargins(32, 28, 32, 28)
        self.front = QLabel()
        self.front.setObjectName("flashcard-front")
        self.front.setWordWrap(True)
        self.front.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.front.setStyleSheet("font-size: 16pt; font-weight: 600;")
        cl.addWidget(self.front, 1)
        self.back = QLabel()
        self.back.setObjectName("flashcard-back")
        self.back.setWordWrap(True)
        self.back.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.back.setStyleSheet("font-size: 12.5pt;")
        cl.addWidget(self.back, 1)
        lay.addWidget(self.card, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.show_button = QPushButton("Show answer  (Space)")
        self.show_button.setObjectName("flashcard-show")
        self.show_button.setProperty("role", "primary")
        self.show_button.setAccessibleName("Show the answer")
        self.show_button.clicked.connect(self.reveal)
        row.addWidget(self.show_button)
        self.grade_buttons: dict[str, QPushButton] = {}
        for grade, text, key in GRADE_BUTTONS:
            b = QPushButton(f"{text}  ({key})")
            b.setObjectName(f"flashcard-{grade}")
            b.setAccessibleName(f"Grade: {text}")
            b.clicked.connect(lambda _=False, g=grade: self.grade(g))
            local_shortcut(self, key, lambda g=grade: self._key_grade(g))
            self.grade_buttons[grade] = b
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        local_shortcut(self, Qt.Key.Key_Space, self.reveal)
        self.cards: list[sr.Flashcard] = []
        self.current: sr.Flashcard | None = None
        self.shown_at = time.monotonic()
        self.reviewed = 0
        self.load()

    def load(self) -> None:
        self.cards = flashcards.deck(self.host.ctx, self.host.user, self.host.module)
        self.next_card()

    def next_card(self) -> None:
        now = datetime.now(UTC)
        due = sr.due_cards(self.cards, now)
        st = flashcards.status(self.cards, now)
        self.current = due[0] if due else None
        self.shown_at = time.monotonic()
        self.back.clear()
        if self.current is None:
            wait = (
                f" Next review in {_when((st.next_due - now).total_seconds())}."
                if st.next_due
                else ""
            )
            self.front.setText("All caught up! 🎉")
            self.back.setText(f"You reviewed {self.reviewed} card(s) this session.{wait}")
            self.status.setText(f"{st.total} cards · none due")
        else:
            self.front.setText(self.current.front)
            self.status.setText(f"{st.due} due ({st.new} new) · {st.total} cards in this module")
        self.card.setAccessibleName(f"Flashcard: {self.front.text()}")
        self.show_button.setVisible(self.current is not None)
        self.show_button.setEnabled(self.current is not None)
        for b in self.grade_buttons.values():
            b.setVisible(False)

    def reveal(self) -> None:
        if self.current is None:
            return
        self.back.setText(self.current.back)
        self.show_button.setVisible(False)
        for b in self.grade_buttons.values():
            b.setVisible(True)
        self.grade_buttons["good"].setFocus()

    def _key_grade(self, grade: sr.Grade) -> None:
        if self.current is not None and self.back.text():
            self.grade(grade)

    def grade(self, grade: sr.Grade) -> None:
        card = self.current
        if card is None:
            return
        secs = round(time.monotonic() - self.shown_at)
        try:
            updated = flashcards.review(
                self.host.ctx, self.host.user, self.host.course.id, card, grade, secs
            )
        except UserError as err:  # e.g. NotSaved (disk full): said here, never a modal
            self.status.setText(str(err))
            return
        self.cards = [updated if c.card_id == card.card_id else c for c in self.cards]
        self.reviewed += 1
        self.next_card()
