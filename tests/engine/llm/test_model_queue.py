"""The one model queue: one heavy job at a time, a learner's question first, nobody starved."""

from __future__ import annotations

import threading
import time

import pytest

from engine.llm.queue import BACKGROUND, INTERACTIVE, Cancelled, ModelQueue, job


def _start(fn) -> threading.Thread:  # type: ignore[no-untyped-def]
    t = threading.Thread(target=fn, daemon=True)
    t.start()
    return t


def test_one_job_at_a_time_and_nested_holds_do_not_deadlock() -> None:
    q = ModelQueue()
    inside = 0
    most = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        with q.hold("outer"), q.hold("inner"):  # re-entrant for its own thread
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1

    threads = [_start(work) for _ in range(6)]
    for t in threads:
        t.join(5)
    assert most == 1 and q.busy_with is None


def test_a_waiting_question_goes_before_queued_background_work_and_is_told_it_waits() -> None:
    q = ModelQueue()
    order: list[str] = []
    told: list[str] = []
    release = threading.Event()

    def long_background() -> None:
        with job(BACKGROUND, name="Generating a course"), q.hold("x"):
            release.wait(5)
            order.append("first background")

    def other_background() -> None:
        with job(BACKGROUND, name="Indexing"), q.hold("x"):
            order.append("second background")

    def question() -> None:
        with job(INTERACTIVE, on_wait=told.append, name="Byte"), q.hold("x"):
            order.append("question")

    a = _start(long_background)
    time.sleep(0.05)
    b = _start(other_background)
    time.sleep(0.05)
    c = _start(question)
    time.sleep(0.1)
    assert q.waiting() == ["Byte", "Indexing"]  # the question is first in line
    release.set()
    for t in (a, b, c):
        t.join(5)
    assert order == ["first background", "question", "second background"]
    assert told == ["Generating a course"]  # the question heard what it waited for


def test_background_work_hands_over_at_a_pause_point_and_carries_on() -> None:
    q = ModelQueue()
    events: list[str] = []
    question_waiting = threading.Event()
    saved: list[str] = []

    def background() -> None:
        with job(BACKGROUND), q.hold("generation"):
            for i in range(200):
                events.append(f"token {i}")
                if q.pause_point(lambda: saved.append("saved"), lambda: saved.append("restored")):
                    events.append("resumed")
                    return
                time.sleep(0.005)
                if i == 5:
                    question_waiting.wait(5)

    def question() -> None:
        question_waiting.set()
        with job(INTERACTIVE), q.hold("question"):
            events.append("question answered")

    a = _start(background)
    time.sleep(0.05)
    b = _start(question)
    for t in (a, b):
        t.join(5)
    i = events.index("question answered")
    assert events[i + 1] == "resumed" and saved == ["saved", "restored"]
    assert len([e for e in events if e.startswith("token")]) < 20  # handed over promptly


def test_equal_priorities_never_pre_empt_each_other() -> None:
    q = ModelQueue()
    with job(BACKGROUND), q.hold("a"):
        t = _start(lambda: q.hold("b").__enter__())  # another background job waits
        time.sleep(0.05)
        assert not q.should_yield() and q.pause_point() is False
    t.join(5)


def test_a_cancelled_wait_gives_up_without_taking_the_queue() -> None:
    q = ModelQueue()
    stop = threading.Event()
    errors: list[BaseException] = []

    def waiter() -> None:
        try:
            with job(INTERACTIVE, cancelled=stop.is_set), q.hold("question"):
                pass
        except Cancelled as err:
            errors.append(err)

    with q.hold("busy"):
        t = _start(waiter)
        time.sleep(0.05)
        stop.set()
        t.join(5)
    assert errors and q.waiting() == [] and q.busy_with is None


def test_a_failing_job_releases_the_queue() -> None:
    q = ModelQueue()
    with pytest.raises(RuntimeError), q.hold("boom"):
        raise RuntimeError("model crashed")
    assert q.busy_with is None
    with q.hold("next"):
        assert q.busy_with == "next"
