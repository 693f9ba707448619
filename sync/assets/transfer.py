"""One sync's file round: upload after the rows were pushed, download after they were pulled.

A transfer that fails for the network's reasons ends the round quietly (the rows' sync
already succeeded; the files go at the next sync); signing in again is the caller's
business (``AuthRequired`` passes through, as for rows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sync.assets.download import DEFAULT_BUDGET_BYTES, prefetch
from sync.assets.storage_api import StorageApi
from sync.assets.upload import AssetReport, upload_pending
from sync.remote.client import AuthExpired, TransientError
from sync.store.assets import AssetStore
from sync.store.database import Database

if TYPE_CHECKING:
    from sync.remote.client import Remote, RemoteSession


def sync_assets(
    db: Database,
    store: AssetStore,
    remote: Remote,
    account_id: str,
    on_session: Callable[[RemoteSession], None] | None = None,
    budget: int = DEFAULT_BUDGET_BYTES,
) -> AssetReport:
    api = StorageApi(remote, on_session)
    report = AssetReport()
    try:
        upload_pending(db, store, api, account_id, report)
    except (TransientError, AuthExpired) as err:
        report.problems.append(f"Uploading files stopped ({err}); they go at the next sync.")
    try:
        prefetch(db, store, api, account_id, report, budget)
    except (TransientError, AuthExpired) as err:
        report.problems.append(f"Downloading files stopped ({err}); they come at the next sync.")
    return report
