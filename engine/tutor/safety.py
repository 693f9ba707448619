"""Course text is untrusted data; quiz answer keys are secret in hint mode.

Two defences live here:

* :func:`fence` makes author or learner text safe to place inside the prompt's
  ``<course_material>`` block: it strips chat-template control tokens (``<|im_start|>`` and
  friends, which a tokenizer would otherwise honour as real turn boundaries), neutralises
  anything that looks like our own delimiters, and drops control characters. The rules the
  model follows are in the system turn; the material is only ever data inside the fence.
* :class:`AnswerGuard` checks generated text against the correct options of the quiz
  questions being protected, sentence by sentence, and :class:`StreamingGuard` applies it to
  a token stream: text is released a sentence at a time, and a sentence that gives an answer
  away is replaced before the learner ever sees it. The model is also never *shown* which
  option is correct, so this is a second lock, not the only one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from engine.content import Question

_SPECIAL = re.compile(r"<\|[^|<>]{0,40}\|>|<\/?(s|bos|eos|start_of_turn|end_of_turn)>", re.I)
_FENCE = re.compile(r"<\s*/?\s*(course_material|learner_question|rules|system)\b", re.I)
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ROLE_LINE = re.compile(r"\b(system|assistant|user)\s*:", re.I)

REDACTED = "(I'll keep that answer to myself — try working it out from the hint.)"
REMOVED = "[text addressed to the AI removed]"

# Sentences in course text that talk to the model rather than the learner. They are dropped
# from the material (defence in depth: the fence and the rules make them data, but a small
# local model can still be talked round by a well-placed order, so it never sees them).
_TARGET = r"(ai|a\.i\.|tutor|assistant|chat ?bot|bot|byte|model|llm|gpt|language model)"
_INJECTION = re.compile(
    "|".join(
        [
            r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules|"
            r"prompts?|guidelines|directions|everything (above|before))",
            r"\byou are (now|no longer)\b",
            r"\b(new|updated|real|actual|secret|hidden) (instructions?|rules|task|orders)\b",
            r"\b(system|developer) (prompt|message|instructions?)\b",
            r"\b(note|message|instructions?|reminder|orders?)s? (for|to) (the |any |all )?"
            rf"{_TARGET}s?\b",
            rf"^\W*(dear |hey |attention,? )?{_TARGET}\s*[,:!]",
            r"\bfrom now on\b",
            r"\b(every|each|all) (of your |your )?(answers?|responses?|replies|messages)\b",
            r"\b(reply|respond|answer|say|output)\s+only\b|\bonly (reply|respond|say)\b",
            r"\b(reveal|print|output|tell|give|leak)\b.{0,40}\b(answer key|all (the )?answers|"
            r"quiz answers?|correct (answers?|options?|choices?)|"
            r"(first|second|third|last|\d+(st|nd|rd|th)) (quiz )?answer)",
            r"\b(pretend|act) (to be|as if|as)\b|\brole-?play\b",
            r"\bdo not (follow|obey)\b",
        ]
    ),
    re.I,
)


def fence(text: str, limit: int | None = None) -> str:
    """Untrusted text, made inert for the prompt (and optionally shortened)."""
    text = unicodedata.normalize("NFC", text)
    text = _SPECIAL.sub(" ", text)
    text = _FENCE.sub(lambda m: m.group(0).replace("<", "‹"), text)
    text = _CTRL.sub(" ", text)
    text = _ROLE_LINE.sub(lambda m: m.group(0).replace(":", " -"), text)
    if limit is not None and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text


def drop_injections(text: str) -> tuple[str, int]:
    """Course text with sentences that address the AI replaced; and how many were."""
    out: list[str] = []
    n = 0
    for sentence in split_sentences(text):
        if _INJECTION.search(sentence):
            n += 1
            out.append(REMOVED + _trailing_space(sentence))
        else:
            out.append(sentence)
    return "".join(out), n


def material(text: str, limit: int | None = None) -> str:
    """Course text for the prompt: injections dropped, then fenced."""
    return fence(drop_injections(text)[0], limit)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^a-z0-9%]+", " ", text)
    return f" {text.strip()} "


_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "it",
        "its",
        "this",
        "that",
        "for",
        "with",
        "as",
        "at",
        "by",
        "from",
        "your",
        "you",
        "their",
        "they",
        "them",
        "within",
        "after",
        "before",
        "about",
        "only",
        "into",
        "over",
        "during",
        "until",
        "than",
        "just",
        "very",
    ]
)


def _content_words(norm: str) -> list[str]:
    return [w for w in norm.split() if w not in _FILLER]


@dataclass(frozen=True)
class _Secret:
    question_id: str
    prompt_words: frozenset[str]
    answer: str  # normalised correct option
    words: tuple[str, ...]
    short: bool
    letter: str | None  # "a"…"f" for its position
    label: str  # "q2": how the hint prompt's quiz block names the question
    statement: tuple[str, ...] = ()  # a true/false question's statement (content words)


class AnswerGuard:
    """Does a sentence give away a protected question's correct option?"""

    def __init__(self, questions: Sequence[Question]) -> None:
        self.questions = list(questions)
        self._secrets: list[_Secret] = []
        for number, q in enumerate(questions, start=1):
            prompt_words = frozenset(_content_words(normalise(q.prompt)))
            for pos, choice in enumerate(q.choices):
                if not choice.correct:
                    continue
                norm = normalise(choice.text)
                words = tuple(_content_words(norm))
                short = len(words) <= 2 or len(norm.strip()) < 14
                letter = "abcdef"[pos] if pos < 6 else None
                options = {normalise(c.text).strip() for c in q.choices}
                statement = (
                    tuple(_content_words(normalise(q.prompt)))
                    if options == {"true", "false"}
                    else ()
                )
                self._secrets.append(
                    _Secret(q.id, prompt_words, norm, words, short, letter, f"q{number}", statement)
                )

    @property
    def active(self) -> bool:
        return bool(self._secrets)

    def leaks(self, sentence: str) -> list[str]:
        """Ids of the questions whose answer ``sentence`` reveals."""
        norm = normalise(sentence)
        found: list[str] = []
        verdict = bool(
            re.search(
                r" (answer|correct|right answer|correct option|correct choice|solution) ",
                norm,
            )
        )
        for s in self._secrets:
            # "Q2. False": the quiz block's own label names the question
            labelled = f" {s.label} " in norm
            if s.short:
                about = verdict or labelled or _about(s.prompt_words, norm)
                hit = f" {s.answer.strip()} " in norm and about
            else:
                hit = s.answer in norm or _overlap(s.words, norm) >= 0.75
            if not hit and s.letter and (verdict or labelled):
                letter = s.letter
                hit = bool(
                    re.search(rf" (option|choice|answer) (is )?{letter} ", norm)
                    or re.search(rf" {letter} is (the )?(correct|right) ", norm)
                    or f" {s.label} {letter} " in norm  # "Q1: A"
                )
            if not hit and s.statement and not sentence.rstrip().endswith("?"):
                # restating a true/false statement, as it is or turned round, says whether
                # it is true: a question back may quote it, an assertion may not
                hit = _overlap(s.statement, norm) >= 0.7
            if hit and s.question_id not in found:
                found.append(s.question_id)
        return found

    def redact(self, text: str) -> tuple[str, int]:
        """``text`` with every leaking sentence replaced; and how many were."""
        out: list[str] = []
        n = 0
        for sentence in split_sentences(text):
            if self.leaks(sentence):
                n += 1
                if not out or out[-1].strip() != REDACTED:
                    out.append(REDACTED + _trailing_space(sentence))
            else:
                out.append(sentence)
        return "".join(out), n


