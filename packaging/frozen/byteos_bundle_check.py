"""``byteos self-check --db PATH``: what an IT admin (and tests/packaging) runs after an
install to see that the bundle works with no network, through the app's own services.

It opens (creates and migrates) the database, loads the demo organisation and opens its
course as the first learner, asks the local tutor model for a few tokens, embeds text with
MiniLM, speaks a sentence with the Piper voice, imports the Qt modules for SCORM play, charts
and media, and checks that ffmpeg/ffprobe, the SCORM runtime and schemas and the Supabase
migrations are present. One JSON object is printed;
the exit code is 0 only when every check passed. ``--skip-model`` leaves out the language
model (the slowest part, about 1 GB read from disk).
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _demo(db: Path) -> dict[str, Any]:
    from app.services import accounts
    from app.services.context import AppContext
    from app.services.demo import load_demo
    from app.services.learning import list_catalogue, open_course

    ctx = AppContext.open(db)
    try:
        load_demo(ctx)
        learner = next(p for p in accounts.list_profiles(ctx.db) if p.role == "learner")
        user = accounts.sign_in(ctx.db, learner.id)
        cards = list_catalogue(ctx, user)
        if not cards:
            raise RuntimeError("the demo organisation has no published course")
        doc = open_course(ctx, user, cards[0].id)
        return {"course": doc.title, "modules": cards[0].module_count, "learner": user.id}
    finally:
        ctx.close()


def _tutor() -> dict[str, Any]:
    from app.services.tutor import TutorRuntime
    from engine.llm.base import CancelToken, ChatMessage, GenerationSettings

    runtime = TutorRuntime()
    provider = runtime.chain.first_available()
    if provider is None or not provider.is_local:
        raise RuntimeError(f"the local model is not the first available one ({provider!r})")
    started = time.monotonic()
    text = "".join(
        provider.stream(
            [ChatMessage("user", "Reply with one word: hello.")],
            GenerationSettings(max_tokens=6, temperature=0.0),
            CancelToken(),
        )
    )
    if not text.strip():
        raise RuntimeError("the local model answered nothing")
    path = getattr(provider, "_resolve_path", lambda: None)()
    return {
        "model": provider.label,
        "file": str(path),
        "answer": text.strip(),
        "seconds": round(time.monotonic() - started, 2),
    }


def _embedder() -> dict[str, Any]:
    from engine.retrieval.embedding import default_embedder

    embedder = default_embedder()
    vectors = embedder.embed(["What is a variable?", "A name bound to a value."])
    if embedder.name != "all-MiniLM-L6-v2" or vectors.shape != (2, 384):
        raise RuntimeError(f"wrong embedder {embedder.name} {vectors.shape}")
    return {"name": embedder.name, "similarity": round(float(vectors[0] @ vectors[1]), 3)}


def _voice() -> dict[str, Any]:
    from engine.media.tts import PiperProvider

    voice = PiperProvider()
    reason = voice.availability()
    if reason:
        raise RuntimeError(reason)
    with tempfile.TemporaryDirectory() as tmp:
        out = voice.synthesize("ByteOS works offline.", Path(tmp) / "check.wav")
        size = out.stat().st_size
    if size <= 44:
        raise RuntimeError("Piper wrote an empty file")
    return {"voice": voice.label, "wav_bytes": size}


def _files() -> dict[str, Any]:
    from engine.media.ffmpeg import ffmpeg_bin, ffprobe_bin
    from engine.scorm.package import runtime_js
    from sync.remote.server_schema import migration_files

    supabase = migration_files()
    if not supabase:
        raise RuntimeError("no Supabase migrations in the bundle")
    folder = importlib.resources.files("engine.scorm").joinpath("schemas")
    schemas = [p for p in folder.iterdir() if p.name.endswith(".xsd")]
    if not schemas:
        raise RuntimeError("no SCORM schemas in the bundle")
    return {
        "ffmpeg": ffmpeg_bin(),
        "ffprobe": ffprobe_bin(),
        "scorm_runtime_bytes": len(runtime_js()),
        "scorm_schemas": len(schemas),
        "supabase_migrations": len(supabase),
    }


QT_MODULES = ("PySide6.QtWebEngineWidgets", "PySide6.QtCharts", "PySide6.QtMultimedia")
"""Qt modules the bundle promises beyond what the start screen loads: SCORM play, analytics
charts, audio and video."""


def _qt() -> dict[str, Any]:
    import importlib

    for name in QT_MODULES:
        importlib.import_module(name)
    return {"modules": list(QT_MODULES)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="byteos self-check", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="a database file to use")
    parser.add_argument("--skip-model", action="store_true", help="leave out the tutor model")
    args = parser.parse_args(argv)
    import app  # noqa: F401  (pydantic before anything else; see app/__init__)

    checks: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("demo", lambda: _demo(args.db)),
        ("files", _files),
        ("qt", _qt),
        ("embedder", _embedder),
        ("voice", _voice),
    ]
    if not args.skip_model:
        checks.append(("tutor", _tutor))
    report: dict[str, Any] = {"frozen": bool(getattr(sys, "frozen", False))}
    ok = True
    for name, check in checks:
        started = time.monotonic()
        try:
            report[name] = {"ok": True, **check()}
        except Exception as err:  # each failure is reported, the other checks still run
            ok = False
            report[name] = {"ok": False, "error": f"{type(err).__name__}: {err}"}
        report[name]["check_s"] = round(time.monotonic() - started, 2)
    report["ok"] = ok
    print(json.dumps(report, indent=2))
    return 0 if ok else 1
