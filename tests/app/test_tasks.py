"""The one helper for long work: runs off the UI thread, reports progress, can be cancelled."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThread
from pytestqt.qtbot import QtBot

from app.tasks import TaskControl, TaskRunner


def test_runs_off_the_ui_thread_with_progress(qtbot: QtBot) -> None:
    runner = TaskRunner()
    ui_thread = QThread.currentThread()
    seen: list[float] = []
    worker_threads: list[object] = []

    def work(control: TaskControl) -> int:
        worker_threads.append(QThread.currentThread())
        for i in range(5):
            control.progress(i / 4, f"step {i}")
        return 42

    results: list[object] = []
    callback_threads: list[object] = []

    def on_success(result: object) -> None:  # a plain function, not a QObject slot
        callback_threads.append(QThread.currentThread())
        results.append(result)

    handle = runner.run(
        "count", work, on_success=on_success, on_progress=lambda f, _m: seen.append(f)
    )
    with qtbot.waitSignal(handle.ended, timeout=5000):
        pass
    qtbot.waitUntil(lambda: results == [42])
    assert worker_threads and worker_threads[0] is not ui_thread
    assert callback_threads == [ui_thread]  # callbacks may touch widgets safely
    assert seen[-1] == 1.0


def test_cancel_stops_the_work(qtbot: QtBot) -> None:
    runner = TaskRunner()
    started = threading.Event()
    steps: list[int] = []

    def work(control: TaskControl) -> None:
        started.set()
        for i in range(1000):
            control.progress(i / 1000)
            steps.append(i)
            time.sleep(0.005)

    cancelled: list[bool] = []
    handle = runner.run(
        "long",
        work,
        on_cancel=lambda: cancelled.append(True),
        on_success=lambda _r: cancelled.append(False),
    )
    started.wait(5)
    handle.cancel()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    assert cancelled == [True]
    assert len(steps) < 1000


def test_errors_reach_the_caller(qtbot: QtBot) -> None:
    runner = TaskRunner()
    errors: list[str] = []

    def work(control: TaskControl) -> None:
        raise ValueError("the file is corrupt")

    runner.run("fail", work, on_error=errors.append)
    qtbot.waitUntil(lambda: errors == ["the file is corrupt"], timeout=5000)


def test_main_window_loads_demo_in_background(qtbot: QtBot, ctx) -> None:  # type: ignore[no-untyped-def]
    from app.shell.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    handle = w.load_demo_content()
    with qtbot.waitSignal(handle.ended, timeout=5000):
        pass
    qtbot.waitUntil(lambda: "already" in w.statusBar().currentMessage(), timeout=5000)


# -- lifetimes: nothing may crash when the view that started a task goes first --------------

_VIEW_GOES_FIRST = """
import gc, os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import app
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
from app.tasks import TaskRunner

qt = QApplication([])

class View(QObject):
    def __init__(self):
        super().__init__()
        self.runner = TaskRunner()  # a runner made by the view, going with it

    def start(self):
        # the callback's closure holds the view: once the caller lets go, the connection is
        # what keeps view, runner and handle alive, until the end drops the callbacks
        return self.runner.run("t", lambda c: 42, on_success=lambda r: self.setObjectName(str(r)))

for _ in range(30):
    View().start()
    gc.collect()
    end = time.monotonic() + 0.03
    while time.monotonic() < end:
        qt.processEvents()
        time.sleep(0.002)
print("survived")
"""

_MANY_CALLS = """
import os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
import app.tasks  # installs app.pyside_fixes
from PySide6.QtCore import QObject, Signal

class O(QObject):
    ping = Signal(int)

o = O()
o.ping.connect(lambda n: None)
for i in range(120_000):  # more than None (66k) and True (14.5k) have references
    o.setObjectName("x")
    o.ping.emit(i)
print("survived")
"""


def _python(code: str) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_a_view_and_its_runner_may_go_while_the_task_ends() -> None:
    """The segfault in ``_on_ended``: the handle was a child of the view's runner, and
    dropping the callbacks at the end dropped view, runner and handle mid-slot."""
    done = _python(_VIEW_GOES_FIRST)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout


def test_pyside_losing_references_to_none_and_true_cannot_abort_the_app() -> None:
    """PySide6 6.12.0 on Python 3.11 takes a reference from None per void call and from
    True per emit; without ``app.pyside_fixes`` this aborts ("deallocating None")."""
    done = _python(_MANY_CALLS)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "survived" in done.stdout


def test_a_worker_never_drops_the_last_reference_to_a_qt_object(qtbot: QtBot) -> None:
    """The task's function (and the widget its closure holds) is released on the UI thread."""
    runner = TaskRunner()
    released_on: list[bool] = []

    class Holder(QObject):
        pass

    holder = Holder()
    holder.destroyed.connect(
        lambda: released_on.append(threading.current_thread() is threading.main_thread())
    )

    def make_fn(h: QObject) -> Callable[[TaskControl], int]:
        return lambda _c: len(h.objectName())

    handle = runner.run("hold", make_fn(holder))
    del holder
    with qtbot.waitSignal(handle.ended, timeout=5000):
        pass
    import gc

    gc.collect()
    qtbot.waitUntil(lambda: bool(released_on), timeout=5000)
    assert released_on == [True]


def test_shutdown_cancels_and_waits_bounded(qtbot: QtBot) -> None:
    runner = TaskRunner()
    started = threading.Event()
    stubborn = threading.Event()

    def polite(control: TaskControl) -> None:
        started.set()
        while True:
            control.check()
            time.sleep(0.01)

    running = threading.Event()

    def ignores_cancel(_control: TaskControl) -> None:
        running.set()
        stubborn.wait(10)

    cancelled: list[str] = []
    runner.run("polite", polite, on_cancel=lambda: cancelled.append("polite"))
    started.wait(5)
    assert runner.shutdown(5000) is True
    assert cancelled == ["polite"]  # its end was delivered before shutdown returned

    runner.run("stubborn", ignores_cancel)
    running.wait(5)
    t0 = time.monotonic()
    assert runner.shutdown(300) is False  # bounded: the app exits anyway
    assert time.monotonic() - t0 < 2
    stubborn.set()
