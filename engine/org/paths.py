"""Learning paths: the spec's JSON documents checked and read, ordering, locking, completion.

The ``learning_paths`` row holds three documents (ECOSYSTEM.md section 5):

* ``courses``: ``[{course_id, order_index, is_required}]``, the path's courses in order;
* ``target_skills``: ``[{skill_id, target_proficiency}]``;
* ``certification_config``: ``{issue_cert, cert_template, validity_days}``.

:func:`parse_path` reads them into plain values and reports *every* problem at once in words
a path builder can show (a path with no courses, a course listed twice, a validity that is
not a positive number of days, ...). The local database also checks each document's shape on
write (``sync.store.json_shapes``); this adds the rules that span a whole path.

Locking: a course whose own ``settings.require_completion_order`` is set may only be started
once every *required* course before it in the path is completed; :func:`course_locks` says
which course unlocks it ("Locked: complete “Safety basics” first").
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SPEC_CONFIG_KEYS = ("issue_cert", "cert_template", "validity_days")


class PathError(ValueError):
    """A path that cannot be saved or published as it is; ``problems`` lists each reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class PathCourse:
    course_id: str
    order_index: int
    is_required: bool = True


@dataclass(frozen=True)
class TargetSkill:
    skill_id: str
    target_proficiency: float


