"""Module content → retrieval chunks.

A chunk is a few consecutive blocks of one module (about :data:`TARGET_CHARS` characters),
never crossing a module, and carrying the nearest heading above it so a chunk that says
"it fades fastest in the first day" still knows it is about the forgetting curve. Chunks are
what the tutor cites: each names its module, and the block ids it came from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from engine.content import (
    Block,
    CalloutBlock,
    CodeBlock,
    HeadingBlock,
    ImageBlock,
    ListBlock,
    ParagraphBlock,
    Question,
)

TARGET_CHARS = 700
MAX_CHARS = 1200


@dataclass(frozen=True)
class ModuleText:
    """The parts of a module the tutor reads: title, blocks, and its quiz (for the guard)."""

    course_id: str
    module_id: str
    title: str
    order_index: int
    blocks: Sequence[Block]
    quiz: Sequence[Question] = ()


@dataclass(frozen=True)
class Chunk:
    id: str  # f"{module_id}:{n}"
    course_id: str
    module_id: str
    module_title: str
    order_index: int
    heading: str
    text: str
    block_ids: tuple[str, ...]

    @property
    def embed_text(self) -> str:
        """What is embedded: title and heading give a short chunk its topic."""
        head = self.module_title if not self.heading else f"{self.module_title} — {self.heading}"
        return f"{head}\n{self.text}"


def block_text(block: Block) -> str:
    if isinstance(block, ListBlock):
        return "\n".join(f"- {i}" for i in block.items)
    if isinstance(block, ImageBlock):
        return f"[Image: {block.alt}{' — ' + block.caption if block.caption else ''}]"
    if isinstance(block, CodeBlock):
        return f"```{block.language}\n{block.code}\n```"
    if isinstance(block, CalloutBlock):
        return f"({block.style}) {block.text}"
    if isinstance(block, HeadingBlock | ParagraphBlock):
        return block.text
    return ""


def module_fingerprint(module: ModuleText) -> str:
    """Changes whenever anything the chunks are made from changes (pydantic-core's JSON)."""
    h = hashlib.sha256(json.dumps([module.title, module.order_index]).encode("utf-8"))
    for block in module.blocks:
        h.update(block.model_dump_json().encode("utf-8"))
    return h.hexdigest()[:32]


def chunk_module(module: ModuleText) -> list[Chunk]:
    chunks: list[Chunk] = []
    heading = ""
    buf: list[str] = []
    ids: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal buf, ids, size
        text = "\n".join(buf).strip()
        if text:
            chunks.append(
                Chunk(
                    id=f"{module.module_id}:{len(chunks)}",
                    course_id=module.course_id,
                    module_id=module.module_id,
                    module_title=module.title,
                    order_index=module.order_index,
                    heading=heading,
                    text=text,
                    block_ids=tuple(ids),
                )
            )
        buf, ids, size = [], [], 0

    for block in module.blocks:
        if isinstance(block, HeadingBlock):
            flush()
            heading = block.text.strip()
            continue
        text = block_text(block).strip()
        if not text:
            continue
        for piece in _split_long(text):
            if size and size + len(piece) > TARGET_CHARS:
                flush()
            buf.append(piece)
            ids.append(block.id)
            size += len(piece)
    flush()
    if not chunks:  # a module with only a title still answers "what is module X about"
        chunks.append(
            Chunk(
                f"{module.module_id}:0",
                module.course_id,
                module.module_id,
                module.title,
                module.order_index,
                heading,
                module.title,
                (),
            )
        )
    return chunks


def _split_long(text: str) -> list[str]:
    if len(text) <= MAX_CHARS:
        return [text]
    out: list[str] = []
    current = ""
    for sentence in _sentences(text):
        if current and len(current) + len(sentence) > TARGET_CHARS:
            out.append(current.strip())
            current = ""
        current += sentence
    if current.strip():
        out.append(current.strip())
    return out


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in ".!?\n" and (i + 1 == len(text) or text[i + 1] in " \n"):
            out.append(text[start : i + 1] + " ")
            start = i + 1
    if start < len(text):
        out.append(text[start:])
    return out
