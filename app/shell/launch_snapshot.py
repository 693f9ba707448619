"""What the window showed when ByteOS last closed, so the next start paints it at once.

Why: the first thing a person waits for is their screen. Loading the ORM, pydantic and the
services costs ~0.4 s of CPU before any of them can draw a dashboard (more than twice what a
bare Qt window costs to appear), so ByteOS does what phones do with an app's launch
snapshot: at quit it keeps an image of the workspace (the Learn dashboard of whoever was
signed in) and, at the next start, the window opens showing that image while the real
screen is built behind it, then swaps it for the live widgets (``app/shell/launch.py``).

The image is only shown when it cannot be wrong about the data: it carries a fingerprint of
the database file (size and modification time of the file and of its write-ahead log),
taken after the database was closed, and a start whose database differs (another process
synced, a backup was restored, the app crashed after writing) paints no image. The same
file remembers who was signed in (ByteOS reopens to them, as a personal laptop should; a
person who signed out gets the profile list) and the window's geometry.

One PNG beside the database, its metadata in a ``tEXt`` chunk: written to a temporary
file and renamed, so a crash never leaves half of one. Qt GUI and the standard library only
(no services, no SQLAlchemy): it is read before they load.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage, QImageReader

log = logging.getLogger(__name__)

VERSION = 1
_KEY = "byteos-launch"


def snapshot_path(db: Path) -> Path:
    return db.with_name(db.name + ".launch.png")


def fingerprint(db: Path) -> list[list[int]]:
    """Size and mtime (ns) of the database and its WAL: any write since changes one of them."""
    out: list[list[int]] = []
    for p in (db, db.with_name(db.name + "-wal")):
        try:
            st = p.stat()
        except OSError:
            out.append([-1, -1])
        else:
            out.append([st.st_size, st.st_mtime_ns])
    return out


@dataclass(frozen=True)
class Launch:
    """What the last run left: the image (``None`` when it may be stale), who to reopen."""

    image: QImage | None
    user_id: str | None
    geometry: QRect | None
    """The window's last normal geometry (frame excluded), if it had one."""


def load(db: Path, device_pixel_ratio: float) -> Launch | None:
    """The launch state for ``db``, or ``None`` when there is none (or it is unreadable)."""
    path = snapshot_path(db)
    if not path.is_file():
        return None
    reader = QImageReader(str(path), b"png")
    try:
        meta = json.loads(reader.text(_KEY) or "{}")
    except ValueError:
        meta = {}
    if not isinstance(meta, dict) or meta.get("version") != VERSION:
        return None
    user_id = meta.get("user_id") if isinstance(meta.get("user_id"), str) else None
    geometry = None
    g = meta.get("geometry")
    if isinstance(g, list) and len(g) == 4 and all(isinstance(v, int) for v in g):
        geometry = QRect(*g)
    image: QImage | None = None
    fresh = meta.get("fingerprint") == fingerprint(db)
    if fresh and meta.get("dpr") == device_pixel_ratio and user_id is not None:
        read = reader.read()
        if not read.isNull():
            read.setDevicePixelRatio(device_pixel_ratio)
            image = read
    return Launch(image, user_id, geometry)


def save(db: Path, image: QImage | None, user_id: str | None, geometry: QRect | None) -> bool:
    """Keep the state for the next start. Call after the database is closed (the fingerprint
    must be the file as the next start will find it). Never raises: this is a cache."""
    path = snapshot_path(db)
    if image is None or image.isNull():
        image = QImage(QSize(1, 1), QImage.Format.Format_RGB32)
        image.fill(0)
        dpr = 0.0  # never matches a real ratio: no image is shown from this file
    else:
        dpr = image.devicePixelRatio()
    meta = {
        "version": VERSION,
        "fingerprint": fingerprint(db),
        "user_id": user_id,
        "dpr": dpr,
        "geometry": list(geometry.getRect()) if geometry is not None else None,
    }
    image.setText(_KEY, json.dumps(meta))
    tmp = path.with_name(path.name + ".tmp")
    try:
        if not image.save(str(tmp), "PNG"):
            raise OSError(f"could not write {tmp}")
        os.replace(tmp, path)
    except OSError as err:  # a read-only folder: the next start simply paints later
        log.info("launch snapshot not kept: %s", err)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    return True
