"""The one way to run long work off the UI thread, with progress and cancel.

Like Anki's ``aqt/operations``: a view hands a plain function to ``TaskRunner.run``; the
function runs on a worker thread from ``QThreadPool`` and receives a ``TaskControl`` through
which it reports progress and checks for cancellation. Results, errors and progress come back
to the UI thread as Qt signals, so callbacks may touch widgets safely.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
import warnings
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


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
    """A running task as the UI sees it. Lives on the UI thread: the worker emits the private
    ``_w_*`` signals, which Qt queues to this object's thread, and only there are the public
    signals emitted — so every callback runs on the UI thread, whatever it is connected to."""

    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(str)
    was_cancelled = Signal()
    ended = Signal()

    _w_progress = Signal(float, str)
    _w_success = Signal(object)
    _w_failed = Signal(str)
    _w_cancelled = Signal()
    _w_ended = Signal()

    def __init__(self, label: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.control = TaskControl(self._w_progress.emit)
        self.done = False
        self._w_progress.connect(self._on_progress)
        self._w_success.connect(self._on_success)
        self._w_failed.connect(self._on_failed)
        self._w_cancelled.connect(self._on_cancelled)
        self._w_ended.connect(self._on_ended)

    def cancel(self) -> None:
        self.control.cancel()

    @Slot(float, str)
    def _on_progress(self, fraction: float, message: str) -> None:
        self.progressed.emit(fraction, message)

    @Slot(object)
    def _on_success(self, result: object) -> None:
        self.succeeded.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.failed.emit(message)

    @Slot()
    def _on_cancelled(self) -> None:
        self.was_cancelled.emit()

    @Slot()
    def _on_ended(self) -> None:
        self.done = True
        self.ended.emit()
        # drop the callbacks (and the widgets their closures hold) now that all have run
        with warnings.catch_warnings():  # PySide warns when a signal had no connection
            warnings.simplefilter("ignore", RuntimeWarning)
            for sig in (
                self.progressed,
                self.succeeded,
                self.failed,
                self.was_cancelled,
                self.ended,
            ):
                with contextlib.suppress(RuntimeError, TypeError):
                    sig.disconnect()


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
            h._w_cancelled.emit()
        except Exception as err:  # every failure must reach the user
            traceback.print_exc()
            h._w_failed.emit(str(err) or type(err).__name__)
        else:
            h._w_success.emit(result)
        finally:
            h._w_ended.emit()


class TaskRunner(QObject):
    """Starts tasks and tells listeners (the status bar) what is running.

    Finished handles stay children of the runner (a few hundred bytes each, their callbacks
    disconnected) and go with it; deleting them sooner could race the worker thread.
    """

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
        # Parented to the runner (UI thread): the C++ object is owned there, so the worker
        # dropping its last Python reference can never delete it on the wrong thread.
        handle = TaskHandle(label, self)
        if on_success:
            handle.succeeded.connect(on_success)
        if on_error:
            handle.failed.connect(on_error)
        if on_progress:
            handle.progressed.connect(on_progress)
        if on_cancel:
            handle.was_cancelled.connect(on_cancel)
        self._live = {h for h in self._live if not h.done}
        self._live.add(handle)
        self.started.emit(handle)
        self.pool.start(_Runnable(handle, fn))
        return handle

    @property
    def running(self) -> list[TaskHandle]:
        return [h for h in self._live if not h.done]

    def wait_all(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)
