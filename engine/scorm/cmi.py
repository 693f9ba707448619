"""The SCORM 1.2 run-time data model, on the LMS's side: what a SCO may read and write.

One table (:data:`ELEMENTS`) says, for every element of SCORM 1.2 RTE §3.4, whether it is
read-only, write-only or read-write and which values it takes (a format of :data:`FORMATS`
or a vocabulary); the array elements (``cmi.objectives.n.…``, ``cmi.interactions.n.…``) are
written with ``n`` in place of the index. :class:`CmiModel` applies the table with the
error codes of :data:`ERRORS` (0, 101, 201, 202, 203, 301, 401, 402, 403, 404, 405).

The same table drives both sides of the player's API: :func:`rules_json` hands it to the
JavaScript ``window.API`` (``runtime/lms_api12.js``), which must answer ``LMSGetValue`` and
``LMSSetValue`` synchronously, and this module checks every value again when it reaches
Python, so a value only counts once the rules here accepted it. The formats are regular
expressions written in the syntax JavaScript and Python share (``^…$`` matched whole).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Literal

Access = Literal["ro", "wo", "rw"]

ERRORS: dict[int, str] = {
    0: "No error",
    101: "General exception",
    201: "Invalid argument error",
    202: "Element cannot have children",
    203: "Element not an array - cannot have count",
    301: "Not initialized",
    401: "Not implemented error",
    402: "Invalid set value, element is a keyword",
    403: "Element is read only",
    404: "Element is write only",
    405: "Incorrect data type",
}

FORMATS: dict[str, str] = {
    "CMIString255": r"^[\s\S]{0,255}$",
    "CMIString4096": r"^[\s\S]{0,4096}$",
    "CMIIdentifier": r"^[\u0021-\u007E]{1,255}$",
    "CMIDecimal": r"^-?(\d+(\.\d*)?|\.\d+)$",
    "CMIScore": r"^(-?(\d+(\.\d*)?|\.\d+))?$",  # CMIDecimal or CMIBlank
    "CMITimespan": r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$",
    "CMITime": r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$",
    "CMISInteger": r"^-?\d{1,5}$",
    "CMIFeedback": r"^[\s\S]{0,255}$",
}
# ranges (inclusive) checked after the format, as CMIDecimal/CMISInteger ranges
RANGES: dict[str, tuple[float, float]] = {
    "score": (0, 100),
    "audio": (-1, 100),
    "speed": (-100, 100),
    "text": (-1, 1),
}
STATUS_SET = ("passed", "completed", "failed", "incomplete", "browsed")
STATUS_ALL = (*STATUS_SET, "not attempted")
COMPLETE_STATUSES = ("passed", "completed")  # the module is done (failed: take it again)
EXIT_VALUES = ("time-out", "suspend", "logout", "")
INTERACTION_TYPES = (
    "true-false",
    "choice",
    "fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
)
RESULTS = ("correct", "wrong", "unanticipated", "neutral")


@dataclass(frozen=True)
class Element:
    access: Access
    kind: str  # a key of FORMATS, "vocab", or "keyword" (_children, _count)
    vocab: tuple[str, ...] = ()
    range: str | None = None  # a key of RANGES
    decimal_too: bool = False  # a vocabulary that also takes a CMIDecimal (result)


def _ro(kind: str = "CMIString255") -> Element:
    return Element("ro", kind)


def _vocab(access: Access, values: tuple[str, ...], decimal: bool = False) -> Element:
    return Element(access, "vocab", values, decimal_too=decimal)


_KEY = Element("ro", "keyword")
_SCORE = Element("rw", "CMIScore", range="score")

ELEMENTS: dict[str, Element] = {
    "cmi._children": _KEY,
    "cmi._version": _KEY,
    "cmi.core._children": _KEY,
    "cmi.core.student_id": _ro("CMIIdentifier"),
    "cmi.core.student_name": _ro(),
    "cmi.core.lesson_location": Element("rw", "CMIString255"),
    "cmi.core.credit": _vocab("ro", ("credit", "no-credit")),
    "cmi.core.lesson_status": _vocab("rw", STATUS_SET),
    "cmi.core.entry": _vocab("ro", ("ab-initio", "resume", "")),
    "cmi.core.score._children": _KEY,
    "cmi.core.score.raw": _SCORE,
    "cmi.core.score.min": _SCORE,
    "cmi.core.score.max": _SCORE,
    "cmi.core.total_time": _ro("CMITimespan"),
    "cmi.core.lesson_mode": _vocab("ro", ("browse", "normal", "review")),
    "cmi.core.exit": _vocab("wo", EXIT_VALUES),
    "cmi.core.session_time": Element("wo", "CMITimespan"),
    "cmi.suspend_data": Element("rw", "CMIString4096"),
    "cmi.launch_data": _ro("CMIString4096"),
    "cmi.comments": Element("rw", "CMIString4096"),
    "cmi.comments_from_lms": _ro("CMIString4096"),
    "cmi.objectives._children": _KEY,
    "cmi.objectives._count": _KEY,
    "cmi.objectives.n.id": Element("rw", "CMIIdentifier"),
    "cmi.objectives.n.score._children": _KEY,
    "cmi.objectives.n.score.raw": _SCORE,
    "cmi.objectives.n.score.min": _SCORE,
    "cmi.objectives.n.score.max": _SCORE,
    "cmi.objectives.n.status": _vocab("rw", STATUS_ALL),
    "cmi.student_data._children": _KEY,
    "cmi.student_data.mastery_score": _ro("CMIScore"),
    "cmi.student_data.max_time_allowed": _ro("CMIString255"),
    "cmi.student_data.time_limit_action": _ro("CMIString255"),
    "cmi.student_preference._children": _KEY,
    "cmi.student_preference.audio": Element("rw", "CMISInteger", range="audio"),
    "cmi.student_preference.language": Element("rw", "CMIString255"),
    "cmi.student_preference.speed": Element("rw", "CMISInteger", range="speed"),
    "cmi.student_preference.text": Element("rw", "CMISInteger", range="text"),
    "cmi.interactions._children": _KEY,
    "cmi.interactions._count": _KEY,
    "cmi.interactions.n.id": Element("wo", "CMIIdentifier"),
    "cmi.interactions.n.objectives._count": _KEY,
    "cmi.interactions.n.objectives.n.id": Element("wo", "CMIIdentifier"),
    "cmi.interactions.n.time": Element("wo", "CMITime"),
    "cmi.interactions.n.type": _vocab("wo", INTERACTION_TYPES),
    "cmi.interactions.n.correct_responses._count": _KEY,
    "cmi.interactions.n.correct_responses.n.pattern": Element("wo", "CMIFeedback"),
    "cmi.interactions.n.weighting": Element("wo", "CMIDecimal"),
    "cmi.interactions.n.student_response": Element("wo", "CMIFeedback"),
    "cmi.interactions.n.result": _vocab("wo", RESULTS, decimal=True),
    "cmi.interactions.n.latency": Element("wo", "CMITimespan"),
}

CHILDREN: dict[str, str] = {
    "cmi": "core,suspend_data,launch_data,comments,objectives,student_data,"
    "student_preference,interactions",
    "cmi.core": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,"
    "total_time,lesson_mode,exit,session_time",
    "cmi.core.score": "raw,min,max",
    "cmi.objectives": "id,score,status",
    "cmi.objectives.n.score": "raw,min,max",
    "cmi.student_data": "mastery_score,max_time_allowed,time_limit_action",
    "cmi.student_preference": "audio,language,speed,text",
    "cmi.interactions": "id,objectives,time,type,correct_responses,weighting,"
    "student_response,result,latency",
}
ARRAYS = (
    "cmi.objectives",
    "cmi.interactions",
    "cmi.interactions.n.objectives",
    "cmi.interactions.n.correct_responses",
)
_INDEX = re.compile(r"\.(\d+)(?=\.|$)")


def pattern_of(element: str) -> tuple[str, list[int]]:
    """``cmi.interactions.3.objectives.0.id`` → (``cmi.interactions.n.objectives.n.id``,
    [3, 0])."""
    indexes = [int(i) for i in _INDEX.findall(element)]
    return _INDEX.sub(".n", element), indexes


def value_ok(rule: Element, value: str) -> bool:
    """Whether ``value`` is of the element's type (the 405 check)."""
    if rule.kind == "vocab":
        if value in rule.vocab:
            return True
        return rule.decimal_too and re.fullmatch(FORMATS["CMIDecimal"], value) is not None
    if re.fullmatch(FORMATS[rule.kind], value) is None:
        return False
    if rule.range is not None and value != "":
        low, high = RANGES[rule.range]
        return low <= float(value) <= high
    return True


