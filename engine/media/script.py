"""The narration script of a module: its blocks laid out as slides, each with what is said.

Audio plays the narration of every slide in order; video shows each slide while its narration
plays. Both come from the same :class:`NarrationScript`, so the captions, the audio and the
slides always agree. The script's :func:`script_hash` is what the cache compares: a change to
what is shown or said regenerates the media, a change of block ids alone does not.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Literal

from engine.content import (
    Block,
    CalloutBlock,
    CodeBlock,
    HeadingBlock,
    ImageBlock,
    ListBlock,
    ParagraphBlock,
)

# Bump when the script, slide drawing or encoding changes in a way that should regenerate.
MEDIA_FORMAT_VERSION = 1

SlideKind = Literal["title", "content", "callout", "code", "image"]
# how much text one content slide may show before the section continues on a new slide
MAX_SLIDE_WORDS = 90
MAX_SLIDE_ITEMS = 5

_CALLOUT_LEAD = {"info": "Note", "tip": "Tip", "warning": "Warning"}
_SPACES = re.compile(r"\s+")
_MARKUP = re.compile(r"[*_`#>|]+")


@dataclass(frozen=True)
class SlideItem:
    """One thing shown on a content slide: a paragraph or a bullet."""

    text: str
    bullet: str = ""  # "" for a paragraph, "•" or "1." for list items


@dataclass(frozen=True)
class Slide:
    index: int
    kind: SlideKind
    title: str
    narration: str
    subtitle: str = ""
    items: tuple[SlideItem, ...] = ()
    code: str = ""
    language: str = ""
    image_src: str = ""
    caption: str = ""
    style: str = ""  # callout style


@dataclass(frozen=True)
class NarrationScript:
    title: str
    course_title: str
    slides: tuple[Slide, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return "\n\n".join(s.narration for s in self.slides)

    @property
    def word_count(self) -> int:
        return len(self.text.split())


def speakable(text: str) -> str:
    """Text as it should be read: no markup characters, single spaces, a closing stop."""
    text = _MARKUP.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    if text and text[-1] not in ".!?:;…":
        text += "."
    return text


def _display(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _words(item: SlideItem) -> int:
    return len(item.text.split())


def build_script(title: str, blocks: list[Block], course_title: str = "") -> NarrationScript:
    """Lay the module out as slides: a title slide, then a slide per section (split when a
    section is long), and a slide of its own for each callout, code sample and image."""
    slides: list[Slide] = []

    def add(**kw: object) -> None:
        slides.append(Slide(index=len(slides), **kw))  # type: ignore[arg-type]

    intro = speakable(title)
    if course_title:
        intro = f"{intro} From the course {speakable(course_title)}"
    add(kind="title", title=_display(title), subtitle=_display(course_title), narration=intro)

    section = _display(title)
    pending: list[tuple[SlideItem, str]] = []  # (shown, spoken)
    heading_said = ""

    def flush() -> None:
        nonlocal pending, heading_said
        if not pending:
            return
        spoken = " ".join(s for _, s in pending)
        if heading_said:
            spoken = f"{heading_said} {spoken}"
            heading_said = ""
        add(
            kind="content",
            title=section,
            items=tuple(i for i, _ in pending),
            narration=spoken,
        )
        pending = []

    def push(item: SlideItem, spoken: str) -> None:
        words = sum(_words(i) for i, _ in pending)
        if pending and (words + _words(item) > MAX_SLIDE_WORDS or len(pending) >= MAX_SLIDE_ITEMS):
            flush()
        pending.append((item, spoken))

    for block in blocks:
        if isinstance(block, HeadingBlock):
            flush()
            if heading_said:  # a heading with nothing under it still gets said
                add(kind="content", title=section, narration=heading_said)
            section = _display(block.text)
            heading_said = speakable(block.text)
        elif isinstance(block, ParagraphBlock):
            push(SlideItem(_display(block.text)), speakable(block.text))
        elif isinstance(block, ListBlock):
            for n, entry in enumerate(block.items, start=1):
                bullet = f"{n}." if block.ordered else "•"
                push(SlideItem(_display(entry), bullet), speakable(entry))
        elif isinstance(block, CalloutBlock):
            flush()
            lead = _CALLOUT_LEAD.get(block.style, "Note")
            said = f"{lead}: {speakable(block.text)}"
            if heading_said:
                said, heading_said = f"{heading_said} {said}", ""
            add(
                kind="callout",
                title=lead,
                style=block.style,
                items=(SlideItem(_display(block.text)),),
                narration=said,
            )
        elif isinstance(block, CodeBlock):
            flush()
            lang = block.language.strip()
            said = (
                f"Here is a code example{' in ' + lang if lang else ''}. Take a moment to read it."
            )
            if heading_said:
                said, heading_said = f"{heading_said} {said}", ""
            add(kind="code", title=section, code=block.code, language=lang, narration=said)
        elif isinstance(block, ImageBlock):
            flush()
            said = speakable(block.alt)
            if block.caption.strip():
                said = f"{said} {speakable(block.caption)}"
            if heading_said:
                said, heading_said = f"{heading_said} {said}", ""
            add(
                kind="image",
                title=section,
                image_src=block.src,
                caption=_display(block.caption or block.alt),
                narration=said,
            )
    flush()
    if heading_said:
        add(kind="content", title=section, narration=heading_said)
    return NarrationScript(_display(title), _display(course_title), tuple(slides))


def script_hash(script: NarrationScript, extra: str = "") -> str:
    """A stable digest of everything shown and said (plus ``extra``, e.g. the media kind)."""
    doc = {
        "v": MEDIA_FORMAT_VERSION,
        "extra": extra,
        "title": script.title,
        "course": script.course_title,
        "slides": [asdict(s) for s in script.slides],
    }
    raw = json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()
