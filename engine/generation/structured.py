"""Asking a model for JSON that must fit a schema, so a malformed answer never reaches a course.

The local model is constrained by a llama.cpp grammar built from the schema; any provider's
answer is then parsed and validated with pydantic, and a refused answer is sent back once
with the validation errors ("repair"). Only a validated object leaves this module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from engine.llm.base import (
    CancelToken,
    ChatMessage,
    GenerationSettings,
    LLMError,
    LLMProvider,
)

M = TypeVar("M", bound=BaseModel)


class GenerationError(LLMError):
    """The model could not produce a valid answer for a step; the message says which."""


def _extract_json(text: str) -> str:
    """The outermost JSON object in ``text`` (cloud models sometimes wrap it in prose)."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("no JSON object in the answer")
    return text[start : end + 1]


def grammar_schema(model: type[BaseModel]) -> str:
    """The model's JSON Schema for a llama.cpp grammar, without string length bounds: those
    expand into thousands of grammar rules (and crash the sampler); pydantic still enforces
    them when the answer is validated."""

    def strip(node: object) -> object:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in ("maxLength", "minLength")}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return json.dumps(strip(model.model_json_schema()))


def ask_json(
    llm: LLMProvider,
    messages: list[ChatMessage],
    model: type[M],
    *,
    step: str,
    cancel: CancelToken,
    max_tokens: int = 700,
    timeout_s: float | None = None,
    repairs: int = 2,
    on_tokens: Callable[[int], None] | None = None,
    temperature: float = 0.2,
) -> M:
    """Ask for one JSON object of ``model``'s shape (grammar-constrained on the local model,
    validated and repaired up to ``repairs`` times). No time limit unless ``timeout_s``:
    ``on_tokens(n)`` hears how much has been written so far, so the UI shows it moving."""
    settings = GenerationSettings(
        max_tokens=max_tokens,
        temperature=temperature,
        timeout_s=timeout_s,
        json_schema=grammar_schema(model),
    )
    convo = list(messages)
    problem = ""
    for _attempt in range(repairs + 1):
        pieces: list[str] = []
        for piece in llm.stream(convo, settings, cancel):
            pieces.append(piece)
            if on_tokens is not None and len(pieces) % 8 == 0:
                on_tokens(len(pieces))
        text = "".join(pieces)
        try:
            return model.model_validate_json(_extract_json(text))
        except (ValueError, ValidationError) as err:
            problem = str(err).splitlines()[0] if str(err) else type(err).__name__
            convo = [
                *messages,
                ChatMessage("assistant", text[:2000]),
                ChatMessage(
                    "user",
                    f"That answer was not valid ({problem}). Reply again with "
                    "only the JSON object, following the requested format.",
                ),
            ]
    raise GenerationError(f"The model could not produce a valid {step} ({problem}).")
