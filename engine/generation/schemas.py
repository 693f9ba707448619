"""What the model is asked to produce at each step, as pydantic models (their JSON Schemas
become llama.cpp grammars), and their conversion into the course's own block/quiz types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from engine.content import (
    Block,
    CalloutBlock,
    Choice,
    HeadingBlock,
    ListBlock,
    ParagraphBlock,
    Question,
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


class GenChoice(BaseModel):
    text: str = ""
    correct: bool = False


class GenQuestion(BaseModel):
    type: Literal["single", "true_false"]
    prompt: str = ""
    choices: list[GenChoice] = Field(default_factory=list, max_length=6)
    explanation: str = ""


class GenQuiz(BaseModel):
    questions: list[GenQuestion] = Field(min_length=1, max_length=4)


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


def to_questions(quiz: GenQuiz, skill_ids: list[str] | None = None) -> list[Question]:
    """Valid questions only: a question with no (or, for single choice, several) correct
    answers is dropped, never saved."""
    out: list[Question] = []
    for q in quiz.questions:
        choices = [c for c in q.choices if c.text.strip()]
        if q.type == "single" and len(choices) > 4:  # keep the key, drop surplus distractors
            right = [c for c in choices if c.correct][:1]
            choices = right + [c for c in choices if not c.correct][: 4 - len(right)]
        if q.type == "true_false":
            truth = next((c.correct for c in choices if c.text.strip().lower() == "true"), None)
            if truth is None:
                continue
            choices = [
                GenChoice(text="True", correct=truth),
                GenChoice(text="False", correct=not truth),
            ]
        try:
            out.append(
                Question(
                    type=q.type,
                    prompt=q.prompt.strip(),
                    choices=[Choice(text=c.text.strip(), correct=c.correct) for c in choices],
                    explanation=q.explanation.strip(),
                    skill_ids=list(skill_ids or []),
                )
            )
        except ValueError:
            continue
    return out
