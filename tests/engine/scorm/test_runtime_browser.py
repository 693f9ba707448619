"""The JS runtime in real headless Chromium, inside an LMS page that provides ``API``: our
small recording fake (``fake_lms.js``) and the maintained ``scorm-again`` runtime from npm,
which checks every value against the SCORM 1.2 data model.

A scripted learner reads, answers (right and wrong), leaves halfway, comes back (resumes
from suspend_data and lesson_location), fails, takes the quiz again and passes; the test
asserts the call sequence (LMSInitialize … LMSCommit … LMSFinish once) and the exact CMI
values the LMS recorded.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from engine.scorm import ScormCourse, build_package, write_zip
from engine.scorm.suspend import base36
from tests.engine.scorm.browser import (
    FAKE_HOST,
    SCORM_AGAIN_HOST,
    needs_chromium,
    run_scenario,
)
from tests.engine.scorm.conftest import demo_course

pytestmark = needs_chromium
HOSTS = pytest.mark.parametrize("host", [FAKE_HOST, SCORM_AGAIN_HOST], ids=["fake", "scorm-again"])
TIMESPAN = re.compile(r"^\d{4}:\d{2}:\d{2}\.\d{2}$")


def unpack(course: ScormCourse, dest: Path) -> Path:
    buffer = io.BytesIO()
    write_zip(build_package(course), buffer)
    with zipfile.ZipFile(buffer) as zf:
        zf.extractall(dest)
    return dest


def mask(indexes: list[int]) -> str:
    return base36(sum(1 << i for i in indexes))


def keys(course: ScormCourse, module: int) -> list[list[int]]:
    return [[i for i, c in enumerate(q.choices) if c.correct] for q in course.modules[module].quiz]


def names(calls: list[list[Any]]) -> list[str]:
    return [c[0] for c in calls]


def sets(calls: list[list[Any]], name: str) -> list[str]:
    return [c[2] for c in calls if c[0] == "LMSSetValue" and c[1] == name]


def assert_session_shape(calls: list[list[Any]]) -> None:
    seq = names(calls)
    assert seq[0] == "LMSInitialize" and seq[-1] == "LMSFinish"
    assert seq.count("LMSInitialize") == 1 and seq.count("LMSFinish") == 1
    assert seq[-2] == "LMSCommit"  # committed on the way out (pagehide)
    assert [c[1] for c in calls if c[0] == "LMSSetValue"].count("cmi.core.session_time") == 1
    assert all(c[-1] == "true" for c in calls if c[0] != "LMSGetValue"), calls


SESSION_1 = r"""
run(async function () {
  return await session("m01.html", {}, async function (p) {
    var seen = { note: p.visible("#lms-note"), reading: p.visible(".read") };
    p.click('[data-act="quiz"]');
    p.answer(0, p.right(0));
    p.answer(1, p.wrong(1));
    seen.feedback1 = p.text('fieldset.q[data-q="1"] .feedback');
    seen.explanation1 = p.visible('fieldset.q[data-q="1"] .explanation');
    seen.explanation0 = p.visible('fieldset.q[data-q="0"] .explanation');
    return seen;
  });
});
"""

SESSION_2 = r"""
run(async function () {
  return await session("m01.html", SEED, async function (p) {
    var seen = {
      quiz: p.visible(".quiz"),
      feedback0: p.text('fieldset.q[data-q="0"] .feedback'),
      locked0: p.doc.querySelector('fieldset.q[data-q="0"] input').disabled,
      feedback1: p.text('fieldset.q[data-q="1"] .feedback')
    };
    p.reveal(1);
    seen.explanation1 = p.visible('fieldset.q[data-q="1"] .explanation');
    p.answer(2, p.right(2));
    seen.result = p.text(".result");
    seen.retake = p.visible('[data-act="retake"]');
    p.click('[data-act="retake"]');
    seen.cleared = p.text('fieldset.q[data-q="0"] .feedback');
    p.answer(0, p.right(0));
    p.answer(1, p.right(1));
    p.answer(2, p.right(2));
    seen.final = p.text(".result");
    seen.done = p.visible(".done");
    return seen;
  });
});
"""


@HOSTS
def test_learner_leaves_halfway_resumes_fails_retakes_and_passes(tmp_path: Path, host: str) -> None:
    course = demo_course()
    site = unpack(course, tmp_path / "site")
    k = keys(course, 0)
    wrong1 = next(i for i in range(len(course.modules[0].quiz[1].choices)) if i not in k[1])

    first = run_scenario(site, SESSION_1, host)
    calls, data, seen = first["calls"], first["data"], first["seen"]
    assert_session_shape(calls)
    assert seen == {
        "note": False,
        "reading": True,
        "feedback1": "Not quite. Try again, or show the answer.",
        "explanation1": False,
        "explanation0": True,  # revealed after the right answer
    }
    assert sets(calls, "cmi.core.lesson_status") == ["incomplete"]
    assert data["cmi.suspend_data"] == f"1|0|1|{mask(k[0])}c,{mask([wrong1])}w,"
    assert data["cmi.core.lesson_location"] == "0q"
    assert data["cmi.core.exit"] == "suspend"
    [session_time] = sets(calls, "cmi.core.session_time")  # once, on the way out
    assert TIMESPAN.match(session_time)
    assert not data.get("cmi.core.score.raw")  # no score before the quiz is done
    assert data["cmi.interactions._count"] == "2"
    assert data["cmi.interactions.0.id"] == "m01_q1"
    assert data["cmi.interactions.0.type"] == "choice"
    assert data["cmi.interactions.0.result"] == "correct"
    assert data["cmi.interactions.1.result"] == "wrong"
    assert data["cmi.interactions.1.student_response"] == chr(97 + wrong1)
    assert data["cmi.interactions.1.correct_responses.0.pattern"] == ",".join(
        chr(97 + i) for i in k[1]
    )
    assert all(TIMESPAN.match(t) for t in sets(calls, "cmi.interactions.0.latency"))

    seed = {
        "cmi.core.entry": "resume",
        "cmi.core.lesson_status": data["cmi.core.lesson_status"],
        "cmi.core.lesson_location": data["cmi.core.lesson_location"],
        "cmi.suspend_data": data["cmi.suspend_data"],
        "cmi.interactions._count": data["cmi.interactions._count"],
        **{k: v for k, v in data.items() if re.match(r"cmi\.interactions\.\d+\.", k)},
    }
    second = run_scenario(site, SESSION_2.replace("SEED", json.dumps(seed)), host)
    calls, data, seen = second["calls"], second["data"], second["seen"]
    assert_session_shape(calls)
    assert seen == {
        "quiz": True,  # resumed where the learner left: the quiz
        "feedback0": "Correct!",
        "locked0": True,
        "feedback1": "Not quite. Try again, or show the answer.",
        "explanation1": True,  # revealed on giving up
        "result": "You scored 67 % (80 % needed): not passed yet.",
        "retake": True,
        "cleared": "",
        "final": "You scored 100 % (80 % needed): passed.",
        "done": True,
    }
    # first answers count: right, gave up, right = 2 of 3 = 67 < 80, then a new attempt
    assert sets(calls, "cmi.core.lesson_status") == ["failed", "incomplete", "passed"]
    assert sets(calls, "cmi.core.score.raw") == ["67", "100"]
    assert data["cmi.core.score.min"] == "0" and data["cmi.core.score.max"] == "100"
    assert data["cmi.core.lesson_status"] == "passed"
    assert data["cmi.suspend_data"] == f"1|1|2|{mask(k[0])}c,{mask(k[1])}c,{mask(k[2])}c"
    assert data["cmi.core.exit"] == ""
    assert data["cmi.interactions._count"] == "6"  # 2 before + 1 + 3 on the new attempt
    # LMSCommit after the module ends (failed), after the retake and after passing
    seq = names(calls)
    commits = [i for i, n in enumerate(seq) if n == "LMSCommit"]
    status_at = [
        i for i, c in enumerate(calls) if c[:2] == ["LMSSetValue", "cmi.core.lesson_status"]
    ]
    assert all(any(c > s for c in commits) for s in status_at)
    assert len(commits) >= 4


NO_LMS = r"""
run(async function () {
  return await session("m01.html", null, async function (p) {
    var seen = { note: p.visible("#lms-note"), text: p.text("#lms-note") };
    p.click('[data-act="quiz"]');
    p.answer(0, p.right(0));
    seen.feedback0 = p.text('fieldset.q[data-q="0"] .feedback');
    return seen;
  });
});
"""


def test_plays_without_an_lms_and_says_progress_is_not_tracked(tmp_path: Path) -> None:
    site = unpack(demo_course(), tmp_path / "site")
    result = run_scenario(site, NO_LMS)
    seen = result["seen"]
    assert seen["note"] is True
    assert seen["text"].startswith("Progress is not tracked")
    assert seen["feedback0"] == "Correct!"
    assert result["calls"] == []


SINGLE = r"""
run(async function () {
  return await session("index.html", {}, async function (p) {
    var seen = { where: p.text(".where") };
    p.click('section[data-m="0"] [data-act="quiz"]');
    for (var q = 0; q < 3; q += 1) { p.answer(q, p.right(q)); }
    p.click('[data-act="next"]');
    seen.where2 = p.text(".where");
    seen.module2 = p.visible('section[data-m="1"] .read');
    return seen;
  });
});
"""


@HOSTS
def test_single_sco_navigates_modules_and_keeps_one_state(tmp_path: Path, host: str) -> None:
    course = demo_course(sco_mode="single")
    site = unpack(course, tmp_path / "site")
    result = run_scenario(site, SINGLE, host)
    calls, data, seen = result["calls"], result["data"], result["seen"]
    assert_session_shape(calls)
    assert seen == {"where": "Module 1 of 4", "where2": "Module 2 of 4", "module2": True}
    k = keys(course, 0)
    rest = "," * (sum(len(m.quiz) for m in course.modules) - 3)
    assert data["cmi.suspend_data"] == (f"1|1000|1|{mask(k[0])}c,{mask(k[1])}c,{mask(k[2])}c{rest}")
    assert data["cmi.core.lesson_location"] == "1"
    assert data["cmi.core.lesson_status"] == "incomplete"  # three modules to go
    assert data["cmi.interactions.0.id"] == "q1"


POPUP = r"""
run(async function () {
  return await popupSession("m02.html", {}, async function (p) {
    p.click('[data-act="quiz"]');
    p.answer(0, p.right(0));
    return { note: p.visible("#lms-note") };
  });
});
"""


@HOSTS
def test_finds_the_api_through_window_opener(tmp_path: Path, host: str) -> None:
    course = demo_course()
    site = unpack(course, tmp_path / "site")
    result = run_scenario(site, POPUP, host)
    calls, data = result["calls"], result["data"]
    assert result["seen"] == {"note": False}
    assert_session_shape(calls)  # leaving the window finished the session
    k = keys(course, 1)
    assert data["cmi.suspend_data"] == f"1|0|1|{mask(k[0])}c,,"
    assert data["cmi.interactions.0.id"] == "m02_q1"
