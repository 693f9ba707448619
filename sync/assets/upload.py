"""Upload this device's asset files: checksum-verified, idempotent, and safe to cut.

For each asset of the signed-in writer's organisation whose file is on this device and not
yet recorded as uploaded (local-only ``sync_state`` key ``asset.uploaded:<id>`` = its
sha256, so no synced column changes):

1. its sha256 is computed and checked against the one its content-addressed path names (a
   damaged local file is reported, never uploaded);
2. if the bucket already holds the key with that sha256 and size (uploaded before, by this
   device or another), nothing is sent: re-uploading is a no-op;
3. otherwise the file is streamed to ``.uploads/<sha256>`` (upsert: a retry after a cut
   overwrites its own leftover), checked there (size and sha256), and moved to the key. A
   cut at any point leaves the key empty or whole: the next sync starts again at 1.
"""

from __future__ import annotations

import contextlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from sync.assets.keys import ASSET_WRITER_ROLES, bucket_for, expected_sha256, sha256_file, temp_key
from sync.assets.storage_api import Conflict, NotFound, StorageApi
from sync.outbox import read_state, write_state
from sync.remote.client import Refused, TransientError
from sync.store.assets import AssetStore
from sync.store.database import Database
from sync.store.models import ContentAsset, Profile

UPLOADED_KEY = "asset.uploaded:"


@dataclass
class AssetReport:
    uploaded: int = 0
    already_there: int = 0
    downloaded: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    not_on_server: int = 0
    over_budget: int = 0
    problems: list[str] = field(default_factory=list)
    """One sentence per asset that could not travel (and why); transient failures included."""


@dataclass(frozen=True)
class _Local:
    asset_id: str
    bucket: str
    key: str
    path: Path


def account_scope(db: Database, account_id: str) -> tuple[str | None, str | None]:
    """The account's (role, organisation) as this device knows them."""
    with db.transaction() as s:
        row = s.execute(
            select(Profile.role, Profile.org_id).where(Profile.id == account_id)
        ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def _candidates(db: Database, store: AssetStore, org_id: str) -> list[tuple[_Local, str | None]]:
    out: list[tuple[_Local, str | None]] = []
    with db.transaction() as s:
        rows = s.execute(
            select(ContentAsset.id, ContentAsset.storage_path, ContentAsset.metadata_).where(
                ContentAsset.org_id == org_id, ContentAsset.storage_path.is_not(None)
            )
        ).all()
        for asset_id, storage_path, metadata in rows:
            assert storage_path is not None
            done = read_state(s, UPLOADED_KEY + asset_id)
            if done is not None and done == expected_sha256(storage_path, metadata):
                continue  # uploaded (or downloaded) before, and the file is content-addressed
            try:
                path = store.path(storage_path)
            except ValueError:
                continue
            if path.is_file():
                out.append((_Local(asset_id, bucket_for(org_id), storage_path, path), done))
    return out


def upload_pending(
    db: Database, store: AssetStore, api: StorageApi, account_id: str, report: AssetReport
) -> None:
    """Upload what this device holds and the server lacks. ``TransientError`` stops the
    round (the rest waits for the next sync); a refusal is reported per asset."""
    role, org_id = account_scope(db, account_id)
    if role not in ASSET_WRITER_ROLES or org_id is None:
        return
    for local, done in _candidates(db, store, org_id):
        sha = sha256_file(local.path)
        if done == sha:
            continue
        with db.transaction() as s:
            meta = s.get(ContentAsset, local.asset_id)
            expected = expected_sha256(local.key, meta.metadata_ if meta else None)
        if expected is not None and sha != expected:
            report.problems.append(
                f"The file of asset {local.asset_id} on this device is damaged (its checksum "
                f"does not match); it was not uploaded."
            )
            continue
        try:
            sent = put_file(api, local.bucket, local.key, local.path, sha)
        except TransientError:
            raise
        except Refused as err:
            report.problems.append(f"Asset {local.asset_id} was not uploaded: {err}")
            continue
        if sent:
            report.uploaded += 1
            report.bytes_up += local.path.stat().st_size
        else:
            report.already_there += 1
        with db.transaction() as s:
            write_state(s, UPLOADED_KEY + local.asset_id, sha)


def put_file(api: StorageApi, bucket: str, key: str, path: Path, sha: str) -> bool:
    """Make ``key`` hold ``path`` (whose sha256 is ``sha``); False when it already did."""
    size = path.stat().st_size
    there = api.info(bucket, key)
    if there is not None and there.sha256 == sha and there.size == size:
        return False
    staging = temp_key(sha)
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    api.upload(bucket, staging, path, sha256=sha, content_type=content_type, upsert=True)
    staged = api.info(bucket, staging)
    if staged is None or staged.size != size or staged.sha256 != sha:
        raise TransientError(f"the upload of {key} arrived incomplete; it is sent again")
    if there is not None:  # a damaged or foreign object at the key: replace it
        api.remove(bucket, [key])
    with contextlib.suppress(Conflict, NotFound):  # another device moved it there first
        api.move(bucket, staging, key)
    final = api.info(bucket, key)
    if final is None or final.size != size or final.sha256 != sha:
        raise TransientError(f"{key} is not whole on the server yet; it is sent again")
    api.remove(bucket, [staging])
    return True
