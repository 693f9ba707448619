"""Wiring the Qt-free sync service to the app's services (no Qt here: the CLI uses it too).

Cheap to import and to call: the service reads its status from the local database, and the
replicator, the Supabase client and the keyring load only when a sync or a sign-in runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services import learning
from app.services.context import AppContext
from sync.service import SyncService

if TYPE_CHECKING:
    from sync.replicator import SyncReport


def sync_service(ctx: AppContext) -> SyncService:
    """The sync service of this database; enrolments follow the events that sync brings."""

    def after(report: SyncReport) -> None:
        if report.event_courses:
            learning.refresh_enrollments(ctx, report.event_courses)

    return SyncService(ctx.db, after_sync=after)
