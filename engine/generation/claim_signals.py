"""Word-level signals that a claim disagrees with the source sentence it is closest to.

The fact-checker (``engine.generation.factcheck``) finds the passage sentences a claim is
about by overlap and meaning; these functions then say *how* the two differ, each for one
kind of error a generator makes and a reviewer misses:

* **numbers** - every quantity the claim gives (digits, "five", "ninth") must be in the
  source: "four blank lines" against "two blank lines";
* **polarity** - a negation or an opposite the claim has and the sentence lacks ("allows"
  against "disallows", "together" against "separately", "recommended" against "avoided");
* **enumerations** - each item of a list the claim gives must be in the source ("…, test
  imports, and local imports" when the source lists no test imports).

They are lexical on purpose: cheap, explainable in the note a creator reads ("the source
says …"), and independent of the model that wrote the text. What they cannot see (a
relation between two terms that are both in the source) is left to the entailment judge.
"""

from __future__ import annotations

import re

from engine.modalities.text_units import STOPWORDS

_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]*")
_DIGITS = re.compile(r"\b\d+(?:[.,]\d+)?\b")

NEGATIONS = frozenset(
    {
        "not",
        "never",
        "no",
        "don't",
        "dont",
        "doesn't",
        "isn't",
        "aren't",
        "cannot",
        "can't",
        "without",
        "nor",
        "mustn't",
        "shouldn't",
        "won't",
        "neither",
    }
)

# "one", "first" and "second" are left out: too often a pronoun, a step or a unit of time
_CARDINAL_WORDS = """zero _ two three four five six seven eight nine ten eleven twelve thirteen
fourteen fifteen sixteen seventeen eighteen nineteen twenty"""
_CARDINALS = {w: i for i, w in enumerate(_CARDINAL_WORDS.split()) if w != "_"}
_CARDINALS.update({"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12})
_ORDINAL_WORDS = "third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
_ORDINALS = {w: i + 3 for i, w in enumerate(_ORDINAL_WORDS.split())}
_ORDINAL_DIGITS = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")

# each pair: words of one sense, words of the opposite sense
OPPOSITES: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split()))
    for a, b in (
        (
            "allow allows allowed allowing permit permits permitted",
            "disallow disallows disallowed forbid forbids forbidden prohibit prohibits prohibited",
        ),
        (
            "recommend recommends recommended encourage encouraged preferred prefer prefers",
            "discourage discouraged avoid avoids avoided",
        ),
        ("together same combined", "separately separate different"),
        ("always", "never sometimes rarely"),
        ("required mandatory must", "optional"),
        (
            "increase increases increased higher more",
            "decrease decreases decreased lower fewer less",
        ),
        ("before", "after"),
        ("include includes included", "exclude excludes excluded"),
        ("encrypted", "unencrypted plaintext"),
        ("accept accepts accepted", "reject rejects rejected"),
        ("up", "down"),
    )
)

_ENUM_SPLIT = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("n’t", "n't"))


def content(text: str) -> set[str]:
    """The words that carry a claim's meaning (no stop words, negations or short words)."""
    return {w for w in words(text) if w not in STOPWORDS and len(w) > 2 and w not in NEGATIONS}


def negated(text: str) -> bool:
    return any(w in NEGATIONS for w in words(text))


def numbers(text: str) -> set[str]:
    """Quantities in ``text`` as digits: "five" and "5" and "5th" and "fifth" are all "5"."""
    low = text.lower()
    found = {n.replace(",", ".") for n in _DIGITS.findall(low)}
    found |= {m for m in _ORDINAL_DIGITS.findall(low)}
    for w in words(low):
        if w in _CARDINALS:
            found.add(str(_CARDINALS[w]))
        elif w in _ORDINALS:
            found.add(str(_ORDINALS[w]))
    return found


def missing_numbers(claim: str, source: str) -> set[str]:
    return numbers(claim) - numbers(source)


def opposite(claim: str, sentence: str) -> tuple[str, str] | None:
    """(the claim's word, the sentence's opposite word) when they point opposite ways."""
    cw, sw = set(words(claim)), set(words(sentence))
    for a, b in OPPOSITES:
        for mine, theirs in ((a, b), (b, a)):
            if cw & mine and not cw & theirs and sw & theirs and not sw & mine:
                return sorted(cw & mine)[0], sorted(sw & theirs)[0]
    return None


def disagrees(claim: str, sentence: str) -> str | None:
    """Why ``sentence`` says the opposite of ``claim`` (negation or opposite word), or None."""
    if negated(claim) != negated(sentence):
        return "negation"
    pair = opposite(claim, sentence)
    return f"“{pair[0]}” against “{pair[1]}”" if pair else None


def enumerated_items(claim: str) -> list[str]:
    """The items of a list the claim gives ("a, b, c and d"), or [] when it gives none.
    The words every item shares ("… imports") are not the items' own."""
    listed = ":" in claim
    body = claim.split(":", 1)[1] if listed else claim
    commas = body.count(",")
    if commas < 1:
        return []
    parts = [p.strip(" .;") for p in _ENUM_SPLIT.split(body) if p.strip(" .;")]
    longest = 8 if listed or commas >= 2 else 5  # "a, b, and c" lists; "x, y and z" may not
    if len(parts) < 3 or any(len(p.split()) > longest for p in parts[1:]):
        return []  # clauses joined by commas, not a list
    return parts if listed else parts[1:]  # the first part holds the subject


def _stem(w: str) -> str:
    return w[:5]


def unlisted_items(claim: str, source: str) -> list[str]:
    """Items of the claim's enumeration (short terms, up to three words of their own) with a
    word the source does not have: "test imports" when the source lists no tests."""
    items = enumerated_items(claim)
    if not items:
        return []
    own = [content(i) for i in items]
    shared = set.intersection(*own) if all(own) else set()
    have = {_stem(w) for w in content(source)}
    out = []
    for item, ws in zip(items, own, strict=True):
        distinct = ws - shared
        if not distinct or len(distinct) > 3:  # a clause, not a listed term
            continue
        if any(_stem(w) not in have for w in distinct):
            out.append(item)
    return out
