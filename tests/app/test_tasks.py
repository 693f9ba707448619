"""The one helper for long work: runs off the UI thread, reports progress, can be cancelled."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread
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
