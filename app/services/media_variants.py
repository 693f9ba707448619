"""The audio and video of a module: made on demand, cached in the asset store, recorded in
``modules.modality_variants`` and made again when the module's content changes.

``modality_variants`` keeps the spec's ``audio_url`` / ``video_url`` (``asset://`` URLs into
the asset store) and, beside them, what the cache needs: the content hash each file was made
from (``audio_hash``/``video_hash``), durations, the voice, the captions' URLs and when each
slide is on screen (so the video reuses the narration rather than speaking it again). Other
keys of the document (the mind map, the game) are left as they are.

Qt-free: the views run these functions through ``app.tasks.TaskRunner``; ``progress`` may
raise to cancel (``TaskControl.progress`` does).
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from app.services.context import AppContext
from app.services.errors import UserError
from engine.content import parse_blocks
from engine.media import ffmpeg
from engine.media.captions import Cue, parse_captions
from engine.media.pipeline import make_narration, render_video, write_captions
from engine.media.script import NarrationScript, build_script, script_hash
from engine.media.slides import theme_for
from engine.media.tts import TTSProvider, provider_chain
from engine.templates import template
from sync.store.models import ContentAsset, Course, Module

ProgressFn = Callable[[float, str], None]
MediaKind = Literal["audio", "video"]
ASSET_SCHEME = "asset://"

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _noop(_f: float, _m: str) -> None:
    return None


def _module_lock(module_id: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(module_id, threading.Lock())


@dataclass(frozen=True)
class MediaFile:
    module_id: str
    kind: MediaKind
    path: Path
    captions: Path | None  # WebVTT
    duration: float
    voice: str
    content_hash: str
    generated: bool  # False when it came from the cache

    def cues(self) -> list[Cue]:
        if self.captions is None or not self.captions.exists():
            return []
        return parse_captions(self.captions.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class _ModuleSource:
    module_id: str
    org_id: str
    script: NarrationScript
    variants: dict[str, Any]
    template: str  # the course template: the video's slides are drawn in its colours


def _load(ctx: AppContext, module_id: str) -> _ModuleSource:
    with ctx.db.transaction() as s:
        m = s.get(Module, module_id)
        if m is None:
            raise UserError("That module no longer exists.")
        course = s.get(Course, m.course_id)
        course_title = course.title if course else ""
        org_id = course.org_id if course else ""
        script = build_script(m.title, parse_blocks(m.content), course_title)
        return _ModuleSource(
            module_id,
            org_id,
            script,
            dict(m.modality_variants or {}),
            template(course.template if course else None).id,
        )


def module_script(ctx: AppContext, module_id: str) -> NarrationScript:
    """The slides and narration of a module (what both media are made from)."""
    return _load(ctx, module_id).script


def _asset_path(ctx: AppContext, url: object) -> Path | None:
    if not isinstance(url, str) or not url.startswith(ASSET_SCHEME):
        return None
    try:
        path = ctx.assets.path(url.removeprefix(ASSET_SCHEME))
    except ValueError:
        return None
    return path if path.is_file() else None


def _from_variants(
    ctx: AppContext, src: _ModuleSource, kind: MediaKind, want_hash: str
) -> MediaFile | None:
    v = src.variants
    if v.get(f"{kind}_hash") != want_hash:
        return None
    path = _asset_path(ctx, v.get(f"{kind}_url"))
    if path is None:
        return None
    return MediaFile(
        module_id=src.module_id,
        kind=kind,
        path=path,
        captions=_asset_path(ctx, v.get(f"{kind}_captions_url")),
        duration=float(v.get(f"{kind}_duration") or 0.0),
        voice=str(v.get(f"{kind}_voice") or ""),
        content_hash=want_hash,
        generated=False,
    )


def cached_media(ctx: AppContext, module_id: str, kind: MediaKind) -> MediaFile | None:
    """The module's audio or video if it is made and still matches the content; fast."""
    src = _load(ctx, module_id)
    return _from_variants(ctx, src, kind, _media_hash(src, kind))


def _media_hash(src: _ModuleSource, kind: MediaKind) -> str:
    """What the file depends on: the script, and for video also the template's colours."""
    return script_hash(src.script, kind if kind == "audio" else f"video:{src.template}")


