"""Editable, in-memory drafts of modules, blocks and questions.

The editors write every keystroke into these plain dicts, which stay exactly as the person
typed them. Only when saving are they turned into the engine's validated models; a problem
raises ``DraftError`` naming where it is, and the drafts are left untouched, so nothing typed
is ever lost to a failed save.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from app.services.authoring import ModuleDoc, readable
from app.services.errors import UserError
from engine.content import Block, Question, dump_blocks, dump_quiz, parse_blocks

BLOCK_LABELS = {
    "heading": "Heading",
    "paragraph": "Paragraph",
    "list": "List",
    "image": "Image",
    "callout": "Callout",
    "code": "Code",
}
QUESTION_LABELS = {
    "single": "Single choice",
    "multiple": "Multiple choice",
    "true_false": "True / false",
}
CALLOUT_LABELS = {"info": "Info", "tip": "Tip", "warning": "Warning"}

Draft = dict[str, Any]


def new_id() -> str:
    return str(uuid.uuid4())


def new_block(kind: str) -> Draft:
    defaults: dict[str, Draft] = {
        "heading": {"text": "", "level": 2},
        "paragraph": {"text": ""},
        "list": {"items": [], "ordered": False},
        "image": {"asset_id": None, "src": "", "alt": "", "caption": ""},
        "callout": {"style": "info", "text": ""},
        "code": {"language": "", "code": ""},
    }
    if kind not in defaults:
        raise ValueError(f"unknown block type {kind!r}")
    return {"id": new_id(), "type": kind, **defaults[kind]}


def true_false_choices() -> list[Draft]:
    return [
        {"id": new_id(), "text": "True", "correct": False},
        {"id": new_id(), "text": "False", "correct": False},
    ]


def new_choice() -> Draft:
    return {"id": new_id(), "text": "", "correct": False}


def new_question(kind: str = "single") -> Draft:
    choices = true_false_choices() if kind == "true_false" else [new_choice(), new_choice()]
    return {
        "id": new_id(),
        "type": kind,
        "prompt": "",
        "choices": choices,
        "explanation": "",
        "skill_ids": [],
    }


@dataclass
class ModuleDraft:
    title: str
    blocks: list[Draft] = field(default_factory=list)
    questions: list[Draft] = field(default_factory=list)
    # Modules get their id up front so a save never has to re-map the editor's rows.
    id: str = field(default_factory=new_id)

    @classmethod
    def from_doc(cls, module: ModuleDoc) -> ModuleDraft:
        return cls(
            title=module.title,
            blocks=copy.deepcopy(dump_blocks(module.blocks)),
            questions=copy.deepcopy(dump_quiz(module.quiz)),
            id=module.id or new_id(),
        )


class DraftError(UserError):
    """A draft that cannot be saved, with where the problem is so the editor can show it."""

    def __init__(
        self,
        message: str,
        module_index: int,
        *,
        block_index: int | None = None,
        question_index: int | None = None,
    ) -> None:
        super().__init__(message)
        self.module_index = module_index
        self.block_index = block_index
        self.question_index = question_index


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def block_preview(block: Draft) -> str:
    """One line describing a block for the block list: type · start of its text."""
    kind = block.get("type", "")
    label = BLOCK_LABELS.get(kind, kind)
    if kind == "heading":
        detail = f"H{block.get('level', 2)} {block.get('text', '')}"
    elif kind in ("paragraph", "callout"):
        detail = block.get("text", "")
        if kind == "callout":
            detail = f"{CALLOUT_LABELS.get(block.get('style', 'info'), '')}: {detail}"
    elif kind == "list":
        items = [i for i in block.get("items", []) if i.strip()]
        detail = f"{len(items)} item{'s' if len(items) != 1 else ''}"
        if items:
            detail += ": " + ", ".join(items)
    elif kind == "image":
        detail = block.get("alt", "") if block.get("src") else "no image chosen"
    elif kind == "code":
        lines = block.get("code", "").strip().splitlines()
        detail = (block.get("language") or "code") + (f": {lines[0]}" if lines else "")
    else:
        detail = ""
    detail = _short(detail)
    return f"{label} · {detail}" if detail.strip() else f"{label} · (empty)"


def question_preview(index: int, question: Draft) -> str:
    kind = QUESTION_LABELS.get(question.get("type", ""), question.get("type", ""))
    prompt = _short(question.get("prompt", "")) or "(no prompt yet)"
    return f"{index + 1}. {kind} · {prompt}"


def module_label(index: int, draft: ModuleDraft) -> str:
    return f"Module {index + 1} “{draft.title.strip() or 'Untitled'}”"


def build_module(draft: ModuleDraft, index: int) -> ModuleDoc:
    """Validate one module draft; raise ``DraftError`` naming the first problem."""
    if not draft.title.strip():
        raise DraftError(f"Module {index + 1} needs a title.", index)
    where = module_label(index, draft)
    blocks: list[Block] = []
    for bi, b in enumerate(draft.blocks):
        kind = BLOCK_LABELS.get(b.get("type", ""), "Block")
        if b.get("type") == "image" and not b.get("src"):
            raise DraftError(
                f"{where}, block {bi + 1} ({kind}): choose an image file.",
                index,
                block_index=bi,
            )
        try:
            blocks.append(parse_blocks([b])[0])
        except ValidationError as err:
            raise DraftError(
                f"{where}, block {bi + 1} ({kind}): {readable(err)}", index, block_index=bi
            ) from err
    quiz: list[Question] = []
    for qi, q in enumerate(draft.questions):
        try:
            quiz.append(Question.model_validate(q))
        except ValidationError as err:
            raise DraftError(
                f"{where}, question {qi + 1}: {readable(err)}", index, question_index=qi
            ) from err
    return ModuleDoc(draft.title, blocks, quiz, draft.id)


def build_modules(drafts: list[ModuleDraft]) -> list[ModuleDoc]:
    return [build_module(d, i) for i, d in enumerate(drafts)]
