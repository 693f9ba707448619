"""Start-up stays light: nothing heavy is imported before the Learn dashboard is on screen.

Issue 11 ("start in a blink"): Alembic, the Supabase client and the replicator, networkx,
torch, llama.cpp and sentence-transformers each cost a noticeable part of a second (or many)
and none of them is needed to show the dashboard. A fresh process runs the app's own start
path (``byteos --db DB --screenshot PNG``: open the database, main window, sign in, the Learn
dashboard rendered and grabbed) and reports what it had imported by then.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.services.context import AppContext

ROOT = Path(__file__).resolve().parents[2]

NOT_AT_START = (
    "alembic",  # the schema version is one query; Alembic loads only to migrate
    "supabase",
    "httpx",
    "sync.remote.client",
    "sync.replicator",  # sync loads when a sync or a sign-in runs
    "networkx",
    "torch",
    "llama_cpp",
    "sentence_transformers",
    "app.learn.course_player",  # the player (and its tutor) loads when a course opens
)

_START = """
import json, sys
from app import cli
code = cli.main(["--db", sys.argv[1], "--screenshot", sys.argv[2], "--surface", "learn"])
watched = json.loads(sys.argv[3])
print(json.dumps({
    "code": code,
    "loaded": sorted(m for m in watched if m in sys.modules),
    "dashboard": "app.learn.dashboard" in sys.modules,
}))
"""


def _start(db: Path, png: Path) -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", _START, str(db), str(png), json.dumps(NOT_AT_START)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, object] = json.loads(proc.stdout.splitlines()[-1])
    return result


def test_start_to_dashboard_imports_nothing_heavy(ctx: AppContext, tmp_path: Path) -> None:
    png = tmp_path / "learn.png"
    result = _start(ctx.db.path, png)
    assert result["code"] == 0
    assert result["dashboard"], "the start path did not reach the Learn dashboard"
    assert png.stat().st_size > 10_000  # a rendered window, not an empty grab
    assert result["loaded"] == [], f"imported before the dashboard was shown: {result['loaded']}"
