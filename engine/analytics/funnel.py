"""The drop-off funnel of one course: who started each module, who finished it, who stopped.

Input, per module (in the course's order): how many learners *started* it (a
``module_start``), how many *finished* it (a ``module_complete``), how many *stopped* there
(the furthest module they reached, left unfinished) and how many ``drop_off`` events it
had. The services layer counts those in one query; this module puts them in order, fills in
modules nobody reached, and derives the rates a manager reads:

- *reach*: the share of the first module's starters who started this one;
- *finish*: of those who started this module, the share who finished it;
- the *biggest drop*: the module where most learners stopped (ties: the earlier one), the
  place to look first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.analytics.rates import Rate


@dataclass(frozen=True, slots=True)
class ModuleCounts:
    started: int = 0
    finished: int = 0
    stopped: int = 0
    drop_offs: int = 0

    def __post_init__(self) -> None:
        if min(self.started, self.finished, self.stopped, self.drop_offs) < 0:
            raise ValueError("funnel counts cannot be negative")


@dataclass(frozen=True, slots=True)
class Stage:
    module_id: str
    title: str
    position: int
    """1-based, in the course's order."""
    counts: ModuleCounts
    reach: Rate
    finish: Rate

    @property
    def label(self) -> str:
        return f"{self.position}. {self.title}"


@dataclass(frozen=True, slots=True)
class Funnel:
    course_id: str
    stages: tuple[Stage, ...]

    @property
    def biggest_drop(self) -> Stage | None:
        """Where most learners stopped (None when nobody stopped anywhere)."""
        best = max(self.stages, key=lambda s: s.counts.stopped, default=None)
        if best is None or best.counts.stopped == 0:
            return None
        return next(s for s in self.stages if s.counts.stopped == best.counts.stopped)

    @property
    def entrants(self) -> int:
        return self.stages[0].counts.started if self.stages else 0


def build_funnel(
    course_id: str,
    modules: Sequence[tuple[str, str]],
    counts: Mapping[str, ModuleCounts],
) -> Funnel:
    """The funnel of ``modules`` (``(id, title)`` in course order) from ``counts`` by module
    id. Counts for a module that is not in the course (deleted since) are refused: they
    would be silently lost from the chart."""
    known = {mid for mid, _ in modules}
    stray = sorted(set(counts) - known)
    if stray:
        raise ValueError(f"counts for modules not in the course: {', '.join(stray)}")
    first = counts.get(modules[0][0], ModuleCounts()).started if modules else 0
    stages = []
    for i, (mid, title) in enumerate(modules, start=1):
        c = counts.get(mid, ModuleCounts())
        # someone may start module 3 without module 1 (a link, an assignment): reach is capped
        reach = Rate(min(c.started, first), first)
        stages.append(Stage(mid, title, i, c, reach, Rate(min(c.finished, c.started), c.started)))
    return Funnel(course_id, tuple(stages))
