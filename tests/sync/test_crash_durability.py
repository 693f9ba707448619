"""An event, once ``record_event`` has returned, survives ``kill -9`` of the writer."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.services.context import AppContext

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 12


@pytest.mark.slow
def test_kill_minus_nine_loses_no_acknowledged_event(ctx: AppContext) -> None:
    db = ctx.db.path
    ctx.close()
    rng = random.Random(1234)
    acknowledged: list[str] = []
    for _ in range(ROUNDS):
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "sync" / "crash_writer.py"), str(db)],
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()  # wait until it is writing
        assert first, "writer did not start"
        time.sleep(rng.uniform(0.05, 0.4))
        proc.send_signal(signal.SIGKILL)
        rest = proc.stdout.read()
        proc.wait()
        lines = (first + rest).decode().splitlines()
        # only complete lines were acknowledged (a line cut by the kill is not)
        complete = lines if (first + rest).endswith(b"\n") else lines[:-1]
        acknowledged.extend(complete)
    assert len(acknowledged) > ROUNDS

    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {r[0] for r in con.execute("SELECT id FROM learning_events")}
    finally:
        con.close()
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged events lost"
    assert len(acknowledged) == len(set(acknowledged))
