"""The compact ``cmi.suspend_data`` encoding, shared with ``runtime/scorm12.js``.

SCORM 1.2 gives a SCO 4096 characters to resume from, and LMSs truncate or reject more, so
the state is a short string rather than JSON::

    1|<done>|<attempt>|<q1>,<q2>,...

``done`` has one ``0``/``1`` per module of the SCO, ``attempt`` is the quiz attempt in
base 36 (at most ``zz``), and each question is empty (not answered yet) or the learner's
*first* selection as a base-36 bit mask of option indexes followed by a flag: ``c`` right
first time, ``w`` wrong and still trying, ``r`` wrong first and right later, ``g`` gave up
(answer shown). The score counts first answers, so the mask is the one that matters.

:func:`worst_case_length` is the longest string a SCO can produce (every question answered
with every option selected); the export refuses a SCO whose worst case exceeds the limit, so
the runtime never has to truncate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.scorm.model import SUSPEND_DATA_LIMIT, ScormExportError

FORMAT_VERSION = "1"
FLAGS = ("c", "w", "r", "g")
MAX_ATTEMPT = 36 * 36 - 1  # "zz"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(n: int) -> str:
    if n < 0:
        raise ValueError("base36 takes a non-negative number")
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
        if n == 0:
            return out


@dataclass(frozen=True)
class QuestionState:
    mask: int  # the first answer: bit i set = option i selected
    flag: str

    def token(self) -> str:
        if self.flag not in FLAGS:
            raise ValueError(f"unknown question flag {self.flag!r}")
        return base36(self.mask) + self.flag


def encode(done: Sequence[bool], attempt: int, questions: Sequence[QuestionState | None]) -> str:
    """The suspend_data string the runtime writes for this state."""
    tokens = ",".join("" if q is None else q.token() for q in questions)
    flags = "".join("1" if d else "0" for d in done)
    return f"{FORMAT_VERSION}|{flags}|{base36(min(attempt, MAX_ATTEMPT))}|{tokens}"


def decode(text: str) -> tuple[list[bool], int, list[QuestionState | None]]:
    """Inverse of :func:`encode`; raises ``ValueError`` on anything else."""
    parts = text.split("|")
    if len(parts) != 4 or parts[0] != FORMAT_VERSION:
        raise ValueError("not a ByteOS suspend_data string")
    done = [c == "1" for c in parts[1]]
    attempt = int(parts[2], 36)
    questions: list[QuestionState | None] = []
    for tok in parts[3].split(",") if parts[3] else []:
        if not tok:
            questions.append(None)
        elif tok[-1] in FLAGS:
            questions.append(QuestionState(int(tok[:-1], 36), tok[-1]))
        else:
            raise ValueError(f"bad question token {tok!r}")
    return done, attempt, questions


def worst_case_length(module_count: int, choice_counts: Sequence[int]) -> int:
    """Longest suspend_data of a SCO with ``module_count`` modules whose questions have
    ``choice_counts`` options each."""
    worst = [QuestionState((1 << n) - 1, "c") for n in choice_counts]
    return len(encode([True] * module_count, MAX_ATTEMPT, worst))


def check_fits(sco_title: str, module_count: int, choice_counts: Sequence[int]) -> int:
    """The SCO's worst case; raises :class:`ScormExportError` when it exceeds 4096."""
    size = worst_case_length(module_count, choice_counts)
    if size > SUSPEND_DATA_LIMIT:
        raise ScormExportError(
            f"“{sco_title}” cannot be resumed in an LMS: its progress needs up to {size} "
            f"characters of suspend_data and SCORM 1.2 allows {SUSPEND_DATA_LIMIT}. Split its "
            f"{len(choice_counts)} questions over more modules (or export one SCO per module)."
        )
    return size
