"""The learner's home: the next best action, then published courses with their progress."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
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


class CourseCardWidget(QFrame):
    open_requested = Signal(str)

    def __init__(self, card: learning.CourseCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = card
        self.setProperty("role", "card")
        self.setObjectName(f"course-card-{card.id}")
        self.setAccessibleName(f"Course {card.title}")
        self.setFixedWidth(440)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 16, 18, 16)
        title = QLabel(card.title)
        title.setWordWrap(True)
        title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        lay.addWidget(title)
        meta = [f"{card.module_count} modules"]
        if card.estimated_duration_mins:
            meta.append(f"{card.estimated_duration_mins} min")
        if card.difficulty:
            meta.append(_DIFFICULTY.get(card.difficulty, card.difficulty))
        meta_label = QLabel(" · ".join(meta))
        meta_label.setProperty("role", "muted")
        lay.addWidget(meta_label)
        desc = QLabel(card.description)
        desc.setWordWrap(True)
        desc.setProperty("role", "muted")
        lay.addWidget(desc)
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
        label = {"not_started": "Start", "completed": "Review"}.get(card.status, "Continue")
        self.open_button = QPushButton(label)
        self.open_button.setProperty("role", "primary")
        self.open_button.setObjectName("open-course")
        self.open_button.setAccessibleName(f"{label} {card.title}")
        self.open_button.clicked.connect(lambda: self.open_requested.emit(card.id))
        row.addWidget(self.open_button)
        lay.addLayout(row)


_GO_LABEL = {
    "continue_module": "Continue",
    "complete_compliance": "Start training",
    "close_skill_gap": "Practise now",
    "review_flashcards": "Review now",
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
        hello = QLabel(f"Welcome back, {user.full_name.split(' ')[0] or 'learner'}")
        hello.setProperty("role", "title")
        head = QHBoxLayout()
        head.addWidget(hello, 1)
        self.skills_button = QPushButton("Skills")
        self.skills_button.setObjectName("open-skills")
        self.skills_button.setAccessibleName("Show my skills")
        self.skills_button.clicked.connect(self.open_skills)
        head.addWidget(self.skills_button)
        outer.addLayout(head)
        self.summary = QLabel()
        self.summary.setProperty("role", "subtitle")
        outer.addWidget(self.summary)
        self.next_action = NextActionCard()
        self.next_action.go_requested.connect(self._perform)
        outer.addWidget(self.next_action)
        self.twin: twin.TwinSummary | None = None
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.grid_host = QWidget()
        self.grid_host.setObjectName("page")
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(16)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll.setWidget(self.grid_host)
        outer.addWidget(scroll, 1)
        self.cards: list[CourseCardWidget] = []
        self.refresh()

    def refresh(self) -> None:
        self.refresh_twin()
        for card in self.cards:
            card.deleteLater()
        self.cards = []
        courses = learning.list_catalogue(self.ctx, self.user)
        done = sum(c.status == "completed" for c in courses)
        if courses:
            self.summary.setText(
                f"{len(courses)} course{'s' if len(courses) != 1 else ''} available"
                f" · {done} completed"
            )
        else:
            self.summary.setText(
                "No published courses yet. When a creator publishes a course, it appears here."
            )
        for i, course in enumerate(courses):
            card = CourseCardWidget(course)
            card.open_requested.connect(self.open_course)
            self.grid.addWidget(card, i // 2, i % 2)
            self.cards.append(card)

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
