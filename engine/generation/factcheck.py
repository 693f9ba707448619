"""Fact-checking generated text against the sources, claim by claim.

A claim (a sentence, list item or tip) is *supported* when a source passage shares most of
its content words or is close in meaning, and nothing in that passage contradicts it: a
negation the claim lacks ("never use water on electrical fires" vs "use water on electrical
fires") or a number the claim changes. Unsupported and contradicted claims are flagged with
the nearest passage, for the creator to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from engine.content import Block, CalloutBlock, ListBlock, ParagraphBlock
from engine.generation.sources import Passage, PassageIndex
from engine.modalities.text_units import STOPWORDS, sentences

Verdict = Literal["supported", "unsupported", "contradicted"]
_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]*")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b")
_NEGATIONS = frozenset(
    {
        "not",
        "never",
        "no",
        "don't",
        "dont",
        "doesn't",
        "cannot",
        "can't",
        "avoid",
        "without",
        "nor",
        "must't",
        "mustn't",
        "shouldn't",
    }
)


@dataclass(frozen=True)
class ClaimCheck:
    block_id: str
    claim: str
    verdict: Verdict
    passage: Passage | None
    score: float
    reason: str


def _content(text: str) -> set[str]:
    return {
        w
        for w in _WORD.findall(text.lower())
        if w not in STOPWORDS and len(w) > 2 and w not in _NEGATIONS
    }


def _negated(text: str) -> bool:
    return any(w in _NEGATIONS for w in _WORD.findall(text.lower().replace("n’t", "n't")))


def claims(blocks: list[Block]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for b in blocks:
        if isinstance(b, ParagraphBlock | CalloutBlock):
            out.extend((b.id, s) for s in sentences(b.text) if len(_content(s)) >= 2)
        elif isinstance(b, ListBlock):
            out.extend((b.id, i) for i in b.items if len(_content(i)) >= 2)
    return out


def check_claim(block_id: str, claim: str, index: PassageIndex, k: int = 4) -> ClaimCheck:
    words = _content(claim)
    best_score, best_overlap, best_sim = -1.0, 0.0, 0.0
    passage: Passage | None = None
    sent = ""
    for cand, sim in index.search(claim, k):
        for s in sentences(cand.text) or [cand.text]:
            overlap = len(words & _content(s)) / max(1, len(words))
            score = 0.6 * overlap + 0.4 * sim
            if score > best_score:
                best_score, best_overlap, best_sim, passage, sent = score, overlap, sim, cand, s
    score = max(best_overlap, best_sim)
    if passage is None or (best_overlap < 0.5 and best_sim < 0.62):
        return ClaimCheck(
            block_id, claim, "unsupported", passage, score, "No source passage says this."
        )
    if _negated(sent) != _negated(claim):
        return ClaimCheck(
            block_id, claim, "contradicted", passage, score, f"The source says: “{sent}”"
        )
    missing = set(_NUMBER.findall(claim)) - set(_NUMBER.findall(passage.text))
    if missing:
        return ClaimCheck(
            block_id,
            claim,
            "contradicted",
            passage,
            score,
            f"The source does not give {', '.join(sorted(missing))}: “{sent}”",
        )
    return ClaimCheck(block_id, claim, "supported", passage, score, "")


def fact_check(blocks: list[Block], index: PassageIndex) -> list[ClaimCheck]:
    return [check_claim(bid, c, index) for bid, c in claims(blocks)]
