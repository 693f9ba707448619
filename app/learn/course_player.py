"""The course player: read a module, take its quiz, complete it; every step is an event.

Events (``learning_events``): ``module_start`` when a module is first shown in this visit,
``quiz_attempt`` for every checked answer (question, selection, correctness, skills),
``module_complete`` with the time spent; all with modality ``text``. After each completion
the learner twin is refreshed (a few milliseconds), so the dashboard's suggestion and the
skills view are current.

Layout, as desktop apps that adapt do: the module list, the module and Byte's sidebar sit in
a splitter with real minimums whose sizes are remembered (QSettings); the modality buttons
flow onto a second row when narrow; Byte folds away below ``TUTOR_COLLAPSE_PX`` (a header
button brings it back). Tab order follows reading order: the module, then its quiz, then
Byte. Quiz answers are restored from the recorded ``quiz_attempt`` events when a module is
shown again.
"""

from __future__ import annotations

import itertools
import logging
import time

from PySide6.QtCore import QPoint, QRect, QSettings, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
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

from app.learn.modalities import registry
from app.learn.modalities.base import ModalityHost, ModalityView
from app.learn.modalities.text_view import TextView
from app.learn.quiz_panel import QuizPanel
from app.learn.tutor_sidebar import TutorSidebar
from app.services import asset_files, learning, modalities, scorm_attempts, twin
from app.services.accounts import CurrentUser
from app.services.authoring import CourseDoc, ModuleDoc
from app.services.context import AppContext
from app.services.errors import DatabaseError, UserError
from app.tasks import TaskRunner, shared_runner
from engine.content import Question

log = logging.getLogger(__name__)

TUTOR_COLLAPSE_PX = 1100  # below this width Byte's panel folds away (the header brings it)
MODULE_LIST_MIN, MODULE_LIST_MAX = 190, 360
SPLITTER_KEY = "player/splitter"


def settings() -> QSettings:
    """Where the player remembers its splitter (tests point this at a temporary file)."""
    return QSettings("ByteOS", "ByteOS")


