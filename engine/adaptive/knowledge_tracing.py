"""Knowledge tracing: how well does a learner know each skill, and how sure are we?

All models share one small protocol (:class:`KTModel`) so they can be replayed on the same
log and compared by ``bench/kt_eval.py``:

* :class:`MajorityModel` — the training base rate; the floor any model must beat.
* :class:`BKTModel` — Bayesian Knowledge Tracing, numerically stable, fitted by EM from
  several starts, optionally with forgetting (:mod:`engine.adaptive.kt_bkt`).
* :class:`EloModel` — Elo with item difficulty and forgetting, the previous production
  model (:mod:`engine.adaptive.kt_elo`).
* :class:`LogisticKT` — the logistic family: PFA, R-PFA, best-LR and the production model
  ``logistic_kt`` (:mod:`engine.adaptive.kt_logistic`).

The production choice is made on evidence: on a by-learner split of the ASSISTments 2009
skill-builder data, ``logistic_kt`` beats BKT with forgetting and the Elo models both with
and without the features taken from a learner's other skills (see ``bench/kt_eval.py``), so
:func:`default_model` returns it, with shared weights fitted on that data
(:mod:`engine.adaptive.kt_defaults`). Updates are O(number of skills on the item).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from engine.adaptive.events import LearningEvent
from engine.adaptive.kt_bkt import BKTModel, BKTParams, bkt_predict, bkt_update, fit_bkt
from engine.adaptive.kt_core import KTModel, MajorityModel, Observation, SkillMastery, replay
from engine.adaptive.kt_defaults import DEFAULT_SHARED_WEIGHTS
from engine.adaptive.kt_elo import (
    EloModel,
    EloParams,
    ItemBank,
    LearnerKnowledge,
    SkillTrace,
    tune_elo,
)
from engine.adaptive.kt_logistic import LearnerCounts, LogisticKT, LogisticWeights, SkillCounts

_SECONDS_PER_DAY = 86_400.0

PRODUCTION_MODEL = "logistic_kt"


def default_model(parents: Mapping[str, str] | None = None) -> LogisticKT:
    """The model the app traces with, chosen on the evidence of ``bench/kt_eval.py``.

    ``parents`` is accepted for callers of the earlier Elo model; the logistic model gives a
    new skill its starting point from the learner's record on all their other skills instead.
    """
    return LogisticKT(PRODUCTION_MODEL, weights=LogisticWeights(DEFAULT_SHARED_WEIGHTS))


def _days(at: datetime) -> float:
    return at.timestamp() / _SECONDS_PER_DAY


def observations_from_events(events: Iterable[LearningEvent]) -> list[Observation]:
    """The graded first attempts among a learner's events, in time order.

    Retries after feedback are left out: the learner has just been shown the answer, so a
    correct retry says little about mastery and would inflate it.
    """
    out: list[Observation] = []
    for i, ev in enumerate(sorted(events, key=lambda e: e.created_at)):
        if ev.event_type != "quiz_attempt":
            continue
        pl = ev.payload
        if int(pl.get("attempt_no", 1) or 1) > 1 or "correct" not in pl:
            continue
        skills = tuple(str(s) for s in pl.get("skill_ids", []) or [])
        out.append(
            Observation(
                skill_ids=skills,
                item_id=str(pl.get("question_id", "")),
                correct=bool(pl["correct"]),
                at=_days(ev.created_at),
                order=i,
            )
        )
    return out


def trace_learner(
    events: Iterable[LearningEvent],
    model: LogisticKT | EloModel | None = None,
    *,
    now: datetime | None = None,
) -> list[SkillMastery]:
    """Replay a learner's quiz history and return one mastery row per skill touched."""
    at = _days(now) if now is not None else None
    obs = observations_from_events(events)
    if isinstance(model, EloModel):
        es = model.new_learner()
        for o in obs:
            model.update(es, o)
        return model.masteries(es, at)
    mdl = model or default_model()
    state = mdl.new_learner()
    for o in obs:
        mdl.update(state, o)
    return mdl.masteries(state, at)


__all__ = [
    "PRODUCTION_MODEL",
    "BKTModel",
    "BKTParams",
    "EloModel",
    "EloParams",
    "ItemBank",
    "KTModel",
    "LearnerCounts",
    "LearnerKnowledge",
    "LogisticKT",
    "LogisticWeights",
    "MajorityModel",
    "Observation",
    "SkillCounts",
    "SkillMastery",
    "SkillTrace",
    "bkt_predict",
    "bkt_update",
    "default_model",
    "fit_bkt",
    "observations_from_events",
    "replay",
    "trace_learner",
    "tune_elo",
]
