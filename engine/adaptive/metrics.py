"""Scoring rules for probabilistic predictions of right/wrong outcomes.

They live in the engine (not only in ``bench/``) because tests assert model quality with the
same definitions the benchmarks report, and both must agree to the last digit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

_EPS = 1e-9


def auc(probs: Sequence[float], labels: Sequence[bool]) -> float:
    """Area under the ROC curve by the rank-sum (Mann–Whitney) formula, ties sharing ranks.

    Returns 0.5 when only one class is present, which is what an uninformative model scores.
    """
    if len(probs) != len(labels):
        raise ValueError("probs and labels differ in length")
    n_pos = sum(1 for y in labels if y)
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return 0.5
    order = sorted(range(len(probs)), key=lambda i: probs[i])
    rank_sum = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and probs[order[j + 1]] == probs[order[i]]:
            j += 1
        mid_rank = (i + j) / 2.0 + 1.0
        rank_sum += mid_rank * sum(1 for k in range(i, j + 1) if labels[order[k]])
        i = j + 1
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def rmse(probs: Sequence[float], labels: Sequence[bool]) -> float:
    """Root mean squared error (the Brier score's square root)."""
    if not probs:
        return 0.0
    return math.sqrt(
        sum((p - float(y)) ** 2 for p, y in zip(probs, labels, strict=True)) / len(probs)
    )


def log_loss(probs: Sequence[float], labels: Sequence[bool]) -> float:
    """Mean negative log-likelihood, with probabilities clipped away from 0 and 1."""
    if not probs:
        return 0.0
    total = 0.0
    for p, y in zip(probs, labels, strict=True):
        q = min(max(p, _EPS), 1.0 - _EPS)
        total -= math.log(q if y else 1.0 - q)
    return total / len(probs)


def accuracy(probs: Sequence[float], labels: Sequence[bool]) -> float:
    """Share of outcomes on the side of 0.5 the prediction chose."""
    if not probs:
        return 0.0
    return sum(1 for p, y in zip(probs, labels, strict=True) if (p >= 0.5) == y) / len(probs)
