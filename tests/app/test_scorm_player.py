"""Learn's SCORM player in real QtWebEngine (offscreen): a third-party-style SCO with its
own API-finding script and our own export, played by a scripted learner (JavaScript run in
the page); every commit durable, the events and progress recorded, the package cut off
from the network, and the learner resumed where they left off after the player is made
again. Screenshots go to ../notes/shots/scorm/ when that folder's parent exists."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium refuses root else

import pytest
from sqlalchemy import select

from app.learn.scorm_player import ScormModuleView, ScormPlayer
from app.services import accounts, learning
from app.services.authoring import load_course, set_status
from app.services.context import AppContext
from app.services.scorm import export_scorm
from app.services.scorm_attempts import STATE_PREFIX, ScormSession, sco_for
from app.services.scorm_import import import_scorm
from engine.scorm.cmi import CmiModel
from sync.store.models import LearningEvent, SyncState
from tests.app.test_studio import (
    DEMO_COURSE,
    creator,  # noqa: F401 - fixture
    ctx,  # noqa: F401 - fixture
)
from tests.engine.scorm.packages import storyline_files, zip_of
from tests.engine.scorm.test_cmi import GET_CASES, SET_CASES

SHOTS = Path(__file__).resolve().parents[3] / "notes" / "shots" / "scorm"
FRAME = "document.getElementById('sco').contentWindow"


@pytest.fixture
def learner(ctx: AppContext) -> accounts.CurrentUser:  # noqa: F811
    return next(p for p in accounts.list_profiles(ctx.db) if p.role == "learner")


def js(qtbot: Any, player: ScormPlayer, code: str) -> Any:
    out: list[Any] = []
    player.page.runJavaScript(code, 0, out.append)
    qtbot.waitUntil(lambda: bool(out), timeout=10_000)
    return out[0]


def wait_js(qtbot: Any, player: ScormPlayer, code: str, timeout: int = 20_000) -> None:
    def ready() -> bool:
        return bool(
            js(qtbot, player, f"(function(){{try{{return !!({code})}}catch(e){{return false}}}})()")
        )

    qtbot.waitUntil(ready, timeout=timeout)


def shoot(player: ScormPlayer, name: str) -> None:
    if SHOTS.parent.parent.is_dir():
        SHOTS.mkdir(parents=True, exist_ok=True)
        player.grab().save(str(SHOTS / name))


def events(app_ctx: AppContext, user_id: str, module_id: str) -> list[LearningEvent]:
    with app_ctx.db.transaction() as s:
        rows = s.scalars(
            select(LearningEvent)
            .where(LearningEvent.user_id == user_id, LearningEvent.module_id == module_id)
            .order_by(LearningEvent.created_at, LearningEvent.id)
        ).all()
        s.expunge_all()
        return list(rows)


def stored(app_ctx: AppContext, user_id: str, module_id: str) -> dict[str, str]:
    """The attempt as a second connection to the database file sees it (what survives a
    killed app)."""
    other = AppContext.open(app_ctx.db.path, app_ctx.assets.root)
    try:
        with other.db.transaction() as s:
            row = s.get(SyncState, f"{STATE_PREFIX}{user_id}/{module_id}")
            return json.loads(row.value)["values"] if row is not None else {}
    finally:
        other.close()


def open_player(
    qtbot: Any, app_ctx: AppContext, user: accounts.CurrentUser, launch: Any
) -> ScormPlayer:
    player = ScormPlayer(app_ctx, user, launch)
    qtbot.addWidget(player)
    player.resize(900, 620)
    player.show()
    wait_js(qtbot, player, "window.byteosLms.state() === 'running'")
    return player


def test_a_third_party_sco_plays_offline_commits_and_resumes(
    qtbot: Any,
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    learner: accounts.CurrentUser,
    tmp_path: Path,
) -> None:
    pkg = tmp_path / "safety.zip"
    pkg.write_bytes(zip_of(storyline_files()))
    course = import_scorm(ctx, creator, pkg)
    [module] = load_course(ctx, course.course_id).modules
    launch = sco_for(ctx, course.course_id, module.id or "", module.title)

    player = open_player(qtbot, ctx, learner, launch)
    wait_js(
        qtbot, player, f"{FRAME}.player && {FRAME}.document.getElementById('where').textContent"
    )
    assert js(qtbot, player, f"{FRAME}.document.getElementById('slide-title').textContent") == (
        "Why safety matters"
    )
    js(qtbot, player, f"{FRAME}.player.next(); {FRAME}.player.next(); {FRAME}.player.answer(true)")
    qtbot.waitUntil(lambda: player.session.commits >= 3, timeout=10_000)
    # committed means on disk, before the session ends: what a killed app would keep
    kept = stored(ctx, learner.id, module.id or "")
    assert kept["cmi.core.lesson_location"] == "2"
    assert json.loads(kept["cmi.suspend_data"]) == {"s": 2, "a": [1]}
    assert kept["cmi.core.lesson_status"] == "incomplete"
    shoot(player, "playing.png")
    assert any("cdn.example.com/track.gif" in url for url in player.blocked)  # no network
    refused = "JSON.stringify([API.LMSSetValue('cmi.core.student_id', 'x'), API.LMSGetLastError()])"
    assert json.loads(js(qtbot, player, refused)) == ["false", "403"]
    js(
        qtbot,
        player,
        "API.LMSSetValue('cmi.comments', 'left a note');"
        "window.dispatchEvent(new Event('pagehide'));"
        f"var d = {FRAME}.document; ['byteos-scorm://pkg-someone-else/x.png',"
        " 'https://127.0.0.1:9/x.png'].forEach(function (u) {"
        " var i = d.createElement('img'); i.src = u; d.body.appendChild(i); });",
    )  # hiding the page commits; other packages and the network stay out of reach
    qtbot.waitUntil(
        lambda: stored(ctx, learner.id, module.id or "").get("cmi.comments") == "left a note",
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: len(player.blocked) >= 3, timeout=10_000)
    assert {u.split("//")[1].split("/")[0] for u in player.blocked} >= {
        "cdn.example.com",
        "pkg-someone-else",
        "127.0.0.1:9",
    }
    js(qtbot, player, f"{FRAME}.player.leave()")
    qtbot.waitUntil(lambda: player.session.state == "finished", timeout=10_000)
    player.close()
    kinds = [e.event_type for e in events(ctx, learner.id, module.id or "")]
    assert kinds == ["module_start", "drop_off"]
    drop = events(ctx, learner.id, module.id or "")[-1]
    assert drop.payload["cmi"]["cmi.core.lesson_location"] == "2" and drop.duration_secs >= 0
    kept = stored(ctx, learner.id, module.id or "")
    assert kept["cmi.core.exit"] == "suspend" and kept["cmi.core.total_time"] != "0000:00:00.00"

    again = open_player(qtbot, ctx, learner, launch)  # a new widget: the learner comes back
    wait_js(qtbot, again, f"{FRAME}.player && {FRAME}.player.slide() === 2")
    assert js(qtbot, again, "window.byteosLms.values['cmi.core.entry']") == "resume"
    assert js(qtbot, again, f"{FRAME}.document.getElementById('slide-title').textContent") == (
        "Fire exits"
    )
    shoot(again, "resumed.png")
    js(qtbot, again, f"{FRAME}.player.answer(false); {FRAME}.player.answer(true)")
    js(qtbot, again, f"{FRAME}.player.answer(true)")
    assert js(qtbot, again, f"{FRAME}.player.submit()") == 75  # 3 of 4, mastery 75
    qtbot.waitUntil(lambda: again.session.state == "finished", timeout=10_000)
    shoot(again, "finished.png")
    evs = events(ctx, learner.id, module.id or "")
    assert [e.event_type for e in evs] == [
        "module_start",
        "drop_off",
        "module_start",
        "quiz_attempt",
        "module_complete",
    ]
    quiz, done = evs[-2:]
    assert quiz.payload["score"] == 75 and quiz.payload["passed"] is True
    assert quiz.payload["source"] == "scorm" and evs[2].payload["entry"] == "resume"
    assert done.duration_secs is not None and done.duration_secs >= 1
    progress = learning.course_progress(ctx, learner, course.course_id)
    assert progress.progress_pct == 100 and progress.status == "completed"
    assert stored(ctx, learner.id, module.id or "")["cmi.core.lesson_status"] == "passed"


def test_our_export_plays_in_the_course_player(
    qtbot: Any,
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    learner: accounts.CurrentUser,
    tmp_path: Path,
) -> None:
    from app.learn.course_player import CoursePlayer

    export_scorm(ctx, DEMO_COURSE, tmp_path / "demo.zip")
    course = import_scorm(ctx, creator, tmp_path / "demo.zip")
    set_status(ctx, creator, course.course_id, "published")  # the checklist lets it through
    doc = learning.open_course(ctx, learner, course.course_id)  # what Learn opens
    cp = CoursePlayer(ctx, learner, doc)
    qtbot.addWidget(cp)
    cp.resize(1280, 800)
    cp.show()
    view = cp.modality_stack.currentWidget()
    assert isinstance(view, ScormModuleView) and view.player is not None
    player = view.player
    wait_js(qtbot, player, "window.byteosLms.state() === 'running'")
    wait_js(qtbot, player, f"{FRAME}.document.querySelector('[data-act=quiz]')")
    answer = f"""(function(){{
      var d = {FRAME}.document, cfg = JSON.parse(d.getElementById('byteos-sco').textContent);
      d.querySelector('section.module:not([hidden]) [data-act=quiz]').click();
      cfg.questions.forEach(function (q, i) {{
        d.querySelectorAll('fieldset.q[data-q="' + i + '"] input').forEach(function (el) {{
          el.checked = q.key.indexOf(Number(el.value)) >= 0; }});
        d.querySelector('fieldset.q[data-q="' + i + '"] [data-act=check]').click();
      }});
      return cfg.questions.length; }})()"""
    assert not cp.complete_button.isEnabled()  # the SCO says when it is complete, not a button
    assert cp.hint.text() == "The lesson records its own completion as you work through it."
    assert js(qtbot, player, answer) == 3
    module_id = doc.modules[0].id or ""
    qtbot.waitUntil(
        lambda: stored(ctx, learner.id, module_id).get("cmi.core.lesson_status") == "passed",
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: cp.module_list.item(0).text().startswith("✓"), timeout=10_000)
    assert cp.complete_button.text() == "Completed ✓"
    shoot(cp, "course_player.png")
    cp.next_module()  # leaving the module ends its session
    kinds = [e.event_type for e in events(ctx, learner.id, module_id)]
    assert kinds[0] == "module_start" and "module_complete" in kinds
    quiz = next(e for e in events(ctx, learner.id, module_id) if e.event_type == "quiz_attempt")
    assert quiz.payload["score"] == 100 and quiz.payload["passed"] is True
    assert cp.progress_bar.value() == 25  # 1 of 4 modules


def test_the_page_and_python_apply_the_same_rules(
    qtbot: Any,
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    learner: accounts.CurrentUser,
    tmp_path: Path,
) -> None:
    """Every case of the data-model tests, through the page's window.API and through
    engine.scorm.cmi, in the same order: the same error codes and the same values."""
    pkg = tmp_path / "safety.zip"
    pkg.write_bytes(zip_of(storyline_files()))
    course = import_scorm(ctx, creator, pkg)
    [module] = load_course(ctx, course.course_id).modules
    player = open_player(qtbot, ctx, learner, sco_for(ctx, course.course_id, module.id or ""))
    wait_js(qtbot, player, f"{FRAME}.document.getElementById('where').textContent")  # started
    mirror = CmiModel(json.loads(js(qtbot, player, "JSON.stringify(window.byteosLms.values)")))
    cases = json.dumps([[e, v] for e, v, _ in SET_CASES] + [["cmi.interactions.1.id", "q2"]])
    page_codes = json.loads(
        js(
            qtbot,
            player,
            f"JSON.stringify({cases}.map(function (c) {{ API.LMSSetValue(c[0], c[1]);"
            " return Number(API.LMSGetLastError()); }))",
        )
    )
    ours = [mirror.set(e, v) for e, v in json.loads(cases)]
    assert page_codes == ours
    gets = json.dumps([e for e, _, _ in GET_CASES])
    page_gets = json.loads(
        js(
            qtbot,
            player,
            f"JSON.stringify({gets}.map(function (e) {{ var v = API.LMSGetValue(e);"
            " return [v, Number(API.LMSGetLastError())]; }))",
        )
    )
    assert [tuple(g) for g in page_gets] == [mirror.get(e) for e in json.loads(gets)]
    js(qtbot, player, "API.LMSCommit('')")
    qtbot.waitUntil(lambda: player.session.commits >= 1, timeout=10_000)
    assert player.session.rejected == [] and player.session.values == mirror.values


def test_the_scheme_serves_only_the_package_s_own_files(tmp_path: Path) -> None:
    from app.learn.scorm_player import _PackageHandler

    folder = tmp_path / "pkg"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "page.html").write_text("<p>hi</p>")
    (tmp_path / "secret.txt").write_text("no")
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert _PackageHandler._file(folder, "a/page.html") == folder / "a" / "page.html"
    assert _PackageHandler._file(folder, "../secret.txt") is None
    assert _PackageHandler._file(folder, "link.txt") is None
    assert _PackageHandler._file(folder, "a") is None  # a folder is not a file
    assert _PackageHandler._file(folder, "a/missing.js") is None


def test_an_asset_item_is_complete_once_shown(
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    learner: accounts.CurrentUser,
    tmp_path: Path,
) -> None:
    manifest = storyline_files()["imsmanifest.xml"].replace(
        b'adlcp:scormtype="sco"', b'adlcp:scormtype="asset"'
    )
    pkg = tmp_path / "asset.zip"
    pkg.write_bytes(zip_of(storyline_files(**{"imsmanifest.xml": manifest})))
    course = import_scorm(ctx, creator, pkg)
    [module] = load_course(ctx, course.course_id).modules
    launch = sco_for(ctx, course.course_id, module.id or "")
    assert launch.scorm_type == "asset"
    ScormSession(ctx, learner, launch).view_asset()
    ScormSession(ctx, learner, launch).view_asset()  # shown again: completed once
    kinds = [e.event_type for e in events(ctx, learner.id, module.id or "")]
    assert kinds == ["module_start", "module_complete", "module_start"]
