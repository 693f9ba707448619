"""The local file behind an asset URL (``asset://…``), downloaded on demand when missing.

A learner's device gets an asset's row with the course, and its file ahead of time after a
pull (``sync.assets.download.prefetch``); when a file is still missing as the learner opens
the content (the budget ran out, the sync was cut), this fetches it once from the
organisation's bucket, checksum-verified, through the sync service's session. Offline, not
signed in, or refused: None, quickly, and the same URL (offline or not set up: any URL) is
not tried again for a while, so a page full of missing pictures does not stall on every
repaint.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from sqlalchemy import or_, select

from app.services.context import AppContext
from sync.store.models import ContentAsset

ASSET_SCHEME = "asset://"
RETRY_AFTER = 60.0
"""Seconds before a URL that could not be fetched is tried again."""

log = logging.getLogger(__name__)
_failed: dict[tuple[str, str], float] = {}


def local_file(ctx: AppContext, url: str | None, *, download: bool = True) -> Path | None:
    """The file of ``url`` on this device (fetched now if missing and ``download``), or None."""
    if not url or not url.startswith(ASSET_SCHEME):
        return None
    storage_path = url.removeprefix(ASSET_SCHEME)
    try:
        path = ctx.assets.path(storage_path)
    except ValueError:
        return None
    if path.is_file():
        return path
    if not download or ctx.db.read_only:
        return None
    key = (str(ctx.assets.root), url)
    offline = (str(ctx.assets.root), "")  # offline: no URL is tried until RETRY_AFTER
    now = time.monotonic()
    if any(now - _failed.get(k, -RETRY_AFTER) < RETRY_AFTER for k in (key, offline)):
        return None
    with ctx.db.transaction() as s:
        asset_id = s.scalar(
            select(ContentAsset.id).where(
                or_(ContentAsset.url == url, ContentAsset.storage_path == storage_path)
            )
        )
    if asset_id is None:
        return None
    from sync.service import NotConfigured, Offline, SyncError, SyncService

    service = SyncService(ctx.db)
    service.assets_root = ctx.assets.root
    try:
        got = service.fetch_asset(asset_id)
    except (Offline, NotConfigured) as err:  # the same for every URL: ask no more for now
        log.info("asset %s not downloaded: %s", asset_id, err)
        _failed[offline] = time.monotonic()
        return None
    except SyncError as err:
        log.info("asset %s not downloaded: %s", asset_id, err)
        _failed[key] = time.monotonic()
        return None
    _failed.pop(key, None)
    return got if got.is_file() else None
