"""The fine-tuning data set: de-identified, deduplicated chat examples in JSONL.

Why pure logic: what leaves the device must be exactly what the admin was shown, so the
builder is a function of plain inputs (exchanges, modules, the names known to the
organisation) and returns the file's bytes, its size and a sample; nothing here reads the
database or the network. No de-identification library ships with the app (those on PyPI
bring spaCy models from a hub), so personal data is removed by careful patterns (emails,
phone numbers, URLs whose path names a person) plus the organisation's own list of member
and profile names, which is what a tutor exchange is most likely to contain.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

TUTOR_SYSTEM = (
    "You are Byte, a patient tutor. Answer the learner's question from the course passages "
    "given, and say so when they do not cover it."
)
AUTHOR_SYSTEM = "You write clear, accurate course modules for adult learners."

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w])(?:\+?\d[\d ().-]{7,}\d)(?![\w])")
URL = re.compile(r"https?://[^\s<>\"')\]]+")
_PERSONAL_PATH = re.compile(r"/(?:~|users?/|u/|people/|profile/|profiles/|home/|@)", re.I)
CHARS_PER_TOKEN = 4.0
"""A rough tokens-per-character figure for English text (BPE tokenisers), for the estimate."""


class ConsentRequired(PermissionError):
    """The organisation has not allowed fine-tuning on its data."""


@dataclass(frozen=True)
class Exchange:
    """A tutor exchange a learner marked helpful, with the course passages it used."""

    question: str
    answer: str
    passages: Sequence[str] = ()


@dataclass(frozen=True)
class KeptModule:
    """A generated module as its creator kept it after editing."""

    course_title: str
    module_title: str
    text: str


@dataclass(frozen=True)
class DataSet:
    lines: list[str]
    skipped_duplicates: int
    redactions: int
    sources: dict[str, int] = field(default_factory=dict)

    @property
    def examples(self) -> int:
        return len(self.lines)

    @property
    def data(self) -> bytes:
        return "".join(line + "\n" for line in self.lines).encode("utf-8")

    @property
    def size_bytes(self) -> int:
        return len(self.data)

    @property
    def approx_tokens(self) -> int:
        chars = sum(len(m["content"]) for line in self.lines for m in json.loads(line)["messages"])
        return round(chars / CHARS_PER_TOKEN)

    def sample(self, n: int = 3) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.lines[:n]]


class Scrubber:
    """Removes personal data from free text; counts what it removed."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        parts: set[str] = set()
        full: set[str] = set()
        for name in names:
            name = " ".join(name.split())
            if not name:
                continue
            full.add(name)
            parts.update(p for p in name.split() if len(p) >= 3)
        words = sorted(full | parts, key=len, reverse=True)
        self._names = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.I)
            if words
            else None
        )
        self.count = 0

    def _sub(self, pattern: re.Pattern[str], repl: str, text: str) -> str:
        text, n = pattern.subn(repl, text)
        self.count += n
        return text

    def __call__(self, text: str) -> str:
        text = self._sub(EMAIL, "[email]", text)

        def url(m: re.Match[str]) -> str:
            u = m.group(0)
            if _PERSONAL_PATH.search(u.split("://", 1)[1]) or "?" in u:
                self.count += 1
                return "[link]"
            return u

        text = URL.sub(url, text)
        text = self._sub(PHONE, "[phone]", text)
        if self._names is not None:
            text = self._sub(self._names, "[name]", text)
        return text


def normalised_hash(*texts: str) -> str:
    """Same text up to case, accents' composition, spacing and punctuation: same hash."""
    joined = "\x1f".join(texts)
    norm = unicodedata.normalize("NFKC", joined).casefold()
    norm = re.sub(r"[^\w\x1f]+", " ", norm)
    norm = " ".join(norm.split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def _line(system: str, user: str, assistant: str) -> str:
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": user},
        {"role": "assistant", "content": assistant},
    ]
    return json.dumps({"messages": messages}, ensure_ascii=False)


def build(
    exchanges: Iterable[Exchange],
    modules: Iterable[KeptModule],
    *,
    names: Iterable[str] = (),
    consent: bool,
    max_passage_chars: int = 1500,
) -> DataSet:
    """The data set, or :class:`ConsentRequired` when the organisation has not allowed it."""
    if not consent:
        raise ConsentRequired(
            "Your organisation has not allowed fine-tuning on its data (Organisation → "
            "Fine-tuning: allow it first)."
        )
    scrub = Scrubber(names)
    seen: set[str] = set()
    lines: list[str] = []
    dupes = 0
    sources = {"tutor": 0, "modules": 0}
    for ex in exchanges:
        q, a = scrub(ex.question.strip()), scrub(ex.answer.strip())
        if not q or not a:
            continue
        key = normalised_hash("tutor", q, a)
        if key in seen:
            dupes += 1
            continue
        seen.add(key)
        passages = [scrub(p.strip())[:max_passage_chars] for p in ex.passages if p.strip()]
        user = q
        if passages:
            numbered = "\n\n".join(f"[{i}] {p}" for i, p in enumerate(passages, 1))
            user = f"Course passages:\n{numbered}\n\nQuestion: {q}"
        lines.append(_line(TUTOR_SYSTEM, user, a))
        sources["tutor"] += 1
    for m in modules:
        text = scrub(m.text.strip())
        if not text:
            continue
        key = normalised_hash("module", text)
        if key in seen:
            dupes += 1
            continue
        seen.add(key)
        title, course = scrub(m.module_title), scrub(m.course_title)
        user = f"Write the module “{title}” of the course “{course}”."
        lines.append(_line(AUTHOR_SYSTEM, user, text))
        sources["modules"] += 1
    return DataSet(lines, dupes, scrub.count, sources)
