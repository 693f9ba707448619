"""A module's quiz: answer, check, see why — with immediate, non-judgemental feedback."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.shell.theme import DANGER, SUCCESS
from engine.content import Question

# (question, selected choice ids, correct, seconds spent) -> None
AttemptCallback = Callable[[Question, list[str], bool, int, int], None]


class QuestionWidget(QGroupBox):
    def __init__(
        self,
        number: int,
        question: Question,
        on_attempt: AttemptCallback,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Question {number}", parent)
        self.question = question
        self.on_attempt = on_attempt
        self.attempts = 0
        self.answered_correctly = False
        self.shown_at = time.monotonic()
        self.setObjectName(f"question-{number}")
        self.setAccessibleName(f"Question {number}: {question.prompt}")
        lay = QVBoxLayout(self)
        self.prompt = QLabel(question.prompt)
        self.prompt.setWordWrap(True)
        self.prompt.setStyleSheet("font-weight: 600;")
        lay.addWidget(self.prompt)
        if question.type == "multiple" and "all that apply" not in question.prompt.lower():
            hint = QLabel("Select all that apply.")
            hint.setProperty("role", "muted")
            lay.addWidget(hint)
        self.group = QButtonGroup(self)
        self.group.setExclusive(question.type != "multiple")
        self.buttons: dict[str, QAbstractButton] = {}
        for choice in question.choices:
            btn: QAbstractButton = (
                QCheckBox(choice.text) if question.type == "multiple" else QRadioButton(choice.text)
            )
            btn.setAccessibleName(choice.text)
            self.group.addButton(btn)
            self.buttons[choice.id] = btn
            lay.addWidget(btn)
        row = QHBoxLayout()
        self.check_button = QPushButton("Check answer")
        self.check_button.setObjectName("check-answer")
        self.check_button.setAccessibleName(f"Check answer to question {number}")
        self.check_button.clicked.connect(self.check)
        row.addWidget(self.check_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.feedback = QLabel()
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        self.feedback.setAccessibleName(f"Feedback for question {number}")
        lay.addWidget(self.feedback)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_labels()

    def _fit_labels(self) -> None:
        """Word-wrapped labels don't report their wrapped height to a scroll area's layout;
        pin each one's minimum height to what its current width needs."""
        for label in (self.prompt, self.feedback):
            width = max(label.width(), 200)
            label.setMinimumHeight(label.heightForWidth(width) if label.text() else 0)

    def selected(self) -> list[str]:
        return [cid for cid, b in self.buttons.items() if b.isChecked()]

    def select(self, choice_ids: list[str]) -> None:
        for cid, b in self.buttons.items():
            b.setChecked(cid in choice_ids)

    def check(self) -> None:
        chosen = self.selected()
        if not chosen:
            self.feedback.setStyleSheet("")
            self.feedback.setText("Choose an answer first.")
            self._fit_labels()
            return
        self.attempts += 1
        correct = self.question.grade(set(chosen))
        self.answered_correctly = self.answered_correctly or correct
        spent = round(time.monotonic() - self.shown_at)
        self.on_attempt(self.question, chosen, correct, self.attempts, spent)
        why = f" {self.question.explanation}" if self.question.explanation else ""
        if correct:
            self.feedback.setStyleSheet(f"color: {SUCCESS};")
            self.feedback.setText(f"✓ Correct.{why}")
        else:
            self.feedback.setStyleSheet(f"color: {DANGER};")
            self.feedback.setText(f"✗ Not quite — have another look and try again.{why}")
        self._fit_labels()


class QuizPanel(QWidget):
    def __init__(
        self,
        questions: list[Question],
        on_attempt: AttemptCallback,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("quiz-panel")
        lay = QVBoxLayout(self)

        self.items = [QuestionWidget(i, q, on_attempt) for i, q in enumerate(questions, start=1)]
        for item in self.items:
            lay.addWidget(item)
        lay.addStretch(1)

    @property
    def all_attempted(self) -> bool:
        return all(i.attempts > 0 for i in self.items)

    @property
    def score(self) -> float:
        if not self.items:
            return 1.0
        return sum(i.answered_correctly for i in self.items) / len(self.items)
