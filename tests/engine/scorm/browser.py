"""Run a page in real headless Chromium and read back what it wrote (``--dump-dom``).

The package and the test LMS are served over HTTP from a temporary folder on 127.0.0.1 (a
real origin, so the host page can reach into the SCO's frame as an LMS's player does).
Tests that need the browser skip, saying why, when there is none.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
SCORM_AGAIN = "3.4.3"  # the maintained SCORM runtime LMSs embed (npm, MIT)
FAKE_HOST = "lms_host.html"
SCORM_AGAIN_HOST = "scorm_again_host.html"


def chromium() -> str | None:
    return next((p for p in map(shutil.which, _CANDIDATES) if p), None)


needs_chromium = pytest.mark.skipif(
    chromium() is None,
    reason="no Chromium on this machine (Debian: apt-get install chromium); the SCORM "
    "runtime is only tested in a real browser",
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def dump_dom(url: str, *, budget_ms: int = 30000, timeout_s: float = 90) -> str:
    exe = chromium()
    assert exe is not None
    with tempfile.TemporaryDirectory(prefix="scorm-chromium-") as profile:
        proc = subprocess.run(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-popup-blocking",
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={budget_ms}",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    if proc.returncode != 0:
        raise AssertionError(f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


def scorm_again_js() -> Path:
    """``dist/scorm12.js`` of the pinned scorm-again, installed with npm once into a cache
    folder outside the work tree (idempotent); skips the test when it cannot be had."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "byteos-tests"
    target = cache / "node_modules" / "scorm-again"
    dist = target / "dist" / "scorm12.js"
    installed = target / "package.json"
    if dist.is_file() and f'"version": "{SCORM_AGAIN}"' in installed.read_text("utf-8"):
        return dist
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed, so scorm-again cannot be fetched (apt-get install npm)")
    cache.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(cache),
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--no-save",
            f"scorm-again@{SCORM_AGAIN}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0 or not dist.is_file():
        pytest.skip(f"npm could not install scorm-again@{SCORM_AGAIN}: {proc.stderr[-300:]}")
    return dist


def run_scenario(site: Path, scenario_js: str, host: str = FAKE_HOST) -> dict[str, Any]:
    """Copy the test LMS ``host`` into ``site`` (the unpacked package), run ``scenario_js``
    in it and return the JSON the scenario produced."""
    for name in (host, "fake_lms.js", "learner.js"):
        shutil.copy(HERE / name, site / name)
    if host == SCORM_AGAIN_HOST:
        shutil.copy(scorm_again_js(), site / "scorm-again-scorm12.js")
    (site / "scenario.js").write_text(scenario_js, encoding="utf-8")
    with serve(site) as base:
        dom = dump_dom(f"{base}/{host}")
    m = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert m is not None, dom[-2000:]
    result: dict[str, Any] = json.loads(html.unescape(m.group(1)))
    assert "error" not in result, result.get("error")
    return result
