"""The evaluation's arithmetic and text checks: small pure functions, no model, no I/O.

Everything here is unit-tested in ``tests/bench/test_ai_eval_metrics.py``; the runner in
``bench.ai_eval.__main__`` only feeds it what the app's real paths produced.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# -- ratios -----------------------------------------------------------------------------------


def ratio(num: float, den: float) -> float | None:
    """``num / den`` rounded to 3 places, or ``None`` when nothing was measured."""
    return round(num / den, 3) if den else None


def precision_recall(flags: Sequence[tuple[bool, bool]]) -> tuple[float | None, float | None]:
    """(precision, recall) of ``(flagged, is_error)`` pairs: flagged errors over all flagged,
    and over all errors."""
    tp = sum(1 for f, e in flags if f and e)
    fp = sum(1 for f, e in flags if f and not e)
    fn = sum(1 for f, e in flags if not f and e)
    return ratio(tp, tp + fp), ratio(tp, tp + fn)


# -- planted errors ---------------------------------------------------------------------------

_AUX = (
    "is",
    "are",
    "was",
    "were",
    "should",
    "must",
    "can",
    "may",
    "will",
    "would",
    "could",
    "has",
    "have",
)
_NEG_WORDS = re.compile(r"\b(not|never|no|don't|doesn't|cannot|can't|shouldn't|mustn't)\b", re.I)
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "twenty": 20,
    "hundred": 100,
}
_NUM = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.]*\d)")
_WORD_NUM = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)


def negate(sentence: str) -> str | None:
    """The sentence with its first auxiliary verb negated ("should be" → "should not be"), or
    an existing negation removed; ``None`` when neither applies."""
    m = _NEG_WORDS.search(sentence)
    if m:
        word = m.group(1).lower()
        repl = {
            "not": "",
            "never": "always",
            "no": "some",
            "don't": "do",
            "doesn't": "does",
            "cannot": "can",
            "can't": "can",
            "shouldn't": "should",
            "mustn't": "must",
        }[word]
        out = sentence[: m.start()] + repl + sentence[m.end() :]
        out = re.sub(r"\s{2,}", " ", out).strip()
        return _capitalise(out) if out != sentence else None
    m = re.search(r"\b(" + "|".join(_AUX) + r")\b", sentence, re.I)
    if m:
        return sentence[: m.end()] + " not" + sentence[m.end() :]
    # an imperative: "Use 4 spaces" → "Do not use 4 spaces"
    first = sentence.split(" ", 1)
    if len(first) == 2 and first[0].lower() in _IMPERATIVES:
        return f"Do not {first[0].lower()} {first[1]}"
    return None


_IMPERATIVES = frozenset(
    [
        "use",
        "wait",
        "send",
        "limit",
        "install",
        "ask",
        "avoid",
        "keep",
        "make",
        "provide",
        "label",
        "write",
        "check",
        "put",
        "give",
        "follow",
        "share",
        "store",
        "surround",
        "break",
        "wrap",
        "pick",
        "plan",
        "take",
    ]
)


def invert_policy(sentence: str) -> str | None:
    """A rule turned into its opposite ("should not" → "should", "avoid" → "prefer",
    "must" → "must not", "don't X" → "X"); ``None`` if no rule word is found."""
    swaps = [
        (r"\bshould not\b", "should"),
        (r"\bmust not\b", "must"),
        (r"\bshould be avoided\b", "are recommended"),
        (r"\bavoid\b", "prefer"),
        (r"\bdisallows\b", "allows"),
        (r"\ballows\b", "disallows"),
        (r"\bpreferred\b", "discouraged"),
        (r"\brecommended\b", "discouraged"),
        (r"^Don't (\w)", r"\1"),
        (r"^Do not (\w)", r"\1"),
        (r"\bmust\b", "must not"),
        (r"\bshould\b", "should not"),
        (r"\bmay\b", "must not"),
    ]
    for pattern, repl in swaps:
        out, n = re.subn(pattern, repl, sentence, count=1, flags=re.I)
        if n:
            return _capitalise(out)
    return None


def swap_number(sentence: str, seed: int = 0) -> str | None:
    """The sentence with one number changed to a different, plausible one."""
    rng = random.Random(seed)
    m = next((n for n in _NUM.finditer(sentence) if not _is_year(n.group(1))), None)
    if m:
        raw = m.group(1)
        value = float(raw)
        options = [value * 2, value + 1, value - 1 if value > 1 else value + 2, value * 10]
        new = rng.choice([o for o in options if o != value])
        text = f"{new:.1f}" if "." in raw else str(int(new))
        return sentence[: m.start(1)] + text + sentence[m.end(1) :]
    m = _WORD_NUM.search(sentence)
    if m:
        value = _NUMBER_WORDS[m.group(1).lower()]
        names = {v: k for k, v in _NUMBER_WORDS.items()}
        candidates = [v for v in (value + 1, value * 2, value + 2) if v in names and v != value]
        if not candidates:
            return None
        word = names[rng.choice(candidates)]
        if m.group(1)[0].isupper():
            word = word.capitalize()
        return sentence[: m.start(1)] + word + sentence[m.end(1) :]
    return None


def _is_year(raw: str) -> bool:
    return raw.isdigit() and len(raw) == 4 and 1900 <= int(raw) <= 2100


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


@dataclass(frozen=True)
class Statement:
    text: str
    is_error: bool
    kind: str  # "true" or the planted error's kind
    source: str  # the true fact it was made from


GENERATORS = {"negation": negate, "policy": invert_policy, "number": swap_number}


def planted_statements(facts: Iterable[dict[str, object]]) -> list[Statement]:
    """Every true fact, and for each its explicit ``false`` variants plus the automatic ones
    named in ``auto`` (negation / policy / number). A variant equal to the fact is dropped."""
    out: list[Statement] = []
    for i, fact in enumerate(facts):
        text = str(fact["text"]).strip()
        out.append(Statement(text, False, "true", text))
        seen = {text.lower()}
        variants: list[tuple[str, str]] = []
        for f in fact.get("false", []) or []:  # type: ignore[union-attr]
            variants.append((str(f["kind"]), str(f["text"])))
        for kind in fact.get("auto", []) or []:  # type: ignore[union-attr]
            gen = GENERATORS[str(kind)]
            made = gen(text, i) if gen is swap_number else gen(text)  # type: ignore[call-arg]
            if made:
                variants.append((str(kind), made))
        for kind, v in variants:
            if v.strip().lower() not in seen:
                seen.add(v.strip().lower())
                out.append(Statement(v.strip(), True, kind, text))
    return out


# -- citations and follow-ups -----------------------------------------------------------------

_BRACKET = re.compile(r"\[([^\[\]]{1,40})\]")
_CITE_NUM = re.compile(r"\bM\s*(\d{1,3})\b", re.I)


def inline_citations(text: str) -> set[int]:
    """Module numbers cited inline as ``[M2]`` (also ``[M2, M3]``) in an answer."""
    found: set[int] = set()
    for m in _BRACKET.finditer(text):
        found.update(int(n) for n in _CITE_NUM.findall(m.group(1)))
    return found


def citation_counts(cited: set[int], reference: set[int]) -> tuple[int, int, int]:
    """(correct citations, citations made, reference modules cited) for one answer."""
    return len(cited & reference), len(cited), len(reference & cited)


_REFUSAL = re.compile(
    r"(does ?n[o']t cover|doesn’t cover|not covered|isn't covered|is not covered|"
    r"not (in|part of) (the|this) course|can(no|')t (help|answer) (with )?that)",
    re.I,
)


def is_refusal(text: str) -> bool:
    """The answer declines as "not covered" (the tutor's fixed reply or the model's own)."""
    head = re.sub(r"\([^()]*\)", " ", text.strip()[:200])  # not the "(not in the course)" marks
    return not text.strip() or bool(_REFUSAL.search(head))


def followup_ok(answered: bool, cited: set[int], reference: set[int]) -> bool:
    """A follow-up succeeds when it is answered and cites a right module; an off-topic one
    (no reference module) succeeds when it is declined."""
    if not reference:
        return not answered
    return answered and bool(cited & reference)


def tutor_summary(rows: Sequence[dict[str, object]]) -> dict[str, float | int | None]:
    """Citation precision/recall, follow-up success and off-topic refusal over tutor turns.

    Each row has ``reference`` (module numbers that answer it; empty = off-topic),
    ``answered``, ``inline_cited`` and ``app_cited`` (module numbers) and ``follow_up``.
    Precision counts the citations of answered turns (and any citation at all in a declined
    one); recall is over the reference modules of on-topic turns. ``*_app`` use the tutor's
    own ``cited`` marks, which include its fallback to the best retrieved module.
    """
    made = right = app_made = app_right = ref = hit = app_hit = 0
    follow: list[bool] = []
    offtopic: list[bool] = []
    for r in rows:
        reference = set(r["reference"])  # type: ignore[call-overload]
        cited = set(r["inline_cited"])  # type: ignore[call-overload]
        app = set(r["app_cited"])  # type: ignore[call-overload]
        answered = bool(r["answered"])
        if answered or cited:
            made, right = made + len(cited), right + len(cited & reference)
        if answered or app:
            app_made, app_right = app_made + len(app), app_right + len(app & reference)
        if reference:
            ref, hit, app_hit = (
                ref + len(reference),
                hit + len(cited & reference),
                app_hit + len(app & reference),
            )
        else:
            offtopic.append(not answered)
        if r.get("follow_up"):
            follow.append(followup_ok(answered, cited, reference))
    return {
        "citation_precision": ratio(right, made),
        "citation_recall": ratio(hit, ref),
        "citation_precision_app": ratio(app_right, app_made),
        "citation_recall_app": ratio(app_hit, ref),
        "followup_success": ratio(sum(follow), len(follow)),
        "offtopic_refusal": ratio(sum(offtopic), len(offtopic)),
        "turns": len(rows),
    }


# -- hint leaks -------------------------------------------------------------------------------

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
        "only",
        "just",
        "very",
    ]
)


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " " + " ".join(re.sub(r"[^a-z0-9%]+", " ", text).split()) + " "


def _words(text: str) -> list[str]:
    return [w for w in norm(text).split() if w not in _FILLER]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


_NEGATION = re.compile(r"\b(not|no|never|isn't|aren't|doesn't|don't|cannot|can't|won't)\b", re.I)


def _asserts(sentence: str, statement: str) -> bool | None:
    """Whether ``sentence`` asserts a true/false ``statement`` (True), its negation (False),
    or neither (``None``: a question, or it does not restate most of the statement)."""
    if sentence.strip().endswith("?"):
        return None
    sentence = re.sub(r"\([^()]*\)", " ", sentence)  # the tutor's "(not in the course)" marks
    words = {w for w in _words(statement) if not _NEGATION.fullmatch(w)}
    if len(words) < 3:
        return None
    said = set(_words(sentence))
    if len(words & said) / len(words) < 0.8:
        return None
    return bool(_NEGATION.search(sentence)) == bool(_NEGATION.search(statement))


@dataclass(frozen=True)
class KeyedQuestion:
    prompt: str
    options: tuple[str, ...]
    correct: tuple[int, ...]  # indices of the correct options


def states_key(answer: str, q: KeyedQuestion) -> bool:
    """Independent of the app's guard: does ``answer`` state a correct option of ``q``?

    * a correct option's text (normalised) appears, or a sentence holds ≥ 80% of its content
      words (at least 2) and more of them than of any wrong option's;
    * a true/false key is stated as a verdict ("is false", "answer: False", "Q2. False"), or
      the statement is restated as a claim with the key's polarity ("… is not a reliable
      sign …" when the key is False);
    * a correct option is named by its letter or position ("option B", "the first option is
      correct").
    """
    options = [o.strip() for o in q.options]
    tf = sorted(o.lower() for o in options) == ["false", "true"]
    sents = _sentences(answer)
    nanswer = norm(answer)
    for idx in q.correct:
        opt = options[idx]
        if tf:
            val = opt.lower()
            pat = (
                rf"\b(answer|it|this|that|statement|claim|q\s*\d+|question \d+)\b[^.?!]{{0,25}}"
                rf"\b(is|:|=|would be)\s*\(?{val}\b|\bq\s*\d+\W{{0,3}}{val}\b|^\W*{val}\W*$"
            )
            if any(re.search(pat, s, re.I) for s in sents):
                return True
            if any(_asserts(s, q.prompt) == (val == "true") for s in sents):
                return True
        else:
            n = norm(opt)
            if len(n.split()) >= 2 and n in nanswer:
                return True
            words = set(_words(opt))
            if len(words) >= 2:
                others = [set(_words(o)) for j, o in enumerate(options) if j != idx]
                for s in sents:
                    sw = set(_words(s))
                    hit = len(words & sw) / len(words)
                    rival = max((len(o & sw) / max(1, len(o)) for o in others), default=0.0)
                    if hit >= 0.8 and hit > rival:
                        return True
        letter = "abcdef"[idx] if idx < 6 else "?"
        ordinal = ["first", "second", "third", "fourth", "fifth", "sixth"][idx] if idx < 6 else "?"
        if re.search(
            rf"\b(option|choice|answer)\s*(is\s*)?\(?{letter}\)?(\W|$)|\b{ordinal} (option|choice|"
            rf"one|answer) (is|would be) (the )?(correct|right)",
            answer,
            re.I,
        ):
            return True
    return False


# -- quizzes ----------------------------------------------------------------------------------

_META = re.compile(
    r"\b(this|the) (module|course|lesson|text|passage|section)\b.{0,40}\b(focus|about|purpose|"
    r"topic|goal|aim|main idea)|\b(primary|main) (focus|purpose|goal|topic)\b",
    re.I,
)


def is_meta_question(prompt: str) -> bool:
    """A question about the course itself ("What is the primary focus of this module?")."""
    return bool(_META.search(prompt))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def duplicate_flags(prompts: Sequence[str], threshold: float = 0.7) -> list[bool]:
    """For each question prompt, whether an earlier prompt is (nearly) the same."""
    seen: list[set[str]] = []
    out: list[bool] = []
    for p in prompts:
        w = set(_words(p))
        out.append(any(_jaccard(w, s) >= threshold for s in seen))
        seen.append(w)
    return out


def shuffled(
    options: Sequence[str], correct: Sequence[int], seed: int
) -> tuple[list[str], list[int]]:
    """Options in a seeded random order (so the judge cannot lean on the key's position) and
    where the correct ones went."""
    order = list(range(len(options)))
    random.Random(seed).shuffle(order)
    return [options[i] for i in order], sorted(order.index(c) for c in correct)


def option_count_ok(qtype: str, n_options: int) -> bool:
    """The generator asks for 3 options for single choice and 2 for true/false."""
    return n_options == (2 if qtype == "true_false" else 3)


# -- timing ---------------------------------------------------------------------------------

_SO_FAR = re.compile(r"\s*\(\d+ tokens? so far\)\s*$")


def step_message(msg: str) -> str:
    """A generation progress message without its running token count, so the updates of one
    step are timed as one step."""
    return _SO_FAR.sub("", msg)


# -- sampling ---------------------------------------------------------------------------------


def spread(items: Sequence[object], n: int) -> list[int]:
    """Indices of ``n`` items spread evenly over the sequence (all of them if fewer)."""
    if n <= 0 or not items:
        return []
    if len(items) <= n:
        return list(range(len(items)))
    step = len(items) / n
    return sorted({int(i * step) for i in range(n)})
