"""Audio: the narration made, cached and re-made with the module (service), and the player
driven through the real widget offscreen: play/pause/seek/speed/replay and their events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.learn.modalities.audio_view import AudioView, MediaModalityView
from app.learn.modalities.base import ModalityHost
from app.services import learning, media_variants
from app.services.accounts import CurrentUser
from app.services.authoring import load_course
from app.services.context import AppContext
from app.tasks import TaskRunner
from engine.content import dump_blocks, parse_blocks
from engine.media import ffmpeg
from engine.media.tts import EspeakNgProvider
from sync.store.models import ContentAsset, LearningEvent, Module

SHORT = [
    {"type": "heading", "text": "Spacing", "level": 2},
    {"type": "paragraph", "text": "Spread your study over several days."},
    {"type": "list", "items": ["Review tomorrow.", "Review next week."]},
]


@pytest.fixture(autouse=True)
def _offline_voice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYTEOS_TTS", "espeak")  # no network probe in tests


def set_content(ctx: AppContext, module_id: str, raw: list[dict[str, Any]]) -> None:
    with ctx.db.transaction() as s:
        m = s.get(Module, module_id)
        assert m is not None
        m.content = dump_blocks(parse_blocks(raw))


def cut_down_first_module(ctx: AppContext) -> str:
    """The demo course's first module, cut down to a few seconds of narration."""
    with ctx.db.transaction() as s:
        module_id = s.scalars(select(Module.id).order_by(Module.order_index)).first()
    assert module_id is not None
    set_content(ctx, module_id, SHORT)
    return module_id


@pytest.fixture
def short_module(ctx: AppContext) -> str:
    return cut_down_first_module(ctx)


def make_host(ctx: AppContext, user: CurrentUser, module_id: str, modality: str) -> ModalityHost:
    with ctx.db.transaction() as s:
        m = s.get(Module, module_id)
        assert m is not None
        course_id = m.course_id
    course = load_course(ctx, course_id)
    module = next(m for m in course.modules if m.id == module_id)

    def record(event_type: str, **kw: Any) -> bool:
        learning.record_event(
            ctx, user, event_type, course_id=course.id, module_id=module_id, modality=modality, **kw
        )
        return True

    return ModalityHost(ctx, user, course, module, TaskRunner(), record, lambda s: s)


def events(ctx: AppContext, module_id: str) -> list[tuple[str, int | None, dict[str, Any]]]:
    with ctx.db.transaction() as s:
        rows = s.scalars(
            select(LearningEvent)
            .where(LearningEvent.module_id == module_id, LearningEvent.event_type.like("video_%"))
            .order_by(LearningEvent.created_at)
        ).all()
        return [(r.event_type, r.duration_secs, dict(r.payload or {})) for r in rows]


def wait_ready(qtbot: QtBot, view: MediaModalityView, timeout: int = 60_000) -> None:
    qtbot.waitUntil(lambda: view.media is not None or view.error is not None, timeout=timeout)
    assert view.error is None
    qtbot.waitUntil(
        lambda: (
            view.player.mediaStatus()
            in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia)
        ),
        timeout=10_000,
    )


# -- the service ---------------------------------------------------------------------------


def test_audio_is_made_cached_and_remade_when_content_changes(
    ctx: AppContext, short_module: str
) -> None:
    with ctx.db.transaction() as s:
        m = s.get(Module, short_module)
        assert m is not None
        m.modality_variants = {"mindmap_data": {"nodes": [1]}, "game_id": "g-1"}
    assert media_variants.cached_media(ctx, short_module, "audio") is None
    first = media_variants.ensure_audio(ctx, short_module, chain=[EspeakNgProvider()])
    assert first.generated and first.path.is_file() and first.path.suffix == ".m4a"
    info = ffmpeg.probe(first.path)
    assert info.codec("audio") == "aac"
    assert info.duration == pytest.approx(first.duration, abs=0.1)
    assert 3 < first.duration < 30
    assert first.cues() and first.cues()[-1].end <= first.duration

    with ctx.db.transaction() as s:
        m = s.get(Module, short_module)
        assert m is not None
        v = dict(m.modality_variants or {})
        assets = s.scalars(select(ContentAsset).where(ContentAsset.type == "audio")).all()
    assert v["audio_url"].startswith("asset://") and v["audio_hash"] == first.content_hash
    assert v["mindmap_data"] == {"nodes": [1]} and v["game_id"] == "g-1"  # others' keys kept
    assert len(v["audio_slide_spans"]) == 2 and v["audio_voice"].startswith("espeak-ng")
    assert [a.storage_path for a in assets] == [v["audio_url"].removeprefix("asset://")]

    again = media_variants.ensure_audio(ctx, short_module)
    assert not again.generated and again.path == first.path
    assert media_variants.cached_media(ctx, short_module, "audio") == again

    set_content(ctx, short_module, [*SHORT, {"type": "paragraph", "text": "One more idea."}])
    assert media_variants.cached_media(ctx, short_module, "audio") is None  # stale now
    remade = media_variants.ensure_audio(ctx, short_module)
    assert remade.generated and remade.content_hash != first.content_hash
    assert remade.duration > first.duration


def test_missing_file_is_remade(ctx: AppContext, short_module: str) -> None:
    first = media_variants.ensure_audio(ctx, short_module)
    first.path.unlink()
    assert media_variants.cached_media(ctx, short_module, "audio") is None
    assert media_variants.ensure_audio(ctx, short_module).path.is_file()