@dataclass(frozen=True)
class CertificationConfig:
    issue_cert: bool = False
    cert_template: str | None = None
    validity_days: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Keys a newer client added: kept through a round trip."""


@dataclass(frozen=True)
class PathSpec:
    courses: tuple[PathCourse, ...]
    """In path order (by ``order_index``)."""
    target_skills: tuple[TargetSkill, ...] = ()
    certification: CertificationConfig = field(default_factory=CertificationConfig)

    @property
    def course_ids(self) -> tuple[str, ...]:
        return tuple(c.course_id for c in self.courses)

    @property
    def required(self) -> tuple[str, ...]:
        """The courses that must be completed; a path of only optional courses needs all."""
        req = tuple(c.course_id for c in self.courses if c.is_required)
        return req or self.course_ids


def _label(titles: Mapping[str, str], course_id: str) -> str:
    return f"“{titles[course_id]}”" if course_id in titles else f"course {course_id}"


def _courses(doc: Any, problems: list[str], titles: Mapping[str, str]) -> list[PathCourse]:
    if doc is None or doc == []:
        problems.append("A learning path needs at least one course: add a course to the path.")
        return []
    if not isinstance(doc, list):
        problems.append("courses must be a list of {course_id, order_index, is_required}.")
        return []
    out: list[PathCourse] = []
    seen: dict[str, int] = {}
    orders: dict[int, int] = {}
    for i, item in enumerate(doc):
        where = f"course {i + 1}"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected {{course_id, order_index, is_required}}.")
            continue
        unknown = sorted(set(item) - {"course_id", "order_index", "is_required"})
        if unknown:
            problems.append(f"{where}: unknown field(s) {', '.join(unknown)}.")
        cid, order, req = item.get("course_id"), item.get("order_index", i), item.get("is_required")
        if not isinstance(cid, str) or not cid.strip():
            problems.append(f"{where}: course_id is missing.")
            continue
        if isinstance(order, bool) or not isinstance(order, int) or order < 0:
            problems.append(f"{where} ({_label(titles, cid)}): order_index must be 0 or more.")
            continue
        if req is None:
            req = True
        if not isinstance(req, bool):
            problems.append(f"{where} ({_label(titles, cid)}): is_required must be true or false.")
            continue
        if titles and cid not in titles:
            problems.append(f"{where}: course {cid} is not a course of this organisation.")
        if cid in seen:
            problems.append(f"{_label(titles, cid)} is in the path twice.")
            continue
        if order in orders:
            problems.append(f"{where} ({_label(titles, cid)}): two courses share position {order}.")
            continue
        seen[cid] = i
        orders[order] = i
        out.append(PathCourse(cid, order, req))
    return sorted(out, key=lambda c: c.order_index)


def _skills(doc: Any, problems: list[str]) -> list[TargetSkill]:
    if doc is None:
        return []
    if not isinstance(doc, list):
        problems.append("target_skills must be a list of {skill_id, target_proficiency}.")
        return []
    out: list[TargetSkill] = []
    seen: set[str] = set()
    for i, item in enumerate(doc):
        where = f"target skill {i + 1}"
        sid = item.get("skill_id") if isinstance(item, dict) else None
        level = item.get("target_proficiency") if isinstance(item, dict) else None
        if not isinstance(sid, str) or not sid.strip():
            problems.append(f"{where}: skill_id is missing.")
            continue
        if isinstance(level, bool) or not isinstance(level, int | float) or not 0 <= level <= 1:
            problems.append(f"{where}: target_proficiency must be between 0 and 1.")
            continue
        if sid in seen:
            problems.append(f"{where}: skill {sid} is listed twice.")
            continue
        seen.add(sid)
        out.append(TargetSkill(sid, float(level)))
    return out


def _config(doc: Any, problems: list[str]) -> CertificationConfig:
    if doc is None:
        return CertificationConfig()
    if not isinstance(doc, dict):
        problems.append("certification_config must be {issue_cert, cert_template, validity_days}.")
        return CertificationConfig()
    if "template" in doc:
        problems.append("certification_config: the template key is cert_template (as the spec).")
    issue = doc.get("issue_cert", False)
    template = doc.get("cert_template")
    days = doc.get("validity_days")
    if not isinstance(issue, bool):
        problems.append("certification_config: issue_cert must be true or false.")
        issue = False
    if template is not None and (not isinstance(template, str) or not template.strip()):
        problems.append("certification_config: cert_template must be a template name.")
        template = None
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        problems.append(
            "certification_config: validity_days must be a whole number of days, 1 or more"
            " (or empty: no expiry)."
        )
        days = None
    extra = {k: v for k, v in doc.items() if k not in SPEC_CONFIG_KEYS and k != "template"}
    return CertificationConfig(issue, template, days, extra)


def parse_path(
    courses: Any,
    target_skills: Any = None,
    certification_config: Any = None,
    titles: Mapping[str, str] | None = None,
) -> PathSpec:
    """The three documents as a :class:`PathSpec`, or :class:`PathError` with every problem.

    ``titles`` (course id -> title, the organisation's courses) names courses in messages
    and, when given, refuses ids that are not among them.
    """
    problems: list[str] = []
    known = titles or {}
    spec = PathSpec(
        tuple(_courses(courses, problems, known)),
        tuple(_skills(target_skills, problems)),
        _config(certification_config, problems),
    )
    if problems:
        raise PathError(problems)
    return spec


def documents(spec: PathSpec) -> dict[str, Any]:
    """The row's JSON documents for ``spec`` (order_index renumbered 0..n-1 in path order)."""
    cfg = spec.certification
    return {
        "courses": [
            {"course_id": c.course_id, "order_index": i, "is_required": c.is_required}
            for i, c in enumerate(spec.courses)
        ],
        "target_skills": [
            {"skill_id": s.skill_id, "target_proficiency": s.target_proficiency}
            for s in spec.target_skills
        ],
        "certification_config": {
            **cfg.extra,
            "issue_cert": cfg.issue_cert,
            "cert_template": cfg.cert_template,
            "validity_days": cfg.validity_days,
        },
    }


def reorder(spec: PathSpec, course_ids: Sequence[str]) -> PathSpec:
    """The path with its courses in the order given (a drag in the builder)."""
    by_id = {c.course_id: c for c in spec.courses}
    if sorted(course_ids) != sorted(by_id) or len(set(course_ids)) != len(course_ids):
        raise PathError(["the new order must list each of the path's courses once"])
    moved = tuple(PathCourse(cid, i, by_id[cid].is_required) for i, cid in enumerate(course_ids))
    return PathSpec(moved, spec.target_skills, spec.certification)


@dataclass(frozen=True)
class CourseLock:
    course_id: str
    blocked_by: tuple[str, ...] = ()
    """Required earlier courses not completed yet, in path order."""
    message: str | None = None

    @property
    def locked(self) -> bool:
        return bool(self.blocked_by)


def course_locks(
    spec: PathSpec,
    completed: Collection[str],
    require_order: Mapping[str, bool],
    titles: Mapping[str, str] | None = None,
) -> dict[str, CourseLock]:
    """For each course of the path, whether it is locked and what unlocks it.

    ``require_order`` is each course's ``settings.require_completion_order`` (missing: False).
    """
    names = titles or {}
    out: dict[str, CourseLock] = {}
    earlier_required: list[str] = []
    for c in spec.courses:
        missing = tuple(cid for cid in earlier_required if cid not in completed)
        if require_order.get(c.course_id, False) and missing and c.course_id not in completed:
            listed = [_label(names, cid) for cid in missing]
            which = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
            out[c.course_id] = CourseLock(c.course_id, missing, f"Locked: complete {which} first")
        else:
            out[c.course_id] = CourseLock(c.course_id)
        if c.is_required:
            earlier_required.append(c.course_id)
    return out


def is_complete(spec: PathSpec, completed: Collection[str]) -> bool:
    """Every required course of the path is completed."""
    return all(cid in completed for cid in spec.required)


def progress_pct(spec: PathSpec, completed: Collection[str]) -> float:
    need = spec.required
    return 100.0 * sum(cid in completed for cid in need) / len(need) if need else 0.0
