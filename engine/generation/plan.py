"""The course plan, from the whole document structure: every section of every source is
either owned by exactly one module or deliberately skipped, with the reason shown.

Why not a top-k search: the outline step used to see the few passages nearest the brief,
so a standard whose ten items sit in one long section became a course that never listed
them, and the second file of a two-file brief was ignored. Here the sources' own order and
headings decide what each module teaches (sections stay together, modules get similar
amounts of text, nothing is left out silently), and the model only names the modules.
Drafting then reads *all* of a module's passages, a few at a time (:func:`chunks`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engine.generation.sources import Passage

MIN_SECTION_CHARS = 120
"""A section shorter than this (a title page, a lone link) is folded into its neighbour."""
CHUNK_CHARS = 3000
"""Source text one drafting call reads (~750 tokens: the prompt stays well inside 4k)."""

_FRONT_AND_BACK = re.compile(
    r"^\s*(?:\d+[.)]?\s*)?(foreword|preface|acknowledge?ments?|references|bibliography|"
    r"further reading|licen[cs]e|copyright|table of contents|contents|index|changelog|"
    r"revision history|footnotes?|about (?:this|the) (?:document|author|authors))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Section:
    source: str
    heading: str
    passage_ids: tuple[str, ...]
    chars: int

    @property
    def key(self) -> str:
        """How the creator sees it: "Source › Heading"."""
        return f"{self.source} › {self.heading}" if self.heading else self.source


@dataclass(frozen=True)
class Plan:
    modules: tuple[tuple[Section, ...], ...]
    skipped: tuple[tuple[Section, str], ...]
    """Sections left out on purpose, each with the reason."""

    def keys(self) -> list[list[str]]:
        return [[s.key for s in m] for m in self.modules]


def sections(items: Sequence[Passage]) -> list[Section]:
    """Consecutive passages under the same heading of the same source, in document order."""
    out: list[Section] = []
    for p in items:
        last = out[-1] if out else None
        if last is not None and (last.source, last.heading) == (p.source, p.heading):
            out[-1] = Section(
                last.source, last.heading, (*last.passage_ids, p.id), last.chars + len(p.text)
            )
        else:
            out.append(Section(p.source, p.heading, (p.id,), len(p.text)))
    return out


def skip_reason(section: Section) -> str | None:
    """Why a section is not taught (front or back matter), or None."""
    if _FRONT_AND_BACK.match(section.heading or ""):
        return "front or back matter (not course content)"
    return None


def _fold_short(secs: list[Section]) -> list[Section]:
    """A tiny section joins the next one of its source (or the previous one at the end)."""
    out: list[Section] = []
    carry: Section | None = None
    for s in secs:
        if carry is not None and carry.source == s.source:
            s = Section(
                s.source, carry.heading, carry.passage_ids + s.passage_ids, carry.chars + s.chars
            )
            carry = None
        elif carry is not None:
            out.append(carry)
            carry = None
        if s.chars < MIN_SECTION_CHARS:
            carry = s
        else:
            out.append(s)
    if carry is not None:
        if out and out[-1].source == carry.source:
            last = out[-1]
            out[-1] = Section(
                last.source,
                last.heading,
                last.passage_ids + carry.passage_ids,
                last.chars + carry.chars,
            )
        else:
            out.append(carry)
    return out


def partition(sizes: Sequence[int], parts: int) -> list[list[int]]:
    """Split ``sizes`` (in order) into ``parts`` contiguous groups, the largest group as small
    as possible (the classic linear partition, exact by dynamic programming)."""
    n = len(sizes)
    parts = max(1, min(parts, n))
    prefix = [0]
    for s in sizes:
        prefix.append(prefix[-1] + s)
    inf = float("inf")
    # cost[k][i]: best max-group for the first i items in k groups; cut[k][i]: start of last
    cost = [[inf] * (n + 1) for _ in range(parts + 1)]
    cut = [[0] * (n + 1) for _ in range(parts + 1)]
    cost[0][0] = 0
    for k in range(1, parts + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                c = max(cost[k - 1][j], prefix[i] - prefix[j])
                if c < cost[k][i]:
                    cost[k][i], cut[k][i] = c, j
    groups: list[list[int]] = []
    i = n
    for k in range(parts, 0, -1):
        j = cut[k][i]
        groups.append(list(range(j, i)))
        i = j
    return groups[::-1]


def plan(items: Sequence[Passage], modules: int) -> Plan:
    """Every section owned by one of ``modules`` modules (fewer when the sources have fewer
    sections) or skipped with its reason."""
    secs = sections(items)
    skipped = tuple((s, r) for s in secs if (r := skip_reason(s)) is not None)
    kept = _fold_short([s for s in secs if skip_reason(s) is None])
    if not kept:
        return Plan((), skipped)
    groups = partition([s.chars for s in kept], modules)
    return Plan(tuple(tuple(kept[i] for i in g) for g in groups), skipped)


def chunks(owned: Sequence[Passage], limit: int = CHUNK_CHARS) -> list[list[Passage]]:
    """A module's passages in reading order, a few at a time for one drafting call each."""
    out: list[list[Passage]] = []
    size = 0
    for p in owned:
        if out and size + len(p.text) <= limit:
            out[-1].append(p)
            size += len(p.text)
        else:
            out.append([p])
            size = len(p.text)
    return out
