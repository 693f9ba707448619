"""The one way to run long work off the UI thread, with progress and cancel.

Like Anki's ``aqt/operations``: a view hands a plain function to ``TaskRunner.run``; the
function runs on a worker thread from ``QThreadPool`` and receives a ``TaskControl`` through
which it reports progress and checks for cancellation. Results, errors and progress come back
to the UI thread as Qt signals, so callbacks may touch widgets safely.

There is one runner in the app: the main window owns it and hands it down to every view
(constructor argument), so the status bar shows all work and quitting cancels all of it.
A view built on its own (a test, a tool) may use :func:`shared_runner`.

Lifetimes (why this file is shaped as it is): a worker thread never holds a reference to a
Qt object. It talks to the UI thread only through one process-wide relay (created once,
never deleted) by task number; the task's function and outcome are kept in a UI-side table
until its end has been delivered there. So no QObject (a handle, a view captured by the
function's closure) can lose its last reference on a worker thread, and a handle cannot be
deleted with the view or runner that started it while its signals are in flight. (It once
was a child of a runner made per view: dropping the callbacks at the end dropped the view,
the view took its runner, the runner its children, the handle among them, in the middle of
the handle's own slot. That was the segfault in ``_on_ended``.)

The workers are plain daemon threads, not ``QThreadPool``: PySide6 6.12.0 takes a reference
from ``None`` each time a Python ``QRunnable.run`` returns (see also ``app.pyside_fixes``),
and a daemon thread that ignores Cancel cannot keep the app from exiting after the bounded
wait on quit.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

import app.pyside_fixes  # noqa: F401  (every emit from Python loses a reference otherwise)


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
    """A running task as the UI sees it. Lives on the UI thread and is only ever touched
    there: every public signal is emitted on the UI thread, whatever it is connected to.
    It is owned by Python (no Qt parent), kept alive by the runner's table until its end
    has been delivered, and after that by whoever holds it."""

    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(str)
    was_cancelled = Signal()
    ended = Signal()

    def __init__(self, label: str, control: TaskControl) -> None:
        super().__init__()
        self.label = label
        self.control = control
        self.done = False

    def cancel(self) -> None:
        self.control.cancel()

    def _progress(self, fraction: float, message: str) -> None:
        if not self.done:
            self.progressed.emit(fraction, message)

    def _finish(self, outcome: str, value: object) -> None:
        if self.done:
            return
        self.done = True
        try:
            if outcome == "success":
                self.succeeded.emit(value)
            elif outcome == "cancelled":
                self.was_cancelled.emit()
            else:
                self.failed.emit(str(value))
        finally:
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


@dataclass(eq=False)
class _Task:
    """One task's state. Created and dropped on the UI thread; the worker only sets
    ``outcome`` and ``finished`` and drops its own references before saying it is done."""

    number: int
    fn: Callable[[TaskControl], Any] | None
    control: TaskControl
    handle: TaskHandle
    outcome: tuple[str, object] = ("failed", "The task did not run")
    finished: threading.Event = field(default_factory=threading.Event)


class _Relay(QObject):
    """The one bridge from worker threads to the UI thread; created once, never deleted."""

    progress = Signal(int, float, str)
    ended = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[int, _Task] = {}
        self.progress.connect(self._on_progress)
        self.ended.connect(self._on_ended)

    @Slot(int, float, str)
    def _on_progress(self, number: int, fraction: float, message: str) -> None:
        task = self.tasks.get(number)
        if task is not None:
            task.handle._progress(fraction, message)

    @Slot(int)
    def _on_ended(self, number: int) -> None:
        task = self.tasks.pop(number, None)
        if task is None:
            return
        handle, (outcome, value) = task.handle, task.outcome
        task.fn = None
        task.outcome = ("done", None)
        handle._finish(outcome, value)  # ``handle`` is held here until the slot returns


_relay: _Relay | None = None
_numbers = itertools.count(1)


def _get_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()
        app = QCoreApplication.instance()
        if app is not None and _relay.thread() is not app.thread():
            _relay.moveToThread(app.thread())
    return _relay


def _run(task: _Task, relay: _Relay) -> None:
    """On a worker thread: run the task, store its outcome, tell the UI thread by number."""
    number = task.number
    try:
        if task.control.cancelled:  # cancelled before it started (quitting)
            raise Cancelled()
        fn = task.fn
        assert fn is not None
        result = fn(task.control)
        del fn
        task.control.check()
        task.outcome = ("success", result)
        del result
    except Cancelled:
        task.outcome = ("cancelled", None)
    except Exception as err:  # every failure must reach the user
        traceback.print_exc()
        task.outcome = ("failed", str(err) or type(err).__name__)
    finished = task.finished
    del task  # the UI-side table still holds it: nothing is freed on this thread
    # post the end before saying it finished: ``shutdown`` delivers posted events as soon
    # as ``finished`` is set, and must find this one already queued
    relay.ended.emit(number)
    finished.set()


class _Workers:
    """A few daemon threads taking jobs in order (twice the cores, at least four)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.jobs: queue.SimpleQueue[tuple[_Task, _Relay]] = queue.SimpleQueue()
        self.threads: list[threading.Thread] = []
        self.idle = 0
        self.lock = threading.Lock()

    def submit(self, task: _Task, relay: _Relay) -> None:
        with self.lock:
            if self.idle <= 0 and len(self.threads) < self.size:
                t = threading.Thread(
                    target=self._loop, name=f"task-worker-{len(self.threads) + 1}", daemon=True
                )
                self.threads.append(t)
                t.start()
            else:
                self.idle -= 1  # this job will wake one of them
        self.jobs.put((task, relay))

    def _loop(self) -> None:
        while True:
            task, relay = self.jobs.get()
            _run(task, relay)
            del task
            with self.lock:
                self.idle += 1


