"""ffmpeg commands: what they ask for, progress parsing, failure and cancellation."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from engine.media import ffmpeg


def test_video_command_asks_for_h264_aac_and_mov_text(tmp_path: Path) -> None:
    cmd = ffmpeg.video_cmd(
        tmp_path / "s.ffconcat", tmp_path / "n.m4a", tmp_path / "v.mp4",
        duration=12.5, subtitles=tmp_path / "c.srt", fps=12, title="T",
    )  # fmt: skip
    joined = " ".join(cmd)
    assert "-c:v libx264" in joined and "-pix_fmt" not in joined and "format=yuv420p" in joined
    assert "-c:a copy" in joined and "-c:s mov_text" in joined
    assert "-map 2:s:0" in joined and "-t 12.500" in joined and "+faststart" in joined
    assert "-g 24" in joined and cmd[-1].endswith("v.mp4")
    no_subs = ffmpeg.video_cmd(tmp_path / "s", tmp_path / "n", tmp_path / "v", duration=1)
    assert "mov_text" not in no_subs and "2:s:0" not in " ".join(no_subs)


def test_concat_list_repeats_the_last_image_and_quotes_paths() -> None:
    text = ffmpeg.concat_list([(Path("/a/one.png"), 1.5), (Path("/a/it's.png"), 2.0)])
    lines = text.splitlines()
    assert lines[0] == "ffconcat version 1.0"
    assert lines[1:5] == ["file '/a/one.png'", "duration 1.500", "file '/a/it'\\''s.png'",
                          "duration 2.000"]  # fmt: skip
    assert lines[-1] == "file '/a/it'\\''s.png'"


def test_progress_lines() -> None:
    assert ffmpeg.parse_progress_line("out_time_us=2500000\n") == 2.5
    assert ffmpeg.parse_progress_line("out_time_us=N/A") is None
    assert ffmpeg.parse_progress_line("frame=12") is None


def _tone_cmd(dest: Path, secs: float) -> list[str]:
    return [ffmpeg.ffmpeg_bin(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
            "-progress", "pipe:1", "-nostats", "-f", "lavfi", "-re",
            "-i", f"sine=duration={secs}", str(dest)]  # fmt: skip


def test_run_reports_progress(tmp_path: Path) -> None:
    seen: list[float] = []
    cmd = _tone_cmd(tmp_path / "t.wav", 1.0)
    cmd.remove("-re")
    ffmpeg.run_ffmpeg(cmd, expected_secs=1.0, on_progress=lambda f, m: seen.append(f))
    assert seen and seen[-1] == pytest.approx(1.0, abs=0.05)
    assert ffmpeg.probe(tmp_path / "t.wav").has("audio")


def test_cancel_kills_ffmpeg(tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def stop(_f: float, _m: str) -> None:
        raise Stop()

    t = time.monotonic()
    with pytest.raises(Stop):  # -re: a 60 s tone takes 60 s unless it is stopped
        ffmpeg.run_ffmpeg(_tone_cmd(tmp_path / "t.wav", 60), expected_secs=60, on_progress=stop)
    assert time.monotonic() - t < 5
    left = subprocess.run(["pgrep", "-f", str(tmp_path / "t.wav")], capture_output=True)
    assert left.stdout.strip() == b""


def test_failure_says_why(tmp_path: Path) -> None:
    with pytest.raises(ffmpeg.MediaToolError, match="ffmpeg failed"):
        ffmpeg.run_ffmpeg([ffmpeg.ffmpeg_bin(), "-nostdin", "-i", str(tmp_path / "missing.wav"),
                           str(tmp_path / "x.wav")])  # fmt: skip
    with pytest.raises(ffmpeg.MediaToolError, match="could not read"):
        ffmpeg.probe(tmp_path / "missing.wav")


def test_missing_ffmpeg_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ffmpeg.shutil, "which", lambda _n: None)
    with pytest.raises(ffmpeg.MediaToolError, match="not installed"):
        ffmpeg.ffmpeg_bin()
