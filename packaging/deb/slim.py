"""Cut what a frozen ByteOS does not need, after PyInstaller: ``python slim.py DIST_DIR``.

* headers, static libraries, type stubs, caches and test folders that hooks collect with a
  package's data;
* torch's C++ test programs and data (``torch/bin`` but torch_shm_manager, ``torch/test``),
  Qt's QML modules and QML debugging plugins (the app has no QML; QtWebEngine's widgets need
  none), then every Qt library no remaining binary needs: a NEEDED graph from every ELF file
  outside ``PySide6/Qt/lib`` (plugins and QtWebEngineProcess included, so nothing that Qt
  dlopen()s through a plugin goes);
* identical copies of one library in one folder (``libx.so``, ``libx.so.0``, ``libx.so.0.1``
  as wheels ship them, e.g. llama_cpp/lib): the extra names become relative symlinks;
* debug sections: ``strip --strip-debug`` on the ELF files that have any, except those in
  auditwheel's ``*.libs`` folders (patchelf-edited: strip breaks their layout; PyInstaller's
  own ``strip=True`` broke numpy's OpenBLAS that way).

Prints what it saved. Files are never removed by guesswork about imports: only these kinds.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

DROP_SUFFIXES = (".h", ".hpp", ".cuh", ".a", ".lib", ".pyi", ".cmake", ".pc", ".cu", ".cpp")
DROP_DIRS = {"__pycache__", "include", "pkgconfig", "cmake", "tests"}  # e.g. sklearn's test data
DROP_PATHS = ("torch/bin", "torch/test", "PySide6/Qt/qml", "PySide6/Qt/plugins/qmltooling")
KEEP = {"torch/bin/torch_shm_manager"}  # torch checks that it is there when it loads
QT_LIB = Path("PySide6/Qt/lib")
_NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def drop_unneeded(dist: Path) -> int:
    saved = 0
    for path in sorted(dist.rglob("*"), reverse=True):
        if path.is_symlink() or not path.is_file():
            continue
        in_dropped_dir = DROP_DIRS & set(path.relative_to(dist).parts[:-1])
        if path.name.endswith(DROP_SUFFIXES) or in_dropped_dir:
            saved += path.stat().st_size
            path.unlink()
    for folder in sorted((p for p in dist.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return saved


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def drop_paths(dist: Path) -> int:
    saved = 0
    for rel in DROP_PATHS:
        for top in (dist, dist / "_internal"):
            base = top / rel
            if not base.is_dir():
                continue
            kept = [p for p in base.rglob("*") if p.relative_to(top).as_posix() in KEEP]
            if not kept:
                saved += _size(base)
                shutil.rmtree(base)
                continue
            for path in sorted(base.rglob("*"), reverse=True):
                if path in kept or (path.is_dir() and any(k.is_relative_to(path) for k in kept)):
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    saved += path.stat().st_size
                    path.unlink()
    return saved


def _is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def _needed(files: list[Path]) -> set[str]:
    names: set[str] = set()
    for i in range(0, len(files), 200):
        out = subprocess.run(
            ["readelf", "-d", *map(str, files[i : i + 200])],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        names.update(_NEEDED.findall(out))
    return names


def drop_unused_qt_libraries(dist: Path) -> int:
    qt_lib = next((p for p in (dist / QT_LIB, dist / "_internal" / QT_LIB) if p.is_dir()), None)
    if qt_lib is None:
        return 0
    libs = {p.name: p for p in qt_lib.iterdir() if p.is_file() and not p.is_symlink()}
    roots = [
        p
        for p in dist.rglob("*")
        if p.is_file() and not p.is_symlink() and p.parent != qt_lib and _is_elf(p)
    ]
    reached: set[str] = set()
    frontier = _needed(roots)
    while frontier:
        new = {n for n in frontier if n in libs and n not in reached}
        reached |= new
        frontier = _needed([libs[n] for n in new]) if new else set()
    saved = 0
    for name, path in libs.items():
        if name not in reached and ".so" in name:
            saved += path.stat().st_size
            path.unlink()
    for link in qt_lib.iterdir():
        if link.is_symlink() and not link.exists():
            link.unlink()
    return saved


def strip_debug(dist: Path) -> int:
    candidates = [
        p
        for p in dist.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and not any(part.endswith(".libs") for part in p.relative_to(dist).parts[:-1])
        and _is_elf(p)
    ]
    with_debug: list[Path] = []
    for i in range(0, len(candidates), 200):
        chunk = candidates[i : i + 200]
        out = subprocess.run(
            ["readelf", "-S", "-W", *map(str, chunk)], capture_output=True, text=True, check=False
        ).stdout
        current: str | None = None
        for line in out.splitlines():
            if line.startswith("File: "):
                current = line[6:].strip()
            elif current and " .debug_" in line:
                with_debug.append(Path(current))
                current = None
    saved = 0
    for path in with_debug:
        before = path.stat().st_size
        mode = path.stat().st_mode
        subprocess.run(["strip", "--strip-debug", str(path)], check=True)
        os.chmod(path, mode)
        saved += before - path.stat().st_size
    return saved


def link_duplicates(dist: Path) -> int:
    """Same-folder identical shared libraries → one file and symlinks to it."""
    saved = 0
    groups: dict[tuple[Path, int], list[Path]] = defaultdict(list)
    for path in dist.rglob("*.so*"):
        if path.is_file() and not path.is_symlink():
            groups[(path.parent, path.stat().st_size)].append(path)
    for (_, size), paths in groups.items():
        if len(paths) < 2:
            continue
        by_digest: dict[str, list[Path]] = defaultdict(list)
        for p in paths:
            by_digest[_digest(p)].append(p)
        for same in by_digest.values():
            keep, *rest = sorted(same, key=lambda p: (-len(p.name), p.name))  # the full version
            for extra in rest:
                extra.unlink()
                os.symlink(keep.name, extra)
                saved += size
    return saved


def main(dist: Path) -> None:
    dropped = drop_unneeded(dist) + drop_paths(dist)
    unused = drop_unused_qt_libraries(dist)
    stripped = strip_debug(dist)
    linked = link_duplicates(dist)
    print(f"slim: stripped {stripped >> 20} MiB of debug sections")
    print(
        f"slim: dropped {dropped >> 20} MiB (headers, tests, QML), {unused >> 20} MiB of Qt "
        f"libraries nothing needs; linked {linked >> 20} MiB of identical copies"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
