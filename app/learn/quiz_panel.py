"""A module's quiz: answer, check, see why — with immediate, non-judgemental feedback.

A wrong answer says so and invites another try, without the explanation (which would give
the answer away); the explanation comes with a right answer, or when the learner gives up
("Show answer", which then shows the right choice too). Enter on a chosen option checks it.
Answers already given (``restore``) are shown as they were left, so leaving a module and
coming back loses nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QResizeEvent
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

from app.services.learning import QuizAnswer
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
        self.revealed = False  # the learner gave up and was shown the answer
        self.last_correct = False
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
        self.reveal_button = QPushButton("Show answer")
        self.reveal_button.setObjectName("show-answer")
        self.reveal_button.setAccessibleName(f"Show the answer to question {number}")
        self.reveal_button.clicked.connect(self.reveal)
        self.reveal_button.hide()  # offered after a wrong answer
        row.addWidget(self.reveal_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.feedback = QLabel()
        self.feedback.setObjectName("feedback")
        self.feedback.setWordWrap(True)
        self.feedback.setAccessibleName(f"Feedback for question {number}")
        lay.addWidget(self.feedback)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter (or Return) on a chosen option, or on Check answer, checks the answer: the
        options and the button leave these keys to their parent, this box."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.check_button.isEnabled():
            self.check()
            event.accept()
            return
        super().keyPressEvent(event)

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
        self.last_correct = correct
        self.answered_correctly = self.answered_correctly or correct
        spent = round(time.monotonic() - self.shown_at)
        self.on_attempt(self.question, chosen, correct, self.attempts, spent)
        self._show_result(correct)

    def _show_result(self, correct: bool) -> None:
        if correct:
            why = f" {self.question.explanation}" if self.question.explanation else ""
            self.feedback.setStyleSheet(f"color: {SUCCESS};")
            self.feedback.setText(f"✓ Correct.{why}")
            self.reveal_button.hide()
        else:  # no explanation yet: it would give the answer away
            self.feedback.setStyleSheet(f"color: {DANGER};")
            self.feedback.setText(
                "✗ Not quite — have another look and try again, or choose Show answer."
            )
            self.reveal_button.setVisible(not self.revealed)
        self._fit_labels()

    def correct_text(self) -> str:
        return ", ".join(c.text for c in self.question.choices if c.correct)

    def reveal(self) -> None:
        """The learner gives up: show the right answer and why; this question is done."""
        self.revealed = True
        self.reveal_button.hide()
        why = f" {self.question.explanation}" if self.question.explanation else ""
        self.feedback.setStyleSheet("")
        self.feedback.setText(f"The answer: {self.correct_text()}.{why}")
        self.select([c.id for c in self.question.choices if c.correct])
        for b in self.buttons.values():
            b.setEnabled(False)
        self.check_button.setEnabled(False)
        self._fit_labels()

    def restore(self, answer: QuizAnswer) -> None:
        """Show an answer given before (this visit or an earlier one), as it was left."""
        self.attempts = answer.attempts
        self.answered_correctly = answer.ever_correct
        self.select([cid for cid in answer.selected if cid in self.buttons])
        self.last_correct = answer.correct
        if answer.attempts:
            self._show_result(answer.correct)


class QuizPanel(QWidget):
    def __init__(
        self,
        questions: list[Question],
        on_attempt: AttemptCallback,
        parent: QWidget | None = None,
        *,
        answers: dict[str, QuizAnswer] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("quiz-panel")
        lay = QVBoxLayout(self)

        self.items = [QuestionWidget(i, q, on_attempt) for i, q in enumerate(questions, start=1)]
        for item in self.items:
            lay.addWidget(item)
            answer = (answers or {}).get(item.question.id)
            if answer is not None:
                item.restore(answer)
        lay.addStretch(1)

    def answers(self) -> dict[str, QuizAnswer]:
        """What the learner has answered so far (to keep while the player lives)."""
        return {
            i.question.id: QuizAnswer(
                i.question.id, i.selected(), i.attempts, i.last_correct, i.answered_correctly
            )
            for i in self.items
            if i.attempts
        }

    @property
    def all_attempted(self) -> bool:
        return all(i.attempts > 0 for i in self.items)

    @property
    def score(self) -> float:
        if not self.items:
            return 1.0
        return sum(i.answered_correctly for i in self.items) / len(self.items)
