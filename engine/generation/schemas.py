"""What the model is asked to produce at each step, as pydantic models (their JSON Schemas
become llama.cpp grammars), and their conversion into the course's own block/quiz types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from engine.content import (
    Block,
    CalloutBlock,
    HeadingBlock,
    ListBlock,
    ParagraphBlock,
)

# Lengths are bounded when converting (truncation), not by validation: a small model that
# writes a long explanation should lose the excess, not the whole step.


class OutlineModule(BaseModel):
    title: str = Field(min_length=2)
    objective: str = Field(min_length=3)


class Outline(BaseModel):
    title: str = Field(min_length=2)
    description: str = ""
    modules: list[OutlineModule] = Field(min_length=1, max_length=12)


class GenBlock(BaseModel):
    type: Literal["heading", "paragraph", "list", "callout"]
    text: str = ""
    items: list[str] = Field(default_factory=list, max_length=8)


class GenModule(BaseModel):
    blocks: list[GenBlock] = Field(min_length=2, max_length=12)


class GenSkills(BaseModel):
    skills: list[str] = Field(min_length=1, max_length=5)


def to_blocks(module: GenModule) -> list[Block]:
    """Keep every well-formed block; drop empty ones rather than failing the module."""
    out: list[Block] = []
    for b in module.blocks:
        text = " ".join(b.text.split())[:1200]
        if b.type == "heading" and text:
            out.append(HeadingBlock(text=text[:120]))
        elif b.type == "paragraph" and text:
            out.append(ParagraphBlock(text=text))
        elif b.type == "callout" and text:
            out.append(CalloutBlock(style="tip", text=text))
        elif b.type == "list":
            items = [" ".join(i.split())[:300] for i in b.items if i.strip()]
            if items:
                out.append(ListBlock(items=items))
    return out
