"""Splitting authored text into the small units the bite-sized modalities need."""

from __future__ import annotations

import itertools
import re
from collections import Counter

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_STOPWORDS_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just let me more most much must my myself no nor not now of off on once only or
other ought our ours ourselves out over own same she should so some such than that the their
theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself
yourselves one two three first second next last new way ways thing things make makes made
get gets got use used using like well even still may might often far less every many lot
lots rather really quite back today tomorrow week weeks day days time come comes means mean
turn turns good better best read reads different kind kinds start starts end ends keep keeps
feel feels show shows longer shorter soon
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph (a simple rule that keeps abbreviations-light prose intact)."""
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def key_terms(text: str, limit: int = 5) -> list[str]:
    """The most frequent content words and two-word phrases, in first-seen order.

    Good enough to label a mind map's branches offline; an LLM can refine them when present.
    """
    words = [w.lower().strip("'’-") for w in _WORD.findall(text)]
    content = [w for w in words if w not in STOPWORDS and len(w) > 3]
    bigrams = [
        f"{a} {b}"
        for a, b in itertools.pairwise(words)
        if a not in STOPWORDS and b not in STOPWORDS and len(a) > 2 and len(b) > 2
    ]
    # a two-word phrase ("storage strength") names a concept better than either word alone
    singles = Counter(content)
    counts: dict[str, float] = {w: float(n) for w, n in singles.items()}
    for phrase, n in Counter(bigrams).items():
        a, b = phrase.split(" ")
        if n >= 2 or (singles[a] >= 2 and singles[b] >= 2):
            counts[phrase] = 1.6 * n + 0.5
    first_seen = {t: i for i, t in reversed(list(enumerate(content + bigrams)))}
    ranked = sorted(counts, key=lambda t: (-counts[t], first_seen.get(t, 0)))
    chosen: list[str] = []
    for term in ranked:
        if any(set(term.split()) & set(c.split()) for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == limit:
            break
    return sorted(chosen, key=lambda t: first_seen.get(t, 0))


def shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