def timespan_secs(value: str) -> float:
    """Seconds in a CMITimespan (``HHHH:MM:SS.SS``); 0 for anything else."""
    if re.fullmatch(FORMATS["CMITimespan"], value or "") is None:
        return 0.0
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def timespan(secs: float) -> str:
    """Seconds as a CMITimespan, at most 9999 hours."""
    secs = max(0.0, min(secs, 9999 * 3600 + 3599.99))
    hours, rest = divmod(round(secs * 100), 360000)
    minutes, rest = divmod(rest, 6000)
    return f"{hours:04d}:{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


def _array_count(values: dict[str, str], prefix: str) -> int:
    """How many entries ``prefix`` (e.g. ``cmi.interactions``) holds: one past the highest
    index written."""
    head = prefix + "."
    found = -1
    for key in values:
        if key.startswith(head):
            index = key[len(head) :].split(".", 1)[0]
            if index.isdigit():
                found = max(found, int(index))
    return found + 1


@dataclass
class CmiModel:
    """One SCO attempt's data model; ``values`` holds every element set so far (the state
    that is stored), keyed by the element's full name."""

    values: dict[str, str] = field(default_factory=dict)

    def get(self, element: str) -> tuple[str, int]:
        """``LMSGetValue``: (value, error code)."""
        element = element.strip() if isinstance(element, str) else ""
        if not element:
            return "", 201
        if element.endswith("._children"):
            base = pattern_of(element.removesuffix("._children"))[0]
            if base in CHILDREN:
                return CHILDREN[base], 0
            known = base in ELEMENTS or any(k.startswith(base + ".") for k in ELEMENTS)
            return "", 202 if known else 401
        if element.endswith("._count"):
            base = element.removesuffix("._count")
            if pattern_of(base)[0] in ARRAYS:
                return str(_array_count(self.values, base)), 0
            known = pattern_of(base)[0] in ELEMENTS or base in CHILDREN
            return "", 203 if known else 401
        if element == "cmi._version":
            return "3.4", 0
        rule = ELEMENTS.get(pattern_of(element)[0])
        if rule is None:
            return "", 401
        if rule.access == "wo":
            return "", 404
        return self.values.get(element, ""), 0

    def set(self, element: str, value: object) -> int:
        """``LMSSetValue``: the error code (0 when the value was stored)."""
        element = element.strip() if isinstance(element, str) else ""
        if not element:
            return 201
        if element.endswith(("._children", "._count", "._version")):
            known = pattern_of(element.rsplit(".", 1)[0])[0]
            return 402 if known in ELEMENTS or known in CHILDREN or known in ARRAYS else 401
        pattern, indexes = pattern_of(element)
        rule = ELEMENTS.get(pattern)
        if rule is None:
            return 401
        if rule.access == "ro":
            return 403
        text = value if isinstance(value, str) else str(value)
        if not value_ok(rule, text):
            return 405
        if indexes and not self._index_ok(element):
            return 201
        self.values[element] = text
        return 0

    def _index_ok(self, element: str) -> bool:
        """An array entry is set at an index that exists or at the next one (``_count``)."""
        parts = element.split(".")
        for at, part in enumerate(parts):
            if part.isdigit():
                prefix = ".".join(parts[:at])
                if int(part) > _array_count(self.values, prefix):
                    return False
        return True


def rules_json() -> str:
    """The table for the JavaScript side (``runtime/lms_api12.js``)."""
    return json.dumps(
        {
            "elements": {
                k: {
                    "access": e.access,
                    "kind": e.kind,
                    "vocab": list(e.vocab),
                    "range": e.range,
                    "decimal": e.decimal_too,
                }
                for k, e in ELEMENTS.items()
            },
            "formats": FORMATS,
            "ranges": RANGES,
            "children": CHILDREN,
            "arrays": list(ARRAYS),
            "errors": {str(k): v for k, v in ERRORS.items()},
        },
        ensure_ascii=False,
    )
