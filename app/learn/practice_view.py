"""Adaptive practice: one question at a time, each chosen to sit in the learner's
70–85 % success band, with the reason shown (no black box)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.learn.quiz_panel import QuestionWidget
from app.services import practice
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from engine.adaptive.difficulty import TARGET_BAND, ItemChoice
from engine.content import Question


def why_this_question(choice: ItemChoice, band: tuple[float, float] = TARGET_BAND) -> str:
    """The choice explained as a tutor would say it (the engine's reason is for logs)."""
    pct = f"{choice.predicted_success:.0%}"
    if choice.in_band:
        return (
            f"Byte expects you to get this one right about {pct} of the time: hard enough "
            "to learn from, easy enough to keep your momentum."
        )
    if choice.predicted_success > band[1]:
        return (
            f"You'll probably get this one ({pct} likely), but it is the most challenging "
            "question left here."
        )
    how = "a little harder than ideal" if choice.predicted_success >= band[0] - 0.1 else "a stretch"
    return (
        f"Byte expects you to get this one right about {pct} of the time: {how}, but it is "
        "the most approachable question left here. Take your time."
    )


class PracticeView(QWidget):
    back_requested = Signal()

    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        session: practice.PracticeSession,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.user, self.session = ctx, user, session
        self.setObjectName("practice-view")
        self.item: practice.NextQuestion | None = None
        self.question_widget: QuestionWidget | None = None
        self.answered_current = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        header = QHBoxLayout()
        self.back_button = QPushButton("← Dashboard")
        self.back_button.setObjectName("practice-back")
        self.back_button.setAccessibleName("Finish practice and go back to the dashboard")
        self.back_button.clicked.connect(self.back_requested)
        header.addWidget(self.back_button)
        what = session.skill_name or session.course_title
        title = QLabel(f"Practice: {what}")
        title.setProperty("role", "title")
        header.addWidget(title, 1)
        outer.addLayout(header)
        sub = QLabel(f"Questions from “{session.course_title}”, picked for you one at a time.")
        sub.setProperty("role", "subtitle")
        outer.addWidget(sub)
        self.reason = QLabel()
        self.reason.setObjectName("practice-reason")
        self.reason.setWordWrap(True)
        self.reason.setProperty("role", "muted")
        outer.addWidget(self.reason)
        self.host = QVBoxLayout()
        outer.addLayout(self.host)
        outer.addStretch(1)
        bar = QHBoxLayout()
        self.score = QLabel()
        self.score.setObjectName("practice-score")
        bar.addWidget(self.score, 1)
        self.next_button = QPushButton("Next question →")
        self.next_button.setProperty("role", "primary")
        self.next_button.setObjectName("practice-next")
        self.next_button.setAccessibleName("Next practice question")
        self.next_button.clicked.connect(self.next_question)
        bar.addWidget(self.next_button)
        outer.addLayout(bar)
        self.next_question()

    def next_question(self) -> None:
        try:
            self.item = practice.next_question(self.ctx, self.user, self.session)
        except UserError as err:
            QMessageBox.warning(self, "Practice", str(err))
            return
        if self.question_widget is not None:
            self.host.removeWidget(self.question_widget)
            self.question_widget.deleteLater()
        self.answered_current = False
        number = self.session.answered + 1
        self.question_widget = QuestionWidget(number, self.item.question, self._on_attempt)
        self.host.addWidget(self.question_widget)
        self.reason.setText(f"Why this question? {why_this_question(self.item.choice)}")
        self.next_button.setEnabled(False)
        self._update_score()

    def _on_attempt(
        self, question: Question, selected: list[str], correct: bool, attempt: int, secs: int
    ) -> None:
        if self.item is None or self.answered_current:
            return  # only the first answer counts; retries are for learning from feedback
        try:
            practice.answer(self.ctx, self.user, self.session, self.item, selected, secs)
        except UserError as err:
            QMessageBox.warning(self, "Could not save your answer", str(err))
            return
        self.answered_current = True
        self.next_button.setEnabled(True)
        self._update_score()

    def _update_score(self) -> None:
        s = self.session
        self.score.setText(
            f"{s.correct} of {s.answered} right" if s.answered else "Answer, then check."
        )
