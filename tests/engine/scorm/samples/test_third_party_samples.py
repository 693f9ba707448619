"""Third-party SCORM 1.2 packages (README.md here names their sources and licences),
imported as Studio imports them and played in Learn's QtWebEngine player: a content-only
SCO that never calls the API (scormhost's test fixture) and a package whose manifest,
metadata and XSDs were written and zipped by simple-scorm-packager. The tests live beside
the data they need (they use the app's services and player, as tests/app does)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")  # Chromium refuses root else

from app.learn.scorm_player import ScormPlayer
from app.services import accounts, learning
from app.services.authoring import load_course
from app.services.context import AppContext
from app.services.scorm_attempts import sco_for
from app.services.scorm_import import import_scorm
from engine.content import dump_blocks
from engine.scorm.cmi import timespan_secs
from tests.app.test_scorm_player import events, js, learner, stored, wait_js  # noqa: F401
from tests.app.test_studio import (
    creator,  # noqa: F401 - fixture
    ctx,  # noqa: F401 - fixture
)
from tests.engine.scorm.packages import zip_of

HERE = Path(__file__).parent
FRAME = "document.getElementById('sco').contentDocument"


def text_of(blocks: list[Any]) -> str:
    return " ".join(str(b.get("text", "")) for b in dump_blocks(blocks))


def play(qtbot: Any, app_ctx: AppContext, user: accounts.CurrentUser, launch: Any) -> ScormPlayer:
    player = ScormPlayer(app_ctx, user, launch)
    qtbot.addWidget(player)
    player.resize(900, 620)
    player.show()
    wait_js(qtbot, player, f"{FRAME}.readyState === 'complete' && {FRAME}.body.textContent")
    return player


def test_scormhost_content_only_sco_imports_and_plays_without_tracking(
    qtbot: Any,
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    learner: accounts.CurrentUser,  # noqa: F811
    tmp_path: Path,
) -> None:
    folder = HERE / "scormhost-minimal-scorm12"
    pkg = tmp_path / "minimal.zip"
    pkg.write_bytes(
        zip_of({n: (folder / n).read_bytes() for n in ("imsmanifest.xml", "index.html")})
    )
    course = import_scorm(ctx, creator, pkg)
    assert (course.version, course.title, course.module_count) == ("1.2", "Minimal Demo", 1)
    [module] = load_course(ctx, course.course_id).modules
    assert "Minimal SCORM 1.2 fixture for scormhost tests." in text_of(module.blocks)
    launch = sco_for(ctx, course.course_id, module.id or "", module.title)
    assert (launch.launch, launch.scorm_type, launch.mastery_score) == ("index.html", "sco", None)

    player = play(qtbot, ctx, learner, launch)
    text = js(qtbot, player, f"{FRAME}.body.textContent.trim()")
    assert text == "Minimal SCORM 1.2 fixture for scormhost tests."
    assert player.blocked == [] and player.session.state == "new"  # it never called the API
    player.close()
    assert events(ctx, learner.id, module.id or "") == []  # nothing to record: not attempted
    assert stored(ctx, learner.id, module.id or "") == {}


def test_simple_scorm_packager_package_imports_plays_and_records(
    qtbot: Any,
    ctx: AppContext,  # noqa: F811
    creator: accounts.CurrentUser,  # noqa: F811
    learner: accounts.CurrentUser,  # noqa: F811
) -> None:
    pkg = HERE / "simple-scorm-packager-ladder" / "ladder-safety.zip"
    course = import_scorm(ctx, creator, pkg)
    assert (course.version, course.title, course.module_count, course.files) == (
        "1.2",
        "Ladder safety",
        1,
        7,
    )
    [module] = load_course(ctx, course.course_id).modules
    module_id = module.id or ""
    assert "three points of contact" in text_of(module.blocks)
    launch = sco_for(ctx, course.course_id, module_id, module.title)
    assert (launch.launch, launch.mastery_score) == ("index.html", 80)

    player = play(qtbot, ctx, learner, launch)
    qtbot.waitUntil(lambda: player.session.commits >= 1, timeout=10_000)
    assert stored(ctx, learner.id, module_id)["cmi.core.lesson_status"] == "incomplete"
    js(qtbot, player, f"{FRAME}.getElementById('done').click(); true")
    qtbot.waitUntil(lambda: player.session.state == "finished", timeout=10_000)
    kept = stored(ctx, learner.id, module_id)
    assert kept["cmi.core.lesson_status"] == "passed"
    assert (kept["cmi.core.score.raw"], kept["cmi.core.score.max"]) == ("90", "100")
    assert timespan_secs(kept["cmi.core.total_time"]) == 65  # the SCO's session_time
    assert player.blocked == [] and player.session.rejected == []
    player.close()
    evs = events(ctx, learner.id, module_id)
    assert [e.event_type for e in evs] == ["module_start", "quiz_attempt", "module_complete"]
    assert evs[1].payload["score"] == 90 and evs[1].payload["passed"] is True
    progress = learning.course_progress(ctx, learner, course.course_id)
    assert progress.progress_pct == 100
