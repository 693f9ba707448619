"""Longitudinal memory: what Byte knows about a learner across sessions.

Three sources, folded into a few lines of the system prompt by :func:`learner_notes`:

* the twin — level, pace, mastery per skill and open gaps (from :mod:`engine.adaptive`),
* the learner's recent exchanges with Byte (``ai_interactions``),
* a running summary kept in ``learner_profiles.ai_tutor_context`` and updated after every
  exchange by :func:`update_memory` — a small JSON document (counts per module, recent
  questions, hints asked, unhelpful answers), folded deterministically so it costs no model
  time and gives the same result on every device after a sync.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MEMORY_VERSION = 1
MAX_RECENT = 8


@dataclass(frozen=True)
class PastExchange:
    at: datetime
    kind: str  # interaction_type
    question: str
    answer: str
    module_title: str | None = None
    helpful: bool | None = None


@dataclass(frozen=True)
class LearnerContext:
    display_name: str = ""
    difficulty_comfort: str = "intermediate"
    learning_pace: str = "medium"
    streak_days: int = 0
    mastery: Mapping[str, float] = field(default_factory=dict)  # skill name -> 0..1
    gaps: Sequence[str] = ()  # skill names
    recent: Sequence[PastExchange] = ()
    memory: Mapping[str, Any] = field(default_factory=dict)  # ai_tutor_context


def learner_notes(ctx: LearnerContext, *, history: bool = True) -> str:
    """The notes Byte gets about the learner. ``history=False`` leaves out what changes with
    every exchange or day (streak, the running summary, recent questions): the tutor's
    prompt keeps only what pitches an answer, so its beginning stays the same and the local
    model can read it ahead of time (the conversation itself now carries the recent turns)."""
    lines = [
        f"- Level: {ctx.difficulty_comfort}; pace: {ctx.learning_pace}"
        + (f"; {ctx.streak_days}-day streak" if history and ctx.streak_days > 1 else "")
        + "."
    ]
    if ctx.mastery:
        strong = sorted((v, k) for k, v in ctx.mastery.items() if v >= 0.75)
        weak = sorted((v, k) for k, v in ctx.mastery.items() if v < 0.5)
        if strong:
            lines.append("- Confident with: " + ", ".join(k for _, k in strong[-4:]) + ".")
        if weak:
            lines.append("- Still learning: " + ", ".join(k for _, k in weak[:4]) + ".")
    if ctx.gaps:
        lines.append("- Skill gaps to close: " + ", ".join(list(ctx.gaps)[:4]) + ".")
    if not history:
        return "\n".join(lines)
    summary = str(ctx.memory.get("summary") or "").strip()
    if summary:
        lines.append(f"- History: {summary}")
    for ex in list(ctx.recent)[:3]:
        where = f" (on {ex.module_title})" if ex.module_title else ""
        mark = " — they found that unhelpful" if ex.helpful is False else ""
        lines.append(f"- Recently asked{where}: “{_clip(ex.question, 120)}”{mark}")
    return "\n".join(lines)


def update_memory(
    previous: Mapping[str, Any] | None,
    *,
    kind: str,
    question: str,
    module_title: str | None,
    covered: bool,
    at: datetime,
) -> dict[str, Any]:
    """The new ``ai_tutor_context`` after one exchange (pure; ``previous`` is not changed)."""
    prev = dict(previous or {})
    counts = dict(prev.get("counts") or {})
    counts[kind] = int(counts.get(kind, 0)) + 1
    if not covered:
        counts["not_covered"] = int(counts.get("not_covered", 0)) + 1
    topics = dict(prev.get("topics") or {})
    if module_title:
        topics[module_title] = int(topics.get(module_title, 0)) + 1
    recent = [
        {
            "at": at.isoformat(),
            "type": kind,
            "question": _clip(question, 200),
            "module": module_title,
        }
    ]
    recent += list(prev.get("recent") or [])[: MAX_RECENT - 1]
    memory: dict[str, Any] = {
        "version": MEMORY_VERSION,
        "counts": counts,
        "topics": topics,
        "recent": recent,
        "unhelpful": int(prev.get("unhelpful", 0)),
        "updated_at": at.isoformat(),
    }
    memory["summary"] = summarise(memory)
    return memory


def record_feedback(previous: Mapping[str, Any] | None, helpful: bool | None) -> dict[str, Any]:
    memory = dict(previous or {})
    if helpful is False:
        memory["unhelpful"] = int(memory.get("unhelpful", 0)) + 1
    memory["summary"] = summarise(memory)
    return memory


def summarise(memory: Mapping[str, Any]) -> str:
    counts: Mapping[str, int] = memory.get("counts") or {}
    topics: Mapping[str, int] = memory.get("topics") or {}
    asked = sum(v for k, v in counts.items() if k != "not_covered")
    if not asked:
        return ""
    parts = [f"{asked} exchange{'s' if asked != 1 else ''} with Byte so far"]
    if topics:
        top = sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        parts.append("mostly about " + ", ".join(f"{t} ({n})" for t, n in top))
    hints = int(counts.get("hint_request", 0))
    if hints:
        parts.append(f"asked for {hints} hint{'s' if hints != 1 else ''}")
    off = int(counts.get("not_covered", 0))
    if off:
        parts.append(f"{off} question{'s' if off != 1 else ''} outside the course")
    unhelpful = int(memory.get("unhelpful", 0))
    if unhelpful:
        parts.append(f"marked {unhelpful} answer{'s' if unhelpful != 1 else ''} unhelpful")
    return "; ".join(parts) + "."


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
