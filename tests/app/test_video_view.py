"""Video (``video.generate``): the narrated slide video rendered in the background, checked
with ffprobe, cached and re-rendered with the module, and played in the real widget."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.learn.modalities.video_view import VideoView
from app.services import media_variants
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from engine.media import ffmpeg
from engine.media.captions import parse_captions
from sync.store.models import ContentAsset, LearningEvent, Module
from tests.app.test_audio_view import (
    SHORT,
    cut_down_first_module,
    events,
    make_host,
    set_content,
    wait_ready,
)


@pytest.fixture(autouse=True)
def _offline_voice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYTEOS_TTS", "espeak")


@pytest.fixture
def short_module(ctx: AppContext) -> str:
    return cut_down_first_module(ctx)


def test_video_file_streams_duration_and_captions(ctx: AppContext, short_module: str) -> None:
    steps: list[tuple[float, str]] = []
    video = media_variants.ensure_video(
        ctx, short_module, lambda f, m: steps.append((f, m)), fps=10, size=(640, 360)
    )
    audio = media_variants.cached_media(ctx, short_module, "audio")
    assert audio is not None  # the narration was made on the way and is reused
    assert [f for f, _ in steps] == sorted(f for f, _ in steps) and steps[-1][0] == 1.0
    assert any("Rendering" in m for _, m in steps) and any("Speaking" in m for _, m in steps)

    info = ffmpeg.probe(video.path)
    assert video.path.suffix == ".mp4"
    assert info.codec("video") == "h264" and info.codec("audio") == "aac"
    assert info.codec("subtitle") == "mov_text"
    assert info.duration == pytest.approx(audio.duration, abs=0.25)  # matches the narration
    assert video.captions is not None
    cues = parse_captions(video.captions.read_text(encoding="utf-8"))
    assert cues and cues[-1].end <= video.duration + 0.01

    with ctx.db.transaction() as s:
        m = s.get(Module, short_module)
        assert m is not None
        v = dict(m.modality_variants or {})
        kinds = sorted(a.type or "" for a in s.scalars(select(ContentAsset)).all())
    assert v["video_url"].startswith("asset://") and v["video_hash"] == video.content_hash
    assert v["audio_url"] and v["video_slides"] == 2
    assert kinds.count("video") == 1 and kinds.count("audio") == 1

    assert not media_variants.ensure_video(ctx, short_module).generated  # cached
    set_content(ctx, short_module, [*SHORT, {"type": "callout", "text": "Try it tonight."}])
    assert media_variants.cached_media(ctx, short_module, "video") is None
    remade = media_variants.ensure_video(ctx, short_module, fps=10, size=(640, 360))
    assert remade.generated and remade.duration > video.duration


def test_video_view_renders_in_background_then_plays(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, short_module: str, tmp_path: Path
) -> None:
    view = VideoView(make_host(ctx, learner, short_module, "video"))
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    assert view.name == "video" and view.label == "Video"
    messages: list[str] = []
    view.activate()
    assert view.task is not None
    view.task.progressed.connect(lambda _f, m: messages.append(m))
    wait_ready(qtbot, view, timeout=90_000)
    assert any("Rendering" in m or "Drawing" in m for m in messages)
    assert view.stack.currentIndex() == 1

    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.frames_shown > 0, timeout=10_000)
    frame = view.current_frame()
    assert not frame.isNull() and frame.width() == 1280 and frame.height() == 720
    band = frame.pixelColor(640, 20)  # the title slide's blue band
    assert band.blue() > band.red() + 60
    assert frame.save(str(tmp_path / "frame.png"))

    qtbot.waitUntil(lambda: view.caption.text() != "", timeout=5000)
    assert view.caption.isVisible()
    qtbot.keyClick(view, Qt.Key.Key_C)  # captions off
    assert not view.caption.isVisible() and view.captions_button.text() == "Captions: off"
    view.captions_button.click()
    assert view.caption.isVisible()

    view.seek(view.cues[-1].start * 1000 + 50)
    qtbot.waitUntil(lambda: view.caption.text() == view.cues[-1].text, timeout=5000)
    view.deactivate()
    got = events(ctx, short_module)
    assert [e[0] for e in got] == ["video_play", "video_pause"]
    assert all(e[2]["media"] == "video" for e in got) and got[1][2]["reason"] == "left"


def test_leaving_cancels_the_render(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, short_module: str
) -> None:
    view = VideoView(make_host(ctx, learner, short_module, "video"))
    qtbot.addWidget(view)
    view.activate()
    view.deactivate()
    qtbot.waitUntil(lambda: view.task is None, timeout=30_000)
    if view.media is None:
        assert "Stopped" in view.status.text()
        assert media_variants.cached_media(ctx, short_module, "video") is None


def test_in_the_course_player(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, short_module: str
) -> None:
    """Switching to Video and Audio in the real course player: the views make and play the
    module's media, events carry the modality, and moving to another module stops work."""
    from app.learn.course_player import CoursePlayer
    from app.learn.modalities.audio_view import AudioView
    from app.services import learning

    course = learning.open_course(ctx, learner, learning.list_catalogue(ctx, learner)[0].id)
    p = CoursePlayer(ctx, learner, course)
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    assert p.module.id == short_module
    qtbot.mouseClick(p.modality_buttons["video"], Qt.MouseButton.LeftButton)
    video = p.modality_stack.currentWidget()
    assert isinstance(video, VideoView)
    wait_ready(qtbot, video, timeout=90_000)
    video.play()
    qtbot.waitUntil(lambda: video.frames_shown > 0, timeout=10_000)

    p.switch_modality("audio")  # the video pauses; the narration is already made: no wait
    audio = p.modality_stack.currentWidget()
    assert isinstance(audio, AudioView) and not video.is_playing
    assert audio.task is None and audio.media is not None
    audio.play()
    qtbot.waitUntil(lambda: audio.is_playing, timeout=5000)
    qtbot.mouseClick(p.next_button, Qt.MouseButton.LeftButton)  # next module: a new view
    next_view = p.modality_stack.currentWidget()
    assert isinstance(next_view, AudioView) and next_view is not audio
    assert next_view.task is not None  # making the next module's narration...
    next_view.deactivate()  # ...until the learner leaves it
    qtbot.waitUntil(lambda: next_view.task is None, timeout=30_000)
    with ctx.db.transaction() as s:
        rows = s.scalars(
            select(LearningEvent)
            .where(LearningEvent.user_id == learner.id, LearningEvent.event_type.like("video_%"))
            .order_by(LearningEvent.created_at)
        ).all()
        got = [(r.event_type, (r.payload or {})["media"], r.modality, r.module_id) for r in rows]
    assert [g[:2] for g in got] == [
        ("video_play", "video"),
        ("video_pause", "video"),  # switching to Audio paused the video
        ("video_play", "audio"),
        ("video_pause", "audio"),  # moving to the next module paused the narration
    ]
    # each pause is recorded against the view's own modality and module, even on the way out
    assert [g[2] for g in got] == ["video", "video", "audio", "audio"]
    assert {g[3] for g in got} == {short_module}
