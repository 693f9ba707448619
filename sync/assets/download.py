"""Bring asset files to this device: on demand, and ahead of time for offline use.

A file is written to a side file first, its sha256 checked against the one its
content-addressed path names (or, failing that, the row's or the object's recorded one), and
only then renamed into the asset store: a damaged or truncated download is never used. The
ahead-of-time pass (after a pull) resumes a cut download from its side file with a
``Range`` request; an on-demand fetch uses its own side file, so the two never mix bytes.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from sync.assets.keys import bucket_for, expected_sha256, sha256_file
from sync.assets.storage_api import NotFound, StorageApi
from sync.assets.upload import UPLOADED_KEY, AssetReport, account_scope
from sync.outbox import write_state
from sync.remote.client import Refused, TransientError
from sync.store.assets import AssetStore
from sync.store.database import Database
from sync.store.models import ContentAsset, Course, Enrollment, Module

DEFAULT_BUDGET_BYTES = 2_000_000_000
"""How much the ahead-of-time pass downloads per sync at most (enrolled content first)."""


class AssetCorrupt(Refused):
    """The downloaded bytes do not have the asset's checksum; they were thrown away."""

    def __init__(self, message: str) -> None:
        super().__init__("checksum", message)


class AssetUnavailable(Exception):
    """The asset has no row, no file key or no organisation on this device."""


def fetch(
    db: Database, store: AssetStore, api: StorageApi, asset_id: str, *, resumable: bool = False
) -> Path:
    """The asset's local file, downloading and verifying it when missing."""
    with db.transaction() as s:
        row = s.get(ContentAsset, asset_id)
        if row is None or not row.storage_path or not row.org_id:
            raise AssetUnavailable(f"asset {asset_id} has no file to download")
        key, org_id, meta = row.storage_path, row.org_id, dict(row.metadata_ or {})
    dest = store.path(key)
    if dest.is_file():
        return dest
    bucket = bucket_for(org_id)
    expected = expected_sha256(key, meta)
    if expected is None:
        info = api.info(bucket, key)
        expected = info.sha256 if info is not None else None
        if expected is None:
            raise AssetCorrupt(f"asset {asset_id} has no checksum to verify its file against")
    dest.parent.mkdir(parents=True, exist_ok=True)
    suffix = ".download" if resumable else f".{uuid.uuid4().hex[:8]}.download"
    part = dest.with_name(dest.name + suffix)
    try:
        api.download(bucket, key, part)
    except (TransientError, NotFound):
        if not resumable:
            part.unlink(missing_ok=True)
        raise
    got = sha256_file(part)
    if got != expected:
        part.unlink(missing_ok=True)
        raise AssetCorrupt(
            f"The download of asset {asset_id} is damaged (checksum {got[:12]}…, expected "
            f"{expected[:12]}…); it was discarded and will be fetched again."
        )
    part.replace(dest)
    with db.transaction() as s:  # it is on the server: a writer's next sync need not check
        write_state(s, UPLOADED_KEY + asset_id, got)
    return dest


def _wanted(
    db: Database, store: AssetStore, account_id: str, org_id: str
) -> list[tuple[int, int, str]]:
    """(priority, bytes, id) of the organisation's assets missing here: those of the
    account's enrolled courses first, then the rest this device may read."""
    with db.transaction() as s:
        courses = set(
            s.scalars(
                select(Enrollment.course_id).where(
                    Enrollment.user_id == account_id, Enrollment.course_id.is_not(None)
                )
            )
        )
        used = [
            repr((c.thumbnail_url, c.scorm_url, c.settings))
            for c in s.scalars(select(Course).where(Course.id.in_(courses)))
        ]
        used += [
            repr(m.content) for m in s.scalars(select(Module).where(Module.course_id.in_(courses)))
        ]
        text = "\n".join(used)
        out: list[tuple[int, int, str]] = []
        for a in s.scalars(
            select(ContentAsset).where(
                ContentAsset.org_id == org_id, ContentAsset.storage_path.is_not(None)
            )
        ):
            try:
                if store.path(a.storage_path or "").is_file():
                    continue
            except ValueError:
                continue
            meta = a.metadata_ or {}
            enrolled = a.id in text or a.url in text or meta.get("course_id") in courses
            size = meta.get("bytes")
            out.append((0 if enrolled else 1, int(size) if isinstance(size, int) else 0, a.id))
    return sorted(out)


def prefetch(
    db: Database,
    store: AssetStore,
    api: StorageApi,
    account_id: str,
    report: AssetReport,
    budget: int = DEFAULT_BUDGET_BYTES,
) -> None:
    """Download the missing files this device may read, up to ``budget`` bytes."""
    _, org_id = account_scope(db, account_id)
    if org_id is None:
        return
    left = budget
    for _, size, asset_id in _wanted(db, store, account_id, org_id):
        if size > left:
            report.over_budget += 1
            continue
        try:
            path = fetch(db, store, api, asset_id, resumable=True)
        except NotFound:
            report.not_on_server += 1
            continue
        except AssetCorrupt as err:
            report.problems.append(str(err))
            continue
        except AssetUnavailable:
            continue
        got = path.stat().st_size
        left -= max(got, size)
        report.downloaded += 1
        report.bytes_down += got