class FlowLayout(QLayout):
    """Lays its items out left to right and wraps onto further rows (Qt's flow layout)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._lay_out(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._lay_out(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _lay_out(self, rect: QRect, *, apply: bool) -> int:
        x, y, row_h = rect.x(), rect.y(), 0
        for item in self._items:
            if item.widget() is not None and item.widget().isHidden():
                continue
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and row_h > 0:
                x, y = rect.x(), y + row_h + self._spacing
                row_h = 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            row_h = max(row_h, hint.height())
        return y + row_h - rect.y()


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
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.user, self.course = ctx, user, course
        self.runner = runner or shared_runner()  # the main window's, handed down
        self.modality = "text"  # the learner's choice; it stays across modules
        self.views: dict[str, ModalityView] = {}
        self.recommended: str | None = None
        self.recommended_reason = ""
        self.setObjectName("course-player")
        self.current: int = -1
        self.started: set[str] = set()
        self.module_opened_at = time.monotonic()
        self.recommended_for: str | None = None  # the modality its reason was written for
        self.quiz_answers: dict[str, dict[str, learning.QuizAnswer]] = {}  # per module
        self._tutor_wanted: bool | None = None  # the learner's choice; None: by width
        self._sizes_restored = False
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
        self.tutor_toggle = QPushButton("Byte")
        self.tutor_toggle.setObjectName("toggle-tutor")
        self.tutor_toggle.setCheckable(True)
        self.tutor_toggle.setAccessibleName("Show or hide Byte, your tutor")
        self.tutor_toggle.setToolTip("Show or hide Byte, your tutor")
        self.tutor_toggle.clicked.connect(self._toggle_tutor)
        header.addWidget(self.tutor_toggle)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("player-progress")
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setFixedWidth(220)
        self.progress_bar.setAccessibleName("Course progress")
        header.addWidget(self.progress_bar)
        outer.addLayout(header)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("player-splitter")
        split.setChildrenCollapsible(False)
        self.split = split
        self.module_list = QListWidget()
        self.module_list.setObjectName("module-list")
        self.module_list.setAccessibleName("Modules")
        # titles wrap rather than scroll sideways; the list never shrinks to a sliver
        self.module_list.setMinimumWidth(MODULE_LIST_MIN)
        self.module_list.setMaximumWidth(MODULE_LIST_MAX)
        self.module_list.setWordWrap(True)
        self.module_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.module_list.currentRowChanged.connect(self.show_module)
        split.addWidget(self.module_list)

        right = QWidget()
        right.setObjectName("module-pane")
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(12, 0, 0, 0)
        switcher_box = QWidget()
        switcher_box.setObjectName("modality-switcher")
        switcher = FlowLayout(switcher_box)  # a second row when there is no room for one
        self.modality_group = QButtonGroup(self)
        self.modality_buttons: dict[str, QPushButton] = {}
        for name, label, _mod, _cls in registry.MODALITIES:
            b = QPushButton(label)
            b.setCheckable(True)
            b.setObjectName(f"modality-button-{name}")
            b.setAccessibleName(f"Learn this module as {label}")
            b.clicked.connect(lambda _=False, n=name: self.switch_modality(n))
            self.modality_group.addButton(b)
            self.modality_buttons[name] = b
            switcher.addWidget(b)
        rlay.addWidget(switcher_box)
        self.recommendation = QLabel()
        self.recommendation.setObjectName("modality-recommendation")
        self.recommendation.setWordWrap(True)
        self.recommendation.setProperty("role", "muted")
        rlay.addWidget(self.recommendation)
        self.pages = QStackedWidget()
        self.modality_stack = QStackedWidget()
        self.modality_stack.setObjectName("modality-stack")
        self.pages.addWidget(self.modality_stack)
        self.quiz_scroll = QScrollArea()
        self.quiz_scroll.setWidgetResizable(True)
        self.quiz_scroll.setObjectName("quiz-scroll")
        self.quiz_scroll.setAccessibleName("Quiz")
        self.quiz_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its questions take focus
        self.pages.addWidget(self.quiz_scroll)
        rlay.addWidget(self.pages, 1)

        bar = QHBoxLayout()
        self.read_button = QPushButton("Study")
        self.read_button.setCheckable(True)
        self.read_button.setObjectName("show-reading")
        self.read_button.setAccessibleName("Show the module in the chosen modality")
        self.read_button.clicked.connect(lambda: self.show_page(0))
        self.quiz_button = QPushButton("Quiz")
        self.quiz_button.setCheckable(True)
        self.quiz_button.setObjectName("show-quiz")
        self.quiz_button.setAccessibleName("Show the module quiz")
        self.quiz_button.clicked.connect(lambda: self.show_page(1))
        bar.addWidget(self.read_button)
        bar.addWidget(self.quiz_button)
        self.hint = QLabel()
        self.hint.setObjectName("player-hint")
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)  # its own line, wrapping: the buttons keep their room
        bar.addStretch(1)
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
        rlay.addWidget(self.hint)
        rlay.addLayout(bar)
        # a write that failed is said here, without a modal: the learner keeps going
        self.save_warning = QLabel()
        self.save_warning.setObjectName("save-warning")
        self.save_warning.setWordWrap(True)
        self.save_warning.setStyleSheet("color: #8A4B00;")
        self.save_warning.setAccessibleName("Progress not saved")
        self.save_warning.hide()
        rlay.addWidget(self.save_warning)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        # Byte, the tutor, beside the module (its own worker tasks; Qt-free service below)
        self.tutor = TutorSidebar(ctx, user, course, runner=self.runner)
        self.tutor.open_module.connect(self.open_module_by_id)
        split.addWidget(self.tutor)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(2, 0)
        split.splitterMoved.connect(self._save_sizes)
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

    @property
    def current_module_id(self) -> str | None:
        return self.module.id if 0 <= self.current < len(self.course.modules) else None

    def show_module(self, index: int) -> None:
        if index < 0 or index >= len(self.course.modules) or index == self.current:
            return
        self._keep_answers()  # the module being left: its answers stay for this visit
        self.current = index
        module = self.module
        self.module_opened_at = time.monotonic()
        self._clear_views()
        self.quiz = QuizPanel(module.quiz, self._record_attempt, answers=self._answers(module))
        self.quiz_scroll.setWidget(self.quiz)
        self.quiz_button.setEnabled(bool(module.quiz))
        self.quiz_button.setText(f"Quiz ({len(module.quiz)})" if module.quiz else "No quiz")
        self.show_page(0)
        self._update_actions()
        if module.id and module.id not in self.started:
            self.started.add(module.id)
            self._record("module_start", payload={"order_index": index})
        self._show_view(self.modality)
        self._update_recommendation()
        self.tutor.set_module(module.id, module.title)
        self._apply_tab_order()

    def _answers(self, module: ModuleDoc) -> dict[str, learning.QuizAnswer]:
        """Answers given before: this visit's (even unsaved ones), else the recorded ones."""
        if not module.id:
            return {}
        kept = self.quiz_answers.get(module.id)
        if kept is not None:
            return kept
        try:
            return learning.quiz_answers(self.ctx, self.user, self.course.id, module.id)
        except Exception:  # answers are a convenience: the quiz must still open
            log.exception("could not read earlier quiz answers")
            return {}

    def _keep_answers(self) -> None:
        if self.quiz is not None and self.current_module_id:
            self.quiz_answers[self.current_module_id] = self.quiz.answers()

    # -- keyboard order: header, modules, switcher, the module, its quiz, actions, Byte -------
    def _apply_tab_order(self) -> None:
        chain: list[QWidget] = [self.back_button, self.tutor_toggle, self.module_list]
        chain += list(self.modality_buttons.values())
        view = self.modality_stack.currentWidget()
        if isinstance(view, ModalityView):
            chain += _focusables(view, f"{view.label}: {self.module.title}")
        chain += [self.read_button, self.quiz_button]
        if self.quiz is not None:
            chain += _focusables(self.quiz, "Quiz")
        chain += [self.complete_button, self.next_button]
        chain += _focusables(self.tutor)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- layout: remembered splitter, Byte folds away when narrow --------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sizes_restored:
            self._sizes_restored = True
            self._restore_sizes()
            self._fit_tutor()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_tutor()

    def _restore_sizes(self) -> None:
        state = settings().value(SPLITTER_KEY)
        if state is not None and self.split.restoreState(state):
            return
        width = max(self.split.width(), 900)
        tutor = 340 if self.tutor.isVisibleTo(self) else 0
        module_list = max(MODULE_LIST_MIN, min(260, width // 5))
        self.split.setSizes([module_list, width - module_list - tutor, tutor])

    def _save_sizes(self, *_args: object) -> None:
        settings().setValue(SPLITTER_KEY, self.split.saveState())

    def _fit_tutor(self) -> None:
        narrow = self.width() < TUTOR_COLLAPSE_PX
        show = self._tutor_wanted if self._tutor_wanted is not None else not narrow
        if show != self.tutor.isVisibleTo(self):
            self.tutor.setVisible(show)
        self.tutor_toggle.setChecked(show)
        self.tutor_toggle.setText("Hide Byte" if show else "Ask Byte")

    def _toggle_tutor(self, checked: bool) -> None:
        self._tutor_wanted = checked
        self._fit_tutor()
        if checked:
            self.tutor.input.setFocus()

    def open_module_by_id(self, module_id: str) -> None:
        """Show the module with this id (a citation or nudge in Byte's sidebar)."""
        for i, m in enumerate(self.course.modules):
            if m.id == module_id:
                self.module_list.setCurrentRow(i)
                self.show_page(0)
                return

    # -- modalities --------------------------------------------------------------------------
    @property
    def reader(self) -> QTextBrowser:
        """The Text modality's page (built on demand)."""
        view = self._view("text")
        assert isinstance(view, TextView)
        return view.browser

    def _host(self, modality: str) -> ModalityHost:
        """A view's events always carry its own module and modality, even when it records
        on the way out (a pause while the learner switches or moves on)."""
        module_id = self.module.id

        def record(event_type: str, **kw: object) -> bool:
            return self._record(event_type, module_id=module_id, modality=modality, **kw)

        return ModalityHost(
            self.ctx,
            self.user,
            self.course,
            self.module,
            self.runner,
            record,
            self._resolve_image,
        )

    def _view(self, name: str) -> ModalityView:
        view = self.views.get(name)
        if view is None:
            cls = registry.view_class(name)
            if name == "text" and scorm_attempts.is_scorm_module(
                self.ctx, self.course.id, self.module.id
            ):  # issue 14: an imported SCO plays itself (QtWebEngine loads only then)
                from app.learn.scorm_player import ScormModuleView

                cls = ScormModuleView
            view = cls(self._host(name))
            self.views[name] = view
            self.modality_stack.addWidget(view)
        return view

    def _clear_views(self) -> None:
        for view in self.views.values():
            view.deactivate()
            self.modality_stack.removeWidget(view)
            view.deleteLater()
        self.views = {}

    def _show_view(self, name: str) -> None:
        for other, view in self.views.items():
            if other != name:
                view.deactivate()
        view = self._view(name)
        self.modality_stack.setCurrentWidget(view)
        self.modality_buttons[name].setChecked(True)
        self.show_page(0)
        view.activate()
        if self.quiz is not None:  # (not while the module is still being built)
            self._apply_tab_order()

    def switch_modality(self, name: str) -> None:
        """The learner's explicit choice: it always wins, and it is recorded."""
        if name == self.modality:
            self._show_view(name)
            return
        try:
            self._view(name)
        except Exception as err:  # a modality that cannot be built must not break the player
            log.exception("could not open modality %s", name)
            QMessageBox.warning(
                self, "Cannot show this modality", f"{registry.LABELS[name]}: {err}"
            )
            self.modality_buttons[self.modality].setChecked(True)
            return
        previous, self.modality = self.modality, name
        self._record(
            "modality_switch",
            payload={"from": previous, "to": name, "recommended": self.recommended},
        )
        self._show_view(name)
        self._describe_recommendation()

    def _update_recommendation(self) -> None:
        if not self.module.id:
            return
        try:
            rec = modalities.suggest(
                self.ctx,
                self.user,
                self.module.id,
                registry.NAMES,  # type: ignore[arg-type]
                current=self.modality,  # type: ignore[arg-type]
            )
        except Exception:  # a suggestion must never break the player
            log.exception("modality recommendation failed")
            self.recommended = None
            self.recommendation.clear()
            return
        # drawn once per module, so the suggestion doesn't change under the learner's hands
        self.recommended, self.recommended_reason = rec.modality, rec.reason
        self.recommended_for = self.modality
        for name, b in self.modality_buttons.items():
            label = registry.LABELS[name]
            b.setText(f"★ {label}" if name == rec.modality else label)
        self._describe_recommendation()

    def _describe_recommendation(self) -> None:
        if self.recommended is None:
            return
        if self.recommended_for != self.modality:
            # the reason was written for the modality shown before ("why not try…"): ask
            # again for the one shown now (same draw, so the same suggestion)
            self.recommended_for = self.modality
            try:
                rec = modalities.suggest(
                    self.ctx,
                    self.user,
                    self.module.id or "",
                    registry.NAMES,  # type: ignore[arg-type]
                    current=self.modality,  # type: ignore[arg-type]
                )
                same = rec.modality == self.recommended
            except Exception:
                log.exception("modality recommendation failed")
                same = False
            if same:
                self.recommended_reason = rec.reason
            elif self.recommended == self.modality:
                self.recommended_reason = ""
        label = registry.LABELS[self.recommended]
        stay = " You're using it now." if self.recommended == self.modality else ""
        reason = f" {self.recommended_reason}" if self.recommended_reason else ""
        if reason and label.lower() in reason.lower():  # the reason names it already
            text = f"Byte suggests:{reason}{stay} Your choice always wins."
        else:
            text = f"Byte suggests {label}:{reason}{stay} Your choice always wins."
        self.recommendation.setText(text)

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
            file = asset_files.local_file(self.ctx, src)  # downloaded now if missing
            if file is not None:
                return QUrl.fromLocalFile(str(file)).toString()
            try:
                return QUrl.fromLocalFile(
                    str(self.ctx.assets.path(src.removeprefix("asset://")))
                ).toString()
            except ValueError:
                return ""
        return src

    # -- events ----------------------------------------------------------------------------
    def _record(
        self,
        event_type: str,
        *,
        module_id: str | None = None,
        modality: str | None = None,
        **kw: object,
    ) -> bool:
        try:
            receipt = learning.record_event(
                self.ctx,
                self.user,
                event_type,
                course_id=self.course.id,
                module_id=module_id or self.module.id,
                modality=modality or self.modality,
                **kw,  # type: ignore[arg-type]
            )
        except UserError as err:  # NotSaved included: the event is queued, not lost
            self.show_save_problem(str(err))
            return False
        except DatabaseError as err:
            log.exception("could not record %s", event_type)
            self.show_save_problem(f"Your progress could not be saved: {err}")
            return False
        self.show_save_problem(learning.pending_message(self.ctx))
        self.completed = set(receipt.progress.completed_module_ids)
        self._set_progress(receipt.progress.progress_pct)
        if event_type == "module_complete" and self._plays_scorm():  # the SCO completed it
            self._fill_module_list()
            self._update_actions()
        return True

    def _plays_scorm(self) -> bool:
        return scorm_attempts.is_scorm_module(self.ctx, self.course.id, self.current_module_id)

    def show_save_problem(self, message: str) -> None:
        """Say what was not saved (or clear the note when everything is saved)."""
        self.save_warning.setText(message)
        self.save_warning.setVisible(bool(message))

    def _record_attempt(
        self, question: Question, selected: list[str], correct: bool, attempt: int, secs: int
    ) -> None:
        self._record(
            "quiz_attempt",
            duration_secs=secs,
            payload=learning.quiz_attempt_payload(
                question,
                selected,
                correct,
                attempt_no=attempt,
                difficulty=self.course.difficulty,
                source=learning.MODULE_QUIZ,
            ),
        )
        self._update_actions()
        if not correct:
            self.tutor.refresh_nudges()

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
        scorm = self._plays_scorm()  # an imported SCO says itself when it is complete
        self.complete_button.setEnabled(not done and not scorm)
        self.complete_button.setText("Completed ✓" if done else "Complete module")
        self.next_button.setEnabled(self.current + 1 < len(self.course.modules))
        if done:
            self.hint.setText("You have completed this module.")
        elif scorm:
            self.hint.setText("The lesson records its own completion as you work through it.")
        elif needs_quiz:
            self.hint.setText("Read, then answer the quiz to complete this module.")
        else:
            self.hint.setText("Ready to complete.")


def _focusables(root: QWidget, name: str = "") -> list[QWidget]:
    """``root``'s widgets that take Tab focus, in layout (creation) order. A scroll area that
    is only a container (``QScrollArea``) gives up focus to its contents; any other unnamed
    scrolling view (a text browser, a canvas) keeps it, for its keys, and gets a name."""
    out: list[QWidget] = []
    for w in root.findChildren(QWidget):
        if not w.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if isinstance(w, QAbstractScrollArea) and not w.accessibleName():
            if type(w) is QScrollArea:
                w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                continue
            w.setAccessibleName(name or root.accessibleName() or "Content")
        out.append(w)
    if root.focusPolicy() & Qt.FocusPolicy.TabFocus:
        out.insert(0, root)
    return out