def _store(
    ctx: AppContext,
    src: _ModuleSource,
    kind: MediaKind,
    files: dict[str, Path],
    meta: dict[str, Any],
) -> dict[str, str]:
    """Put files in the asset store, record them as content assets and in the variants."""
    urls: dict[str, str] = {}
    for key, path in files.items():
        urls[key] = ASSET_SCHEME + ctx.assets.put(path, path.suffix)
    with ctx.db.transaction() as s:
        m = s.get(Module, src.module_id)
        if m is None:
            raise UserError("That module no longer exists.")
        for key, url in urls.items():
            if key != f"{kind}_url":
                continue
            storage_path = url.removeprefix(ASSET_SCHEME)
            known = s.scalar(select(ContentAsset).where(ContentAsset.storage_path == storage_path))
            if known is None:
                s.add(
                    ContentAsset(
                        org_id=src.org_id or None,
                        type=kind,
                        url=url,
                        storage_path=storage_path,
                        metadata_={
                            "module_id": src.module_id,
                            "generated": True,
                            "duration": meta.get(f"{kind}_duration"),
                            "voice": meta.get(f"{kind}_voice"),
                        },
                    )
                )
        variants = dict(m.modality_variants or {})  # re-read: keep others' keys
        variants.update(urls)
        variants.update(meta)
        m.modality_variants = variants
    return urls


def ensure_audio(
    ctx: AppContext,
    module_id: str,
    progress: ProgressFn = _noop,
    chain: list[TTSProvider] | None = None,
) -> MediaFile:
    """The module's narration (AAC .m4a + WebVTT captions), made if missing or stale."""
    with _module_lock(module_id):
        return _ensure_audio(ctx, module_id, progress, chain)


def _ensure_audio(
    ctx: AppContext, module_id: str, progress: ProgressFn, chain: list[TTSProvider] | None
) -> MediaFile:
    src = _load(ctx, module_id)
    want = script_hash(src.script, "audio")
    cached = _from_variants(ctx, src, "audio", want)
    if cached is not None and src.variants.get("audio_slide_spans"):
        progress(1.0, "Narration ready")
        return cached
    try:
        ffmpeg.ffmpeg_bin()
    except ffmpeg.MediaToolError as err:
        raise UserError(str(err)) from err
    with tempfile.TemporaryDirectory(prefix="byteos-audio-") as tmp:
        work = Path(tmp)
        track = make_narration(src.script, chain or provider_chain(), work, progress)
        _, vtt = write_captions(track.cues, work)
        meta = {
            "audio_hash": want,
            "audio_duration": round(track.duration, 3),
            "audio_voice": track.voice_label,
            "audio_voice_key": track.voice_key,
            "audio_slide_spans": [[round(a, 3), round(b, 3)] for a, b in track.slide_spans],
        }
        _store(ctx, src, "audio", {"audio_url": track.audio, "audio_captions_url": vtt}, meta)
    made = _from_variants(ctx, _load(ctx, module_id), "audio", want)
    assert made is not None
    return replace(made, generated=True)


def ensure_video(
    ctx: AppContext,
    module_id: str,
    progress: ProgressFn = _noop,
    chain: list[TTSProvider] | None = None,
    *,
    fps: int = 15,
    size: tuple[int, int] = (1280, 720),
) -> MediaFile:
    """The module's narrated slide video (spec operation ``video.generate``): MP4 with H.264
    video, the AAC narration and a mov_text caption track, plus a WebVTT sidecar."""
    with _module_lock(module_id):
        src = _load(ctx, module_id)
        want = _media_hash(src, "video")
        cached = _from_variants(ctx, src, "video", want)
        if cached is not None:
            progress(1.0, "Video ready")
            return cached
        has_audio = _from_variants(ctx, src, "audio", script_hash(src.script, "audio"))
        split = 0.05 if has_audio and src.variants.get("audio_slide_spans") else 0.4
        audio = _ensure_audio(ctx, module_id, lambda f, m: progress(split * f, m), chain)
        spans = _load(ctx, module_id).variants.get("audio_slide_spans") or []
        slide_spans = [(float(a), float(b)) for a, b in spans]

        def image_path(src_url: str) -> Path | None:
            return _asset_path(ctx, src_url)

        with tempfile.TemporaryDirectory(prefix="byteos-video-") as tmp:
            video = render_video(
                src.script,
                audio.path,
                slide_spans,
                audio.cues(),
                Path(tmp),
                lambda f, m: progress(split + (1 - split) * f, m),
                image_path=image_path,
                size=size,
                fps=fps,
                theme=theme_for(template(src.template)),
            )
            meta = {
                "video_hash": want,
                "video_duration": round(video.duration, 3),
                "video_voice": audio.voice,
                "video_slides": len(src.script.slides),
            }
            _store(
                ctx,
                src,
                "video",
                {"video_url": video.video, "video_captions_url": video.vtt},
                meta,
            )
        made = _from_variants(ctx, _load(ctx, module_id), "video", want)
        assert made is not None
        return replace(made, generated=True)
