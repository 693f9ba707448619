"""Learning paths: validation of the spec's documents, order, locking, completion."""

from __future__ import annotations

import pytest

from engine.org.paths import (
    PathError,
    course_locks,
    documents,
    is_complete,
    parse_path,
    progress_pct,
    reorder,
)

TITLES = {"a": "Safety basics", "b": "Ladders", "c": "First aid", "d": "Extra reading"}
COURSES = [
    {"course_id": "b", "order_index": 1, "is_required": True},
    {"course_id": "a", "order_index": 0, "is_required": True},
    {"course_id": "d", "order_index": 2, "is_required": False},
    {"course_id": "c", "order_index": 3, "is_required": True},
]


def test_a_path_with_no_courses_is_an_error_with_a_clear_message() -> None:
    for empty in (None, []):
        with pytest.raises(PathError, match="needs at least one course"):
            parse_path(empty)


def test_courses_come_in_order_and_round_trip_to_the_spec_shapes() -> None:
    spec = parse_path(
        COURSES,
        [{"skill_id": "s1", "target_proficiency": 0.8}],
        {"issue_cert": True, "cert_template": "classic", "validity_days": 365, "seal": "gold"},
        TITLES,
    )
    assert spec.course_ids == ("a", "b", "d", "c")
    assert spec.required == ("a", "b", "c")
    docs = documents(spec)
    assert docs["courses"][0] == {"course_id": "a", "order_index": 0, "is_required": True}
    assert docs["certification_config"] == {
        "issue_cert": True,
        "cert_template": "classic",
        "validity_days": 365,
        "seal": "gold",  # a newer client's key survives
    }
    assert parse_path(**docs) == spec


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PathError) as info:
        parse_path(
            [
                {"course_id": "a", "order_index": 0},
                {"course_id": "a", "order_index": 1},
                {"course_id": "x", "order_index": 2, "is_required": "yes"},
                {"order_index": 3},
                {"course_id": "b", "order_index": 0},
            ],
            [{"skill_id": "s", "target_proficiency": 3}],
            {"issue_cert": True, "template": "old", "validity_days": 0},
            TITLES,
        )
    problems = info.value.problems
    assert "“Safety basics” is in the path twice." in problems
    assert any("is_required must be true or false" in p for p in problems)
    assert any("course_id is missing" in p for p in problems)
    assert any("two courses share position 0" in p for p in problems)
    assert any("target_proficiency must be between 0 and 1" in p for p in problems)
    assert any("cert_template" in p for p in problems)
    assert any("validity_days" in p for p in problems)


def test_unknown_course_ids_are_refused_when_the_catalogue_is_given() -> None:
    with pytest.raises(PathError, match="not a course of this organisation"):
        parse_path([{"course_id": "zzz", "order_index": 0}], titles=TITLES)


def test_reorder_renumbers() -> None:
    spec = reorder(parse_path(COURSES), ["c", "a", "b", "d"])
    assert [(c.course_id, c.order_index) for c in spec.courses] == [
        ("c", 0),
        ("a", 1),
        ("b", 2),
        ("d", 3),
    ]
    with pytest.raises(PathError):
        reorder(spec, ["a", "b"])


def test_locking_says_which_course_unlocks_it() -> None:
    spec = parse_path(COURSES)
    ordered = {"b": True, "c": True, "d": True}
    locks = course_locks(spec, set(), ordered, TITLES)
    assert not locks["a"].locked
    assert locks["b"].message == "Locked: complete “Safety basics” first"
    assert locks["c"].message == "Locked: complete “Safety basics” and “Ladders” first"
    # an optional course never blocks the ones after it
    locks = course_locks(spec, {"a", "b"}, ordered, TITLES)
    assert not locks["c"].locked and not locks["d"].locked
    # without require_completion_order nothing is locked
    assert not any(v.locked for v in course_locks(spec, set(), {}, TITLES).values())


def test_completion_needs_every_required_course() -> None:
    spec = parse_path(COURSES)
    assert not is_complete(spec, {"a", "b", "d"})
    assert is_complete(spec, {"a", "b", "c"})
    assert progress_pct(spec, {"a"}) == pytest.approx(100 / 3)
