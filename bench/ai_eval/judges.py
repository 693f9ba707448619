"""Judges that are not the generator: the configured model asked narrow, grammar-constrained
questions (one JSON field, an enum) over the *source* passages, never over what it wrote.

Each judge puts the long, shared material first and the item last, so the local model's
KV cache re-reads only the item when the material repeats (coverage judges every key point
against the same course text).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel

from engine.generation.structured import ask_json
from engine.llm.base import CancelToken, ChatMessage, LLMProvider

JUDGE_SYSTEM = (
    "You are a strict, literal checker. You compare a statement with reference text and "
    "answer only from that text, never from your own knowledge. Reply with one JSON object."
)


class Entailment(BaseModel):
    verdict: Literal["supported", "contradicted", "not_stated"]


class Taught(BaseModel):
    taught: Literal["yes", "no"]


class Pick(BaseModel):
    answer: Literal["A", "B", "C", "D", "E", "none"]


def _ask(llm: LLMProvider, user: str, model: type[BaseModel], step: str, tokens: int) -> object:
    return ask_json(
        llm,
        [ChatMessage("system", JUDGE_SYSTEM), ChatMessage("user", user)],
        model,
        step=step,
        cancel=CancelToken(),
        max_tokens=tokens,
        timeout_s=240.0,
        repairs=1,
    )


def entailment(llm: LLMProvider, passages: Sequence[str], statement: str) -> str:
    """'supported' / 'contradicted' / 'not_stated' for ``statement`` against ``passages``."""
    ref = "\n\n".join(f"<reference>\n{p}\n</reference>" for p in passages)
    user = (
        f"{ref}\n\nStatement: {statement}\n\n"
        "Is the statement supported by the reference text? "
        '"supported" = the text states it or it follows directly from the text; '
        '"contradicted" = the text says something incompatible (a different number, the '
        'opposite rule, a negation); "not_stated" = the text does not say it (for example an '
        'added item, name or claim). Format: {"verdict": ...}'
    )
    out = _ask(llm, user, Entailment, "entailment judgement", 16)
    assert isinstance(out, Entailment)
    return out.verdict


def taught(llm: LLMProvider, course_text: str, key_point: str) -> bool:
    """Does the generated course text teach ``key_point`` (its substance, not its words)?"""
    user = (
        f"<course>\n{course_text}\n</course>\n\n"
        f"Key point: {key_point}\n\n"
        "Does the course text above teach this key point, with the same facts (numbers and "
        'names included)? Answer "yes" only if a learner reading the course would learn it. '
        'Format: {"taught": "yes"|"no"}'
    )
    out = _ask(llm, user, Taught, "coverage judgement", 10)
    assert isinstance(out, Taught)
    return out.taught == "yes"


def answer_from_passage(
    llm: LLMProvider, passages: Sequence[str], prompt: str, options: Sequence[str]
) -> int | None:
    """Index of the option the passage alone supports, or ``None`` (none, or more than one)."""
    letters = "ABCDE"
    ref = "\n\n".join(f"<reference>\n{p}\n</reference>" for p in passages)
    opts = "\n".join(f"{letters[i]}) {o}" for i, o in enumerate(options[:5]))
    user = (
        f"{ref}\n\nQuestion: {prompt}\n{opts}\n\n"
        "Using ONLY the reference text, which option is correct? If the text supports none of "
        'them, or supports more than one, answer "none". Format: {"answer": ...}'
    )
    out = _ask(llm, user, Pick, "quiz answering pass", 10)
    assert isinstance(out, Pick)
    if out.answer == "none":
        return None
    idx = letters.index(out.answer)
    return idx if idx < len(options) else None
