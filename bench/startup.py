"""Start-up benchmark: cold start to an interactive main window, and core screens.

    .venv/bin/python -m bench.startup [--runs N] [--bytecode-cache]

Each run is a fresh process (imports, database open + migration check, window shown, first
event-loop pass). Also times opening the Learn dashboard, the Studio surface and the course
player in-process. The spec's bar: core screens open in under 2 s. Prints one JSON object on
its last line.

The floor: in the same run, interleaved with the app's runs so both see the same machine
load, a fresh process shows a bare PySide6 window the same way (``startup_probe --bare``).
Wall and CPU time (user + system of the child, from ``RUSAGE_CHILDREN``) are taken for both,
and ``cpu_ratio`` is the app's start to a rendered Learn dashboard over that floor (the goal
is at most 3). ``byteos --screenshot`` is measured the same way against a bare window that
also grabs itself to a PNG (``screenshot_cpu_ratio``).

``--bytecode-cache``: where the environment forbids writing bytecode (``PYTHONDONTWRITEBYTECODE``,
as on the CI and agent machines), every start compiles ByteOS's own modules from source, which
an installed app never does after its first launch. With this flag the children keep their
bytecode in a temporary ``PYTHONPYCACHEPREFIX`` (filled by the warm-up run), app and floor
alike; without it they run in the environment as it is (``bytecode_cache`` says which).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


GOAL_CPU_RATIO = 3.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


_CHILD_ENV: dict[str, str] = {}


def _timed(args: list[str]) -> tuple[float, float, str]:
    """Run ``python ARGS`` offscreen in a fresh process: (wall s, CPU s of it, its stdout)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **_CHILD_ENV}
    if "PYTHONPYCACHEPREFIX" in _CHILD_ENV:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    ).stdout
    wall = time.perf_counter() - t0
    return wall, _children_cpu() - cpu0, out


def _ready(out: str) -> tuple[float, float]:
    line = next(x for x in out.splitlines() if x.startswith("ready"))
    _, t_window, t_surface = line.split()
    return float(t_window), float(t_surface)


def _cold_start(db: Path, surface: str) -> tuple[float, float, float, float]:
    """(wall, in-process to window shown, surface open, CPU) of one app start."""
    wall, cpu, out = _timed(["-m", "bench.startup_probe", str(db), surface])
    t_window, t_surface = _ready(out)
    return wall, t_window, t_surface, cpu


def _bare_start(png: Path | None = None) -> tuple[float, float, float, float]:
    """The same for a bare PySide6 window (grabbed to ``png`` when given)."""
    wall, cpu, out = _timed(["-m", "bench.startup_probe", "--bare", *([str(png)] if png else [])])
    t_window, t_surface = _ready(out)
    return wall, t_window, t_surface, cpu


def _screenshot(db: Path, png: Path) -> tuple[float, float]:
    """(wall, CPU) of ``byteos --db DB --screenshot PNG``: start to a rendered Learn dashboard."""
    wall, cpu, _out = _timed(["-m", "app.cli", "--db", str(db), "--screenshot", str(png)])
    return wall, cpu


def _median(values: list[float], digits: int = 3) -> float:
    return round(statistics.median(values), digits)


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
    ap.add_argument(
        "--bytecode-cache",
        action="store_true",
        help="children keep compiled bytecode in a temporary cache, as an installed app does",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.bytecode_cache:
            _CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        db = Path(tmp) / "bench.db"
        subprocess.run(
            [sys.executable, "-m", "app.cli", "demo", "--db", str(db)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        png = Path(tmp) / "shot.png"
        # warm the OS file cache (and the bytecode cache), as a second launch would
        _cold_start(db, "learn")
        _cold_start(db, "studio")
        _bare_start(png)
        _screenshot(db, png)
        runs: dict[str, list[tuple[float, float, float, float]]] = {
            "learn": [],
            "studio": [],
            "bare": [],
            "bare_png": [],
        }
        shots: list[tuple[float, float]] = []
        for _ in range(args.runs):  # interleaved: the app and its floor see the same load
            runs["bare"].append(_bare_start())
            runs["learn"].append(_cold_start(db, "learn"))
            runs["studio"].append(_cold_start(db, "studio"))
            runs["bare_png"].append(_bare_start(png))
            shots.append(_screenshot(db, png))
        player = _player_open(db)
    learn_cpu = _median([r[3] for r in runs["learn"]])
    bare_cpu = _median([r[3] for r in runs["bare"]])
    shot_cpu = _median([s[1] for s in shots])
    bare_png_cpu = _median([r[3] for r in runs["bare_png"]])
    learn_wall = _median([r[0] for r in runs["learn"]])
    bare_wall = _median([r[0] for r in runs["bare"]])
    result = {
        "runs": args.runs,
        "bytecode_cache": args.bytecode_cache,
        "cold_start_to_interactive_s_median": learn_wall,
        "in_process_to_window_shown_s_median": _median([r[1] for r in runs["learn"]]),
        "learn_dashboard_open_s_median": _median([r[2] for r in runs["learn"]], 4),
        "studio_open_s_median": _median([r[2] for r in runs["studio"]], 4),
        "course_player_open_s_median": round(player, 4),
        "cold_start_cpu_s_median": learn_cpu,
        "studio_cold_start_cpu_s_median": _median([r[3] for r in runs["studio"]]),
        "bare_qt_wall_s_median": bare_wall,
        "bare_qt_cpu_s_median": bare_cpu,
        "cpu_ratio": round(learn_cpu / bare_cpu, 2),
        "wall_ratio": round(learn_wall / bare_wall, 2),
        "screenshot_wall_s_median": _median([s[0] for s in shots]),
        "screenshot_cpu_s_median": shot_cpu,
        "bare_qt_screenshot_cpu_s_median": bare_png_cpu,
        "screenshot_cpu_ratio": round(shot_cpu / bare_png_cpu, 2),
        "cpu_ratio_goal": GOAL_CPU_RATIO,
        "cpu_ratio_met": learn_cpu / bare_cpu <= GOAL_CPU_RATIO,
    }
    for k, v in result.items():
        print(f"{k:40s} {v}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
