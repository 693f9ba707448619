"""SCORM 1.2 export and import speed (issue 14): export of a 50-module course without media
(target under 2 s) and import of a ~100 MB package.

    .venv/bin/python -m bench.scorm [--modules 50] [--package-mb 100] [--runs 3]

Everything happens in a temporary database and asset store (the demo organisation and
profiles loaded into it). The course is written through ``app.services.authoring`` (the
demo course's four modules, blocks and quizzes, repeated to ``--modules`` modules) and
exported with ``app.services.scorm.export_scorm`` (per-module SCOs, no media): the time
includes reading the course, building and validating the package against the XSDs,
writing the zip and recording the ``content_assets`` row. The package to import is the
Articulate-style test package (``tests/engine/scorm/packages.py``) padded with many files:
``--package-mb`` of incompressible "media" (random bytes) and a fifth as much again of
compressible slide scripts, all listed in the manifest; the time includes the
checks, storing the zip, unpacking every file and writing the course. Each figure is the
median of ``--runs`` runs (each import into a fresh database, so nothing is deduplicated).
Not part of the tests. Prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import app  # noqa: F401  (pydantic first; see app/__init__)
from app.services import accounts, authoring
from app.services.authoring import ModuleDoc
from app.services.context import AppContext
from app.services.demo import load_demo
from app.services.scorm import export_scorm
from app.services.scorm_import import import_scorm
from tests.engine.scorm.packages import MANIFEST_12, storyline_files, zip_of

EXPORT_TARGET_S = 2.0
MEDIA_FILE = 512 * 1024  # one incompressible file
TEXT_FILE = 16 * 1024  # one compressible file
TEXT_SHARE = 0.2  # compressible bytes, as a share of the media's


def _open(root: Path) -> tuple[AppContext, accounts.CurrentUser]:
    ctx = AppContext.open(root / "bench.db", root / "assets")
    load_demo(ctx)
    creator = next(p for p in accounts.list_profiles(ctx.db) if p.role == "creator")
    return ctx, creator


def _course(ctx: AppContext, user: accounts.CurrentUser, modules: int) -> str:
    """A ``modules``-module course made as Studio makes one (create, then save)."""
    demo = authoring.load_course(ctx, next(c.id for c in authoring.list_courses(ctx, user)))
    doc = authoring.create_course(ctx, user, f"Bench course, {modules} modules")
    doc.description = demo.description
    doc.modules = [
        ModuleDoc(
            f"Module {i + 1}: {demo.modules[i % len(demo.modules)].title}",
            list(demo.modules[i % len(demo.modules)].blocks),
            list(demo.modules[i % len(demo.modules)].quiz),
        )
        for i in range(modules)
    ]
    return authoring.save_course(ctx, user, doc).id


def _package(dest: Path, megabytes: float) -> tuple[int, int]:
    """A SCORM 1.2 zip of about ``megabytes`` MB at ``dest`` (the media fill it; the
    scripts add a fifth more unpacked, little zipped); (files, unpacked bytes)."""
    total = int(megabytes * 1e6)
    files = storyline_files()
    text_bytes, n = 0, 0
    while text_bytes < total * TEXT_SHARE:
        line = f"/* slide {n} */ var SLIDE_{n} = {{title: 'Slide {n}', text: 'Safety'}};\n"
        files[f"scormcontent/data/slide{n:05d}.js"] = (line * (TEXT_FILE // len(line))).encode()
        text_bytes += TEXT_FILE
        n += 1
    media_bytes, m = 0, 0
    while media_bytes < total:
        files[f"scormcontent/media/clip{m:04d}.mp4"] = os.urandom(MEDIA_FILE)
        media_bytes += MEDIA_FILE
        m += 1
    listed = "".join(
        f'      <file href="{name}"/>\n'
        for name in files
        if name.startswith(("scormcontent/data/slide", "scormcontent/media/"))
    )
    files["imsmanifest.xml"] = MANIFEST_12.replace(
        b'      <file href="scormcontent/story.css"/>\n',
        b'      <file href="scormcontent/story.css"/>\n' + listed.encode(),
    )
    dest.write_bytes(zip_of(files))
    return len(files), sum(len(v) for v in files.values())


def bench_export(modules: int, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-scorm-export-") as tmp:
        root = Path(tmp)
        ctx, creator = _open(root)
        try:
            course_id = _course(ctx, creator, modules)
            times: list[float] = []
            for run in range(runs):
                target = root / f"export{run}.zip"
                t0 = time.perf_counter()
                done = export_scorm(ctx, course_id, target, user=creator, media=False)
                times.append(time.perf_counter() - t0)
        finally:
            ctx.close()
    secs = statistics.median(times)
    return {
        "export_modules": done.module_count,
        "export_scos": done.sco_count,
        "export_questions": done.question_count,
        "export_zip_mb": round(done.bytes / 1e6, 2),
        "export_s": round(secs, 3),
        "export_s_runs": [round(t, 3) for t in times],
        "export_target_s": EXPORT_TARGET_S,
        "export_ok": secs < EXPORT_TARGET_S,
    }


def bench_import(megabytes: float, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-scorm-import-") as tmp:
        root = Path(tmp)
        pkg = root / "big.zip"
        files, unpacked = _package(pkg, megabytes)
        size = pkg.stat().st_size
        times: list[float] = []
        for run in range(runs):
            ctx, creator = _open(root / f"db{run}")
            try:
                t0 = time.perf_counter()
                result = import_scorm(ctx, creator, pkg)
                times.append(time.perf_counter() - t0)
                assert result.files == files, (result.files, files)
            finally:
                ctx.close()
    secs = statistics.median(times)
    return {
        "import_zip_mb": round(size / 1e6, 1),
        "import_unpacked_mb": round(unpacked / 1e6, 1),
        "import_files": files,
        "import_s": round(secs, 2),
        "import_s_runs": [round(t, 2) for t in times],
        "import_mb_per_s": round(size / 1e6 / secs, 1),
        "import_unpacked_mb_per_s": round(unpacked / 1e6 / secs, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--modules", type=int, default=50)
    ap.add_argument("--package-mb", type=float, default=100.0)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    result = {
        **bench_export(args.modules, args.runs),
        **bench_import(args.package_mb, args.runs),
    }
    for k, v in result.items():
        print(f"{k:22s} {v}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
