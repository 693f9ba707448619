"""Wiring the Qt-free sync service to the app's services (no Qt here: the CLI uses it too).

Cheap to import and to call: the service reads its status from the local database, and the
replicator, the Supabase client and the keyring load only when a sync or a sign-in runs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.services import learning
from app.services.context import AppContext
from sync.service import SyncService

if TYPE_CHECKING:
    from sync.replicator import SyncReport

log = logging.getLogger(__name__)


def sync_service(ctx: AppContext) -> SyncService:
    """The sync service of this database; enrolments follow the events that sync brings,
    and on the organisation signer's device the completions it brings are signed into
    certificates (``certificates.sign_after_sync``; on any other device it does nothing)."""

    def after(report: SyncReport) -> None:
        if report.event_courses:
            learning.refresh_enrollments(ctx, report.event_courses)
        from app.services import certificates

        try:
            signed = certificates.sign_after_sync(ctx.db, datetime.now(UTC))
        except Exception:  # a locked keyring must not turn a good sync into a failure
            log.exception("certificates were not signed after this sync")
        else:
            if signed:
                log.info("signed %d certificate(s) after sync", len(signed))

    service = SyncService(ctx.db, after_sync=after)
    service.assets_root = ctx.assets.root  # the files that travel with the rows
    return service
