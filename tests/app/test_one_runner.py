"""One task runner: the main window owns it and hands it to every view, so the status bar
shows all work and quitting cancels (and waits for) every task."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.services import learning
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.shell.main_window import MainWindow
from app.tasks import TaskControl, TaskHandle
from engine.media_search.providers import MediaHit


class SlowProvider:
    """Answers after a while, like a slow network; the task then stops at Cancel."""

    name = "Slow"

    def search(self, query: str, *, page: int = 1, per_page: int = 20) -> list[MediaHit]:
        time.sleep(0.6)
        return [MediaHit("slow", "1", "A hit", "http://127.0.0.1:9/t", "", 1, 1, "", "", "")]


class FakeRuntime:
    """Stands in for the tutor's model runtime: a warm-up that takes a moment."""

    warming = False

    def warm_up(self) -> None:
        time.sleep(0.6)


def _collect(window: MainWindow) -> list[TaskHandle]:
    seen: list[TaskHandle] = []
    window.runner.started.connect(seen.append)
    return seen


def _outcomes(handles: list[TaskHandle]) -> dict[str, str]:
    out: dict[str, str] = {}
    for h in handles:
        h.was_cancelled.connect(lambda h=h: out.__setitem__(h.label, "cancelled"))
        h.succeeded.connect(lambda _r, h=h: out.__setitem__(h.label, "succeeded"))
        h.failed.connect(lambda _m, h=h: out.__setitem__(h.label, "failed"))
    return out


def test_player_tutor_and_modalities_use_the_main_windows_runner(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.enter(learner)
    assert w.learn is not None and w.learn.runner is w.runner
    card = learning.list_catalogue(ctx, learner)[0]
    w.learn.open_course(card.id)
    player = w.learn.player
    assert player is not None
    assert player.runner is w.runner
    assert player.tutor.runner is w.runner
    assert player._host("audio").runner is w.runner  # what video and audio run through

    seen = _collect(w)
    player.tutor.rt = FakeRuntime()  # type: ignore[assignment]
    player.tutor._warm_up()  # the learner starts typing: Byte's model loads

    release = threading.Event()

    def modality_work(control: TaskControl) -> None:  # as a modality view's task would
        while not release.wait(0.01):
            control.check()

    player._host("video").runner.run("Making the video", modality_work)
    assert [h.label for h in seen] == ["Preparing Byte", "Making the video"]
    assert {h.label for h in w.runner.running} == {"Preparing Byte", "Making the video"}
    outcomes = _outcomes(seen)
    # the status bar shows the work
    assert not w.task_status.isHidden()
    assert w.task_status.label.text() == "Making the video"

    t0 = time.monotonic()
    w.close()
    assert time.monotonic() - t0 < 6  # bounded wait
    assert all(h.control.cancelled for h in seen)
    assert all(h.done for h in seen)  # their ends were delivered before the window went
    assert outcomes["Making the video"] == "cancelled"
    release.set()


def test_studio_dialogs_use_the_main_windows_runner_and_quit_cancels_them(
    qtbot: QtBot,
    ctx: AppContext,
    creator: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import app.studio.media_library as media_module
    from app.studio.generate_dialog import GenerateCourseDialog
    from app.studio.media_library import MediaLibraryDialog

    monkeypatch.setattr(media_module, "configured_providers", lambda: [SlowProvider()])
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.enter(creator)
    studio: Any = w.studio
    assert studio is not None and studio.runner is w.runner
    seen = _collect(w)

    dialogs: list[Any] = []

    def search_instead_of_exec(dialog: MediaLibraryDialog) -> int:
        dialogs.append(dialog)
        dialog.query.setText("blue")
        dialog.search()
        return 0

    monkeypatch.setattr(MediaLibraryDialog, "exec", search_instead_of_exec)
    monkeypatch.setattr(GenerateCourseDialog, "exec", lambda dialog: dialogs.append(dialog) or 0)
    studio.open_media_library()
    studio.generate_course()
    media, generate = dialogs
    assert media.runner is w.runner
    assert generate.runner is w.runner
    # a media library opened from an image block (parent chain, no runner argument) too
    assert MediaLibraryDialog(ctx, creator, providers=[], parent=studio).runner is w.runner

    assert [h.label for h in seen] == ["Searching Slow"]
    outcomes = _outcomes(seen)
    assert not w.task_status.isHidden() and w.task_status.label.text() == "Searching Slow"
    w.close()
    assert seen[0].done and outcomes == {"Searching Slow": "cancelled"}
