"""One learner's attempt at one SCO, across sessions: what the SCO sees when it starts, what
is kept when it commits, what finishing does, and which of our learning events it means.

* **Start** (:func:`start_values`): the stored state of the attempt comes back
  (``lesson_location``, ``suspend_data``, status, score, total time, objectives), with
  ``cmi.core.entry`` = ``ab-initio`` the first time, ``resume`` when the last session exited
  with ``suspend``, else empty (SCORM 1.2 RTE 3.4.4), and the learner's id and name, the
  item's mastery score and launch data.
* **Kept** (:func:`kept`): every read-write element, and ``cmi.core.exit``; the write-only
  interaction records are kept too (they are the learner's answers), the read-only ones
  are not (they are ours).
* **Finish** (:func:`finish`): ``total_time`` grows by the session time (the SCO's
  ``session_time``, or the wall-clock time when it set none); with a mastery score, credit
  and a raw score, the status becomes ``passed`` or ``failed`` (RTE 3.4.4's rule); a
  status still ``not attempted`` becomes ``incomplete``.
* **Events** (:func:`commit_events`): a new raw score is a ``quiz_attempt`` (score, range,
  mastery, passed); reaching ``passed``/``completed`` is ``module_complete`` with the time
  spent over all sessions; a session that ends with the module not done is a ``drop_off``.
  ``module_start`` is written when the SCO initialises (by the service).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.scorm.cmi import COMPLETE_STATUSES, ELEMENTS, pattern_of, timespan, timespan_secs

SOURCE = "scorm"
_FINAL_STATUSES = ("passed", "completed", "failed")


@dataclass(frozen=True)
class Learner:
    id: str
    name: str  # "Last, First" is what SCORM 1.2 expects; we give the full name as it is


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    payload: dict[str, Any]
    duration_secs: int | None = None


def kept(values: dict[str, str]) -> dict[str, str]:
    """The part of a session's values that the attempt keeps."""
    out: dict[str, str] = {}
    for key, value in values.items():
        rule = ELEMENTS.get(pattern_of(key)[0])
        if rule is None or (rule.access == "ro" and key != "cmi.core.total_time"):
            continue
        if key == "cmi.core.session_time":
            continue
        out[key] = value
    return out


def start_values(
    stored: dict[str, str] | None,
    learner: Learner,
    *,
    mastery_score: float | None = None,
    launch_data: str = "",
    credit: bool = True,
) -> dict[str, str]:
    """The data model a new session starts from."""
    stored = dict(stored or {})
    entry = "ab-initio" if not stored else ""
    if stored.get("cmi.core.exit") == "suspend":
        entry = "resume"
    values = {k: v for k, v in stored.items() if k != "cmi.core.exit"}
    values.update(
        {
            "cmi.core.student_id": learner.id,
            "cmi.core.student_name": learner.name[:255],
            "cmi.core.credit": "credit" if credit else "no-credit",
            "cmi.core.entry": entry,
            "cmi.core.lesson_mode": "normal",
            "cmi.launch_data": launch_data,
            "cmi.student_data.mastery_score": "" if mastery_score is None else f"{mastery_score:g}",
        }
    )
    values.setdefault("cmi.core.lesson_status", "not attempted")
    values.setdefault("cmi.core.total_time", "0000:00:00.00")
    return values


def finish(values: dict[str, str], wall_secs: float) -> dict[str, str]:
    """The values after ``LMSFinish`` (or the player closing): total time and status."""
    out = dict(values)
    session = out.pop("cmi.core.session_time", "")
    secs = timespan_secs(session) if session else wall_secs
    out["cmi.core.total_time"] = timespan(timespan_secs(out.get("cmi.core.total_time", "")) + secs)
    status = out.get("cmi.core.lesson_status", "not attempted")
    mastery, raw = out.get("cmi.student_data.mastery_score", ""), out.get("cmi.core.score.raw", "")
    if mastery and raw and out.get("cmi.core.credit", "credit") == "credit":
        out["cmi.core.lesson_status"] = "passed" if float(raw) >= float(mastery) else "failed"
    elif status == "not attempted":
        out["cmi.core.lesson_status"] = "incomplete"
    return out


def _score(values: dict[str, str]) -> float | None:
    raw = values.get("cmi.core.score.raw", "")
    return float(raw) if raw else None


def passed(values: dict[str, str]) -> bool | None:
    """Whether the score reaches the mastery score (None when either is missing)."""
    status = values.get("cmi.core.lesson_status", "")
    if status in ("passed", "failed"):
        return status == "passed"
    mastery, score = values.get("cmi.student_data.mastery_score", ""), _score(values)
    if not mastery or score is None:
        return None
    return score >= float(mastery)


@dataclass
class CommitFacts:
    """What earlier commits of this module already turned into events."""

    scores_recorded: int = 0  # quiz_attempts of this SCO so far (for attempt_no)
    last_score: float | None = None  # the raw score the last quiz_attempt carried
    completed: bool = False  # a module_complete exists for this module


def commit_events(
    after: dict[str, str], facts: CommitFacts, *, sco: str, session_end: bool, session_secs: int
) -> list[EventSpec]:
    """The learning events one commit means, given what earlier ones recorded."""
    events: list[EventSpec] = []
    status = after.get("cmi.core.lesson_status", "")
    score = _score(after)
    if score is not None and (score != facts.last_score or facts.scores_recorded == 0):
        ok = passed(after)
        payload: dict[str, Any] = {
            "source": SOURCE,
            "sco": sco,
            "score": score,
            "score_min": after.get("cmi.core.score.min", "") or None,
            "score_max": after.get("cmi.core.score.max", "") or None,
            "mastery_score": after.get("cmi.student_data.mastery_score", "") or None,
            "lesson_status": status,
            "attempt_no": facts.scores_recorded + 1,
        }
        if ok is not None:
            payload["passed"] = ok
            payload["correct"] = ok
        events.append(EventSpec("quiz_attempt", payload))
    total = round(timespan_secs(after.get("cmi.core.total_time", "")))
    resume = {"lesson_status": status, "cmi": resume_values(after)}
    if status in COMPLETE_STATUSES and not facts.completed:
        events.append(
            EventSpec(
                "module_complete",
                {"source": SOURCE, "sco": sco, "quiz_score": score, **resume},
                max(total, session_secs),
            )
        )
    elif session_end and status not in COMPLETE_STATUSES and not facts.completed:
        why = "failed" if status == "failed" else "left"
        events.append(
            EventSpec(
                "drop_off", {"source": SOURCE, "sco": sco, "reason": why, **resume}, session_secs
            )
        )
    return events


RESUME_ELEMENTS = (
    "cmi.core.lesson_location",
    "cmi.core.lesson_status",
    "cmi.core.score.raw",
    "cmi.core.score.min",
    "cmi.core.score.max",
    "cmi.core.total_time",
    "cmi.core.exit",
    "cmi.suspend_data",
)


def resume_values(values: dict[str, str]) -> dict[str, str]:
    """What another device needs to resume the attempt (carried on the session's last
    event, which sync brings there)."""
    return {k: values[k] for k in RESUME_ELEMENTS if values.get(k)}


def is_final(values: dict[str, str]) -> bool:
    return values.get("cmi.core.lesson_status", "") in _FINAL_STATUSES
