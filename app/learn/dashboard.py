"""The learner's home: the next best action, then published courses with their progress."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.services import learning, twin
from app.services.accounts import CurrentUser
from app.services.context import AppContext

log = logging.getLogger(__name__)

_DIFFICULTY = {"beginner": "Beginner", "intermediate": "Intermediate", "advanced": "Advanced"}


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """``1 module``, ``2 modules`` (and ``0 modules``)."""
    return f"{n} {noun if n == 1 else plural_form or noun + 's'}"


CARD_MIN_WIDTH = 320  # a card is never narrower; columns are added as the window widens
CARD_MAX_COLUMNS = 4


class CourseCardWidget(QFrame):
    open_requested = Signal(str)
    practise_requested = Signal(str)

    def __init__(self, card: learning.CourseCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = card
        self.setProperty("role", "card")
        self.setObjectName(f"course-card-{card.id}")
        self.setAccessibleName(f"Course {card.title}")
        self.setMinimumWidth(CARD_MIN_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 16, 18, 16)
        title = QLabel(card.title)
        title.setObjectName("course-title")
        title.setWordWrap(True)
        title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        lay.addWidget(title)
        meta = [plural(card.module_count, "module")]
        if card.estimated_duration_mins:
            meta.append(f"{card.estimated_duration_mins} min")
        if card.difficulty:
            meta.append(_DIFFICULTY.get(card.difficulty, card.difficulty))
        self.meta_label = QLabel(" · ".join(meta))
        self.meta_label.setObjectName("course-meta")
        self.meta_label.setProperty("role", "muted")
        lay.addWidget(self.meta_label)
        self.description = QLabel(card.description)
        self.description.setObjectName("course-description")
        self.description.setWordWrap(True)
        self.description.setProperty("role", "muted")
        self.description.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        lay.addWidget(self.description)
        lay.addStretch(1)
        bar = QProgressBar()
        bar.setObjectName("course-progress")
        bar.setRange(0, 100)
        bar.setValue(round(card.progress_pct))
        bar.setFormat(f"{card.progress_pct:.0f}% complete")
        bar.setTextVisible(False)
        bar.setAccessibleName(f"Progress {card.progress_pct:.0f} percent")
        lay.addWidget(bar)
        row = QHBoxLayout()
        status = QLabel(f"{card.progress_pct:.0f}% complete")
        status.setProperty("role", "muted")
        row.addWidget(status)
        row.addStretch(1)
        self.practise_button: QPushButton | None = None
        if card.status != "not_started":
            self.practise_button = QPushButton("Practise")
            self.practise_button.setObjectName("practise-course")
            self.practise_button.setAccessibleName(f"Practise questions from {card.title}")
            self.practise_button.clicked.connect(lambda: self.practise_requested.emit(card.id))
            row.addWidget(self.practise_button)
        label = {"not_started": "Start", "completed": "Review"}.get(card.status, "Continue")
        self.open_button = QPushButton(label)
        self.open_button.setProperty("role", "primary")
        self.open_button.setObjectName("open-course")
        self.open_button.setAccessibleName(f"{label} {card.title}")
        self.open_button.clicked.connect(lambda: self.open_requested.emit(card.id))
        row.addWidget(self.open_button)
        lay.addLayout(row)


class _CardGrid(QWidget):
    """Course cards in as many equal columns as the width allows (responsive reflow)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(16)
        self.cards: list[CourseCardWidget] = []
        self.columns = 0

    def set_cards(self, cards: list[CourseCardWidget]) -> None:
        for old in self.cards:
            self.grid.removeWidget(old)
            old.hide()  # at once: deleteLater waits for the event loop
            old.deleteLater()
        self.cards = cards
        self.columns = 0
        self.reflow()

    def columns_for(self, width: int) -> int:
        """As many columns of at least CARD_MIN_WIDTH as fit (up to CARD_MAX_COLUMNS); with
        fewer cards than that, fewer (but at least two) columns so the cards widen instead
        of leaving most of a wide window empty."""
        sp = self.grid.spacing()
        fit = max(1, min(CARD_MAX_COLUMNS, (width + sp) // (CARD_MIN_WIDTH + sp)))
        return min(fit, max(2, len(self.cards)))

    def reflow(self) -> None:
        cols = self.columns_for(self.width())
        if cols == self.columns and all(self.grid.indexOf(c) >= 0 for c in self.cards):
            return
        for c in self.cards:
            self.grid.removeWidget(c)
        for i in range(max(self.columns, cols, 1) + 1):
            self.grid.setColumnStretch(i, 0)
            self.grid.setColumnMinimumWidth(i, 0)
        for i, c in enumerate(self.cards):
            self.grid.addWidget(c, i // cols, i % cols)
        for i in range(cols):
            self.grid.setColumnStretch(i, 1)  # equal columns, even when a row is not full
        rows = (len(self.cards) + cols - 1) // cols
        for r in range(rows + 2):
            self.grid.setRowStretch(r, 0)
        self.grid.setRowStretch(rows, 1)  # cards keep their height at the top
        self.columns = cols

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.reflow()


_GO_LABEL = {
    "continue_module": "Continue",
    "complete_compliance": "Start training",
    "close_skill_gap": "Practise now",
    "review_flashcards": "Review now",
    "start_course": "Start course",
}


class NextActionCard(QFrame):
    """The one suggestion of the learner twin, with a button that carries it out."""

    go_requested = Signal(object)  # twin.ActionView

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.setObjectName("next-action-card")
        self.setAccessibleName("Next best action")
        self.action: twin.ActionView | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 14)
        text = QVBoxLayout()
        kicker = QLabel("Next best action")
        kicker.setProperty("role", "muted")
        text.addWidget(kicker)
        self.title = QLabel()
        self.title.setObjectName("next-action-title")
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        text.addWidget(self.title)
        self.reason = QLabel()
        self.reason.setObjectName("next-action-reason")
        self.reason.setWordWrap(True)
        text.addWidget(self.reason)
        lay.addLayout(text, 1)
        self.go_button = QPushButton("Go")
        self.go_button.setProperty("role", "primary")
        self.go_button.setObjectName("next-action-go")
        self.go_button.clicked.connect(self._go)
        lay.addWidget(self.go_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def show_action(self, action: twin.ActionView | None) -> None:
        self.action = action
        if action is None:
            self.title.setText("Suggestions are unavailable right now")
            self.reason.setText("Your courses are below.")
            self.go_button.hide()
            self.setAccessibleDescription("")
            return
        self.title.setText(action.title)
        self.reason.setText(action.reason)
        self.setAccessibleDescription(f"{action.title}. {action.reason}")
        label = _GO_LABEL.get(action.type, "Go")
        self.go_button.setText(label)
        self.go_button.setAccessibleName(f"{label}: {action.title}")
        self.go_button.setVisible(action.can_open)

    def _go(self) -> None:
        if self.action is not None and self.action.can_open:
            self.go_requested.emit(self.action)


SIDE_PANEL_MIN_WIDTH = 1200  # the "Your learning" column shows from this dashboard width


class LearningPanel(QFrame):
    """The right-hand column of a wide dashboard: where the learner stands, or — on a first
    visit — how ByteOS works, so a wide window is not half empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.setObjectName("learning-panel")
        self.setAccessibleName("Your learning")
        self.setFixedWidth(340)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 16, 18, 16)
        lay.setSpacing(10)
        title = QLabel("Your learning")
        title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        lay.addWidget(title)
        self.body = QLabel()
        self.body.setObjectName("learning-panel-body")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.body)

    def show_summary(
        self, summary: twin.TwinSummary | None, courses: list[learning.CourseCard]
    ) -> None:
        if summary is None or summary.events == 0:
            steps = (
                "<b>Study</b> a module the way that suits you: text, video, audio, a mind "
                "map, flashcards, a feed or a game.",
                "<b>Answer</b> its quiz: Byte, your tutor, tracks each skill from your answers.",
                "<b>Practise</b> and review: Byte picks the questions that help you most.",
            )
            items = "".join(f"<li style='margin-bottom:6px'>{t}</li>" for t in steps)
            self.body.setText(f"<p>How ByteOS works:</p><ol style='margin-left:-20px'>{items}</ol>")
            self.setAccessibleDescription(
                "How ByteOS works: study, answer the quiz, practise and review."
            )
            return
        done = sum(c.status == "completed" for c in courses)
        started = sum(c.status != "not_started" for c in courses)
        minutes = round(summary.total_learning_minutes)
        lines = [
            f"{plural(minutes, 'minute')} of learning" if minutes else "Under a minute of learning",
            f"{plural(started, 'course')} started · {done} completed",
        ]
        if summary.streak_days:
            lines.append(f"{summary.streak_days}-day streak")
        assessed = len(summary.mastery)
        gaps = sum(g in summary.mastery for g in summary.open_gaps)  # measured gaps only
        lines.append(f"{plural(assessed, 'skill')} assessed")
        if assessed and gaps:
            lines.append(f"{plural(gaps, 'skill')} below target")
        self.body.setText("<br>".join(lines))
        self.setAccessibleDescription(". ".join(lines))


class Dashboard(QWidget):
    open_course = Signal(str)
    open_module = Signal(str, str)  # course id, module id
    open_skills = Signal()
    practise = Signal(str, str)  # course id, skill id
    open_in_modality = Signal(str, str, str)  # course id, module id, modality

    def __init__(self, ctx: AppContext, user: CurrentUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.user = ctx, user
        self.setObjectName("learn-dashboard")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        self.hello = QLabel()
        self.hello.setObjectName("dashboard-greeting")
        self.hello.setProperty("role", "title")
        head = QHBoxLayout()
        head.addWidget(self.hello, 1)
        self.practise_button = QPushButton("Practise")
        self.practise_button.setObjectName("open-practice")
        self.practise_button.setAccessibleName("Practise questions from your course")
        self.practise_button.setToolTip(
            "Questions picked one at a time to be challenging but within reach"
        )
        self.practise_button.clicked.connect(self._practise_current)
        head.addWidget(self.practise_button)
        self.skills_button = QPushButton("Skills")
        self.skills_button.setObjectName("open-skills")
        self.skills_button.setAccessibleName("Show my skills")
        self.skills_button.clicked.connect(self.open_skills)
        head.addWidget(self.skills_button)
        outer.addLayout(head)
        self.summary = QLabel()
        self.summary.setProperty("role", "subtitle")
        outer.addWidget(self.summary)
        body = QHBoxLayout()
        body.setSpacing(16)
        main = QVBoxLayout()
        main.setSpacing(12)
        body.addLayout(main, 1)
        self.side = LearningPanel()
        body.addWidget(self.side, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(body, 1)
        from app.learn.assigned_work import AssignedWork  # issue 12: assigned work first

        self.assigned = AssignedWork(ctx, user)
        self.assigned.open_course.connect(self.open_course)
        main.addWidget(self.assigned)
        self.next_action = NextActionCard()
        self.next_action.go_requested.connect(self._perform)
        main.addWidget(self.next_action)
        self.twin: twin.TwinSummary | None = None
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.grid_host = _CardGrid()
        self.grid = self.grid_host.grid
        scroll.setWidget(self.grid_host)
        main.addWidget(scroll, 1)
        self.cards: list[CourseCardWidget] = []
        self.courses: list[learning.CourseCard] = []
        self.refresh()

    def refresh(self) -> None:
        self.assigned.refresh()
        self.refresh_twin()
        first = self.user.full_name.split(" ")[0] or "learner"
        returning = self.twin is not None and self.twin.events > 0
        self.hello.setText(f"Welcome back, {first}" if returning else f"Welcome, {first}")
        courses = learning.list_catalogue(self.ctx, self.user)
        self.courses = courses
        done = sum(c.status == "completed" for c in courses)
        if courses:
            self.summary.setText(f"{plural(len(courses), 'course')} available · {done} completed")
        else:
            self.summary.setText(
                "No published courses yet. When a creator publishes a course, it appears here."
            )
        cards: list[CourseCardWidget] = []
        for course in courses:
            card = CourseCardWidget(course)
            card.open_requested.connect(self.open_course)
            card.practise_requested.connect(lambda cid: self.practise.emit(cid, ""))
            cards.append(card)
        self.cards = cards
        self.grid_host.set_cards(cards)
        self.side.show_summary(self.twin, courses)
        self.practise_button.setEnabled(bool(courses))
        self.practise_button.setToolTip(
            "Questions picked one at a time to be challenging but within reach"
            if courses
            else "Practice opens when a course is published for you"
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.side.setVisible(self.width() >= SIDE_PANEL_MIN_WIDTH)

    def practice_course(self) -> str | None:
        """The course the header's Practise button uses: the one in progress, else the first."""
        courses = self.courses
        for status in ("in_progress", "overdue", "completed"):
            for c in courses:
                if c.status == status:
                    return c.id
        return courses[0].id if courses else None

    def _practise_current(self) -> None:
        course_id = self.practice_course()
        if course_id is not None:
            self.practise.emit(course_id, "")

    def refresh_twin(self) -> None:
        try:
            self.twin = twin.refresh_twin(self.ctx, self.user)
        except Exception:  # the suggestion is a nicety: never let it hide the courses
            log.exception("Could not refresh the learner twin")
            self.twin = None
        self.next_action.show_action(self.twin.next_action if self.twin else None)

    def _perform(self, action: twin.ActionView) -> None:
        if action.course_id is None:
            return
        if action.type == "close_skill_gap" and action.skill_id is not None:
            self.practise.emit(action.course_id, action.skill_id)
        elif action.module_id is not None and action.modality is not None:
            self.open_in_modality.emit(action.course_id, action.module_id, action.modality)
        elif action.module_id is not None:
            self.open_module.emit(action.course_id, action.module_id)
        else:
            self.open_course.emit(action.course_id)
