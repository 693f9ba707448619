"""Starting as ``byteos`` does: the frame first (with last quit's dashboard), the rest after.

Each start is a fresh process (what is imported by the first frame is the point), run
through ``app.shell.launch.run`` exactly as ``byteos`` runs it, closing its window the way a
person does so that it leaves its launch state for the next start.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.services.context import AppContext

ROOT = Path(__file__).resolve().parents[2]

HEAVY = ("sqlalchemy", "pydantic", "app.services.accounts", "app.learn.dashboard")

_RUN = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from app import cli
from app.shell import launch

db, then = Path(sys.argv[1]), sys.argv[2]
HEAVY = json.loads(sys.argv[3])
seen = {}

def stage(name, window):
    if name == "frame":
        p = window.preview
        seen["preview"] = p is not None and not p.pixmap().isNull()
        seen["loaded_at_frame"] = sorted(m for m in HEAVY if m in sys.modules)
        seen["title_at_frame"] = window.windowTitle()
        return
    from app.services import accounts, learning
    seen["reopened"] = window.user.full_name if window.user else None
    seen["page"] = type(window.stack.currentWidget()).__name__
    if then == "learner" and window.user is None:
        who = next(p for p in accounts.list_profiles(window.ctx.db) if p.role == "learner")
        window.enter(accounts.sign_in(window.ctx.db, who.id))
    if then == "player":  # the content schema (pydantic) loads after Qt: it must work
        course = learning.list_catalogue(window.ctx, window.user)[0].id
        window.learn.open_course(course)
        seen["player"] = window.learn.currentWidget() is window.learn.player
    if then == "sign-out":
        window.sign_out()
    QTimer.singleShot(0, window.close)

code = launch.run(db, lambda p: cli._open_context(p, interactive=False), interactive=False,
                  on_stage=stage)
seen["code"] = code
print(json.dumps(seen))
"""


def _start(db: Path, then: str = "") -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, str(db), then, json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, object] = json.loads(proc.stdout.splitlines()[-1])
    return result


@pytest.fixture
def db(ctx: AppContext, tmp_path: Path) -> Path:
    """The demo database, closed, in a folder of its own."""
    path = tmp_path / "launch.db"
    ctx.close()
    shutil.copy(ctx.db.path, path)
    return path


def test_second_start_paints_the_dashboard_before_loading_anything_heavy(db: Path) -> None:
    first = _start(db, "learner")
    assert first["code"] == 0
    assert first["preview"] is False  # nothing to show yet: an empty page in the frame
    assert first["page"] == "SignInPage"  # nobody to reopen on a first start
    second = _start(db, "player")
    assert second["preview"] is True, "the first frame did not show the dashboard image"
    assert second["loaded_at_frame"] == [], second["loaded_at_frame"]
    assert second["reopened"] == "Sam Rivera"  # the learner who was signed in at quit
    assert second["page"] == "QWidget"  # the workspace, not the sign-in page
    assert second["player"] is True  # pydantic loaded after Qt and parses the course


def test_a_database_changed_since_quit_gets_no_image_but_reopens_the_person(db: Path) -> None:
    _start(db, "learner")
    import sqlite3

    con = sqlite3.connect(db)  # another process writes (e.g. a headless sync)
    con.execute("UPDATE profiles SET full_name = 'Sam R.' WHERE full_name = 'Sam Rivera'")
    con.commit()
    con.close()
    after = _start(db)
    assert after["preview"] is False  # the image shows what is no longer there
    assert after["reopened"] == "Sam R."


def test_signing_out_means_the_next_start_asks_who_is_learning(db: Path) -> None:
    _start(db, "learner")
    _start(db, "sign-out")
    after = _start(db)
    assert after["reopened"] is None
    assert after["page"] == "SignInPage"
    assert after["preview"] is False


def test_a_damaged_launch_file_is_ignored(db: Path) -> None:
    from app.shell.launch_snapshot import snapshot_path

    _start(db, "learner")
    snapshot_path(db).write_bytes(b"\x89PNG not really")
    after = _start(db)
    assert after["code"] == 0
    assert after["preview"] is False
    assert after["page"] == "SignInPage"


def test_a_database_that_cannot_open_exits_2_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"this is not a database, it is a text file" * 200)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "--db", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "byteos:" in proc.stderr
    assert bad.read_bytes().startswith(b"this is not a database")  # nothing lost


def test_an_image_of_another_width_is_never_shown(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QImage

    from app.shell.main_window import MainWindow

    image = QImage(700, 500, QImage.Format.Format_RGB32)
    image.fill(0x3355CC)
    window = MainWindow(None, preview=image)
    qtbot.addWidget(window)
    window.resize(1280, 820)
    with qtbot.waitSignal(window.preview.painted, timeout=5000):
        window.show()
    assert window.preview.pixmap().isNull()  # an empty page instead of a skewed picture
    window.close()  # closing before the database opened is fine


def test_launch_state_that_cannot_be_written_is_skipped_quietly(tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    from app.shell import launch_snapshot

    db = tmp_path / "x.db"
    db.write_bytes(b"")
    target = launch_snapshot.snapshot_path(db)
    target.with_name(target.name + ".tmp").mkdir()  # where it writes first: not a file
    image = QImage(10, 10, QImage.Format.Format_RGB32)
    assert launch_snapshot.save(db, image, "someone", None) is False
    assert launch_snapshot.load(db, 1.0) is None  # nothing half-written is left to read
