"""The SCORM 1.2 data model on the LMS side: access rules, formats, vocabularies, arrays and
error codes, and an attempt across sessions (resume, finish, the events it means)."""

from __future__ import annotations

import pytest

from engine.scorm.attempt import CommitFacts, Learner, commit_events, finish, kept, start_values
from engine.scorm.cmi import CmiModel, timespan, timespan_secs

LEARNER = Learner("u-1", "Ada Lovelace")


def model(**stored: str) -> CmiModel:
    return CmiModel(start_values(stored or None, LEARNER, mastery_score=80))


SET_CASES = [
        ("cmi.core.lesson_status", "passed", 0),
        ("cmi.core.lesson_status", "not attempted", 405),  # the LMS's value, not the SCO's
        ("cmi.core.lesson_status", "done", 405),
        ("cmi.core.score.raw", "85.5", 0),
        ("cmi.core.score.raw", "", 0),  # CMIBlank
        ("cmi.core.score.raw", "101", 405),
        ("cmi.core.score.raw", "eighty", 405),
        ("cmi.core.session_time", "0000:12:30.5", 0),
        ("cmi.core.session_time", "12:30", 405),
        ("cmi.core.exit", "suspend", 0),
        ("cmi.core.exit", "pause", 405),
        ("cmi.core.student_id", "x", 403),
        ("cmi.core.total_time", "0001:00:00", 403),
        ("cmi.core._children", "x", 402),
        ("cmi.interactions._count", "3", 402),
        ("cmi.core.nonsense", "x", 401),
        ("", "x", 201),
        ("cmi.suspend_data", "x" * 4096, 0),
        ("cmi.suspend_data", "x" * 4097, 405),
        ("cmi.core.lesson_location", "slide-7", 0),
        ("cmi.student_preference.audio", "-1", 0),
        ("cmi.student_preference.text", "2", 405),
        ("cmi.interactions.0.id", "q1", 0),
        ("cmi.interactions.1.id", "q2", 201),  # index 1 before index 0 exists
        ("cmi.interactions.0.time", "25:00:00", 405),
        ("cmi.interactions.0.result", "wrong", 0),
        ("cmi.interactions.0.result", "0.5", 0),
        ("cmi.interactions.0.type", "essay", 405),
]  # fmt: skip


@pytest.mark.parametrize(("element", "value", "code"), SET_CASES)
def test_set_value_codes(element: str, value: str, code: int) -> None:
    m = model()
    before = dict(m.values)
    assert m.set(element, value) == code
    if code == 0:
        assert m.values == {**before, element: value}
    else:
        assert m.values == before  # a refused value changes nothing


GET_CASES = [
        ("cmi.core.student_id", "u-1", 0),
        ("cmi.core.student_name", "Ada Lovelace", 0),
        ("cmi.core.entry", "ab-initio", 0),
        ("cmi.core.credit", "credit", 0),
        ("cmi.core.lesson_status", "not attempted", 0),
        ("cmi.student_data.mastery_score", "80", 0),
        ("cmi.core.session_time", "", 404),
        ("cmi.core.exit", "", 404),
        ("cmi.interactions.0.id", "", 404),
        ("cmi.core._children", "student_id,student_name,lesson_location,credit,"
         "lesson_status,entry,score,total_time,lesson_mode,exit,session_time", 0),
        ("cmi.core.score._children", "raw,min,max", 0),
        ("cmi.interactions._count", "0", 0),
        ("cmi.core.score._count", "", 203),
        ("cmi.core.student_id._children", "", 202),
        ("cmi.nothing", "", 401),
        ("cmi._version", "3.4", 0),
]  # fmt: skip


@pytest.mark.parametrize(("element", "value", "code"), GET_CASES)
def test_get_value_codes(element: str, value: str, code: int) -> None:
    assert model().get(element) == (value, code)


def test_arrays_count_and_grow_in_order() -> None:
    m = model()
    for n in range(3):
        assert m.set(f"cmi.interactions.{n}.id", f"q{n}") == 0
        assert m.set(f"cmi.interactions.{n}.objectives.0.id", "o") == 0
    assert m.get("cmi.interactions._count") == ("3", 0)
    assert m.get("cmi.interactions.1.objectives._count") == ("1", 0)
    assert m.set("cmi.interactions.5.id", "q5") == 201
    assert m.set("cmi.objectives.0.status", "not attempted") == 0  # objectives take it


def test_timespans() -> None:
    assert timespan(3723.456) == "0001:02:03.46"
    assert timespan_secs("0001:02:03.46") == pytest.approx(3723.46)
    assert timespan_secs("garbage") == 0.0


def test_resume_finish_and_mastery() -> None:
    first = model()
    first.set("cmi.core.lesson_location", "page-3")
    first.set("cmi.suspend_data", "a=1")
    first.set("cmi.core.exit", "suspend")
    first.set("cmi.core.session_time", "0000:05:00")
    stored = kept(finish(first.values, wall_secs=999))
    assert stored["cmi.core.total_time"] == "0000:05:00.00"  # the SCO's time, not the clock
    assert stored["cmi.core.lesson_status"] == "incomplete"
    assert "cmi.core.student_id" not in stored and "cmi.core.session_time" not in stored
    again = model(**stored)
    assert again.get("cmi.core.entry") == ("resume", 0)
    assert again.get("cmi.core.lesson_location") == ("page-3", 0)
    assert again.get("cmi.suspend_data") == ("a=1", 0)
    again.set("cmi.core.score.raw", "70")
    assert finish(again.values, 60)["cmi.core.lesson_status"] == "failed"  # 70 < 80
    again.set("cmi.core.score.raw", "90")
    done = finish(again.values, 60)
    assert done["cmi.core.lesson_status"] == "passed"
    assert done["cmi.core.total_time"] == "0000:06:00.00"


def test_commit_events() -> None:
    m = model()
    m.set("cmi.core.score.raw", "90")
    m.set("cmi.core.lesson_status", "passed")
    m.values["cmi.core.total_time"] = "0000:02:00"
    facts = CommitFacts()
    events = commit_events(m.values, facts, sco="I1", session_end=False, session_secs=30)
    assert [e.event_type for e in events] == ["quiz_attempt", "module_complete"]
    quiz, done = events
    assert quiz.payload["score"] == 90 and quiz.payload["passed"] is True
    assert quiz.payload["attempt_no"] == 1 and quiz.payload["source"] == "scorm"
    assert done.duration_secs == 120 and done.payload["cmi"]["cmi.core.lesson_status"] == "passed"
    later = CommitFacts(scores_recorded=1, last_score=90, completed=True)
    assert commit_events(m.values, later, sco="I1", session_end=True, session_secs=5) == []
    left = model()
    left.set("cmi.core.lesson_status", "incomplete")
    [drop] = commit_events(left.values, CommitFacts(), sco="I1", session_end=True, session_secs=7)
    assert drop.event_type == "drop_off" and drop.duration_secs == 7