# more threads than cores: model work is serialised by engine.llm.queue, so a question
# waiting there must not also wait behind a long background task for a free thread
_workers = _Workers(max(4, 2 * (os.cpu_count() or 2)))


class TaskRunner(QObject):
    """Starts tasks and tells listeners (the status bar) what is running; cancels and
    waits for its tasks when the app quits (:meth:`shutdown`)."""

    started = Signal(object)  # TaskHandle

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _get_relay()
        self._tasks: dict[int, _Task] = {}  # started by this runner, not yet ended here

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
        number = next(_numbers)
        relay = self._relay
        control = TaskControl(lambda f, m: relay.progress.emit(number, f, m))
        handle = TaskHandle(label, control)
        if on_success:
            handle.succeeded.connect(on_success)
        if on_error:
            handle.failed.connect(on_error)
        if on_progress:
            handle.progressed.connect(on_progress)
        if on_cancel:
            handle.was_cancelled.connect(on_cancel)
        task = _Task(number, fn, control, handle)
        relay.tasks[number] = task
        self._tasks = {n: t for n, t in self._tasks.items() if not t.handle.done}
        self._tasks[number] = task
        self.started.emit(handle)
        _workers.submit(task, relay)
        return handle

    @property
    def running(self) -> list[TaskHandle]:
        """Tasks of this runner whose end the UI has not seen yet, oldest first."""
        return [t.handle for t in self._tasks.values() if not t.handle.done]

    def cancel_all(self) -> None:
        for handle in self.running:
            handle.cancel()

    def wait_all(self, msecs: int = 30000) -> bool:
        """Wait (at most ``msecs``) until every task of this runner has stopped running on
        its worker; their ends are then delivered by the event loop."""
        deadline = time.monotonic() + msecs / 1000
        for task in list(self._tasks.values()):
            if not task.finished.wait(max(0.0, deadline - time.monotonic())):
                return False
        return True

    def shutdown(self, msecs: int = 5000) -> bool:
        """Quitting: cancel every task, wait for them (bounded), deliver what ended.
        Returns False if some task did not stop in time (the app exits anyway)."""
        self.cancel_all()
        stopped = self.wait_all(msecs)
        QCoreApplication.sendPostedEvents(self._relay)
        return stopped


_shared: TaskRunner | None = None


def shared_runner() -> TaskRunner:
    """The runner for a view built outside the main window (tests, tools). In the app every
    view is handed the main window's runner instead."""
    global _shared
    if _shared is None:
        _shared = TaskRunner()
    return _shared


def runner_for(widget: QObject | None) -> TaskRunner:
    """The runner of the nearest ancestor that has one (``.runner``), else the shared one:
    for dialogs opened by views that were not handed a runner explicitly."""
    obj = widget
    while obj is not None:
        found = getattr(obj, "runner", None)
        if isinstance(found, TaskRunner):
            return found
        obj = obj.parent()
    return shared_runner()
