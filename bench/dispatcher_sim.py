"""Modality dispatcher regret: Thompson sampling vs uniform random on simulated learners.

Each simulated learner has hidden per-modality success probabilities (one favourite). Every
round the policy picks a modality, the learner succeeds or not, and the posterior is
updated. Regret is measured against the best *fixed* modality for that learner, in
expectation: Σ (p_best − p_chosen). The last stdout line is one JSON object.

    .venv/bin/python -m bench.dispatcher_sim [--learners N] [--rounds T]
"""

from __future__ import annotations

import argparse
import json
import random
import time

from bench._sim_population import simulate_modality_learners
from engine.adaptive.dispatcher import ModalityBelief, recommend
from engine.adaptive.events import MODALITIES, Modality

CHECKPOINTS = (50, 200, 1000)


def run(policy: str, learners: list[dict[str, float]], rounds: int, seed: int) -> list[float]:
    """Mean cumulative regret after each round, averaged over learners."""
    cum = [0.0] * rounds
    for n, probs in enumerate(learners):
        rng = random.Random(seed * 100_003 + n)
        best = max(probs.values())
        belief = ModalityBelief()
        regret = 0.0
        for t in range(rounds):
            m: Modality
            if policy == "uniform":
                m = MODALITIES[rng.randrange(len(MODALITIES))]
            else:
                explore = 0.05 if policy == "thompson" else 0.0
                m = recommend(belief, rng=rng, exploration=explore).modality
            ok = rng.random() < probs[m]
            belief = belief.observe(m, 1.0 if ok else 0.0, 0.0 if ok else 1.0)
            regret += best - probs[m]
            cum[t] += regret
    return [c / len(learners) for c in cum]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--learners", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=max(CHECKPOINTS))
    args = ap.parse_args(argv)
    started = time.perf_counter()
    learners = simulate_modality_learners(n_learners=args.learners, modalities=MODALITIES)
    checkpoints = [c for c in CHECKPOINTS if c <= args.rounds]
    report: dict[str, object] = {
        "bench": "dispatcher_sim",
        "learners": args.learners,
        "rounds": args.rounds,
        "regret_metric": "mean expected cumulative regret vs best fixed modality per learner",
    }
    regret: dict[str, dict[str, float]] = {}
    for policy in ("thompson", "thompson_no_epsilon", "uniform"):
        curve = run(policy, learners, args.rounds, seed=1)
        regret[policy] = {str(c): round(curve[c - 1], 2) for c in checkpoints}
    report["cumulative_regret"] = regret
    last = str(checkpoints[-1])
    report["thompson_vs_uniform_regret_ratio"] = round(
        regret["thompson"][last] / regret["uniform"][last], 3
    )
    report["secs"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
