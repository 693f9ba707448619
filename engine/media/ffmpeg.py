"""Building and running ffmpeg/ffprobe commands.

Command builders are pure functions returning argument lists (tested without running them);
:func:`run_ffmpeg` runs one with ``-progress`` on a pipe and turns its ``out_time`` into a
fraction, calling ``on_progress`` which may raise to cancel: the process is then killed and
the exception re-raised, so a cancelled render leaves no ffmpeg behind.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ProgressFn = Callable[[float, str], None]

SAMPLE_RATE = 24_000  # edge-tts speaks at 24 kHz; espeak-ng at 22.05 kHz is resampled
AUDIO_BITRATE = "96k"


class MediaToolError(Exception):
    """ffmpeg or ffprobe is missing or failed; the message is fit to show."""


def ffmpeg_bin() -> str:
    found = shutil.which("ffmpeg")
    if not found:
        raise MediaToolError("ffmpeg is not installed, so audio and video cannot be made.")
    return found


def ffprobe_bin() -> str:
    found = shutil.which("ffprobe")
    if not found:
        raise MediaToolError("ffprobe is not installed.")
    return found


@dataclass(frozen=True)
class StreamInfo:
    codec_type: str
    codec_name: str
    duration: float | None


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    streams: tuple[StreamInfo, ...]

    def has(self, codec_type: str) -> bool:
        return any(s.codec_type == codec_type for s in self.streams)

    def codec(self, codec_type: str) -> str | None:
        return next((s.codec_name for s in self.streams if s.codec_type == codec_type), None)


def probe(path: Path) -> MediaInfo:
    """Duration and streams of a media file, from ffprobe."""
    out = subprocess.run(
        [
            ffprobe_bin(),
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if out.returncode != 0:
        raise MediaToolError(f"ffprobe could not read {path.name}: {out.stderr.strip()[-300:]}")
    doc = json.loads(out.stdout)
    streams = tuple(
        StreamInfo(
            str(s.get("codec_type", "")),
            str(s.get("codec_name", "")),
            float(s["duration"]) if "duration" in s else None,
        )
        for s in doc.get("streams", [])
    )
    return MediaInfo(float(doc.get("format", {}).get("duration", 0.0)), streams)


_BASE = ["-hide_banner", "-nostdin", "-y", "-loglevel", "error"]


def to_wav_cmd(src: Path, dest: Path, sample_rate: int = SAMPLE_RATE) -> list[str]:
    """Any speech file → mono 16-bit PCM WAV at ``sample_rate``."""
    return [
        ffmpeg_bin(),
        *_BASE,
        "-i",
        str(src),
        "-ac",
        "1",
        "-ar",
        str(sample_rate),
        "-c:a",
        "pcm_s16le",
        str(dest),
    ]


def encode_audio_cmd(wav: Path, dest: Path, title: str = "") -> list[str]:
    """The narration WAV → AAC in an .m4a (what the player and the video both use)."""
    cmd = [ffmpeg_bin(), *_BASE, "-progress", "pipe:1", "-nostats", "-i", str(wav), "-vn"]
    cmd += ["-c:a", "aac", "-b:a", AUDIO_BITRATE]
    if title:
        cmd += ["-metadata", f"title={title}"]
    return [*cmd, "-movflags", "+faststart", str(dest)]


def concat_list(frames: Sequence[tuple[Path, float]]) -> str:
    """An ffconcat script showing each image for its duration (the last one is repeated, as
    the concat demuxer ignores the final duration otherwise)."""

    def quoted(p: Path) -> str:
        return "'" + str(p).replace("'", "'\\''") + "'"

    lines = ["ffconcat version 1.0"]
    for path, secs in frames:
        lines += [f"file {quoted(path)}", f"duration {secs:.3f}"]
    if frames:
        lines.append(f"file {quoted(frames[-1][0])}")
    return "\n".join(lines) + "\n"


def video_cmd(
    concat_file: Path,
    audio: Path,
    dest: Path,
    *,
    duration: float,
    subtitles: Path | None = None,
    fps: int = 15,
    title: str = "",
    language: str = "eng",
) -> list[str]:
    """Slides (an ffconcat list) + narration (+ SRT) → MP4: H.264, AAC, mov_text captions.

    The narration is already AAC, so it is copied, not re-encoded; slides are still images,
    so x264's ``stillimage`` tune and a keyframe every two seconds keep it small and seekable.
    """
    cmd = [ffmpeg_bin(), *_BASE, "-progress", "pipe:1", "-nostats"]
    cmd += ["-f", "concat", "-safe", "0", "-i", str(concat_file), "-i", str(audio)]
    if subtitles is not None:
        cmd += ["-i", str(subtitles)]
    cmd += ["-map", "0:v:0", "-map", "1:a:0"]
    if subtitles is not None:
        cmd += ["-map", "2:s:0"]
    cmd += ["-vf", f"fps={fps},format=yuv420p", "-c:v", "libx264", "-preset", "veryfast"]
    cmd += ["-tune", "stillimage", "-crf", "26", "-g", str(fps * 2)]
    cmd += ["-c:a", "copy"]
    if subtitles is not None:
        cmd += ["-c:s", "mov_text", "-metadata:s:s:0", f"language={language}"]
    if title:
        cmd += ["-metadata", f"title={title}"]
    return [*cmd, "-t", f"{duration:.3f}", "-movflags", "+faststart", str(dest)]


def parse_progress_line(line: str) -> float | None:
    """Seconds of output written, from one ``-progress`` line (``out_time_us=...``)."""
    key, _, value = line.strip().partition("=")
    if key == "out_time_us" and value.strip().lstrip("-").isdigit():
        return max(0.0, int(value) / 1_000_000)
    return None


def run_ffmpeg(
    cmd: list[str],
    *,
    expected_secs: float = 0.0,
    on_progress: ProgressFn | None = None,
    label: str = "Encoding",
    timeout: float = 1800.0,
) -> None:
    """Run ffmpeg; report progress (fraction of ``expected_secs``); kill it if
    ``on_progress`` raises (cancel) or ``timeout`` passes; raise MediaToolError on failure."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
    )
    err_tail: deque[str] = deque(maxlen=20)

    def drain() -> None:
        assert proc.stderr is not None
        for ln in proc.stderr:
            err_tail.append(ln)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            secs = parse_progress_line(line)
            if secs is not None and on_progress is not None and expected_secs > 0:
                on_progress(min(1.0, secs / expected_secs), label)
        proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        timer.cancel()
        reader.join(timeout=5)
    if proc.returncode != 0:
        tail = "".join(err_tail).strip()[-400:]
        raise MediaToolError(f"ffmpeg failed ({proc.returncode}): {tail}")


def run_quick(cmd: list[str], timeout: float = 120.0) -> None:
    """Run a short ffmpeg command to completion."""
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise MediaToolError(f"ffmpeg failed: {out.stderr.strip()[-400:]}")
