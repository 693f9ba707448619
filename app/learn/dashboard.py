"""The learner's home: published courses of their organisation with their progress."""

from __future__ import annotations

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

from app.services import learning
from app.services.accounts import CurrentUser
from app.services.context import AppContext

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


class Dashboard(QWidget):
    open_course = Signal(str)

    def __init__(self, ctx: AppContext, user: CurrentUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.user = ctx, user
        self.setObjectName("learn-dashboard")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        hello = QLabel(f"Welcome back, {user.full_name.split(' ')[0] or 'learner'}")
        hello.setProperty("role", "title")
        outer.addWidget(hello)
        self.summary = QLabel()
        self.summary.setProperty("role", "subtitle")
        outer.addWidget(self.summary)
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
