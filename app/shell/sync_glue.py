"""Wiring the Qt-free sync service to the app's services (no Qt here: the CLI uses it too)."""

from __future__ import annotations

from app.services import learning
from app.services.context import AppContext
from sync.replicator import SyncReport
from sync.service import SyncService


def sync_service(ctx: AppContext) -> SyncService:
    """The sync service of this database; enrolments follow the events that sync brings."""

    def after(report: SyncReport) -> None:
        if report.event_courses:
            learning.refresh_enrollments(ctx, report.event_courses)

    return SyncService(ctx.db, after_sync=after)