def _overlap(words: tuple[str, ...], norm: str) -> float:
    if len(words) < 3:
        return 0.0
    present = sum(1 for w in words if f" {w} " in norm)
    return present / len(words)


def _about(prompt_words: frozenset[str], norm: str) -> bool:
    """The sentence talks about the question (shares most of its key words)."""
    if not prompt_words:
        return False
    present = sum(1 for w in prompt_words if f" {w} " in norm)
    return present >= max(2, round(0.5 * len(prompt_words)))


def _trailing_space(sentence: str) -> str:
    return sentence[len(sentence.rstrip()) :]


_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
_ENDS = re.compile(r"(?:(?<=[.!?])[\"')\]]*\s+|\n+)$")  # a part that ends a sentence
_LABEL = re.compile(r"\s*(q\s?\d{1,2}|\d{1,2}|[a-f])[.):]\s*$", re.I)


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing whitespace kept, so joining gives ``text`` back."""
    parts: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if _LABEL.match(text[start : m.end()]) and "\n" not in m.group(0):
            continue  # "Q2. False", "b) …": a list label belongs to what follows it
        parts.append(text[start : m.end()])
        start = m.end()
    if start < len(text):
        parts.append(text[start:])
    return parts


class StreamingGuard:
    """Release streamed text a sentence at a time, redacting sentences that leak."""

    def __init__(self, guard: AnswerGuard) -> None:
        self.guard = guard
        self.buffer = ""
        self.redactions = 0
        self.leaked_ids: set[str] = set()
        self._last_redacted = False

    def feed(self, piece: str) -> str:
        self.buffer += piece
        parts = split_sentences(self.buffer)
        if len(parts) <= 1 and not _BOUNDARY.search(self.buffer):
            return ""
        last = parts[-1] or ""
        ended = _ENDS.search(last) and not (_LABEL.match(last) and "\n" not in last)
        complete = parts if ended else parts[:-1]  # (a bare "Q2. " waits for its answer)
        self.buffer = "".join(parts[len(complete) :])
        return "".join(self._check(s) for s in complete)

    def finish(self) -> str:
        rest, self.buffer = self.buffer, ""
        return self._check(rest) if rest else ""

    def _check(self, sentence: str) -> str:
        ids = self.guard.leaks(sentence)
        if not ids:
            self._last_redacted = False
            return sentence
        self.redactions += 1
        self.leaked_ids.update(ids)
        if self._last_redacted:
            return ""
        self._last_redacted = True
        return REDACTED + (_trailing_space(sentence) or " ")
