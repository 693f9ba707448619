"""Byte's nudge cards: a suggestion above the tutor's conversation, to act on or dismiss."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services.tutor import NudgeCard


class NudgeCardView(QFrame):
    acted = Signal(object)
    dismissed = Signal(object)

    ACTION_LABELS = {"hint": "Get a hint", "explain": "Explain it", "open_module": "Review it"}

    def __init__(self, card: NudgeCard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.card = card
        self.setProperty("role", "card")
        self.setObjectName(f"nudge-{card.kind}")
        self.setAccessibleName(f"Suggestion from Byte: {card.title}")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        head = QHBoxLayout()
        title = QLabel(f"<b>{card.title}</b>")
        head.addWidget(title, 1)
        close = QPushButton("×")
        close.setObjectName("nudge-dismiss")
        close.setAccessibleName(f"Dismiss the suggestion “{card.title}”")
        close.setFlat(True)
        close.setStyleSheet("padding: 0px 4px;")
        close.setFixedWidth(28)
        close.clicked.connect(lambda: self.dismissed.emit(self.card))
        head.addWidget(close)
        lay.addLayout(head)
        msg = QLabel(card.message)
        msg.setWordWrap(True)
        msg.setProperty("role", "muted")
        lay.addWidget(msg)
        label = self.ACTION_LABELS.get(card.action)
        if label:
            act = QPushButton(label)
            act.setObjectName("nudge-action")
            act.setAccessibleName(f"{label}: {card.title}")
            act.clicked.connect(lambda: self.acted.emit(self.card))
            lay.addWidget(act, 0, Qt.AlignmentFlag.AlignLeft)
