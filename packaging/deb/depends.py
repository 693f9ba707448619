"""The Debian ``Depends:`` of a frozen ByteOS: ``python depends.py DIST_DIR`` prints one line.

Every ELF file in the bundle is read (``readelf -d``) for the libraries it needs; those not in
the bundle are resolved through ``ldconfig -p`` and ``dpkg -S`` to the Debian package that
provides them on the build machine. glibc gets a minimum version: the newest ``GLIBC_x.y``
symbol version the bundle uses. ffmpeg (the audio and video tools the app runs) is added.
A library no installed package provides is reported on stderr and left out.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ALWAYS = ["ffmpeg"]  # engine/media/ffmpeg.py runs ffmpeg and ffprobe from PATH
_NEEDED = re.compile(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]")
_GLIBC = re.compile(rb"GLIBC_(\d+)\.(\d+)")


def _elf_files(dist: Path) -> list[Path]:
    out = []
    for path in dist.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(path)
    return out


def needed_outside(dist: Path) -> tuple[set[str], tuple[int, int]]:
    files = _elf_files(dist)
    present = {p.name for p in dist.rglob("*")}
    needed: set[str] = set()
    glibc = (2, 17)
    for i in range(0, len(files), 200):
        chunk = files[i : i + 200]
        out = subprocess.run(
            ["readelf", "-d", *map(str, chunk)], capture_output=True, text=True, check=False
        ).stdout
        needed.update(_NEEDED.findall(out))
        ver = subprocess.run(
            ["readelf", "-V", *map(str, chunk)], capture_output=True, check=False
        ).stdout
        for major, minor in _GLIBC.findall(ver):
            glibc = max(glibc, (int(major), int(minor)))
    return {n for n in needed if n not in present}, glibc


def _system_libraries() -> dict[str, str]:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    found: dict[str, str] = {}
    for line in out.splitlines()[1:]:
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and ("x86-64" in m.group(2) or "64bit" in m.group(2)):
            found.setdefault(m.group(1), m.group(3))
    return found


def _package_of(path: str) -> str | None:
    for candidate in (path, str(Path(path).resolve())):
        done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.split(":", 1)[0].strip()
        # /lib is a symlink to /usr/lib on merged-/usr systems; dpkg knows one of the names
        if candidate.startswith("/usr/"):
            alt = candidate.replace("/usr/lib/", "/lib/", 1)
        else:
            alt = candidate.replace("/lib/", "/usr/lib/", 1)
        done = subprocess.run(["dpkg", "-S", alt], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.split(":", 1)[0].strip()
    return None


def depends(dist: Path) -> str:
    needed, glibc = needed_outside(dist)
    system = _system_libraries()
    packages: set[str] = set()
    for soname in sorted(needed):
        path = system.get(soname)
        package = _package_of(path) if path else None
        if package is None:
            print(f"depends: no Debian package provides {soname}; left out", file=sys.stderr)
            continue
        packages.add(package)
    packages.discard("libc6")
    items = [f"libc6 (>= {glibc[0]}.{glibc[1]})", *sorted(packages), *ALWAYS]
    return ", ".join(items)


if __name__ == "__main__":
    print(depends(Path(sys.argv[1])))
