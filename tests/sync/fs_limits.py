"""Real file-system limits for tests: a small tmpfs (a real full disk), a read-only bind
mount, an immutable file. They need root (``mount``, ``chattr``); without it the closest real
mechanism is used (``PRAGMA max_page_count`` gives SQLite's own SQLITE_FULL; ``chmod`` makes a
file and folder read-only for a user that is not root), and ``mechanism`` says which.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _run(*cmd: str) -> bool:
    if shutil.which(cmd[0]) is None:
        return False
    return subprocess.run(cmd, capture_output=True).returncode == 0


@contextmanager
def small_disk(folder: Path, size: str = "4m") -> Iterator[str]:
    """``folder`` becomes a tmpfs of ``size`` (yields "tmpfs"), or is left as it is and the
    caller must cap the database with ``max_page_count`` (yields "max_page_count")."""
    folder.mkdir(parents=True, exist_ok=True)
    if _root() and _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        try:
            yield "tmpfs"
        finally:
            _run("umount", "-l", str(folder))
    else:
        yield "max_page_count"


def fill(folder: Path) -> Path:
    """Fill the file system holding ``folder`` to the last byte; returns the filler file."""
    filler = folder / "filler.bin"
    chunk = b"\0" * 65536
    with filler.open("wb", buffering=0) as f:
        for piece in (chunk, b"\0"):  # big pieces, then the last few bytes one at a time
            try:
                while f.write(piece):
                    pass
            except OSError:
                pass
    return filler


@contextmanager
def read_only_folder(folder: Path) -> Iterator[str]:
    """``folder`` (and what is in it) becomes read-only: a read-only bind mount over itself
    when root, else ``chmod``. Yields the mechanism."""
    if _root():
        if _run("mount", "--bind", str(folder), str(folder)):
            if _run("mount", "-o", "remount,ro,bind", str(folder)):
                try:
                    yield "read-only bind mount"
                finally:
                    _run("umount", "-l", str(folder))
                return
            _run("umount", "-l", str(folder))
        pytest.skip("cannot make a read-only bind mount here")
    modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
    for p in folder.iterdir():
        p.chmod(stat.S_IRUSR | stat.S_IRGRP)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        yield "chmod a-w"
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


@contextmanager
def immutable(path: Path) -> Iterator[str]:
    """``chattr +i`` (root), else ``chmod a-w`` on the file only."""
    if _root():
        if not _run("chattr", "+i", str(path)):
            pytest.skip("chattr +i is not supported here")
        try:
            yield "chattr +i"
        finally:
            _run("chattr", "-i", str(path))
        return
    mode = path.stat().st_mode
    path.chmod(stat.S_IRUSR)
    try:
        yield "chmod a-w"
    finally:
        path.chmod(mode)
