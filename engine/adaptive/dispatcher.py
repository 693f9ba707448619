"""The modality dispatcher: which of the seven ways to learn suits this learner now?

It is a per-learner multi-armed bandit. Each modality keeps a Beta posterior over "a session
in this modality goes well", fed by the signals events already carry (see
:func:`rewards_for_event`). Thompson sampling draws one plausible success rate per modality
and recommends the best draw: modalities we are unsure about still get tried, and the
exploration fades by itself as evidence grows. A small extra ε of uniform exploration keeps
a learner whose tastes change from being locked in. An explicit choice by the learner always
wins — the bandit advises, it never overrides.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

from engine.adaptive.events import MODALITIES, LearningEvent, Modality

_LABEL: dict[str, str] = {
    "text": "Reading",
    "video": "Video",
    "audio": "Audio",
    "mindmap": "Mind maps",
    "flashcards": "Flashcards",
    "game": "Games",
    "feed": "The feed",
}


# How a suggestion names a modality inside a sentence ("try a mind map").
_PHRASE: dict[str, str] = {
    "text": "reading it",
    "video": "the video",
    "audio": "listening to it",
    "mindmap": "the mind map",
    "flashcards": "flashcards",
    "game": "the game",
    "feed": "the feed",
}


_SESSION: dict[str, str] = {
    "text": "reading",
    "video": "video",
    "audio": "audio",
    "mindmap": "mind map",
    "flashcards": "flashcard",
    "game": "game",
    "feed": "feed",
}
_PLURAL = frozenset({"mindmap", "flashcards", "game"})  # "Mind maps have worked best"


@dataclass(frozen=True, slots=True)
class ArmStats:
    """Weighted good/bad outcomes for one modality; the posterior is Beta(1+s, 1+f)."""

    successes: float = 0.0
    failures: float = 0.0

    @property
    def alpha(self) -> float:
        return 1.0 + self.successes

    @property
    def beta(self) -> float:
        return 1.0 + self.failures

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def evidence(self) -> float:
        return self.successes + self.failures


@dataclass(frozen=True, slots=True)
class ModalityBelief:
    """The seven posteriors, in :data:`MODALITIES` order (immutable, JSON-able)."""

    arms: tuple[ArmStats, ...] = tuple(ArmStats() for _ in MODALITIES)

    def arm(self, modality: Modality) -> ArmStats:
        return self.arms[MODALITIES.index(modality)]

    def scores(self) -> dict[str, float]:
        """Posterior means: the ``learner_profiles.modality_scores`` column (0.5 = no data)."""
        return {m: a.mean for m, a in zip(MODALITIES, self.arms, strict=True)}

    def observe(
        self, modality: Modality, success: float, failure: float, *, discount: float = 1.0
    ) -> ModalityBelief:
        """Add weighted evidence to one arm; ``discount`` < 1 first fades all old evidence.

        Fading lets the posterior follow a learner whose preferences drift, at the price of
        a little more exploration; it touches a fixed seven arms, so it stays O(1).
        """
        if success < 0 or failure < 0:
            raise ValueError("evidence weights must be non-negative")
        idx = MODALITIES.index(modality)
        arms = []
        for i, a in enumerate(self.arms):
            s, f = a.successes * discount, a.failures * discount
            if i == idx:
                s, f = s + success, f + failure
            arms.append(ArmStats(s, f))
        return ModalityBelief(tuple(arms))

    def to_dict(self) -> dict[str, dict[str, float]]:
        return {
            m: {"successes": a.successes, "failures": a.failures}
            for m, a in zip(MODALITIES, self.arms, strict=True)
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ModalityBelief:
        return cls(
            tuple(
                ArmStats(
                    float(raw.get(m, {}).get("successes", 0.0)),
                    float(raw.get(m, {}).get("failures", 0.0)),
                )
                for m in MODALITIES
            )
        )


@dataclass(frozen=True, slots=True)
class Reward:
    modality: Modality
    success: float
    failure: float


def _as_modality(raw: object) -> Modality | None:
    if isinstance(raw, str) and raw in MODALITIES:
        return MODALITIES[MODALITIES.index(raw)]
    return None


def rewards_for_event(event: LearningEvent, study_modality: Modality | None) -> tuple[Reward, ...]:
    """Translate one event into bandit evidence.

    ``study_modality`` is the modality the learner last studied in; a quiz credits (or
    debits) *that* modality, since the quiz measures what the studying achieved.

    =================  ==============================================================
    module_complete    +1 success for the active modality
    drop_off           +1 failure for the active modality
    quiz_attempt       first attempts only: ±0.5 for the modality studied in
    video_replay       +0.25 success (engaged enough to rewatch)
    modality_switch    +1 failure for ``payload.from``, +1 success for ``payload.to``
    =================  ==============================================================
    """
    m = event.modality
    t = event.event_type
    if t == "module_complete" and m is not None:
        return (Reward(m, 1.0, 0.0),)
    if t == "drop_off" and m is not None:
        return (Reward(m, 0.0, 1.0),)
    if t == "quiz_attempt" and study_modality is not None:
        if int(event.payload.get("attempt_no", 1) or 1) > 1 or "correct" not in event.payload:
            return ()
        ok = bool(event.payload["correct"])
        return (Reward(study_modality, 0.5 if ok else 0.0, 0.0 if ok else 0.5),)
    if t == "video_replay":
        return (Reward(m or "video", 0.25, 0.0),)
    if t == "modality_switch":
        out: list[Reward] = []
        src = _as_modality(event.payload.get("from"))
        dst = _as_modality(event.payload.get("to"))
        if src is not None and src != dst:
            out.append(Reward(src, 0.0, 1.0))
        if dst is not None and src != dst:
            out.append(Reward(dst, 1.0, 0.0))
        return tuple(out)
    return ()


@dataclass(frozen=True, slots=True)
class ModalityRecommendation:
    modality: Modality
    reason: str
    source: str  # "explicit" | "thompson" | "explore"
    scores: dict[str, float]


def recommend(
    belief: ModalityBelief,
    *,
    rng: random.Random,
    available: tuple[Modality, ...] = MODALITIES,
    explicit_choice: Modality | None = None,
    current: Modality | None = None,
    exploration: float = 0.05,
) -> ModalityRecommendation:
    """Recommend a modality among ``available`` (those the module actually has).

    ``rng`` is passed in so callers (and tests) control randomness; the function is
    otherwise pure.
    """
    scores = belief.scores()
    if explicit_choice is not None:
        return ModalityRecommendation(
            explicit_choice,
            f"You chose {_LABEL[explicit_choice].lower()}, so we'll stick with "
            f"{'them' if explicit_choice in _PLURAL else 'it'}.",
            "explicit",
            scores,
        )
    if not available:
        raise ValueError("no modality available")
    if rng.random() < exploration:
        pick = available[rng.randrange(len(available))]
        n = belief.arm(pick).evidence
        return ModalityRecommendation(
            pick,
            f"Trying {_PHRASE[pick]} now and then keeps Byte's suggestions fresh "
            f"({_signals(n)} about it so far).",
            "explore",
            scores,
        )
    draws = [(rng.betavariate(belief.arm(m).alpha, belief.arm(m).beta), m) for m in available]
    pick = max(draws)[1]
    return ModalityRecommendation(pick, _reason(belief, pick, current), "thompson", scores)


def draw_seed(learner_id: str, module_id: str, belief: ModalityBelief) -> int:
    """A seed for :func:`recommend` that is stable until new evidence arrives.

    It depends on the learner, the module and the belief's evidence — not on a clock or an
    event count — so reopening a module (a ``module_start``, which is no evidence) shows the
    same suggestion, while different learners and modules still explore different
    modalities. Once an outcome changes the posterior, the draw is made afresh.
    """
    evidence = ";".join(f"{a.successes:.3f}/{a.failures:.3f}" for a in belief.arms)
    digest = hashlib.sha256(f"{learner_id}:{module_id}:{evidence}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _reason(belief: ModalityBelief, pick: Modality, current: Modality | None) -> str:
    arm = belief.arm(pick)
    label = _LABEL[pick]
    if arm.evidence < 3:
        if current == pick:
            return "It's a good way to start while Byte learns what suits you."
        return f"Byte is still learning what suits you, so why not try {_PHRASE[pick]}?"
    session = _SESSION[pick]
    good = f"{arm.successes:.0f} of {arm.evidence:.0f} recent {session} sessions went well"
    if current == pick:
        return f"Keep going with {_PHRASE[pick]}: {good}."
    verb = "have" if pick in _PLURAL else "has"
    return f"{label} {verb} worked best for you: {good} ({arm.mean:.0%})."


def _signals(n: float) -> str:
    k = round(n)
    return "no signals" if k == 0 else "1 signal" if k == 1 else f"only {k} signals"


def should_switch(
    belief: ModalityBelief,
    current: Modality,
    available: tuple[Modality, ...] = MODALITIES,
    *,
    min_evidence: float = 4.0,
    margin: float = 0.15,
) -> Modality | None:
    """A clearly better modality than ``current``, judged on posterior means, or ``None``.

    Deterministic (no sampling) because it drives a visible suggestion that must not flicker.
    """
    cur = belief.arm(current)
    if cur.evidence < min_evidence:
        return None
    best: Modality | None = None
    best_mean = cur.mean + margin
    for m in available:
        a = belief.arm(m)
        if m != current and a.evidence >= min_evidence and a.mean > best_mean:
            best, best_mean = m, a.mean
    return best
