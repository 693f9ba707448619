"""The structured content of a module and its quiz.

A module's ``content`` column holds a list of typed blocks and its ``quiz`` column a list of
questions. Both are authored once and rendered by every modality, so their shape is defined
here, in the engine, and validated everywhere they are written (Studio editor, importers,
sync) — a malformed block must never reach the database.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator


def _new_id() -> str:
    return str(uuid.uuid4())


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(default_factory=_new_id)


def _not_blank(value: str, what: str) -> str:
    if not value.strip():
        raise ValueError(f"{what} must not be empty")
    return value


class HeadingBlock(_Block):
    type: Literal["heading"] = "heading"
    text: str
    level: int = Field(default=2, ge=1, le=4)

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return _not_blank(v, "A heading's text")


class ParagraphBlock(_Block):
    type: Literal["paragraph"] = "paragraph"
    text: str

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return _not_blank(v, "A paragraph's text")


class ListBlock(_Block):
    type: Literal["list"] = "list"
    items: list[str]
    ordered: bool = False

    @field_validator("items")
    @classmethod
    def _items(cls, v: list[str]) -> list[str]:
        items = [i for i in v if i.strip()]
        if not items:
            raise ValueError("A list needs at least one item")
        return items


class ImageBlock(_Block):
    type: Literal["image"] = "image"
    asset_id: str | None = None
    src: str
    alt: str
    caption: str = ""

    @field_validator("alt")
    @classmethod
    def _alt(cls, v: str) -> str:
        # WCAG 2.1 AA: every informative image needs a text alternative.
        return _not_blank(v, "An image's alt text")


class CalloutBlock(_Block):
    type: Literal["callout"] = "callout"
    style: Literal["info", "tip", "warning"] = "info"
    text: str

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return _not_blank(v, "A callout's text")


class CodeBlock(_Block):
    type: Literal["code"] = "code"
    language: str = ""
    code: str

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        return _not_blank(v, "A code block")


Block = Annotated[
    HeadingBlock | ParagraphBlock | ListBlock | ImageBlock | CalloutBlock | CodeBlock,
    Field(discriminator="type"),
]
BLOCK_TYPES: tuple[str, ...] = ("heading", "paragraph", "list", "image", "callout", "code")

QuestionType = Literal["single", "multiple", "true_false"]
QUESTION_TYPES: tuple[str, ...] = ("single", "multiple", "true_false")


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(default_factory=_new_id)
    text: str
    correct: bool = False

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return _not_blank(v, "An answer option")


class Question(BaseModel):
    """One quiz item. ``skill_ids`` tag it for knowledge tracing."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(default_factory=_new_id)
    type: QuestionType
    prompt: str
    choices: list[Choice]
    explanation: str = ""
    skill_ids: list[str] = Field(default_factory=list)

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, v: str) -> str:
        return _not_blank(v, "A question's prompt")

    @model_validator(mode="after")
    def _answer_key(self) -> Question:
        n_correct = sum(c.correct for c in self.choices)
        label = self.prompt.strip()[:40]
        if len(self.choices) < 2:
            raise ValueError(f"Question “{label}” needs at least two options")
        if n_correct == 0:
            raise ValueError(f"Question “{label}” has no correct answer")
        if self.type in ("single", "true_false") and n_correct != 1:
            raise ValueError(f"Question “{label}” must have exactly one correct answer")
        if self.type == "true_false" and len(self.choices) != 2:
            raise ValueError(f"True/false question “{label}” must have exactly two options")
        return self

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.choices if c.correct)

    def grade(self, selected: set[str] | frozenset[str]) -> bool:
        """All-or-nothing: the selection must equal the answer key."""
        return frozenset(selected) == self.correct_ids


def true_false(prompt: str, answer: bool, explanation: str = "", **kw: object) -> Question:
    """Build a true/false question with the usual two options."""
    return Question.model_validate(
        {
            "type": "true_false",
            "prompt": prompt,
            "choices": [
                {"text": "True", "correct": answer},
                {"text": "False", "correct": not answer},
            ],
            "explanation": explanation,
            **kw,
        }
    )


BlockList = TypeAdapter(list[Block])
QuestionList = TypeAdapter(list[Question])


def parse_blocks(raw: object) -> list[Block]:
    """Validate a module's ``content`` value; raises ``pydantic.ValidationError``."""
    return BlockList.validate_python(raw)


def parse_quiz(raw: object) -> list[Question]:
    """Validate a module's ``quiz`` value (``None`` means no quiz)."""
    if raw is None:
        return []
    return QuestionList.validate_python(raw)


def dump_blocks(blocks: list[Block]) -> list[dict[str, object]]:
    return [b.model_dump() for b in blocks]


def dump_quiz(questions: list[Question]) -> list[dict[str, object]]:
    return [q.model_dump() for q in questions]


def plain_text(blocks: list[Block]) -> str:
    """Readable text of a module, for search, narration and the tutor's retrieval."""
    parts: list[str] = []
    for b in blocks:
        if isinstance(b, ListBlock):
            parts.extend(f"- {i}" for i in b.items)
        elif isinstance(b, ImageBlock):
            parts.append(b.alt + (f" — {b.caption}" if b.caption else ""))
        elif isinstance(b, CodeBlock):
            parts.append(b.code)
        else:
            parts.append(b.text)
    return "\n".join(parts)
