"""Splitting authored text into the small units the bite-sized modalities need."""

from __future__ import annotations

import re

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


_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]|[.,;:!?()\[\]“”\"—–]")
_DEFINES = frozenset({"means", "refers", "describes"})  # "Interleaving means…"
_MODIFIER = re.compile(r"(ing|ed|al|ic|ive|ous|ful|ent|ant|ary|-\w+)$")
# function words a phrase never starts or ends with (on top of STOPWORDS); "able", "within"
_EDGE_TEXT = """
able within without across upon whether though although instead around among actually
exactly already always never something anything everything someone yet almost just
"""
_EDGE_WORDS = frozenset(_EDGE_TEXT.split())


def _is_name(token: str, sentence_start: bool, capitalised_inside: set[str]) -> bool:
    """A proper-name token: capitalised mid-sentence, or with inner capitals (ByteOS, FSRS).

    A capitalised first word of a sentence is a name only if the text also capitalises it
    mid-sentence ("Ebbinghaus"), so "Memory fell…" is not read as a name.
    """
    if not token[:1].isupper() or token.lower() in STOPWORDS:
        return False
    if any(c.isupper() for c in token[1:]):
        return True
    return not sentence_start or token in capitalised_inside


def key_terms(text: str, limit: int = 5) -> list[str]:
    """The key terms of a passage — names and noun phrases kept whole — in first-seen order.

    Proper names ("Hermann Ebbinghaus", "Roediger and Karpicke") are one term, as written;
    never a fragment of one ("hermann"). Other terms are lower-case content words and
    two- or three-word phrases between function words and punctuation ("storage strength",
    "long-term memory"); a word is counted only where it is not part of a repeated phrase or
    a name, so "strength" does not crowd out "storage strength" and "retrieval strength".
    A term the text defines ("Interleaving means…") ranks high.
    Good enough to label a mind map's branches offline; an LLM can refine them when present.
    """
    sents = [_TOKEN.findall(s) for s in sentences(text)]
    capitalised_inside = {
        t for toks in sents for i, t in enumerate(toks) if i > 0 and t[:1].isupper()
    }
    names: list[tuple[int, str]] = []  # (position, name)
    runs: list[list[tuple[int, str]]] = []  # runs of content words, (position, word)
    defined: set[int] = set()  # positions of runs that a sentence defines
    pos = 0
    for toks in sents:
        i = 0
        run: list[tuple[int, str]] = []
        lead = 1 if toks and toks[0].lower() in ("the", "a", "an") else 0
        while i < len(toks):
            tok = toks[i]
            if _is_name(tok, i == 0, capitalised_inside):
                j = i + 1  # a name: capitalised words, "Robert and Elizabeth Bjork" included
                while j < len(toks) and (
                    _is_name(toks[j], False, capitalised_inside)
                    or (
                        toks[j] == "and"
                        and j + 1 < len(toks)
                        and _is_name(toks[j + 1], False, capitalised_inside)
                    )
                ):
                    j += 1
                if run:
                    runs.append(run)
                    run = []
                names.append((pos + i, " ".join(toks[i:j])))
                i = j
                continue
            word = tok.lower().strip("'’-")
            if len(word) < 3 or word in STOPWORDS or word in _EDGE_WORDS:
                if run:
                    runs.append(run)
                    if i == lead + len(run) and run[0][0] == pos + lead and word in _DEFINES:
                        defined.add(run[0][0])
                    run = []
            else:
                run.append((pos + i, word))
            i += 1
        if run:
            runs.append(run)
        pos += len(toks)

    phrases: dict[str, list[int]] = {}
    for run in runs:
        words = [w for _, w in run]
        for n in (2, 3):
            for k in range(len(words) - n + 1):
                phrases.setdefault(" ".join(words[k : k + n]), []).append(run[k][0])
    singles: dict[str, list[int]] = {}
    for run in runs:
        for p, w in run:
            if len(w) > 3:
                singles.setdefault(w, []).append(p)
    for w in list(singles):  # "card" and "cards" are one term, as the text says it most
        if w + "s" in singles:
            keep, drop = (w + "s", w) if len(singles[w + "s"]) >= len(singles[w]) else (w, w + "s")
            singles[keep] = sorted(singles[keep] + singles.pop(drop))

    def repeated(phrase: str) -> bool:
        a, *_, b = phrase.split(" ")
        n = len(phrases[phrase])
        return n >= 2 or (len(singles.get(a, [])) >= 2 and len(singles.get(b, [])) >= 2)

    kept = {ph: ps for ph, ps in phrases.items() if repeated(ph)}
    covered = {p + k for ph, ps in kept.items() for p in ps for k in range(len(ph.split()))}
    score: dict[str, float] = {}
    first: dict[str, int] = {}
    for ph, ps in phrases.items():
        if ph in kept:
            score[ph] = 1.6 * len(ps) + 0.5
        else:  # said once: a noun phrase only if it opens with a modifier ("spacing effect")
            head = ph.split(" ")[0]
            score[ph] = 1.0 if ph.count(" ") == 1 and _MODIFIER.search(head) else 0.5
        first[ph] = ps[0]
    for w, ps in singles.items():
        free = [p for p in ps if p not in covered]
        if free:
            score[w], first[w] = float(len(free)), ps[0]
    name_positions: dict[str, list[int]] = {}
    for p, name in names:
        name_positions.setdefault(name, []).append(p)
    for name, ps in name_positions.items():
        score[name], first[name] = 1.6 * len(ps) + 1.0, ps[0]
    for term in score:
        if first[term] in defined:
            score[term] += 1.5

    ranked = sorted(score, key=lambda t: (-score[t], first[t], -len(t.split())))
    chosen: list[str] = []
    for term in ranked:
        own = set(term.lower().split())
        if any(own <= set(c.lower().split()) or set(c.lower().split()) <= own for c in chosen):
            continue  # a fragment of a chosen term, or a longer form of one
        chosen.append(term)
        if len(chosen) == limit:
            break
    return sorted(chosen, key=lambda t: first[t])


def shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
