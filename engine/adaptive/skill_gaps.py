"""Skill gaps: where a learner's mastery falls short of what their courses aim for.

A course declares ``target_skills`` ([{skill_id, target_proficiency}]); knowledge tracing
gives ``learner_skills``. A gap is the shortfall relative to the target, so a gap of 0.3 on a
0.9 target is more pressing than on a 0.4 target only when it is a larger *share* of it. Gaps
open and close with a small hysteresis so a mastery hovering at the target does not flap
between "resolved" and "open" on every answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from engine.adaptive.knowledge_tracing import SkillMastery

RESOLVE_MARGIN = 0.0
"""Mastery must reach the target (plus this) for an open gap to close."""

OPEN_MARGIN = 0.05
"""Mastery must fall this far below the target for a new gap to open."""


@dataclass(frozen=True, slots=True)
class TargetSkill:
    skill_id: str
    target_proficiency: float = 0.8

    def __post_init__(self) -> None:
        if not 0.0 < self.target_proficiency <= 1.0:
            raise ValueError("target_proficiency must be in (0, 1]")


@dataclass(frozen=True, slots=True)
class SkillGap:
    """One ``skill_gaps`` row."""

    skill_id: str
    gap_score: float
    identified_at: datetime
    resolved_at: datetime | None = None
    target_proficiency: float = 0.8
    proficiency_level: float = 0.0

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


def parse_targets(raw: Iterable[Mapping[str, object]]) -> list[TargetSkill]:
    """Read a course's ``target_skills`` JSON; duplicate skills keep the highest target."""
    best: dict[str, float] = {}
    for item in raw:
        sid = item.get("skill_id")
        tgt = item.get("target_proficiency", 0.8)
        if not isinstance(sid, str) or not isinstance(tgt, int | float):
            continue
        best[sid] = max(best.get(sid, 0.0), float(tgt))
    return [TargetSkill(s, t) for s, t in sorted(best.items())]


def gap_score(mastery: float, target: float) -> float:
    """0 = at or above target, 1 = nothing of the target mastered."""
    if target <= 0:
        return 0.0
    return min(1.0, max(0.0, (target - mastery) / target))


def skill_gaps(
    targets: Sequence[TargetSkill],
    masteries: Mapping[str, SkillMastery] | Mapping[str, float],
    *,
    now: datetime,
    open_gaps: Iterable[SkillGap] = (),
) -> list[SkillGap]:
    """Open gaps (refreshed or newly identified) and gaps resolved now, one per skill.

    A skill with no mastery row counts as 0 mastery (``learner_skills`` defaults to 0): an
    untouched target skill is a full gap until there is evidence otherwise.
    """
    previous = {g.skill_id: g for g in open_gaps if g.is_open}
    out: list[SkillGap] = []
    for t in targets:
        raw = masteries.get(t.skill_id)
        level = raw.proficiency_level if isinstance(raw, SkillMastery) else float(raw or 0.0)
        score = gap_score(level, t.target_proficiency)
        prev = previous.pop(t.skill_id, None)
        if prev is not None:
            if level >= t.target_proficiency + RESOLVE_MARGIN:
                out.append(
                    SkillGap(t.skill_id, 0.0, prev.identified_at, now, t.target_proficiency, level)
                )
            else:
                out.append(
                    SkillGap(
                        t.skill_id, score, prev.identified_at, None, t.target_proficiency, level
                    )
                )
        elif level < t.target_proficiency - OPEN_MARGIN:
            out.append(SkillGap(t.skill_id, score, now, None, t.target_proficiency, level))
    # gaps whose skill is no longer targeted by any course close too
    for g in previous.values():
        out.append(
            SkillGap(
                g.skill_id, 0.0, g.identified_at, now, g.target_proficiency, g.proficiency_level
            )
        )
    out.sort(key=lambda g: (g.resolved_at is not None, -g.gap_score, g.skill_id))
    return out
