"""The narration track and the slide video as real files, checked with ffprobe."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import pytest

from engine.content import Block
from engine.media import ffmpeg
from engine.media.captions import parse_captions
from engine.media.pipeline import (
    GAP_SECS,
    LEAD_IN_SECS,
    TAIL_SECS,
    concat_wavs,
    make_narration,
    render_video,
)
from engine.media.script import build_script
from engine.media.tts import EspeakNgProvider


def _tone(path: Path, secs: float, rate: int = ffmpeg.SAMPLE_RATE) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x10\x00" * int(secs * rate))
    return path


def test_concat_inserts_pauses(tmp_path: Path) -> None:
    parts = [_tone(tmp_path / "a.wav", 1.0), _tone(tmp_path / "b.wav", 2.0)]
    spans = concat_wavs(parts, tmp_path / "all.wav")
    assert spans[0] == pytest.approx((LEAD_IN_SECS, LEAD_IN_SECS + 1.0))
    assert spans[1][0] == pytest.approx(spans[0][1] + GAP_SECS)
    with wave.open(str(tmp_path / "all.wav")) as w:
        total = w.getnframes() / w.getframerate()
    assert total == pytest.approx(LEAD_IN_SECS + 1 + GAP_SECS + 2 + TAIL_SECS, abs=1e-3)


def test_concat_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(ffmpeg.MediaToolError):
        concat_wavs([_tone(tmp_path / "a.wav", 0.1, 8000)], tmp_path / "all.wav")


def test_narration_and_video_files(short_blocks: list[Block], tmp_path: Path) -> None:
    script = build_script("Spacing", short_blocks, "A course")
    steps: list[float] = []
    track = make_narration(
        script, [EspeakNgProvider()], tmp_path / "a", lambda f, m: steps.append(f)
    )
    assert steps == sorted(steps) and steps[-1] == 1.0
    assert track.voice_key.startswith("espeak-ng:")
    audio = ffmpeg.probe(track.audio)
    assert audio.codec("audio") == "aac" and not audio.has("video")
    # the file lasts as long as the narration (AAC adds at most a frame or two)
    assert audio.duration == pytest.approx(track.duration, abs=0.1)
    spoken = sum(b - a for a, b in track.slide_spans)
    assert spoken == pytest.approx(track.duration, abs=1e-6)  # slides cover the whole track
    assert len(track.slide_spans) == len(script.slides)
    assert track.cues[0].start == pytest.approx(LEAD_IN_SECS, abs=0.01)
    assert track.cues[-1].end <= track.duration

    video = render_video(
        script, track.audio, track.slide_spans, track.cues, tmp_path / "v", fps=10,
        size=(640, 360),
    )  # fmt: skip
    info = ffmpeg.probe(video.video)
    assert info.codec("video") == "h264" and info.codec("audio") == "aac"
    assert info.codec("subtitle") == "mov_text"
    assert info.duration == pytest.approx(track.duration, abs=0.25)
    video_stream = next(s for s in info.streams if s.codec_type == "video")
    assert video_stream.duration == pytest.approx(track.duration, abs=0.25)
    cues = parse_captions(video.vtt.read_text(encoding="utf-8"))
    assert [c.text for c in cues] == [c.text for c in track.cues]
    assert len(video.slide_images) == len(script.slides)


def test_video_render_can_be_cancelled(short_blocks: list[Block], tmp_path: Path) -> None:
    script = build_script("Spacing", short_blocks)
    track = make_narration(script, [EspeakNgProvider()], tmp_path / "a")

    class Stop(Exception):
        pass

    def progress(fraction: float, _m: str) -> None:
        if fraction > 0.2:  # once the encode has started
            raise Stop()

    with pytest.raises(Stop):
        render_video(script, track.audio, track.slide_spans, track.cues, tmp_path / "v", progress)
    left = subprocess.run(["pgrep", "-f", str(tmp_path / "v")], capture_output=True)
    assert left.stdout.strip() == b""  # no ffmpeg left running
