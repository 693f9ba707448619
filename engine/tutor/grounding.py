"""After the answer: every sentence that uses the course carries its ``[M<n>]``, and a
sentence the material does not support is marked, not passed off as the course's.

A small model forgets citations and now and then adds a mechanism the course never states.
Both are checked here, without a model (instant, the same on every machine): each sentence's
subject words are compared with the text of each module the model was shown. A sentence
without a citation whose words mostly come from one module gets that module's citation; a
substantive sentence whose words mostly come from none is marked "(not in the course)" so the
learner can tell. Short sentences (greetings, encouragement, a question back) are left alone.
Deliberately cautious (words, not meaning): it marks only a sentence that is plainly about
something else, and cites only when one module clearly carries the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from engine.tutor.conversation import subject_words, unknown_subjects, vocabulary

_CITE = re.compile(r"\[\s*M\s*(\d{1,3})\s*\]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")
UNSUPPORTED = " (not in the course)"
MIN_WORDS = 4  # shorter sentences are not claims worth checking
SUPPORTED = 0.5  # share of a sentence's subject words found in one module's text to cite it
CLEARLY_BEST = 0.15  # … ahead of the next module by this much
UNSUPPORTED_BELOW = 0.25  # below this share in all the material together, it is marked


@dataclass(frozen=True)
class Grounding:
    text: str
    added: int  # citations added
    unsupported: int  # sentences marked


def _support(sentence: str, n_words: int, vocab: frozenset[str]) -> float:
    """Share of the sentence's subject words the module's text uses."""
    return 1.0 - len(unknown_subjects(sentence, vocab)) / n_words if n_words else 1.0


def ground(text: str, sources: Mapping[int, str]) -> Grounding:
    """``sources``: module number → the text of that module the model was shown."""
    if not sources or not text.strip():
        return Grounding(text, 0, 0)
    vocabs = {n: vocabulary([t]) for n, t in sources.items()}
    everything = frozenset().union(*vocabs.values())
    added = unsupported = 0
    out_paragraphs = []
    for para in text.split("\n"):
        sentences = _SENTENCE.split(para) if para.strip() else [para]
        out = []
        for s in sentences:
            bare = _CITE.sub("", s)
            words = subject_words(bare)
            if len(words) < MIN_WORDS or s.rstrip().endswith("?"):
                out.append(s)
                continue
            if _support(bare, len(words), everything) < UNSUPPORTED_BELOW:
                s, unsupported = _mark(s), unsupported + 1
            elif not _CITE.search(s):
                ranked = sorted(
                    ((_support(bare, len(words), v), -n) for n, v in vocabs.items()), reverse=True
                )
                best, neg_n = ranked[0]
                runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
                if best >= SUPPORTED and best - runner_up >= CLEARLY_BEST:
                    s, added = _cite(s, -neg_n), added + 1
            out.append(s)
        out_paragraphs.append(" ".join(out))
    return Grounding("\n".join(out_paragraphs), added, unsupported)


def _cite(sentence: str, number: int) -> str:
    body = sentence.rstrip()
    tail = sentence[len(body) :]
    if body and body[-1] in ".!":
        return f"{body[:-1]} [M{number}]{body[-1]}{tail}"
    return f"{body} [M{number}]{tail}"


def _mark(sentence: str) -> str:
    body = sentence.rstrip()
    tail = sentence[len(body) :]
    if body and body[-1] in ".!":
        return f"{body[:-1]}{UNSUPPORTED}{body[-1]}{tail}"
    return f"{body}{UNSUPPORTED}{tail}"
