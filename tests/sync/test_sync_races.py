"""Races the randomized scenarios found, each pinned down on its own."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services import authoring, learning
from app.services.context import AppContext
from app.shell.sync_glue import sync_service
from engine.content import parse_blocks
from sync.service import SyncBusy, SyncService, sync_lock
from sync.store.models import LearningEvent, SyncRowMeta
from tests.sync.conftest import Device, Supabase, publish_course


def _server_events(supabase: Supabase, user_id: str) -> list[tuple[str, str | None]]:
    rows = supabase.sql(
        "select id::text, module_id::text from learning_events where user_id = %s", (user_id,)
    )
    return sorted((a, b) for a, b in rows)


def test_a_second_sync_of_one_database_waits_for_the_first(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org = supabase.create_org("One at a time")
    learner = supabase.create_user("learner", org)
    laptop = Device(tmp_path / "laptop", supabase, learner)
    devices.append(laptop)
    laptop.sync()
    path = laptop.ctx.db.path
    with sync_lock(path, wait=1.0):  # e.g. `byteos sync` running beside the app
        started = time.monotonic()
        with pytest.raises(SyncBusy):
            laptop.service.sync_now(wait=0.3)
        assert time.monotonic() - started >= 0.3
    # two syncs at once, one service and a second one on the same file: one after the other
    other = AppContext.open(path, tmp_path / "laptop" / "assets")
    try:
        second = sync_service(other)
        second.store = laptop.service.store
        errors: list[BaseException] = []

        def run(service: SyncService) -> None:
            try:
                service.sync_now()
            except BaseException as err:
                errors.append(err)

        user = laptop.user
        for _ in range(20):
            learning.record_event(laptop.ctx, user, "streak_maintained")
        threads = [threading.Thread(target=run, args=(s,)) for s in (laptop.service, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
    finally:
        other.close()
    assert len(_server_events(supabase, learner.id)) == 20
    assert laptop.service.status().pending == 0


def test_activity_on_a_module_deleted_meanwhile_reaches_the_server(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    """A creator deletes a module while a learner, offline, works through it: the learner's
    events go up without the module (as ON DELETE SET NULL), and the module goes everywhere."""
    org = supabase.create_org("Deleted module")
    creator = supabase.create_user("creator", org)
    learner = supabase.create_user("learner", org)
    studio = Device(tmp_path / "studio", supabase, creator)
    laptop = Device(tmp_path / "laptop", supabase, learner)
    devices.extend([studio, laptop])
    studio.sync()
    doc = publish_course(studio, modules=2)
    laptop.sync()
    gone = doc.modules[1].id
    user = laptop.user
    made = {
        learning.record_event(
            laptop.ctx, user, "module_start", course_id=doc.id, module_id=gone
        ).event_id
        for _ in range(3)
    }
    cur = authoring.load_course(studio.ctx, doc.id)
    cur.modules = cur.modules[:1]
    authoring.save_course(studio.ctx, studio.user, cur)
    studio.sync()
    laptop.sync()
    assert laptop.service.status().rejected == 0
    assert _server_events(supabase, learner.id) == sorted((e, None) for e in made)
    assert [m.id for m in authoring.load_course(laptop.ctx, doc.id).modules] == [doc.modules[0].id]
    with laptop.ctx.db.transaction() as s:
        assert set(s.scalars(select(LearningEvent.module_id))) == {None}


def test_activity_refused_while_a_course_was_unpublished_goes_up_when_it_is_back(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org = supabase.create_org("Unpublished")
    creator = supabase.create_user("creator", org)
    learner = supabase.create_user("learner", org)
    studio = Device(tmp_path / "studio", supabase, creator)
    laptop = Device(tmp_path / "laptop", supabase, learner)
    devices.extend([studio, laptop])
    studio.sync()
    doc = publish_course(studio)
    laptop.sync()
    # the learner works offline; meanwhile the creator takes the course back to draft
    user = laptop.user
    made = {
        learning.record_event(
            laptop.ctx, user, "quiz_attempt", course_id=doc.id, module_id=doc.modules[0].id
        ).event_id
        for _ in range(2)
    }
    authoring.set_status(studio.ctx, studio.user, doc.id, "draft")
    studio.sync()
    laptop.sync()
    assert {c.id for c in learning.list_catalogue(laptop.ctx, user)} == set()
    assert _server_events(supabase, learner.id) == []  # refused by row-level security
    assert laptop.service.status().rejected >= 1  # kept, and said
    authoring.set_status(studio.ctx, studio.user, doc.id, "published")
    studio.sync()
    laptop.sync()
    assert {e for e, _ in _server_events(supabase, learner.id)} == made
    assert laptop.service.status().rejected == 0
    assert [c.id for c in learning.list_catalogue(laptop.ctx, user)] == [doc.id]


def test_a_second_process_on_the_database_moves_the_clock_forward(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    """The app and `byteos sync` share a file: an edit in the app made after the other
    process received a stamp is stamped later than it (happened-before stays visible)."""
    org = supabase.create_org("Two processes")
    creator = supabase.create_user("creator", org)
    a = Device(tmp_path / "a", supabase, creator)
    b = Device(tmp_path / "b", supabase, creator)
    devices.extend([a, b])
    a.sync()
    doc = publish_course(a, "Clocks")
    b.sync()
    assert b.ctx.db.capture is not None
    with b.ctx.db.transaction() as s:
        clock = b.ctx.db.capture.clock_for(s)
    clock.now_ms = lambda: int(time.time() * 1000) + 3_600_000  # B's clock is an hour ahead
    cur = authoring.load_course(b.ctx, doc.id)
    cur.title = "From B"
    authoring.save_course(b.ctx, b.user, cur)
    b.sync()
    seen = _title_clock(b, doc.id)
    cli = AppContext.open(a.ctx.db.path, tmp_path / "a" / "assets")  # `byteos sync` on A's file
    try:
        service = sync_service(cli)
        service.store = a.service.store
        service.sync_now()
    finally:
        cli.close()
    cur = authoring.load_course(a.ctx, doc.id)  # the app, which never saw B's stamp itself
    assert cur.title == "From B"
    cur.title = "From A, after B"
    authoring.save_course(a.ctx, a.user, cur)
    assert _title_clock(a, doc.id) > seen
    a.sync()
    b.sync()
    for d in (a, b):
        assert authoring.load_course(d.ctx, doc.id).title == "From A, after B"


def _title_clock(d: Device, course_id: str) -> str:
    with d.ctx.db.transaction() as s:
        meta = s.get(SyncRowMeta, ("courses", course_id))
        assert meta is not None
        return str(meta.field_clocks["title"])


def test_modules_inserted_at_one_place_on_two_devices_show_in_one_order(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    """Seed 1 of the randomized run: two authors each insert a module at the same place, so
    two modules share an index; every device and the server list them in the same order."""
    org = supabase.create_org("Module order")
    creator = supabase.create_user("creator", org)
    admin = supabase.create_user("org_admin", org)
    a = Device(tmp_path / "a", supabase, creator)
    b = Device(tmp_path / "b", supabase, admin)
    devices.extend([a, b])
    a.sync()
    doc = publish_course(a, "Order", modules=2)
    b.sync()
    for d in (a, b):
        cur = authoring.load_course(d.ctx, doc.id)
        blocks = parse_blocks([{"type": "paragraph", "text": "New"}])
        cur.modules.insert(1, authoring.ModuleDoc(f"Inserted on {d.folder.name}", blocks))
        authoring.save_course(d.ctx, d.user, cur)
    for d in (a, b, a, b):
        d.sync()
    server = [
        r[0]
        for r in supabase.sql(
            "select id::text from modules where course_id = %s order by order_index, id::text",
            (doc.id,),
        )
    ]
    assert len(server) == 4
    for d in (a, b):
        assert [m.id for m in authoring.load_course(d.ctx, doc.id).modules] == server
