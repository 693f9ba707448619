"""Derived media cached in ``modules.modality_variants`` is device-local: writing it queues
nothing for the server (a learner may not edit course rows), while a real edit still does."""

from __future__ import annotations

from sqlalchemy import func, select

from app.services.context import AppContext
from sync.store.models import Module, SyncOutbox


def _queued(ctx: AppContext) -> int:
    with ctx.db.transaction() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(SyncOutbox)
                .where(SyncOutbox.table_name == "modules")
            )
            or 0
        )


def test_modality_variants_stay_local(ctx: AppContext) -> None:
    before = _queued(ctx)
    with ctx.db.transaction() as s:
        m = s.scalars(select(Module)).first()
        assert m is not None
        m.modality_variants = {"audio_url": "asset://ab/cd.m4a", "audio_hash": "x"}
    assert _queued(ctx) == before
    with ctx.db.transaction() as s:
        m = s.scalars(select(Module)).first()
        assert m is not None
        m.title = m.title + " (revised)"
    assert _queued(ctx) == before + 1
