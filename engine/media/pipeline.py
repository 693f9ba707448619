"""From a narration script to files: the narration track (audio) and the slide video.

``progress(fraction, message)`` is called throughout and may raise to cancel (the app's
``TaskControl.progress`` does); a cancelled step kills its ffmpeg and leaves only the work
folder behind, which the caller owns.
"""

from __future__ import annotations

import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.media import ffmpeg
from engine.media.captions import Cue, build_cues, to_srt, to_vtt
from engine.media.script import NarrationScript
from engine.media.slides import SlideTheme, render_slide
from engine.media.tts import TTSProvider, synthesize_with_fallback

ProgressFn = Callable[[float, str], None]

LEAD_IN_SECS = 0.5  # silence before the first words
GAP_SECS = 0.8  # between slides: the next slide appears, then is spoken about
TAIL_SECS = 0.8


def _noop(_f: float, _m: str) -> None:
    return None


def _scaled(progress: ProgressFn, lo: float, hi: float) -> ProgressFn:
    return lambda f, m: progress(lo + (hi - lo) * f, m)


@dataclass(frozen=True)
class NarrationTrack:
    audio: Path  # AAC in .m4a
    wav: Path
    duration: float
    slide_spans: tuple[tuple[float, float], ...]  # when each slide is on screen
    cues: tuple[Cue, ...]
    voice_key: str
    voice_label: str
    skipped: tuple[str, ...]  # why better voices were not used


def concat_wavs(
    parts: list[Path], dest: Path, sample_rate: int = ffmpeg.SAMPLE_RATE
) -> list[tuple[float, float]]:
    """Join mono 16-bit WAVs with silences between them; returns each part's (start, end)."""

    def silence(secs: float) -> bytes:
        return b"\x00\x00" * round(secs * sample_rate)

    spans: list[tuple[float, float]] = []
    t = 0.0
    with wave.open(str(dest), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        for i, part in enumerate(parts):
            pause = LEAD_IN_SECS if i == 0 else GAP_SECS
            out.writeframes(silence(pause))
            t += round(pause * sample_rate) / sample_rate
            with wave.open(str(part), "rb") as src:
                if (src.getnchannels(), src.getsampwidth(), src.getframerate()) != (
                    1,
                    2,
                    sample_rate,
                ):
                    raise ffmpeg.MediaToolError(f"{part.name} is not mono 16-bit {sample_rate} Hz")
                frames = src.readframes(src.getnframes())
                n = src.getnframes()
            out.writeframes(frames)
            spans.append((t, t + n / sample_rate))
            t += n / sample_rate
        out.writeframes(silence(TAIL_SECS))
    return spans


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def make_narration(
    script: NarrationScript,
    chain: list[TTSProvider],
    workdir: Path,
    progress: ProgressFn = _noop,
) -> NarrationTrack:
    """Speak every slide's narration (first provider in ``chain`` that can), join the pieces
    with pauses, encode to AAC and time the captions."""
    workdir.mkdir(parents=True, exist_ok=True)
    texts = [s.narration for s in script.slides]
    if not texts:
        raise ValueError("This module has nothing to narrate.")
    progress(0.0, "Preparing the voice")

    def on_item(done: int, total: int, provider: TTSProvider) -> None:
        progress(0.75 * done / total, f"Speaking part {done} of {total} ({provider.name})")

    speech = synthesize_with_fallback(chain, texts, workdir, on_item)
    wavs: list[Path] = []
    for i, f in enumerate(speech.files):
        wav = workdir / f"part-{i:03d}.wav"
        ffmpeg.run_quick(ffmpeg.to_wav_cmd(f, wav))
        wavs.append(wav)
        progress(0.75 + 0.1 * (i + 1) / len(speech.files), "Joining the narration")
    joined = workdir / "narration.wav"
    speech_spans = concat_wavs(wavs, joined)
    total = wav_duration(joined)
    starts = [0.0] + [end for _, end in speech_spans[:-1]]
    ends = [*starts[1:], total]
    slide_spans = tuple(zip(starts, ends, strict=True))
    cues = build_cues([(t, a, b) for t, (a, b) in zip(texts, speech_spans, strict=True)])
    audio = workdir / "narration.m4a"
    ffmpeg.run_ffmpeg(
        ffmpeg.encode_audio_cmd(joined, audio, script.title),
        expected_secs=total,
        on_progress=_scaled(progress, 0.85, 1.0),
        label="Encoding the narration",
    )
    progress(1.0, "Narration ready")
    return NarrationTrack(
        audio=audio,
        wav=joined,
        duration=total,
        slide_spans=slide_spans,
        cues=tuple(cues),
        voice_key=speech.provider.key,
        voice_label=speech.provider.label,
        skipped=tuple(speech.skipped),
    )


def write_captions(cues: tuple[Cue, ...] | list[Cue], workdir: Path) -> tuple[Path, Path]:
    srt = workdir / "captions.srt"
    vtt = workdir / "captions.vtt"
    srt.write_text(to_srt(list(cues)), encoding="utf-8")
    vtt.write_text(to_vtt(list(cues)), encoding="utf-8")
    return srt, vtt


@dataclass(frozen=True)
class SlideVideo:
    video: Path
    duration: float
    srt: Path
    vtt: Path
    slide_images: tuple[Path, ...]


def render_video(
    script: NarrationScript,
    narration: Path,
    slide_spans: list[tuple[float, float]] | tuple[tuple[float, float], ...],
    cues: list[Cue] | tuple[Cue, ...],
    workdir: Path,
    progress: ProgressFn = _noop,
    *,
    image_path: Callable[[str], Path | None] | None = None,
    size: tuple[int, int] = (1280, 720),
    fps: int = 15,
    theme: SlideTheme | None = None,
) -> SlideVideo:
    """Draw each slide, show it for its span of the narration, encode to MP4 with captions."""
    workdir.mkdir(parents=True, exist_ok=True)
    slides = script.slides
    if len(slide_spans) != len(slides):
        raise ValueError("the narration does not match the slides")
    images: list[Path] = []
    footer = script.title if not script.course_title else f"{script.course_title} · {script.title}"
    for i, slide in enumerate(slides):
        img = render_slide(
            slide, len(slides), size, theme=theme, image_path=image_path, footer=footer
        )
        path = workdir / f"slide-{i:03d}.png"
        img.save(path, optimize=False, compress_level=1)
        images.append(path)
        progress(0.2 * (i + 1) / len(slides), f"Drawing slide {i + 1} of {len(slides)}")
    duration = slide_spans[-1][1]
    frames = [(p, b - a) for p, (a, b) in zip(images, slide_spans, strict=True)]
    listing = workdir / "slides.ffconcat"
    listing.write_text(ffmpeg.concat_list(frames), encoding="utf-8")
    srt, vtt = write_captions(cues, workdir)
    out = workdir / "video.mp4"
    ffmpeg.run_ffmpeg(
        ffmpeg.video_cmd(
            listing, narration, out, duration=duration, subtitles=srt, fps=fps, title=script.title
        ),
        expected_secs=duration,
        on_progress=_scaled(progress, 0.2, 1.0),
        label="Rendering the video",
    )
    progress(1.0, "Video ready")
    return SlideVideo(out, duration, srt, vtt, tuple(images))
