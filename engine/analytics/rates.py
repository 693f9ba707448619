"""Rates and their uncertainty, defined once for every analytics view.

A rate over a handful of learners says little: a 2-of-2 "100 %" next to a 90-of-100 "90 %"
misleads a manager. Every rate therefore comes with its Wilson score interval (95 %), which
stays inside [0, 1] and is honest for small counts; views show it in the table and tooltips.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Rate:
    """``hits`` out of ``total``; ``value`` is None when nothing was counted."""

    hits: int
    total: int

    def __post_init__(self) -> None:
        if self.total < 0 or self.hits < 0 or self.hits > self.total:
            raise ValueError(f"a rate needs 0 <= hits <= total (got {self.hits}/{self.total})")

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """The 95 % Wilson score interval, or None when nothing was counted."""
        if not self.total:
            return None
        n, p = self.total, self.hits / self.total
        denom = 1 + Z95**2 / n
        centre = (p + Z95**2 / (2 * n)) / denom
        half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
        return max(0.0, centre - half), min(1.0, centre + half)

    def percent(self) -> str:
        """``"75 % (3 of 4)"``, or ``"—"`` when nothing was counted."""
        v = self.value
        return "—" if v is None else f"{round(100 * v)} % ({self.hits} of {self.total})"
