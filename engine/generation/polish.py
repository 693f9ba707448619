"""What happens to a drafted module before a creator sees it: Markdown left in the text
becomes plain text, every sentence is checked against the sources (dropped when they
contradict it or it is plainly invented; fair paraphrase stays for the fact-check to
flag), paragraphs another module already has are removed, and sections the module owns
but never taught are named.

Why drop rather than flag: a sentence the sources contradict or never come near is what a
creator would delete anyway, and a small model invents in fluent prose that reads as true.
What is dropped is counted in the generation's warnings, so nothing disappears silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.content import Block, CalloutBlock, HeadingBlock, ListBlock, ParagraphBlock
from engine.generation import claim_signals as sig
from engine.generation.factcheck import Judge, check_claim
from engine.generation.sources import Passage, PassageIndex
from engine.modalities.text_units import sentences

_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]+|\([^()]*\))*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
REPEAT_JACCARD = 0.8


def plain(text: str) -> str:
    """Markdown links, emphasis and code marks as the words they show."""
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _AUTOLINK.sub(lambda m: m.group(1), text)
    for _ in range(2):  # nested "**`x`**"
        text = _EMPHASIS.sub(lambda m: m.group(2), text)
    return " ".join(text.split())


@dataclass
class Polished:
    blocks: list[Block]
    dropped: list[str]
    """Sentences removed, each with why ("unsupported: …", "repeats module 1")."""


INVENTED_BELOW = 0.45
"""An unsupported sentence whose best overlap and similarity with any source sentence are
both under this is invented, not paraphrased: dropped. One above it stays for the
fact-check to flag (a creator decides), so fair paraphrase is not thrown away."""


def _kept(
    text: str, index: PassageIndex, judge: Judge | None, dropped: list[str], strict: bool
) -> str:
    keep: list[str] = []
    for s in sentences(text):
        if len(sig.content(s)) < 2:  # "Let's begin." carries no claim to check
            keep.append(s)
            continue
        check = check_claim("", s, index, judge=judge)
        invented = check.verdict == "unsupported" and check.score < INVENTED_BELOW
        if check.verdict == "contradicted" or (strict and invented):
            dropped.append(f"{check.verdict}: {s}")
        else:
            keep.append(s)
    return " ".join(keep)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def polish(
    blocks: Sequence[Block],
    index: PassageIndex,
    earlier: Sequence[str] = (),
    judge: Judge | None = None,
    strict: bool = True,
) -> Polished:
    """The module's blocks with contradicted and invented sentences (``strict``; else only
    contradicted ones) and repeated paragraphs removed; ``earlier`` are the other modules'
    paragraph and list texts."""
    seen = [sig.content(t) for t in earlier]
    dropped: list[str] = []
    out: list[Block] = []

    def repeated(text: str) -> bool:
        words = sig.content(text)
        if any(_jaccard(words, w) >= REPEAT_JACCARD for w in seen):
            dropped.append(f"repeats another module: {text}")
            return True
        seen.append(words)
        return False

    for b in blocks:
        if isinstance(b, HeadingBlock):
            out.append(b.model_copy(update={"text": plain(b.text)}))
        elif isinstance(b, ParagraphBlock | CalloutBlock):
            text = _kept(plain(b.text), index, judge, dropped, strict)
            if text and not repeated(text):
                out.append(b.model_copy(update={"text": text}))
        elif isinstance(b, ListBlock):
            items = [t for i in b.items if (t := _kept(plain(i), index, judge, dropped, strict))]
            items = [i for i in items if not repeated(i)]
            if items:
                out.append(b.model_copy(update={"items": items}))
        else:
            out.append(b)
    while out and isinstance(out[-1], HeadingBlock):  # a heading left with nothing under it
        out.pop()
    out = [
        b
        for i, b in enumerate(out)
        if not (
            isinstance(b, HeadingBlock)
            and i + 1 < len(out)
            and isinstance(out[i + 1], HeadingBlock)
        )
    ]
    return Polished(out, dropped)


def texts(blocks: Sequence[Block]) -> list[str]:
    """The paragraph, tip and list texts of blocks (what :func:`polish` compares)."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, ParagraphBlock | CalloutBlock):
            out.append(b.text)
        elif isinstance(b, ListBlock):
            out.extend(b.items)
    return out


def untaught(owned: Sequence[Sequence[Passage]], blocks: Sequence[Block]) -> list[int]:
    """Indexes of the owned sections (each a list of passages) whose content words the
    module's text hardly uses: taught by nothing the creator will see."""
    taught = set().union(*(sig.content(t) for t in texts(blocks))) if blocks else set()
    out = []
    for i, section in enumerate(owned):
        words = set().union(*(sig.content(p.text) for p in section)) if section else set()
        if words and len(words & taught) / len(words) < 0.1:
            out.append(i)
    return out
