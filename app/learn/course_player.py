"""The course player: read a module, take its quiz, complete it; every step is an event.

Events (``learning_events``): ``module_start`` when a module is first shown in this visit,
``quiz_attempt`` for every checked answer (question, selection, correctness, skills),
``module_complete`` with the time spent; all with modality ``text``. After each completion
the learner twin is refreshed (a few milliseconds), so the dashboard's suggestion and the
skills view are current.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.learn.quiz_panel import QuizPanel
from app.learn.render import module_html
from app.services import learning, twin
from app.services.accounts import CurrentUser
from app.services.authoring import CourseDoc, ModuleDoc
from app.services.context import AppContext
from app.services.errors import UserError
from engine.content import Question

MODALITY = "text"
log = logging.getLogger(__name__)


class CoursePlayer(QWidget):
    back_requested = Signal()
    progress_changed = Signal(str, float)

    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        course: CourseDoc,
        parent: QWidget | None = None,
        *,
        start_module_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.user, self.course = ctx, user, course
        self.setObjectName("course-player")
        self.current: int = -1
        self.started: set[str] = set()
        self.module_opened_at = time.monotonic()
        progress = learning.course_progress(ctx, user, course.id)
        self.completed: set[str] = set(progress.completed_module_ids)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        header = QHBoxLayout()
        self.back_button = QPushButton("← All courses")
        self.back_button.setObjectName("back-to-dashboard")
        self.back_button.setAccessibleName("Back to all courses")
        self.back_button.clicked.connect(self.back_requested)
        header.addWidget(self.back_button)
        title = QLabel(course.title)
        title.setProperty("role", "title")
        header.addWidget(title, 1)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("player-progress")
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setFixedWidth(220)
        self.progress_bar.setAccessibleName("Course progress")
        header.addWidget(self.progress_bar)
        outer.addLayout(header)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.module_list = QListWidget()
        self.module_list.setObjectName("module-list")
        self.module_list.setAccessibleName("Modules")
        self.module_list.setMaximumWidth(300)
        self.module_list.currentRowChanged.connect(self.show_module)
        split.addWidget(self.module_list)

        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(12, 0, 0, 0)
        self.pages = QStackedWidget()
        self.reader = QTextBrowser()
        self.reader.setObjectName("module-reader")
        self.reader.setAccessibleName("Module content")
        self.reader.setOpenExternalLinks(False)
        self.reader.document().setDefaultStyleSheet(
            "h1 { font-size: 20pt; } h2 { font-size: 15pt; } p, li { line-height: 140%; }"
        )
        self.reader.document().setDocumentMargin(24)
        self.pages.addWidget(self.reader)
        self.quiz_scroll = QScrollArea()
        self.quiz_scroll.setWidgetResizable(True)
        self.quiz_scroll.setObjectName("quiz-scroll")
        self.pages.addWidget(self.quiz_scroll)
        rlay.addWidget(self.pages, 1)

        bar = QHBoxLayout()
        self.read_button = QPushButton("Read")
        self.read_button.setCheckable(True)
        self.read_button.setObjectName("show-reading")
        self.read_button.setAccessibleName("Show the module text")
        self.read_button.clicked.connect(lambda: self.show_page(0))
        self.quiz_button = QPushButton("Quiz")
        self.quiz_button.setCheckable(True)
        self.quiz_button.setObjectName("show-quiz")
        self.quiz_button.setAccessibleName("Show the module quiz")
        self.quiz_button.clicked.connect(lambda: self.show_page(1))
        bar.addWidget(self.read_button)
        bar.addWidget(self.quiz_button)
        self.hint = QLabel()
        self.hint.setProperty("role", "muted")
        bar.addWidget(self.hint, 1)
        self.complete_button = QPushButton("Complete module")
        self.complete_button.setProperty("role", "primary")
        self.complete_button.setObjectName("complete-module")
        self.complete_button.setAccessibleName("Mark this module complete")
        self.complete_button.clicked.connect(self.complete_module)
        bar.addWidget(self.complete_button)
        self.next_button = QPushButton("Next module →")
        self.next_button.setObjectName("next-module")
        self.next_button.setAccessibleName("Go to the next module")
        self.next_button.clicked.connect(self.next_module)
        bar.addWidget(self.next_button)
        rlay.addLayout(bar)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        outer.addWidget(split, 1)

        QShortcut(QKeySequence("Alt+Right"), self, self.next_module)
        QShortcut(QKeySequence("Alt+Left"), self, self.previous_module)
        self.quiz: QuizPanel | None = None
        self.twin: twin.TwinSummary | None = None
        self._fill_module_list()
        self._set_progress(progress.progress_pct)
        first_open = next(
            (i for i, m in enumerate(course.modules) if m.id == start_module_id),
            next((i for i, m in enumerate(course.modules) if m.id not in self.completed), 0),
        )
        if course.modules:
            self.module_list.setCurrentRow(first_open)

    # -- modules ---------------------------------------------------------------------------
    def _fill_module_list(self) -> None:
        self.module_list.blockSignals(True)
        row = self.module_list.currentRow()
        self.module_list.clear()
        for i, m in enumerate(self.course.modules, start=1):
            mark = "✓ " if m.id in self.completed else ""
            item = QListWidgetItem(f"{mark}{i}. {m.title}")
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                f"Module {i}, {m.title}{', completed' if mark else ''}",
            )
            self.module_list.addItem(item)
        self.module_list.setCurrentRow(row)
        self.module_list.blockSignals(False)

    @property
    def module(self) -> ModuleDoc:
        return self.course.modules[self.current]

    def show_module(self, index: int) -> None:
        if index < 0 or index >= len(self.course.modules) or index == self.current:
            return
        self.current = index
        module = self.module
        self.module_opened_at = time.monotonic()
        self.reader.setHtml(module_html(module.title, module.blocks, self._resolve_image))
        self.quiz = QuizPanel(module.quiz, self._record_attempt)
        self.quiz_scroll.setWidget(self.quiz)
        self.quiz_button.setEnabled(bool(module.quiz))
        self.quiz_button.setText(f"Quiz ({len(module.quiz)})" if module.quiz else "No quiz")
        self.show_page(0)
        self._update_actions()
        if module.id and module.id not in self.started:
            self.started.add(module.id)
            self._record("module_start", payload={"order_index": index})

    def show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.read_button.setChecked(page == 0)
        self.quiz_button.setChecked(page == 1)

    def next_module(self) -> None:
        if self.current + 1 < len(self.course.modules):
            self.module_list.setCurrentRow(self.current + 1)

    def previous_module(self) -> None:
        if self.current > 0:
            self.module_list.setCurrentRow(self.current - 1)

    def _resolve_image(self, src: str) -> str:
        if src.startswith("asset://"):
            try:
                return QUrl.fromLocalFile(
                    str(self.ctx.assets.path(src.removeprefix("asset://")))
                ).toString()
            except ValueError:
                return ""
        return src

    # -- events ----------------------------------------------------------------------------
    def _record(self, event_type: str, **kw: object) -> bool:
        try:
            receipt = learning.record_event(
                self.ctx,
                self.user,
                event_type,
                course_id=self.course.id,
                module_id=self.module.id,
                modality=MODALITY,
                **kw,  # type: ignore[arg-type]
            )
        except UserError as err:
            QMessageBox.warning(self, "Could not save your progress", str(err))
            return False
        self.completed = set(receipt.progress.completed_module_ids)
        self._set_progress(receipt.progress.progress_pct)
        return True

    def _record_attempt(
        self, question: Question, selected: list[str], correct: bool, attempt: int, secs: int
    ) -> None:
        self._record(
            "quiz_attempt",
            duration_secs=secs,
            payload={
                "question_id": question.id,
                "selected": selected,
                "correct": correct,
                "attempt_no": attempt,
                "skill_ids": list(question.skill_ids),
                "difficulty": self.course.difficulty or "intermediate",
            },
        )
        self._update_actions()

    def complete_module(self) -> None:
        if self.quiz is not None and not self.quiz.all_attempted:
            self.show_page(1)
            self.hint.setText("Answer every quiz question to complete this module.")
            return
        spent = round(time.monotonic() - self.module_opened_at)
        score = self.quiz.score if self.quiz is not None else 1.0
        if self._record("module_complete", duration_secs=spent, payload={"quiz_score": score}):
            self.refresh_twin()
            self._fill_module_list()
            self._update_actions()
            if len(self.completed) == len(self.course.modules):
                self.hint.setText("🎉 Course complete — well done!")

    def refresh_twin(self) -> twin.TwinSummary | None:
        try:
            self.twin = twin.refresh_twin(self.ctx, self.user)
        except Exception:  # derived data: the completion itself is already saved
            log.exception("Could not refresh the learner twin")
            self.twin = None
        return self.twin

    def _set_progress(self, pct: float) -> None:
        self.progress_bar.setValue(round(pct))
        self.progress_bar.setFormat(f"{pct:.0f}%")
        self.progress_changed.emit(self.course.id, pct)

    def _update_actions(self) -> None:
        done = self.module.id in self.completed
        needs_quiz = self.quiz is not None and not self.quiz.all_attempted
        self.complete_button.setEnabled(not done)
        self.complete_button.setText("Completed ✓" if done else "Complete module")
        self.next_button.setEnabled(self.current + 1 < len(self.course.modules))
        if done:
            self.hint.setText("You have completed this module.")
        elif needs_quiz:
            self.hint.setText("Read, then answer the quiz to complete this module.")
        else:
            self.hint.setText("Ready to complete.")
