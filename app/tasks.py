"""The one way to run long work off the UI thread, with progress and cancel.

Like Anki's ``aqt/operations``: a view hands a plain function to ``TaskRunner.run``; the
function runs on a worker thread from ``QThreadPool`` and receives a ``TaskControl`` through
which it reports progress and checks for cancellation. Results, errors and progress come back
to the UI thread as Qt signals, so callbacks may touch widgets safely.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class Cancelled(Exception):
    """Raised inside a task by ``TaskControl.check()`` once the user has cancelled."""


class TaskControl:
    """Handed to the task function: report progress, honour cancellation. Qt-free."""

    def __init__(self, on_progress: Callable[[float, str], None]) -> None:
        self._cancel = threading.Event()
        self._on_progress = on_progress

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, fraction: float, message: str = "") -> None:
        """Report ``fraction`` (0..1) done; also a cancellation point."""
        self.check()
        self._on_progress(max(0.0, min(1.0, fraction)), message)


class TaskHandle(QObject):
    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(str)
    was_cancelled = Signal()
    ended = Signal()

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
        self.control = TaskControl(self.progressed.emit)
        self.done = False

    def cancel(self) -> None:
        self.control.cancel()


class _Runnable(QRunnable):
    def __init__(self, handle: TaskHandle, fn: Callable[[TaskControl], Any]) -> None:
        super().__init__()
        self.handle = handle
        self.fn = fn
        self.setAutoDelete(True)

    def run(self) -> None:
        h = self.handle
        try:
            result = self.fn(h.control)
            h.control.check()
        except Cancelled:
            h.was_cancelled.emit()
        except Exception as err:
            traceback.print_exc()
            h.failed.emit(str(err) or type(err).__name__)
        else:
            h.succeeded.emit(result)
        finally:
            h.done = True
            h.ended.emit()


class TaskRunner(QObject):
    """Starts tasks and tells listeners (the status bar) what is running."""

    started = Signal(object)  # TaskHandle

    def __init__(self, pool: QThreadPool | None = None) -> None:
        super().__init__()
        self.pool = pool or QThreadPool.globalInstance()
        self._live: set[TaskHandle] = set()

    def run(
        self,
        label: str,
        fn: Callable[[TaskControl], Any],
        *,
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_progress: Callable[[float, str], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
    ) -> TaskHandle:
        handle = TaskHandle(label)
        if on_success:
            handle.succeeded.connect(on_success)
        if on_error:
            handle.failed.connect(on_error)
        if on_progress:
            handle.progressed.connect(on_progress)
        if on_cancel:
            handle.was_cancelled.connect(on_cancel)
        self._live.add(handle)
        handle.ended.connect(lambda: self._live.discard(handle))
        self.started.emit(handle)
        self.pool.start(_Runnable(handle, fn))
        return handle

    @property
    def running(self) -> list[TaskHandle]:
        return [h for h in self._live if not h.done]

    def wait_all(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)
