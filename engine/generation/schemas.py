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


class OutlineModule(BaseModel):
    title: str = Field(min_length=2, max_length=100)
    objective: str = Field(min_length=5, max_length=300)


class Outline(BaseModel):
    title: str = Field(min_length=2, max_length=120)
    description: str = Field(min_length=5, max_length=600)
    modules: list[OutlineModule] = Field(min_length=1, max_length=12)


class GenBlock(BaseModel):
    type: Literal["heading", "paragraph", "list", "callout"]
    text: str = Field(default="", max_length=1200)
    items: list[str] = Field(default_factory=list, max_length=8)


class GenModule(BaseModel):
    blocks: list[GenBlock] = Field(min_length=2, max_length=12)


class GenChoice(BaseModel):
    text: str = Field(min_length=1, max_length=200)
    correct: bool


class GenQuestion(BaseModel):
    type: Literal["single", "true_false"]
    prompt: str = Field(min_length=5, max_length=300)
    choices: list[GenChoice] = Field(min_length=2, max_length=4)
    explanation: str = Field(min_length=3, max_length=400)


class GenQuiz(BaseModel):
    questions: list[GenQuestion] = Field(min_length=1, max_length=4)


class GenSkills(BaseModel):
    skills: list[str] = Field(min_length=1, max_length=5)


def to_blocks(module: GenModule) -> list[Block]:
    """Keep every well-formed block; drop empty ones rather than failing the module."""
    out: list[Block] = []
    for b in module.blocks:
        text = " ".join(b.text.split())
        if b.type == "heading" and text:
            out.append(HeadingBlock(text=text[:120]))
        elif b.type == "paragraph" and text:
            out.append(ParagraphBlock(text=text))
        elif b.type == "callout" and text:
            out.append(CalloutBlock(style="tip", text=text))
        elif b.type == "list":
            items = [" ".join(i.split()) for i in b.items if i.strip()]
            if items:
                out.append(ListBlock(items=items))
    return out


def to_questions(quiz: GenQuiz, skill_ids: list[str] | None = None) -> list[Question]:
    """Valid questions only: a question with no (or, for single choice, several) correct
    answers is dropped, never saved."""
    out: list[Question] = []
    for q in quiz.questions:
        choices = q.choices
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
