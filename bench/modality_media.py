"""Audio and video modality speed on a typical module (the demo course's first module).

Loads the demo into a temporary database, then times: making the narration (TTS + joining +
AAC encoding), rendering the slide video from it (slides drawn + H.264 encode, reported as
a multiple of real time), opening both again from the cache, and checks both files with
ffprobe. The voice is whatever ``BYTEOS_TTS`` selects (``auto``: edge-tts when online, else
espeak-ng); ``--voice espeak`` pins the offline voice. The last stdout line is one JSON object.

    .venv/bin/python -m bench.modality_media [--voice auto|espeak|edge] [--fps 15] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import app  # noqa: F401  (pydantic before anything else; see app/__init__)
from app.services import media_variants
from app.services.authoring import load_course
from app.services.context import AppContext
from app.services.demo import load_demo
from engine.media import ffmpeg
from sync.store.models import Module


def one_run(fps: int) -> dict[str, float | str | int]:
    with tempfile.TemporaryDirectory(prefix="byteos-bench-media-") as tmp:
        root = Path(tmp)
        ctx = AppContext.open(root / "byteos.db", root / "assets")
        try:
            result = load_demo(ctx)
            course = load_course(ctx, result.course_ids[0])
            module = course.modules[0]
            assert module.id
            script = media_variants.module_script(ctx, module.id)

            t0 = time.perf_counter()
            audio = media_variants.ensure_audio(ctx, module.id)
            audio_secs = time.perf_counter() - t0

            t0 = time.perf_counter()
            video = media_variants.ensure_video(ctx, module.id, fps=fps)
            video_secs = time.perf_counter() - t0

            t0 = time.perf_counter()
            cached_a = media_variants.ensure_audio(ctx, module.id)
            cached_v = media_variants.ensure_video(ctx, module.id)
            cached_ms = (time.perf_counter() - t0) * 1000
            assert not cached_a.generated and not cached_v.generated

            a_info = ffmpeg.probe(audio.path)
            v_info = ffmpeg.probe(video.path)
            assert a_info.has("audio") and v_info.has("video") and v_info.has("audio")
            with ctx.db.transaction() as s:
                m = s.get(Module, module.id)
                assert m is not None and (m.modality_variants or {}).get("video_url")
            return {
                "module": module.title,
                "words": script.word_count,
                "slides": len(script.slides),
                "voice": audio.voice,
                "narration_secs": round(audio.duration, 2),
                "audio_file_secs": round(a_info.duration, 2),
                "video_file_secs": round(v_info.duration, 2),
                "duration_mismatch_secs": round(abs(v_info.duration - audio.duration), 3),
                "audio_make_secs": round(audio_secs, 3),
                "video_render_secs": round(video_secs, 3),
                "video_x_realtime": round(audio.duration / video_secs, 1),
                "audio_x_realtime": round(audio.duration / audio_secs, 1),
                "cached_open_ms": round(cached_ms, 2),
                "audio_kb": round(audio.path.stat().st_size / 1024),
                "video_kb": round(video.path.stat().st_size / 1024),
                "video_codecs": ",".join(f"{s.codec_type}:{s.codec_name}" for s in v_info.streams),
            }
        finally:
            ctx.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--voice", default=None, help="auto | espeak | edge (default: $BYTEOS_TTS)")
    ap.add_argument("--fps", type=int, default=15)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if args.voice:
        os.environ["BYTEOS_TTS"] = args.voice
    runs = [one_run(args.fps) for _ in range(args.runs)]
    for r in runs:
        print(
            f"audio {r['audio_make_secs']:.2f}s  video {r['video_render_secs']:.2f}s "
            f"({r['video_x_realtime']}x real time)  narration {r['narration_secs']}s  {r['voice']}"
        )

    def med(key: str) -> float:
        return round(statistics.median(float(r[key]) for r in runs), 3)

    summary = {
        **{k: v for k, v in runs[0].items() if not k.endswith(("_secs", "_ms", "_realtime"))},
        "runs": len(runs),
        "fps": args.fps,
        "cpu_count": os.cpu_count(),
        "narration_secs": runs[0]["narration_secs"],
        "video_file_secs": runs[0]["video_file_secs"],
        "duration_mismatch_secs": max(float(r["duration_mismatch_secs"]) for r in runs),
        "audio_make_secs_median": med("audio_make_secs"),
        "video_render_secs_median": med("video_render_secs"),
        "video_x_realtime_median": med("video_x_realtime"),
        "audio_x_realtime_median": med("audio_x_realtime"),
        "cached_open_ms_median": med("cached_open_ms"),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
