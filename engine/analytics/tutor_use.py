"""AI tutor use: the questions Byte could not answer from the course, grouped.

A "not covered" answer means the course's material did not hold the answer: those questions
are the topics a course is missing. The same question asked by ten learners in slightly
different words ("What is GDPR?", "what is gdpr") is one topic with ten askers, so questions
are grouped by a normalised key (case, spacing and end punctuation folded).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")


def question_key(text: str) -> str:
    return _SPACE.sub(" ", text.casefold()).strip().rstrip("?!.。 ").strip()


@dataclass(frozen=True, slots=True)
class Asked:
    course_id: str
    user_id: str
    question: str


@dataclass(frozen=True, slots=True)
class Topic:
    course_id: str
    question: str
    """The first wording seen, as the learner typed it."""
    times: int
    learners: int


def missing_topics(asked: Iterable[Asked], limit: int = 50) -> list[Topic]:
    """Grouped "not covered" questions, most asked first (ties: by wording)."""
    groups: dict[tuple[str, str], tuple[str, int, set[str]]] = {}
    for a in asked:
        key = question_key(a.question)
        if not key:
            continue
        first, n, who = groups.get((a.course_id, key), (a.question.strip(), 0, set()))
        who.add(a.user_id)
        groups[(a.course_id, key)] = (first, n + 1, who)
    topics = [Topic(c, q, n, len(who)) for (c, _), (q, n, who) in groups.items()]
    topics.sort(key=lambda t: (-t.learners, -t.times, t.question.casefold()))
    return topics[:limit]
