"""The stable commands IT and scripts rely on, run as real processes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def byteos(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_db_upgrade_and_demo(tmp_path: Path) -> None:
    db = tmp_path / "it" / "byteos.db"
    r = byteos("db", "upgrade", "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "revision" in r.stdout
    r = byteos("demo", "--db", str(db))
    assert r.returncode == 0 and "loaded" in r.stdout
    r = byteos("demo", "--db", str(db))
    assert "already present" in r.stdout
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM courses").fetchone() == (1,)
    con.close()


def test_corrupt_database_gives_clear_message_and_exit_code(tmp_path: Path) -> None:
    db = tmp_path / "bad.db"
    db.write_bytes(b"\x00garbage" * 1000)
    r = byteos("db", "upgrade", "--db", str(db))
    assert r.returncode == 2
    assert "damaged" in r.stderr and "Traceback" not in r.stderr
    assert db.read_bytes() == b"\x00garbage" * 1000


def test_screenshot_of_each_surface(tmp_path: Path) -> None:
    for surface in ("learn", "studio"):
        png = tmp_path / f"{surface}.png"
        r = byteos("--db", str(tmp_path / "s.db"), "--screenshot", str(png), "--surface", surface)
        assert r.returncode == 0, r.stderr
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 10_000
