"""Start-up benchmark: cold start to an interactive main window, and core screens.

    .venv/bin/python -m bench.startup [--runs N]

Each run is a fresh process (imports, database open + migration check, window shown, first
event-loop pass). Also times opening the Learn dashboard, the Studio surface and the course
player in-process. The spec's bar: core screens open in under 2 s. Prints one JSON object on
its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cold_start(db: Path, surface: str) -> tuple[float, float, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench.startup_probe", str(db), surface],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    ).stdout
    wall = time.perf_counter() - t0
    line = next(x for x in out.splitlines() if x.startswith("ready"))
    _, t_window, t_surface = line.split()
    return wall, float(t_window), float(t_surface)


def _player_open(db: Path) -> float:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    import app  # noqa: F401
    from app.learn.learn_view import LearnView
    from app.services import accounts, learning
    from app.services.context import AppContext

    qapp = QApplication.instance() or QApplication([])
    ctx = AppContext.open(db)
    user = next(p for p in accounts.list_profiles(ctx.db) if p.role == "learner")
    view = LearnView(ctx, user)
    view.show()
    course = learning.list_catalogue(ctx, user)[0].id
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        view.open_course(course)
        qapp.processEvents()
        times.append(time.perf_counter() - t0)
        view.show_dashboard()
    ctx.close()
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        subprocess.run(
            [sys.executable, "-m", "app.cli", "demo", "--db", str(db)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        _cold_start(db, "learn")  # warm the OS file cache, as a second launch would
        runs = {s: [_cold_start(db, s) for _ in range(args.runs)] for s in ("learn", "studio")}
        player = _player_open(db)
    result = {
        "runs": args.runs,
        "cold_start_to_interactive_s_median": round(
            statistics.median(r[0] for r in runs["learn"]), 3
        ),
        "in_process_to_window_shown_s_median": round(
            statistics.median(r[1] for r in runs["learn"]), 3
        ),
        "learn_dashboard_open_s_median": round(statistics.median(r[2] for r in runs["learn"]), 4),
        "studio_open_s_median": round(statistics.median(r[2] for r in runs["studio"]), 4),
        "course_player_open_s_median": round(player, 4),
    }
    for k, v in result.items():
        print(f"{k:40s} {v}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
