"""Fact-checking generated text against the sources, claim by claim.

A claim (a sentence, list item or tip) is *supported* when a source sentence shares most of
its content words or is close in meaning, and nothing there contradicts it
(``engine.generation.claim_signals``): a negation or an opposite word the claim lacks
("never use water on electrical fires", "disallows mixing tabs and spaces") in every
sentence it matches, a quantity the source does not give ("four blank lines"), or a listed
item the source does not list. An optional entailment judge
(``engine.generation.entailment``: the local model, grammar-constrained) then reads the
nearest passage for what words cannot see - two terms of the source in the wrong relation.
Unsupported and contradicted claims are flagged with the nearest passage, for the creator
to decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from engine.content import Block, CalloutBlock, ListBlock, ParagraphBlock
from engine.generation import claim_signals as sig
from engine.generation.sources import Passage, PassageIndex
from engine.modalities.text_units import sentences

Verdict = Literal["supported", "unsupported", "contradicted"]
Judgement = Literal["supported", "contradicted", "not_stated"]
Judge = Callable[[str, str], Judgement]
"""(claim, source text) -> what the source says of the claim."""


@dataclass(frozen=True)
class ClaimCheck:
    block_id: str
    claim: str
    verdict: Verdict
    passage: Passage | None
    score: float
    reason: str


def claims(blocks: list[Block]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for b in blocks:
        if isinstance(b, ParagraphBlock | CalloutBlock):
            out.extend((b.id, s) for s in sentences(b.text) if len(sig.content(s)) >= 2)
        elif isinstance(b, ListBlock):
            out.extend((b.id, i) for i in b.items if len(sig.content(i)) >= 2)
    return out


@dataclass(frozen=True)
class _Match:
    passage: Passage
    unit: str
    overlap: float
    sim: float

    @property
    def score(self) -> float:
        return 0.6 * self.overlap + 0.4 * self.sim


def _units(text: str) -> list[str]:
    """A passage's sentences, and the pieces of those that join list items with "; "."""
    out: list[str] = []
    for line in text.splitlines():
        for s in sentences(line) or [line]:
            out.append(s)
            pieces = [p.strip() for p in s.split("; ") if p.strip()]
            if len(pieces) > 1:
                out.extend(pieces)
    return out


def check_claim(
    block_id: str, claim: str, index: PassageIndex, k: int = 4, judge: Judge | None = None
) -> ClaimCheck:
    words = sig.content(claim)
    found = index.search(claim, k)
    matches = [
        _Match(p, u, len(words & sig.content(u)) / max(1, len(words)), sim)
        for p, sim in found
        for u in _units(p.text)
    ]
    if not matches:
        return ClaimCheck(block_id, claim, "unsupported", None, 0.0, "No source passage says this.")
    best = max(matches, key=lambda m: m.score)
    score = max(best.overlap, best.sim)
    if best.overlap < 0.5 and best.sim < 0.62:
        return ClaimCheck(
            block_id, claim, "unsupported", best.passage, score, "No source passage says this."
        )
    close = [m for m in matches if m.overlap >= max(0.4, best.overlap - 0.15)] or [best]
    agreeing = [m for m in close if sig.disagrees(claim, m.unit) is None]
    if not agreeing:
        return ClaimCheck(
            block_id,
            claim,
            "contradicted",
            best.passage,
            score,
            f"The source says: “{best.unit}”",
        )
    near = max(agreeing, key=lambda m: m.score)
    # the sentence that says it gives the numbers; one without any defers to its passage
    missing = sig.missing_numbers(claim, near.unit if sig.numbers(near.unit) else near.passage.text)
    if missing:
        return ClaimCheck(
            block_id,
            claim,
            "contradicted",
            near.passage,
            score,
            f"The source does not give {', '.join(sorted(missing))}: “{near.unit}”",
        )
    unlisted = sig.unlisted_items(claim, " ".join(p.text for p, _s in found))
    if unlisted:
        items = ", ".join(f"“{i}”" for i in unlisted)
        return ClaimCheck(
            block_id,
            claim,
            "unsupported",
            near.passage,
            score,
            f"The source does not list {items}: “{near.unit}”",
        )
    if judge is not None:
        said = judge(claim, near.passage.text)
        if said == "contradicted":
            return ClaimCheck(
                block_id,
                claim,
                "contradicted",
                near.passage,
                score,
                f"Read against the source, it says otherwise: “{near.unit}”",
            )
        if said == "not_stated":
            return ClaimCheck(
                block_id,
                claim,
                "unsupported",
                near.passage,
                score,
                f"The nearest source passage does not state this: “{near.unit}”",
            )
    return ClaimCheck(block_id, claim, "supported", near.passage, score, "")


def fact_check(
    blocks: list[Block], index: PassageIndex, judge: Judge | None = None
) -> list[ClaimCheck]:
    return [check_claim(bid, c, index, judge=judge) for bid, c in claims(blocks)]
