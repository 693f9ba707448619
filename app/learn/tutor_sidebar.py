"""Byte's sidebar beside the course player: ask, hint, explain; streaming, Stop, feedback.

Generation runs on a worker thread through :class:`app.tasks.TaskRunner`; text arrives here
through a queued Qt signal and is painted at most every 60 ms. Stop cancels the task (the
local model stops between prompt batches or tokens) and keeps what was said; there is no
time limit, and a failed answer offers Retry. The conversation is kept (each reply's turn)
and passed back, so follow-ups ("say that more simply") are understood. When a module opens,
Byte reads its text ahead of time in the background, so the first question starts quickly;
a question asked meanwhile goes first (the model queue's priority). Citations are links that
open the cited module in the player. Nudge cards appear above the conversation when the
service finds a signal (repeated wrong answers, a long stay, a due review, a streak at
risk); each can be acted on or dismissed and is shown at most once a day.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QObject, QTimer, QUrl, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.learn.nudge_cards import NudgeCardView
from app.learn.tutor_render import Exchange, conversation_html
from app.services import tutor as tutor_service
from app.services.accounts import CurrentUser
from app.services.authoring import CourseDoc
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.tutor import NudgeCard, TutorReply
from app.tasks import TaskControl, TaskHandle, TaskRunner, shared_runner
from engine.llm.base import CancelToken
from engine.tutor.conversation import Turn
from engine.tutor.prompts import Mode

log = logging.getLogger(__name__)


class _Stream(QObject):
    """Carries text from the worker thread to the UI thread (queued connection)."""

    text = Signal(str)
    model = Signal(str)
    waiting = Signal(str)


class TutorSidebar(QWidget):
    open_module = Signal(str)
    answered = Signal(object)  # TutorReply

    PAINT_MS = 60
    PREPARE_AFTER_MS = 1500

    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        course: CourseDoc,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
        rt: tutor_service.TutorRuntime | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.user, self.course = ctx, user, course
        self.rt = rt
        self.runner = runner or shared_runner()  # the player's: the main window's
        self.setObjectName("tutor-sidebar")
        self.setAccessibleName("Byte, your tutor")
        self.setMinimumWidth(300)
        self.module_id: str | None = None
        self.module_title: str | None = None
        self.module_opened_at: datetime | None = None
        self.dismissed: set[str] = set()
        self.exchanges: list[Exchange] = []
        self.turns: list[Turn] = []  # the conversation, as the model saw it
        self.handle: TaskHandle | None = None
        self.prepare_handle: TaskHandle | None = None
        self._last_ask: tuple[Mode, str] | None = None
        self._running = False
        self.module_numbers = {i: m.id for i, m in enumerate(course.modules, start=1) if m.id}

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 0, 0, 0)
        head = QHBoxLayout()
        name = QLabel("<b>Byte</b> · your tutor")
        name.setObjectName("tutor-title")
        head.addWidget(name, 1)
        lay.addLayout(head)
        self.model_label = QLabel()
        self.model_label.setObjectName("tutor-model")
        self.model_label.setProperty("role", "muted")
        self.model_label.setWordWrap(True)
        self.model_label.setAccessibleName("Which model answers")
        lay.addWidget(self.model_label)

        self.nudge_box = QVBoxLayout()
        self.nudge_box.setSpacing(6)
        lay.addLayout(self.nudge_box)

        self.view = QTextBrowser()
        self.view.setObjectName("tutor-conversation")
        self.view.setAccessibleName("Conversation with Byte")
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._link)
        lay.addWidget(self.view, 1)

        fb = QHBoxLayout()
        self.feedback_label = QLabel("Rate it:")
        self.feedback_label.setProperty("role", "muted")
        fb.addWidget(self.feedback_label, 1)
        self.up = QPushButton("Helpful")
        self.up.setObjectName("tutor-helpful")
        self.up.setAccessibleName("This answer was helpful")
        self.up.setCheckable(True)
        self.up.clicked.connect(lambda: self._feedback(True))
        self.down = QPushButton("Not helpful")
        self.down.setObjectName("tutor-unhelpful")
        self.down.setAccessibleName("This answer was not helpful")
        self.down.setCheckable(True)
        self.down.clicked.connect(lambda: self._feedback(False))
        fb.addWidget(self.up)
        fb.addWidget(self.down)
        lay.addLayout(fb)

        self.input = QLineEdit()
        self.input.setObjectName("tutor-input")
        self.input.setPlaceholderText("Ask Byte about this course…")
        self.input.setAccessibleName("Ask Byte a question")
        self.input.returnPressed.connect(lambda: self.ask(Mode.QUESTION))
        self.input.textEdited.connect(self._warm_up)
        lay.addWidget(self.input)

        buttons = QHBoxLayout()
        self.ask_button = QPushButton("Ask")
        self.ask_button.setProperty("role", "primary")
        self.ask_button.setObjectName("tutor-ask")
        self.ask_button.setAccessibleName("Ask Byte")
        self.ask_button.clicked.connect(lambda: self.ask(Mode.QUESTION))
        self.hint_button = QPushButton("Hint")
        self.hint_button.setObjectName("tutor-hint")
        self.hint_button.setAccessibleName("Ask Byte for a hint, without the answer")
        self.hint_button.clicked.connect(lambda: self.ask(Mode.HINT))
        self.explain_button = QPushButton("Explain")
        self.explain_button.setObjectName("tutor-explain")
        self.explain_button.setAccessibleName("Ask Byte to explain this module")
        self.explain_button.clicked.connect(lambda: self.ask(Mode.EXPLANATION))
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("tutor-stop")
        self.stop_button.setAccessibleName("Stop Byte's answer")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setObjectName("tutor-retry")
        self.retry_button.setAccessibleName("Ask Byte the same again")
        self.retry_button.setVisible(False)
        self.retry_button.clicked.connect(self.retry)
        for b in (
            self.ask_button,
            self.hint_button,
            self.explain_button,
            self.stop_button,
            self.retry_button,
        ):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.status = QLabel()
        self.status.setObjectName("tutor-status")
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)

        self._stream = _Stream()
        self._stream.text.connect(self._on_text)
        self._stream.model.connect(self._on_model)
        self._stream.waiting.connect(self._on_waiting)
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.timeout.connect(self._paint)
        self._prepare_timer = QTimer(self)
        self._prepare_timer.setSingleShot(True)
        self._prepare_timer.setInterval(self.PREPARE_AFTER_MS)
        self._prepare_timer.timeout.connect(self._prepare_if_local)

        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        self._load_history()
        self.refresh_model_status()
        self._paint()
        self._update_feedback()

    # -- state ---------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._running

    def refresh_model_status(self) -> None:
        try:
            st = tutor_service.model_status(self.rt)
        except Exception as err:  # a broken provider must not break the player
            log.exception("model status")
            self.model_label.setText(f"No model available ({err})")
            return
        if st.available:
            where = "works offline" if st.local else "online"
            self.model_label.setText(f"Model: {st.label} · {where}")
        else:
            self.model_label.setText(
                "No model available — "
                + "; ".join(f"{k}: {v}" for k, v in list(st.reasons.items())[:2])
            )

    def _warm_up(self) -> None:
        """The learner started typing: load the models now, so the answer starts sooner."""
        rt = self.rt or tutor_service.runtime()
        if rt.warming or self.busy:
            return
        rt.warming = True
        self.runner.run("Preparing Byte", lambda _control: rt.warm_up())

    def _load_history(self) -> None:
        try:
            items = tutor_service.history(self.ctx, self.user, self.course.id)
        except Exception:
            log.exception("tutor history")
            items = []
        self.exchanges = [
            Exchange(
                question=h.question,
                answer=h.answer,
                kind=h.kind,
                citations=h.citations,
                model_label=h.model_label,
                interaction_id=h.id,
                helpful=h.helpful,
            )
            for h in items
        ]

    def _captured(
        self,
    ) -> tuple[AppContext, CurrentUser, str, str | None, tutor_service.TutorRuntime | None]:
        """What a worker's function needs, as plain values: it must never hold the widget
        (a QObject freed on a worker thread crashes; see app/tasks.py)."""
        return self.ctx, self.user, self.course.id, self.module_id, self.rt

    def _prepare_if_local(self) -> None:
        if self.busy:
            return
        try:
            local = tutor_service.model_status(self.rt).local
        except Exception:  # a broken provider must not break the player
            log.exception("model status")
            return
        if local:  # only the on-device model gains from reading ahead
            self.prepare()

    def prepare(self) -> TaskHandle | None:
        """Read the module on screen (then the others) ahead of time, in the background."""
        if self.prepare_handle is not None and not self.prepare_handle.done:
            self.prepare_handle.cancel()  # restart with the new module first
        ctx, user, course_id, module_id, rt = self._captured()

        def work(control: TaskControl) -> int:
            return tutor_service.prepare(
                ctx,
                user,
                course_id,
                module_id,
                cancel=CancelToken(also=lambda: control.cancelled),
                rt=rt,
            )

        handle = self.runner.run(
            "Getting Byte ready",
            work,
            on_error=lambda message: log.warning("preparing Byte: %s", message),
        )
        self.destroyed.connect(handle.cancel)  # the player closed: stop reading ahead
        self.prepare_handle = handle
        return handle

    def set_module(self, module_id: str | None, title: str | None) -> None:
        """The player shows another module: nudges follow it."""
        self.module_id, self.module_title = module_id, title
        self.module_opened_at = datetime.now(UTC)
        self.refresh_nudges()
        self._prepare_timer.start()  # once the learner stays a moment on the module

    # -- nudges --------------------------------------------------------------------------
    def refresh_nudges(self) -> None:
        while self.nudge_box.count():
            item = self.nudge_box.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        try:
            cards = tutor_service.nudge(
                self.ctx,
                self.user,
                self.course.id,
                self.module_id,
                dismissed=self.dismissed,
            )
        except Exception:
            log.exception("tutor nudges")
            return
        for card in cards:
            view = NudgeCardView(card)
            view.acted.connect(self._act_on)
            view.dismissed.connect(self._dismiss)
            self.nudge_box.addWidget(view)

    @property
    def nudge_cards(self) -> list[NudgeCardView]:
        out = []
        for i in range(self.nudge_box.count()):
            item = self.nudge_box.itemAt(i)
            w = item.widget() if item is not None else None
            if isinstance(w, NudgeCardView):
                out.append(w)
        return out

    def _dismiss(self, card: NudgeCard) -> None:
        self.dismissed.add(card.key)
        self.refresh_nudges()

    def _act_on(self, card: NudgeCard) -> None:
        self.dismissed.add(card.key)
        if card.action == "hint":
            self.ask(Mode.HINT)
        elif card.action == "explain":
            self.ask(Mode.EXPLANATION)
        elif card.action == "open_module" and card.module_id:
            self.open_module.emit(card.module_id)
        self.refresh_nudges()

    # -- asking --------------------------------------------------------------------------
    def ask(self, mode: Mode, text: str | None = None) -> TaskHandle | None:
        if self.busy:
            return None
        question = (self.input.text() if text is None else text).strip()
        if mode is Mode.QUESTION and not question:
            self.status.setText("Type a question first.")
            return None
        self.input.clear()
        self._last_ask = (mode, question)
        self.retry_button.setVisible(False)
        shown = question or _default_label(mode, self.module_title)
        exchange = Exchange(
            question=shown,
            kind={"hint": "hint_request", "explanation": "explanation"}.get(str(mode), "question"),
            pending=True,
        )
        self.exchanges.append(exchange)
        self._set_busy(True)
        self.status.setText("Byte is thinking…")
        self._paint()
        ctx, user, course_id, module_id, rt = self._captured()
        stream = self._stream
        history = tuple(self.turns)

        def work(control: TaskControl) -> TutorReply:
            return tutor_service.query(
                ctx,
                user,
                course_id,
                question,
                mode=mode,
                module_id=module_id,
                cancel=CancelToken(also=lambda: control.cancelled),
                on_text=stream.text.emit,
                on_model=stream.model.emit,
                on_wait=stream.waiting.emit,
                history=history,
                rt=rt,
            )

        self._running = True
        self.handle = self.runner.run(
            "Byte is answering",
            work,
            on_success=self._done,
            on_error=self._failed,
            on_cancel=self._cancelled,
        )
        # (the stream the worker emits on is held by ``work``, which the runner releases
        # on the UI thread once the end is delivered: it is never freed on the worker)
        return self.handle

    def stop(self) -> None:
        if self._running and self.handle is not None:
            self.handle.cancel()
            self.status.setText("Stopping…")

    def retry(self) -> TaskHandle | None:
        """Ask the failed question again (the failed exchange gives way to the new one)."""
        if self.busy or self._last_ask is None:
            return None
        if self.exchanges and self.exchanges[-1].error:
            self.exchanges.pop()
        mode, question = self._last_ask
        return self.ask(mode, question)

    def _on_waiting(self, holder: str) -> None:
        if self.exchanges and self.exchanges[-1].pending and not self.exchanges[-1].answer:
            self.status.setText(f"Byte is waiting for “{holder}” to pause…")

    def _on_text(self, piece: str) -> None:
        if self.exchanges and self.exchanges[-1].pending:
            self.exchanges[-1].answer += piece
            if not self._paint_timer.isActive():
                self._paint_timer.start(self.PAINT_MS)

    def _on_model(self, label: str) -> None:
        if self.exchanges and self.exchanges[-1].pending:
            self.exchanges[-1].model_label = label
            self.status.setText(f"{label} is answering…")

    def _done(self, reply: object) -> None:
        assert isinstance(reply, TutorReply)
        if self.exchanges and self.exchanges[-1].pending:
            ex = self.exchanges[-1]
            ex.pending = False
            ex.answer = reply.text
            ex.question = reply.question or ex.question
            ex.interaction_id = reply.interaction_id
            ex.model_label = reply.model_label
            ex.stopped = reply.stopped
            ex.citations = [
                {"module_id": c.module_id, "number": c.number, "title": c.title}
                for c in reply.citations
                if c.cited
            ]
        if reply.turn is not None:
            self.turns.append(reply.turn)
            del self.turns[:-6]
        self._finish("" if reply.covered else "Not covered by this course.")
        self.answered.emit(reply)

    def _failed(self, message: str) -> None:
        if self.exchanges and self.exchanges[-1].pending:
            ex = self.exchanges[-1]
            ex.pending = False
            ex.error = message  # said once, in the conversation where it happened
        self._finish("Byte couldn't answer. Retry?")
        self.retry_button.setVisible(True)

    def _cancelled(self) -> None:
        if self.exchanges and self.exchanges[-1].pending:
            ex = self.exchanges[-1]
            ex.pending = False
            ex.stopped = True
        self._finish("Stopped.")

    def _finish(self, status: str) -> None:
        self._running = False  # (the worker may not have marked its handle done yet)
        self._set_busy(False)
        self.status.setText(status)
        self._paint()
        self._update_feedback()

    def _set_busy(self, busy: bool) -> None:
        for b in (self.ask_button, self.hint_button, self.explain_button):
            b.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.input.setEnabled(not busy)

    # -- feedback and links --------------------------------------------------------------
    def _latest(self) -> Exchange | None:
        for ex in reversed(self.exchanges):
            if ex.interaction_id and not ex.pending:
                return ex
        return None

    def _update_feedback(self) -> None:
        ex = self._latest()
        enabled = ex is not None and not self.busy
        self.up.setEnabled(enabled)
        self.down.setEnabled(enabled)
        self.up.setChecked(bool(ex and ex.helpful is True))
        self.down.setChecked(bool(ex and ex.helpful is False))

    def _feedback(self, helpful: bool) -> None:
        ex = self._latest()
        if ex is None or ex.interaction_id is None:
            return
        value: bool | None = None if ex.helpful is helpful else helpful  # click again: clear
        try:
            tutor_service.set_helpful(self.ctx, self.user, ex.interaction_id, value)
        except UserError as err:
            self.status.setText(str(err))
            return
        ex.helpful = value
        self.status.setText(
            "" if value is None else ("Thanks!" if value else "Thanks — Byte will remember.")
        )
        self._update_feedback()
        self._paint()

    def _link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("module:"):
            self.open_module.emit(text.removeprefix("module:"))

    def _paint(self) -> None:
        bar = self.view.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.view.setHtml(conversation_html(self.exchanges, self.module_numbers))
        if at_end or self.busy:
            bar.setValue(bar.maximum())

    def shutdown(self) -> None:
        """Stop any answer in progress and the reading ahead (the player is closing)."""
        self.stop()
        self._prepare_timer.stop()
        if self.prepare_handle is not None and not self.prepare_handle.done:
            self.prepare_handle.cancel()


def _default_label(mode: Mode, module_title: str | None) -> str:
    where = f"“{module_title}”" if module_title else "this module"
    if mode is Mode.HINT:
        return f"A hint for the quiz on {where}, please."
    return f"Explain {where}, please."
