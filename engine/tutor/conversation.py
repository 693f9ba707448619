"""A conversation with Byte: earlier turns, and follow-ups resolved against them.

A follow-up ("Can you say that more simply?", "and the second one?", "explain it with an
example") means nothing alone: judged by itself, retrieval finds no course text close to it
and the relevance gate would refuse it as off-topic. So before retrieval and the gate, a
question that *refers back* — it points at something said before (that, it, the second one)
or asks to re-say it (simpler, an example, why) — and brings no new subject the course does
not know is resolved against the previous turn: retrieval runs on the previous question and
this one together, and the previous turn's modules stay in the material. A question with a
subject of its own ("What about the French Revolution?") is judged on that subject, so an
off-topic follow-up is still refused.

Pure text logic, no model: it must be instant and the same on every machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from engine.tutor.prompts import Mode

MAX_TURNS = 3  # earlier turns kept in the model's context
ANSWER_CHARS = 900  # of each earlier answer


@dataclass(frozen=True)
class Turn:
    """One earlier exchange, as the learner saw it."""

    question: str
    answer: str
    mode: Mode = Mode.QUESTION
    module_ids: tuple[str, ...] = ()  # modules whose text was in the material (anchor first)
    covered: bool = True
    sent: str = ""  # the user message exactly as the model got it (repeated verbatim later)
    topic: str = ""  # what retrieval searched for (a follow-up's resolved, standalone form)
    opens: bool = True  # ``sent`` began a conversation (it carries the anchor module)


_WORD = re.compile(r"[a-z][a-z'\-]*")

# words that point back at the conversation or ask to re-say what was said
_REFERRING = frozenset(
    """
    it its it's this that these those they them their there then so
    one ones first second third fourth last other another former latter same
    more less again simpler simply simple easier shorter longer further detail details
    example examples instance analogy say said put explain mean means meant elaborate
    clarify rephrase summarise summarize summary why how really work works
    also too else besides point part step steps idea ideas difference compare
    """.split()  # noqa: SIM905 -- a word list reads best as text
)

# function words and question words that carry no subject
_FUNCTION = frozenset(
    """
    a an the of to in on and or but is are was were be been being am do does did done doing
    for with as at by from about into over under than just only very much many
    can could would should will shall may might must let lets let's please
    i me my mine you your yours we us our he she him her his hers what which who whom whose
    when where how why whether if not no yes ok okay thanks thank hmm well
    give show tell make use using get got go going want need like know see
    mean words word bit little lot way something anything thing things kind sort
    wait sorry actually now here because since while during between after before until
    some any each every all both few more most new old enough also even still often
    there their they them these those this that then than such same other
    """.split()  # noqa: SIM905 -- a word list reads best as text
)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """The stems of every word the course uses (titles, headings, text)."""
    out: set[str] = set()
    for t in texts:
        for w in words(t):
            out.add(_stem(w))
            for part in w.split("-"):
                if part:
                    out.add(_stem(part))
    return frozenset(out)


def subject_words(question: str) -> list[str]:
    """The words of a question that name a subject (neither pointing back nor function)."""
    out = []
    for w in words(question):
        parts = [p for p in w.split("-") if p] or [w]
        if all(p in _REFERRING or p in _FUNCTION or len(p) < 3 for p in parts):
            continue
        out.append(w)
    return out


def refers_back(question: str) -> bool:
    """It points at what was said before (or asks to re-say it)."""
    ws = words(question)
    if not ws:
        return False
    if any(w in _REFERRING for w in ws if w not in ("why", "how")):
        return True
    if len(ws) == 1:  # "Why?", "How?", "Really?"
        return True
    return len(ws) <= 3 and ws[0] in ("and", "but", "so", "then")


def unknown_subjects(question: str, vocab: frozenset[str]) -> list[str]:
    """Subject words the course never uses (after light stemming; hyphenated words count as
    known when every part is known)."""
    unknown = []
    for w in subject_words(question):
        parts = [p for p in w.split("-") if p]
        if _stem(w) in vocab or (parts and all(_stem(p) in vocab for p in parts)):
            continue
        unknown.append(w)
    return unknown


@dataclass(frozen=True)
class Resolution:
    follow_up: bool  # resolved against the previous turn
    retrieval_query: str  # what retrieval searches for
    previous: Turn | None  # the turn it follows (also for a standalone question in a chat)


def resolve(question: str, history: Sequence[Turn], vocab: frozenset[str]) -> Resolution:
    """Decide whether ``question`` follows up the last answered turn, and what to search."""
    previous = next((t for t in reversed(history) if t.covered), None)
    if previous is None:
        return Resolution(False, question, None)
    if refers_back(question) and not unknown_subjects(question, vocab):
        return Resolution(True, f"{previous.topic or previous.question} {question}", previous)
    return Resolution(False, question, previous)


def recent(history: Sequence[Turn], limit: int = MAX_TURNS) -> list[Turn]:
    """The turns worth keeping in context: the last few answered ones, answers clipped."""
    kept = [t for t in history if t.covered and t.answer.strip() and t.sent][-limit:]
    return [replace(t, answer=_clip(t.answer, ANSWER_CHARS)) for t in kept]


def _clip(text: str, n: int) -> str:
    text = text.strip()
    if len(text) <= n:
        return text
    cut = text.rfind(". ", 0, n)
    return text[: cut + 1] if cut > n // 2 else text[: n - 1] + "…"
