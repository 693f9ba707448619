"""Skill gaps across an organisation: the skills × learners heat map, biggest gaps first.

A cell is one learner's gap on one skill, in [0, 1] (1: the skill is missing entirely). It
comes from an open ``skill_gaps`` row (``gap_score``, not resolved) when there is one: that
is the twin's own judgement against the course's target. Otherwise from ``learner_skills``
as ``1 - proficiency_level``; a learner never assessed on a skill has no cell (unknown is not
"no gap").

Ranking: skills by their mean gap over the learners assessed (then by how many have a wide
gap, ≥ ``WIDE``), learners by their mean gap over the skills shown. A 50,000-learner
organisation cannot be drawn cell by cell, so the map keeps the top ``max_skills`` ×
``max_learners`` and says how many it left out; the skill table keeps every skill.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

WIDE = 0.5
"""A gap this wide or wider counts as a "wide gap" in the skill table."""


def gap_of(gap_score: float | None, proficiency: float | None) -> float | None:
    """A cell's value: the open gap's score, else ``1 - proficiency``, else unknown."""
    value = gap_score
    if value is None and proficiency is not None:
        value = 1.0 - proficiency
    if value is None:
        return None
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"a gap must be between 0 and 1 (got {value})")
    return float(value)


@dataclass(frozen=True, slots=True)
class Cell:
    user_id: str
    skill_id: str
    gap: float


@dataclass(frozen=True, slots=True)
class SkillRank:
    skill_id: str
    name: str
    assessed: int
    wide: int
    mean_gap: float


@dataclass(frozen=True, slots=True)
class HeatMap:
    skills: tuple[SkillRank, ...]
    """Every skill with at least one assessed learner, biggest mean gap first."""
    shown_skills: tuple[str, ...]
    learners: tuple[tuple[str, str], ...]
    """``(user_id, name)`` of the learners drawn, biggest mean gap first."""
    values: dict[tuple[str, str], float]
    """``(skill_id, user_id) -> gap`` for the drawn cells that are known."""
    hidden_skills: int
    hidden_learners: int

    def value(self, skill_id: str, user_id: str) -> float | None:
        return self.values.get((skill_id, user_id))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def rank(
    cells: Iterable[Cell],
    skill_names: Mapping[str, str],
    learner_names: Mapping[str, str],
    *,
    max_skills: int = 15,
    max_learners: int = 30,
) -> HeatMap:
    if max_skills < 1 or max_learners < 1:
        raise ValueError("a heat map shows at least one skill and one learner")
    by_skill: dict[str, list[float]] = defaultdict(list)
    grid: dict[tuple[str, str], float] = {}
    for c in cells:
        if (c.skill_id, c.user_id) in grid:
            raise ValueError(f"two gaps for one learner and skill ({c.user_id}, {c.skill_id})")
        grid[(c.skill_id, c.user_id)] = c.gap
        by_skill[c.skill_id].append(c.gap)
    ranks = sorted(
        (
            SkillRank(
                sid,
                skill_names.get(sid, sid),
                len(gaps),
                sum(1 for g in gaps if g >= WIDE),
                sum(gaps) / len(gaps),
            )
            for sid, gaps in by_skill.items()
        ),
        key=lambda r: (-round(r.mean_gap, 9), -r.wide, r.name.lower(), r.skill_id),
    )
    shown = tuple(r.skill_id for r in ranks[:max_skills])
    per_learner: dict[str, list[float]] = defaultdict(list)
    for (sid, uid), g in grid.items():
        if sid in shown:
            per_learner[uid].append(g)
    order = sorted(
        per_learner,
        key=lambda u: (-round(_mean(per_learner[u]), 9), learner_names.get(u, u).lower(), u),
    )
    drawn = order[:max_learners]
    keep = set(drawn)
    values = {k: v for k, v in grid.items() if k[0] in shown and k[1] in keep}
    return HeatMap(
        tuple(ranks),
        shown,
        tuple((u, learner_names.get(u, u)) for u in drawn),
        values,
        max(0, len(ranks) - len(shown)),
        max(0, len(order) - len(drawn)),
    )