# -- the widget ----------------------------------------------------------------------------


def test_audio_view_makes_plays_and_records(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, short_module: str
) -> None:
    view = AudioView(make_host(ctx, learner, short_module, "audio"))
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    assert view.name == "audio" and view.label == "Audio"
    progress: list[float] = []
    view.activate()
    assert view.task is not None and view.stack.currentIndex() == 0
    view.task.progressed.connect(lambda f, _m: progress.append(f))
    wait_ready(qtbot, view)
    assert progress and progress[-1] == 1.0
    assert view.stack.currentIndex() == 1 and view.play_button.isEnabled()
    assert "espeak-ng" in view.voice_label.text()
    assert view.transcript.count() == len(view.cues) > 2
    assert view.slider.maximum() == pytest.approx(view.media.duration * 1000, abs=150)  # type: ignore[union-attr]

    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.is_playing, timeout=5000)
    qtbot.waitUntil(lambda: view.player.position() > 300, timeout=5000)
    assert view.play_button.text() == "Pause"

    view.speed.setCurrentIndex(view.speed.findData(1.5))
    assert view.player.playbackRate() == 1.5
    qtbot.mouseClick(view.forward_button, Qt.MouseButton.LeftButton)  # +10 s
    assert view.player.position() >= 2000 or view.slider.value() >= 2000

    third = view.transcript.item(2)
    rect = view.transcript.visualItemRect(third)
    qtbot.mouseClick(view.transcript.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    start = view.cues[2].start
    qtbot.waitUntil(lambda: abs(view.player.position() / 1000 - start) < 1.5, timeout=5000)
    qtbot.waitUntil(lambda: view.transcript.currentRow() in (2, 3), timeout=5000)
    assert view.now.text() in (view.cues[2].text, view.cues[3].text)

    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)  # pause
    qtbot.waitUntil(lambda: not view.is_playing, timeout=5000)
    qtbot.mouseClick(view.replay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.is_playing, timeout=5000)
    view.deactivate()  # leaving the modality pauses
    assert not view.is_playing

    got = events(ctx, short_module)
    kinds = [e[0] for e in got]
    assert kinds == ["video_play", "video_pause", "video_replay", "video_pause"], got
    assert all(e[2]["media"] == "audio" for e in got)
    assert got[1][2]["reason"] == "user" and got[3][2]["reason"] == "left"
    assert got[1][2]["rate"] == 1.5 and got[1][1] is not None
    with ctx.db.transaction() as s:
        modalities = set(s.scalars(select(LearningEvent.modality)).all())
    assert "audio" in modalities


def test_playing_to_the_end_then_play_again_is_a_replay(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, short_module: str
) -> None:
    media_variants.ensure_audio(ctx, short_module)
    view = AudioView(make_host(ctx, learner, short_module, "audio"))
    qtbot.addWidget(view)
    view.activate()
    assert view.task is None and view.media is not None  # cached: opens at once
    wait_ready(qtbot, view)
    view.seek(view.slider.maximum() - 600)
    view.play()
    qtbot.waitUntil(lambda: view.play_button.text() == "Play again", timeout=10_000)
    view.play()
    qtbot.waitUntil(lambda: view.is_playing, timeout=5000)
    view.pause()
    assert [e[0] for e in events(ctx, short_module)] == [
        "video_play",
        "video_pause",
        "video_replay",
        "video_pause",
    ]
    assert events(ctx, short_module)[1][2]["reason"] == "ended"


def test_cancel_and_retry(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, short_module: str
) -> None:
    view = AudioView(make_host(ctx, learner, short_module, "audio"))
    qtbot.addWidget(view)
    view.show()
    view.activate()
    assert view.cancel_button.isVisible()
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.task is None, timeout=30_000)
    if view.media is None:  # the cancel landed before the narration was done
        assert "Stopped" in view.status.text() and view.make_button.isVisible()
        qtbot.mouseClick(view.make_button, Qt.MouseButton.LeftButton)
    wait_ready(qtbot, view)
    assert media_variants.cached_media(ctx, short_module, "audio") is not None


def test_failure_is_shown_with_try_again(
    qtbot: QtBot,
    ctx: AppContext,
    learner: CurrentUser,
    short_module: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("engine.media.tts.EspeakNgProvider.binary", lambda self: None)
    view = AudioView(make_host(ctx, learner, short_module, "audio"))
    qtbot.addWidget(view)
    view.show()
    view.activate()
    qtbot.waitUntil(lambda: view.error is not None, timeout=30_000)
    assert "No voice" in view.status.text() and view.make_button.text() == "Try again"
    monkeypatch.undo()
    monkeypatch.setenv("BYTEOS_TTS", "espeak")
    qtbot.mouseClick(view.make_button, Qt.MouseButton.LeftButton)
    wait_ready(qtbot, view)


def test_grab_shows_the_player(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, short_module: str, tmp_path: Path
) -> None:
    media_variants.ensure_audio(ctx, short_module)
    view = AudioView(make_host(ctx, learner, short_module, "audio"))
    qtbot.addWidget(view)
    view.resize(1000, 640)
    view.show()
    view.activate()
    wait_ready(qtbot, view)
    shot = view.grab()
    assert shot.width() == 1000 and shot.save(str(tmp_path / "audio.png"))
