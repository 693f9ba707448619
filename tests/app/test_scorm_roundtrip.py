"""Round trip: the demo course exported as SCORM 1.2, the export imported, and its first
SCO played twice by the same scripted learner (``tests/engine/scorm/learner.js`` with the
scenarios of ``test_runtime_browser``: answer right and wrong, leave halfway; come back,
fail, retake, pass) in two runtimes on the same zip — headless Chromium with the
``scorm-again`` API (``tests/engine/scorm/browser.py``) and Learn's QtWebEngine player —
and the recorded results compared: the sequence of ``LMSInitialize``/``LMSSetValue``/
``LMSCommit``/``LMSFinish`` calls with their values, what the learner saw, and the
attempt's values at the end of each session (lesson_status, score.raw/min/max,
lesson_location, suspend_data, exit, every interaction).

In our player the LMS is the player, and the host page has already launched the SCO in
its ``#sco`` frame, so the learner's ``session()`` is replaced by one that attaches to that
frame (:data:`QT_SESSION`); the steps, ``page()``, ``load()`` and ``wait()`` are
learner.js's own. Intended differences, and how they are compared:

* ``LMSGetValue`` calls never leave our page (the API answers them from its cache), so
  the call sequences are compared without them on both sides.
* Times differ from run to run: ``session_time`` and each interaction's ``latency`` are
  compared by format (SCORM ``HHHH:MM:SS.SS``), each interaction's ``time`` as ``HH:MM:SS``.
* Resume: the scorm-again host is seeded by the test (as an LMS would be) with
  ``entry = resume`` and the first session's values; our player derives the same start
  values from the attempt it stored, and the mastery score from the imported manifest —
  both asserted equal to the seed.
* A score the SCO has not set yet: scorm-again reports its own initial
  ``score.max`` of ``100``, our player none (SCORM 1.2 gives the LMS no initial value;
  both are empty for ``raw`` and ``min``). Once the SCO sets the score, all three agree.
* At the end of a session our player folds ``session_time`` into ``total_time`` and keeps
  no ``session_time`` (SCORM 1.2 RTE 3.4.4: the LMS accumulates it); scorm-again's record
  keeps the session's value. ``total_time`` is checked by format and to have grown.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium refuses root else

from app.learn.scorm_player import ScormPlayer
from app.services import accounts
from app.services.authoring import load_course
from app.services.context import AppContext
from app.services.scorm import export_scorm
from app.services.scorm_attempts import sco_for
from app.services.scorm_import import import_scorm
from engine.scorm.cmi import timespan_secs
from tests.app.test_scorm_player import events, js, learner, stored, wait_js  # noqa: F401
from tests.app.test_studio import (
    DEMO_COURSE,
    creator,  # noqa: F401 - fixture
    ctx,  # noqa: F401 - fixture
)
from tests.engine.scorm.browser import HERE, SCORM_AGAIN_HOST, needs_chromium, run_scenario
from tests.engine.scorm.test_runtime_browser import SESSION_1, SESSION_2

pytestmark = needs_chromium
TIMESPAN = re.compile(r"^\d{4}:\d{2}:\d{2}(\.\d{1,2})?$")
CLOCK = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d{1,2})?$")
COMPARED = (
    "cmi.core.lesson_status",
    "cmi.core.score.raw",
    "cmi.core.score.min",
    "cmi.core.score.max",
    "cmi.core.lesson_location",
    "cmi.suspend_data",
    "cmi.core.exit",
)
INTERACTION = re.compile(r"^cmi\.interactions\.\d+\.(id|type|result|student_response|weighting)$")
PATTERN = re.compile(r"^cmi\.interactions\.\d+\.correct_responses\.\d+\.pattern$")

QT_SESSION = r"""
session = async function (href, seed, steps) {
  var frame = document.getElementById("sco");
  await wait(50);
  var at = frame.contentWindow.location.pathname;
  var seen = await steps(page(frame.contentDocument));
  await wait(50);
  await load(frame, "about:blank"); /* the learner leaves: pagehide */
  await wait(50);
  return { asked: href, at: at, seen: seen || {} };
};
var out = document.createElement("pre");
out.id = "result";
document.body.appendChild(out);
"""


def masked(element: str, value: str) -> str:
    """Run-dependent values by their format (a wrong format stays visible)."""
    if element == "cmi.core.session_time" or element.endswith(".latency"):
        return "<timespan>" if TIMESPAN.match(value) else value
    if re.match(r"^cmi\.interactions\.\d+\.time$", element):
        return "<clock>" if CLOCK.match(value) else value
    return value


def chromium_calls(calls: list[list[Any]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for c in calls:
        assert c[-1] == "true" or c[0] == "LMSGetValue", c  # scorm-again accepted every call
        if c[0] == "LMSSetValue":
            out.append(("LMSSetValue", c[1], masked(c[1], c[2])))
        elif c[0] != "LMSGetValue":
            out.append((c[0],))
    return out


OPS = {"init": "LMSInitialize", "commit": "LMSCommit", "finish": "LMSFinish"}


def qt_calls(messages: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for m in messages:
        if m["op"] == "set":
            out.append(("LMSSetValue", m["element"], masked(m["element"], m["value"])))
        elif m["op"] in OPS:
            out.append((OPS[m["op"]],))
    return out


def results(values: dict[str, str]) -> dict[str, str]:
    """The compared part of an attempt's values, with the interactions' count."""
    out = {k: values.get(k, "") for k in COMPARED}
    out.update({k: v for k, v in values.items() if INTERACTION.match(k) or PATTERN.match(k)})
    indexes = {
        m.group(1) for m in map(re.compile(r"^cmi\.interactions\.(\d+)\.").match, values) if m
    }
    out["cmi.interactions._count"] = str(len(indexes))
    return out


def play_in_qt(
    qtbot: Any, app_ctx: AppContext, user: accounts.CurrentUser, launch: Any, scenario: str
) -> tuple[ScormPlayer, list[dict[str, Any]], dict[str, Any], dict[str, str]]:
    """One session in our player; (player, the API's messages, the scenario's result, the
    values the session started from)."""
    player = ScormPlayer(app_ctx, user, launch)
    start = dict(player.session.values)
    messages: list[dict[str, Any]] = []
    player.bridge.message.connect(messages.append)  # before the page can send anything
    qtbot.addWidget(player)
    player.resize(900, 620)
    player.show()
    wait_js(qtbot, player, "window.byteosLms.state() === 'running'")
    frame = "document.getElementById('sco').contentDocument"
    wait_js(
        qtbot, player, f"{frame}.readyState === 'complete' && {frame}.getElementById('byteos-sco')"
    )
    js(qtbot, player, (HERE / "learner.js").read_text(encoding="utf-8") + QT_SESSION + "true")
    js(qtbot, player, scenario + ";true")
    wait_js(qtbot, player, "document.getElementById('result').textContent !== ''", 30_000)
    result = json.loads(js(qtbot, player, "document.getElementById('result').textContent"))
    assert "error" not in result, result["error"]
    assert result["at"] == "/" + result["asked"]  # the SCO the scenario meant
    qtbot.waitUntil(lambda: player.session.state == "finished", timeout=10_000)
    return player, messages, result, start


def test_export_import_play_agrees_with_chromium_and_scorm_again(
    qtbot: Any,
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    learner: accounts.CurrentUser,  # noqa: F811
    tmp_path: Path,
) -> None:
    package = tmp_path / "demo.zip"
    export_scorm(ctx, DEMO_COURSE, package)
    site = tmp_path / "site"
    with zipfile.ZipFile(io.BytesIO(package.read_bytes())) as zf:
        zf.extractall(site)
    course = import_scorm(ctx, creator, package)
    module = load_course(ctx, course.course_id).modules[0]
    module_id = module.id or ""
    launch = sco_for(ctx, course.course_id, module_id, module.title)
    assert launch.launch == "m01.html" and launch.mastery_score == 80

    # session 1 in Chromium + scorm-again, then in our player
    first = run_scenario(site, SESSION_1, SCORM_AGAIN_HOST)
    player, messages, qt_first, start = play_in_qt(qtbot, ctx, learner, launch, SESSION_1)
    assert start["cmi.core.entry"] == "ab-initio" and start["cmi.core.lesson_status"] == (
        "not attempted"
    )
    calls = qt_calls(messages)
    assert calls[0] == ("LMSInitialize",) and calls[-2:] == [("LMSCommit",), ("LMSFinish",)]
    assert calls == chromium_calls(first["calls"])
    assert qt_first["seen"] == first["seen"]
    kept_1 = stored(ctx, learner.id, module_id)
    ours, theirs = results(kept_1), results(first["data"])
    assert not [c for c in messages if c.get("element", "").startswith("cmi.core.score.")]
    assert (ours.pop("cmi.core.score.max"), theirs.pop("cmi.core.score.max")) == ("", "100")
    assert ours == theirs
    assert results(kept_1)["cmi.interactions._count"] == first["data"]["cmi.interactions._count"]
    assert kept_1["cmi.core.lesson_status"] == "incomplete" and kept_1["cmi.core.exit"] == "suspend"
    assert TIMESPAN.match(kept_1["cmi.core.total_time"]) and "cmi.core.session_time" not in kept_1
    player.close()

    # session 2: scorm-again seeded as an LMS would be; our player resumes from what it stored
    data = first["data"]
    seed = {
        "cmi.core.entry": "resume",
        "cmi.core.lesson_status": data["cmi.core.lesson_status"],
        "cmi.core.lesson_location": data["cmi.core.lesson_location"],
        "cmi.suspend_data": data["cmi.suspend_data"],
        "cmi.interactions._count": data["cmi.interactions._count"],
        **{k: v for k, v in data.items() if re.match(r"cmi\.interactions\.\d+\.", k)},
    }
    second = run_scenario(site, SESSION_2.replace("SEED", json.dumps(seed)), SCORM_AGAIN_HOST)
    player, messages, qt_second, start = play_in_qt(
        qtbot, ctx, learner, launch, SESSION_2.replace("SEED", "{}")
    )  # no seed: our player starts from the attempt it stored
    for key in ("cmi.core.entry", "cmi.core.lesson_status", "cmi.core.lesson_location"):
        assert start[key] == seed[key], key
    assert start["cmi.suspend_data"] == seed["cmi.suspend_data"]
    assert start["cmi.student_data.mastery_score"] == "80"  # the host's, from the manifest here
    assert results(start)["cmi.interactions._count"] == seed["cmi.interactions._count"]
    calls = qt_calls(messages)
    assert ("LMSSetValue", "cmi.core.lesson_status", "passed") in calls
    assert calls == chromium_calls(second["calls"])
    assert qt_second["seen"] == second["seen"]
    kept_2 = stored(ctx, learner.id, module_id)
    assert results(kept_2) == results(second["data"])
    assert kept_2["cmi.core.lesson_status"] == "passed" and kept_2["cmi.core.score.raw"] == "100"
    assert results(kept_2)["cmi.interactions._count"] == "6"
    assert timespan_secs(kept_2["cmi.core.total_time"]) >= timespan_secs(
        kept_1["cmi.core.total_time"]
    )
    player.close()

    # and what our player made of it: a quiz attempt for each score scorm-again recorded
    scores = [c[2] for c in second["calls"] if c[:2] == ["LMSSetValue", "cmi.core.score.raw"]]
    quizzes = [e for e in events(ctx, learner.id, module_id) if e.event_type == "quiz_attempt"]
    assert [f"{e.payload['score']:g}" for e in quizzes] == scores == ["67", "100"]
    assert [e.event_type for e in events(ctx, learner.id, module_id)][-1] == "module_complete"
