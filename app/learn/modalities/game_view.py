"""BytePlay: a timed challenge from the module's quiz items and key ideas.

Each round has a countdown; a right answer scores points (more when fast, more on a streak),
a wrong answer or running out of time costs one of three lives. Quiz rounds are recorded as
``quiz_attempt`` events in the ``game`` modality. Keys 1–4 pick an answer.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.learn.modalities.base import ModalityHost, ModalityView, local_shortcut
from app.services import learning
from app.shell.theme import DANGER, SUCCESS
from engine.modalities import game

TICK_MS = 100
FEEDBACK_MS = 1100


class GameView(ModalityView):
    name = "game"
    label = "BytePlay"

    def __init__(self, host: ModalityHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 16, 24, 16)
        top = QHBoxLayout()
        self.score_label = QLabel()
        self.score_label.setObjectName("game-score")
        self.score_label.setStyleSheet("font-size: 14pt; font-weight: 600;")
        top.addWidget(self.score_label)
        top.addStretch(1)
        self.lives_label = QLabel()
        self.lives_label.setObjectName("game-lives")
        self.lives_label.setStyleSheet(f"font-size: 14pt; color: {DANGER};")
        top.addWidget(self.lives_label)
        lay.addLayout(top)
        self.timer_bar = QProgressBar()
        self.timer_bar.setObjectName("game-timer")
        self.timer_bar.setRange(0, game.SECONDS_PER_ROUND * 1000)
        self.timer_bar.setTextVisible(False)
        self.timer_bar.setAccessibleName("Time left")
        lay.addWidget(self.timer_bar)
        self.panel = QFrame()
        self.panel.setProperty("role", "card")
        pl = QVBoxLayout(self.panel)
        pl.setContentsMargins(28, 24, 28, 24)
        self.prompt = QLabel()
        self.prompt.setObjectName("game-prompt")
        self.prompt.setWordWrap(True)
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setStyleSheet("font-size: 15pt; font-weight: 600;")
        pl.addWidget(self.prompt, 1)
        self.grid = QGridLayout()
        pl.addLayout(self.grid)
        self.feedback = QLabel()
        self.feedback.setObjectName("game-feedback")
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.feedback.setWordWrap(True)
        pl.addWidget(self.feedback)
        lay.addWidget(self.panel, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.start_button = QPushButton("Play")
        self.start_button.setObjectName("game-start")
        self.start_button.setProperty("role", "primary")
        self.start_button.setAccessibleName("Start a new game")
        self.start_button.clicked.connect(self.start)
        row.addWidget(self.start_button)
        lay.addLayout(row)
        self.choice_buttons: list[QPushButton] = []
        for i in range(4):
            local_shortcut(self, str(i + 1), lambda i=i: self._key(i))
        self.clock = QTimer(self)
        self.clock.setInterval(TICK_MS)
        self.clock.timeout.connect(self._tick)
        self.round_started = 0.0
        self.waiting = False  # between rounds, showing feedback
        self.games = 0
        self.state = game.new_game(host.module.blocks, host.module.quiz, seed=0)
        self._intro()

    # -- flow ------------------------------------------------------------------------------
    def _intro(self) -> None:
        n = len(self.state.rounds)
        self.prompt.setText(
            f"BytePlay: {n} rounds on “{self.host.module.title}”.\n"
            f"Answer before the bar runs out. You have {game.LIVES} lives."
            if n
            else "This module has no quiz or key ideas to play with yet."
        )
        self.start_button.setEnabled(n > 0)
        self._update_header()

    def start(self) -> None:
        self.games += 1
        m = self.host.module
        self.state = game.new_game(m.blocks, m.quiz, seed=self.games)
        self.start_button.setVisible(False)
        self._show_round()

    def _show_round(self) -> None:
        self.waiting = False
        self.feedback.clear()
        for b in self.choice_buttons:
            self.grid.removeWidget(b)
            b.deleteLater()
        self.choice_buttons = []
        rnd = self.state.current
        self._update_header()
        if rnd is None:
            self._game_over()
            return
        self.prompt.setText(rnd.prompt)
        for i, choice in enumerate(rnd.choices):
            b = QPushButton(f"{i + 1}. {choice.text}")
            b.setObjectName(f"game-choice-{i}")
            b.setAccessibleName(f"Answer {i + 1}: {choice.text}")
            b.setMinimumHeight(48)
            b.clicked.connect(lambda _=False, cid=choice.id: self.choose(cid))
            self.grid.addWidget(b, i // 2, i % 2)
            self.choice_buttons.append(b)
        self.round_started = time.monotonic()
        self.timer_bar.setValue(self.timer_bar.maximum())
        self.clock.start()

    def _seconds_left(self) -> float:
        return max(0.0, game.SECONDS_PER_ROUND - (time.monotonic() - self.round_started))

    def _tick(self) -> None:
        left = self._seconds_left()
        self.timer_bar.setValue(round(left * 1000))
        if left <= 0:
            self.time_out()

    def _key(self, i: int) -> None:
        rnd = self.state.current
        if rnd is not None and not self.waiting and i < len(rnd.choices):
            self.choose(rnd.choices[i].id)

    def choose(self, choice_id: str) -> None:
        rnd = self.state.current
        if rnd is None or self.waiting:
            return
        self._resolve(rnd, frozenset({choice_id}), self._seconds_left())

    def time_out(self) -> None:
        rnd = self.state.current
        if rnd is None or self.waiting:
            return
        self._resolve(rnd, frozenset(), 0.0)

    def _resolve(self, rnd: game.Round, selected: frozenset[str], left: float) -> None:
        self.clock.stop()
        self.waiting = True
        spent = round(game.SECONDS_PER_ROUND - left)
        self.state = (
            game.answer(self.state, selected, left) if selected else game.timeout(self.state)
        )
        correct = bool(selected) and selected == rnd.correct_ids
        if rnd.question is not None:
            self.host.record(
                "quiz_attempt",
                duration_secs=spent,
                payload=learning.quiz_attempt_payload(
                    rnd.question,
                    sorted(selected),
                    correct,
                    difficulty=self.host.course.difficulty,
                    game="timed_challenge",
                ),
            )
        right = ", ".join(c.text for c in rnd.choices if c.correct)
        if correct:
            self.feedback.setStyleSheet(f"color: {SUCCESS}; font-weight: 600;")
            self.feedback.setText("✓ Correct!")
        else:
            self.feedback.setStyleSheet(f"color: {DANGER}; font-weight: 600;")
            why = "Time's up" if not selected else "Not quite"
            self.feedback.setText(f"✗ {why} — the answer was: {right}")
        for b in self.choice_buttons:
            b.setEnabled(False)
        self._update_header()
        QTimer.singleShot(FEEDBACK_MS, self.advance)

    def advance(self) -> None:
        if self.waiting:
            self._show_round()

    def _game_over(self) -> None:
        self.clock.stop()
        s = self.state
        won = sum(s.results)
        verdict = "Out of lives!" if s.lives <= 0 else "Challenge complete!"
        self.prompt.setText(f"{verdict}\nScore {s.score} · {won} of {len(s.results)} right")
        self.start_button.setText("Play again")
        self.start_button.setVisible(True)
        self.start_button.setFocus()

    def _update_header(self) -> None:
        s = self.state
        self.score_label.setText(
            f"Score {s.score}" + (f" · streak {s.streak}" if s.streak > 1 else "")
        )
        self.lives_label.setText("♥ " * s.lives + "♡ " * (game.LIVES - s.lives))
        self.lives_label.setAccessibleName(f"{s.lives} lives left")

    def deactivate(self) -> None:
        self.clock.stop()  # paused: the round's remaining time is kept in the bar

    def activate(self) -> None:
        if self.state.current is not None and not self.start_button.isVisible():
            self.round_started = time.monotonic() - (
                game.SECONDS_PER_ROUND - self.timer_bar.value() / 1000
            )
            if not self.waiting:
                self.clock.start()
