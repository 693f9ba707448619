"""The layering rules: Qt only in app/; engine/ imports neither Qt, SQL, sync nor app;
the services layer never imports Qt; sync never imports app."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / folder).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        mods: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                mods.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = mods
    return found


def _violations(folder: str, banned: set[str]) -> dict[str, set[str]]:
    return {f: m & banned for f, m in _imports(folder).items() if m & banned}


def _top_level_imports(folder: str) -> dict[str, set[str]]:
    """Imports executed when a module is imported (not those inside functions)."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / folder).rglob("*.py"):
        mods: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                mods.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                mods.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = mods
    return found


def test_engine_is_pure() -> None:
    banned = {"PySide6", "shiboken6", "sqlalchemy", "alembic", "sync", "app"}
    assert _violations("engine", banned) == {}


def test_engine_does_no_network_or_heavy_work_at_import() -> None:
    """Providers that need the network or big libraries import them inside the call."""
    heavy = {
        "httpx",
        "requests",
        "openai",
        "anthropic",
        "together",
        "edge_tts",
        "torch",
        "sentence_transformers",
        "llama_cpp",
        "supabase",
    }
    top = _top_level_imports("engine")
    assert {f: m & heavy for f, m in top.items() if m & heavy} == {}


def test_sync_has_no_qt_and_no_app() -> None:
    assert _violations("sync", {"PySide6", "shiboken6", "app"}) == {}


def test_services_have_no_qt() -> None:
    assert _violations("app/services", {"PySide6", "shiboken6"}) == {}


def test_views_never_talk_sql() -> None:
    views = {**_imports("app/shell"), **_imports("app/learn"), **_imports("app/studio")}
    assert {f: m for f, m in views.items() if m & {"sqlalchemy", "sqlite3"}} == {}


def test_engine_import_does_no_heavy_work() -> None:
    import subprocess
    import sys

    code = "import sys, engine.content, engine.progress; print('PySide6' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "False"


def test_views_reach_the_store_only_through_services() -> None:
    """Learn and Studio screens call app/services; they never import the sync layer, SQL or
    HTTP themselves (the shell, which wires the sync service to the window, may)."""
    banned = {"sync", "sqlalchemy", "httpx", "supabase"}
    found = {**_violations("app/learn", banned), **_violations("app/studio", banned)}
    assert found == {}
