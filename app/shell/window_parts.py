"""Parts of the main window's frame that do not need the database: the status bar's view
of running work, and the image shown while the rest of the window loads."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPaintEvent, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.tasks import TaskHandle, TaskRunner


class TaskStatus(QWidget):
    """Status-bar view of the running task: label, progress and a Cancel button."""

    def __init__(self, runner: TaskRunner) -> None:
        super().__init__()
        self.runner = runner
        self.setObjectName("task-status")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(False)  # dark digits over the accent fill were unreadable
        self.bar.setAccessibleName("Task progress")
        self.percent = QLabel()
        self.percent.setProperty("role", "muted")
        self.percent.setAccessibleName("Task progress, percent")
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel the running task")
        for w in (self.label, self.bar, self.percent, self.cancel):
            lay.addWidget(w)
        self.handle: TaskHandle | None = None
        self.cancel.clicked.connect(self._cancel)
        runner.started.connect(self.track)
        self.hide()

    def track(self, handle: TaskHandle) -> None:
        self.handle = handle
        self.label.setText(handle.label)
        self.bar.setValue(0)
        self.percent.setText("")
        handle.progressed.connect(self._progress)
        handle.ended.connect(lambda: self._ended(handle))
        self.show()

    def _ended(self, handle: TaskHandle) -> None:
        """One task ended: show the newest one still running, if any (a background task
        may end after the window that showed it is gone: the lambda outlives it)."""
        import shiboken6

        if handle is not self.handle or not shiboken6.isValid(self):
            return
        self.handle = None
        running = self.runner.running
        if running:
            self.track(running[-1])
        else:
            self.hide()

    def _progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(round(fraction * 100))
        self.percent.setText(f"{round(fraction * 100)} %")
        if message:
            self.label.setText(message)

    def _cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.label.setText("Cancelling…")


class LaunchPreview(QLabel):
    """The workspace as it was at the last quit, shown until the live one is built
    (``app/shell/launch_snapshot.py``). Says when it has been painted once: that is when the
    start-up goes on to load the rest."""

    painted = Signal()

    def __init__(self, image: QImage | None) -> None:
        super().__init__()
        self.setObjectName("launch-preview")
        self.setAccessibleName("ByteOS is starting")
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if image is not None:
            self.setPixmap(QPixmap.fromImage(image))
        self._said = False

    def paintEvent(self, event: QPaintEvent) -> None:
        pixmap = self.pixmap()
        # the window opened at another width: an empty page, never a skewed picture (a
        # height that differs by a status bar only moves where the page's background ends)
        if not pixmap.isNull() and round(pixmap.deviceIndependentSize().width()) != self.width():
            self.clear()
        super().paintEvent(event)
        if not self._said:
            self._said = True
            QTimer.singleShot(0, self.painted.emit)  # after this frame reaches the screen
