"""Simulated learners with known ground truth, shared by the benchmarks and tests.

Real logs tell us how a model ranks answers, but not whether its *mastery* is right; a
simulation whose hidden abilities we set ourselves can. The generative story is deliberately
not any of the fitted models: abilities are correlated across skills and inherited from a
parent skill, every practice adds a learner-specific learning gain, gains fade with time
towards a retained floor, items differ in difficulty, and answers carry guessing.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from pathlib import Path

KT_COLUMNS = ("user_id", "skill_id", "problem_id", "correct", "order_id", "timestamp", "true_p")


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class KTWorld:
    """The hidden truth behind a simulated log."""

    skill_parent: dict[str, str]
    item_skill: dict[str, str]
    item_difficulty: dict[str, float]


def simulate_kt_log(
    *,
    seed: int = 7,
    n_learners: int = 400,
    n_skills: int = 8,
    items_per_skill: int = 12,
    sessions_per_learner: tuple[int, int] = (6, 14),
    forgetting_days: float = 10.0,
    retained: float = 0.4,
    guess: float = 0.08,
) -> tuple[list[dict[str, object]], KTWorld]:
    """Rows in the ASSISTments skill-builder layout, plus the world that produced them.

    Each session picks a skill and follows the skill-builder rule (practise until three right
    in a row, at most 10 problems); sessions are days apart, problems a minute apart.
    """
    rng = random.Random(seed)
    skills = [f"s{k}" for k in range(n_skills)]
    # a shallow hierarchy: every odd skill is the child of the even skill before it
    parent = {skills[k]: skills[k - 1] for k in range(1, n_skills, 2)}
    item_skill: dict[str, str] = {}
    item_diff: dict[str, float] = {}
    skill_base = {s: rng.gauss(0.0, 0.6) for s in skills}
    for s in skills:
        for j in range(items_per_skill):
            item = f"{s}_p{j}"
            item_skill[item] = s
            item_diff[item] = skill_base[s] + rng.gauss(0.0, 0.8)
    by_skill: dict[str, list[str]] = {
        s: [i for i in item_skill if item_skill[i] == s] for s in skills
    }

    rows: list[dict[str, object]] = []
    order_id = 0
    t0 = 1_600_000_000.0
    for u in range(n_learners):
        g = rng.gauss(0.0, 1.0)
        rate = rng.uniform(0.08, 0.35)
        ability: dict[str, float] = {}
        for s in skills:  # parents come first in this order
            own = 0.6 * g + rng.gauss(0.0, 0.7)
            ability[s] = own + (0.5 * ability[parent[s]] if s in parent else 0.0)
        learned = dict.fromkeys(skills, 0.0)
        last_seen: dict[str, float] = {}
        t = t0 + rng.uniform(0, 30) * 86_400
        n_sessions = rng.randint(*sessions_per_learner)
        for _ in range(n_sessions):
            t += rng.expovariate(1 / 3.0) * 86_400 + 3_600
            skill = rng.choice(skills)
            if skill in last_seen:
                gap_days = (t - last_seen[skill]) / 86_400
                keep = retained + (1 - retained) * math.exp(-gap_days / forgetting_days)
                learned[skill] *= keep
            streak = 0
            for _ in range(10):
                item = rng.choice(by_skill[skill])
                logit = ability[skill] + learned[skill] - item_diff[item]
                p = guess + (1 - guess) * _sigmoid(logit)
                correct = rng.random() < p
                order_id += 1
                rows.append(
                    {
                        "user_id": f"u{u}",
                        "skill_id": skill,
                        "problem_id": item,
                        "correct": int(correct),
                        "order_id": order_id,
                        "timestamp": round(t),
                        "true_p": round(p, 4),
                    }
                )
                learned[skill] += rate * (1.0 if correct else 0.6)
                t += 60
                streak = streak + 1 if correct else 0
                if streak >= 3:
                    break
            last_seen[skill] = t
    return rows, KTWorld(parent, item_skill, item_diff)


def write_csv(rows: list[dict[str, object]], path: Path, columns: tuple[str, ...]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns))
        w.writeheader()
        w.writerows(rows)
    return path


# ------------------------------------------------------------------------------------------
# Modality preferences


def simulate_modality_learners(
    *, seed: int = 11, n_learners: int = 200, modalities: tuple[str, ...]
) -> list[dict[str, float]]:
    """Hidden per-learner success probabilities per modality (one clear favourite each)."""
    rng = random.Random(seed)
    out: list[dict[str, float]] = []
    for _ in range(n_learners):
        probs = {m: rng.uniform(0.25, 0.6) for m in modalities}
        fav = rng.choice(modalities)
        probs[fav] = min(0.95, probs[fav] + rng.uniform(0.15, 0.35))
        out.append(probs)
    return out


# ------------------------------------------------------------------------------------------
# Flashcard reviews


@dataclass(frozen=True)
class SimReview:
    card_id: int
    learner: int
    day: float
    recalled: bool
    rating: int  # 1 again, 2 hard, 3 good, 4 easy


def true_recall(stability: float, elapsed_days: float) -> float:
    """The ground-truth memory: a power-law forgetting curve (not FSRS's own curve)."""
    return (1.0 + elapsed_days / (9.0 * stability)) ** -1.0
