"""The compliance dashboard's buckets: compliant, exempt, overdue, due soon, pending.

The statuses are the records' effective ones (``engine.org.compliance``: overdue follows from
time on every device); *due soon* is a pending record whose due date falls within
``DUE_SOON_DAYS`` of now: the ones a manager can still save. Counted per course and per
person from the same rows, so the two tables always add up to the same total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, get_args

from engine.org.vocabulary import COMPLIANCE_STATUSES

Bucket = Literal["overdue", "due_soon", "pending", "compliant", "exempt"]
BUCKETS: tuple[Bucket, ...] = get_args(Bucket)
DUE_SOON_DAYS = 14


def bucket_of(
    status: str, required_by: datetime | None, now: datetime, days: int = DUE_SOON_DAYS
) -> Bucket:
    if status not in COMPLIANCE_STATUSES:
        raise ValueError(f"unknown compliance status {status!r}")
    if days < 0:
        raise ValueError("the due-soon window cannot be negative")
    if (
        status == "pending"
        and required_by is not None
        and required_by <= now + timedelta(days=days)
    ):
        return "overdue" if required_by < now else "due_soon"
    return status


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """The parts of one compliance record the dashboard counts."""

    record_id: str
    user_id: str
    course_id: str
    status: str
    required_by: datetime | None


@dataclass
class Tally:
    key: str
    counts: Counter[str] = field(default_factory=Counter)
    record_ids: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, bucket: Bucket) -> int:
        return self.counts.get(bucket, 0)


def tally(
    records: Iterable[RecordFacts], now: datetime, days: int = DUE_SOON_DAYS
) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """``(per course, per person)`` tallies of the records' buckets."""
    per_course: dict[str, Tally] = {}
    per_person: dict[str, Tally] = {}
    for r in records:
        b = bucket_of(r.status, r.required_by, now, days)
        for table, key in ((per_course, r.course_id), (per_person, r.user_id)):
            t = table.setdefault(key, Tally(key))
            t.counts[b] += 1
            t.record_ids.setdefault(b, []).append(r.record_id)
    return per_course, per_person
