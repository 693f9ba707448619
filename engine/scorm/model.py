"""The plain course description a SCORM package is built from, and its limits.

The service fills these from the database (the course, its modules, the organisation's
branding, the image bytes); nothing here reads a file or the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from engine.content import Block, ImageBlock, Question

ScoMode = Literal["per_module", "single"]
SCO_MODES: tuple[str, ...] = ("per_module", "single")

SUSPEND_DATA_LIMIT = 4096  # cmi.suspend_data is a CMIString4096 in SCORM 1.2
TITLE_LIMIT = 200  # imscp titleType maxLength
MAX_CHOICES = 26  # interaction responses are the letters a..z
DEFAULT_MASTERY_SCORE = 80

_IMAGE_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", ".png", "image/png"),
    (b"\xff\xd8\xff", ".jpg", "image/jpeg"),
    (b"GIF87a", ".gif", "image/gif"),
    (b"GIF89a", ".gif", "image/gif"),
)


MEDIA_SUFFIXES = {
    "audio": (".mp3", ".m4a", ".ogg", ".opus", ".wav"),
    "video": (".mp4", ".webm"),
}


class ScormExportError(ValueError):
    """The course cannot be exported as it is; the message says what to change."""


@dataclass(frozen=True)
class ModuleMedia:
    """A module's narration (``audio``) or video, already rendered, and its WebVTT captions."""

    kind: Literal["audio", "video"]
    data: bytes
    suffix: str
    captions: str | None = None


@dataclass(frozen=True)
class ScormModule:
    title: str
    blocks: Sequence[Block] = ()
    quiz: Sequence[Question] = ()
    id: str = ""
    media: Sequence[ModuleMedia] = ()


@dataclass(frozen=True)
class Branding:
    org_name: str = ""
    primary_color: str | None = None
    secondary_color: str | None = None
    logo: bytes | None = None


@dataclass(frozen=True)
class ScormCourse:
    """Everything the package shows. ``images`` maps an image block's ``src`` to its bytes."""

    id: str
    title: str
    modules: Sequence[ScormModule]
    description: str = ""
    template_id: str | None = None
    branding: Branding = field(default_factory=Branding)
    mastery_score: int = DEFAULT_MASTERY_SCORE
    images: Mapping[str, bytes] = field(default_factory=dict)
    sco_mode: ScoMode = "per_module"
    language: str = "en"


def image_suffix(data: bytes) -> str | None:
    """``.png``/``.jpg``/``.gif``/``.webp`` from the file's first bytes, ``None`` otherwise."""
    for magic, suffix, _mime in _IMAGE_MAGIC:
        if data.startswith(magic):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return None


def _label(index: int, module: ScormModule) -> str:
    return f"Module {index} “{module.title.strip()[:60]}”"


def check_course(course: ScormCourse) -> None:
    """Raise :class:`ScormExportError` naming the first thing that keeps ``course`` out of a
    package (the 4096-character suspend_data limit is checked by ``suspend.check_fits``)."""
    if not course.title.strip():
        raise ScormExportError("The course needs a title before it can be exported.")
    if course.sco_mode not in SCO_MODES:
        raise ScormExportError(f"Unknown SCO mode “{course.sco_mode}” (use per_module or single).")
    if not 0 <= course.mastery_score <= 100:
        raise ScormExportError(
            f"The mastery score must be between 0 and 100 (it is {course.mastery_score})."
        )
    if not course.modules:
        raise ScormExportError("The course has no modules, so there is nothing to export.")
    for i, module in enumerate(course.modules, start=1):
        if not module.title.strip():
            raise ScormExportError(f"Module {i} needs a title before the course is exported.")
        if not module.blocks and not module.quiz:
            raise ScormExportError(f"{_label(i, module)} is empty: add content or a quiz.")
        for media in module.media:
            if media.suffix.lower() not in MEDIA_SUFFIXES.get(media.kind, ()):
                raise ScormExportError(
                    f"{_label(i, module)}: its {media.kind} is a {media.suffix or 'nameless'} "
                    "file, which browsers cannot be relied on to play."
                )
        for q in module.quiz:
            if len(q.choices) > MAX_CHOICES:
                raise ScormExportError(
                    f"{_label(i, module)}: the question “{q.prompt[:40]}” has "
                    f"{len(q.choices)} options; SCORM 1.2 records at most {MAX_CHOICES}."
                )
        for block in module.blocks:
            if not isinstance(block, ImageBlock):
                continue
            data = course.images.get(block.src)
            if data is None:
                raise ScormExportError(
                    f"{_label(i, module)}: the image “{block.alt[:40]}” ({block.src}) is not "
                    "available on this device; add it to the media library and try again."
                )
            if image_suffix(data) is None:
                raise ScormExportError(
                    f"{_label(i, module)}: the image “{block.alt[:40]}” is not a PNG, JPEG, "
                    "GIF or WebP file."
                )
    if course.branding.logo is not None and image_suffix(course.branding.logo) is None:
        raise ScormExportError("The organisation's logo is not a PNG, JPEG, GIF or WebP file.")
