"""Sync between devices through a real PostgreSQL with the Supabase schema and policies."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.services import authoring, learning
from engine.content import parse_blocks
from sync.store.models import Course, LearningEvent, Module, SyncOutbox
from tests.sync.conftest import Device, Supabase


def _org_with_course(supabase: Supabase, tmp_path: Path, devices: list[Device]):  # type: ignore[no-untyped-def]
    org = supabase.create_org("Roundtrip")
    creator = supabase.create_user("creator", org)
    learner = supabase.create_user("learner", org)
    studio = Device(tmp_path / "studio", supabase, creator)
    devices.append(studio)
    studio.sync()
    doc = authoring.create_course(studio.ctx, studio.user, "Sync 101")
    doc.modules = [
        authoring.ModuleDoc("One", parse_blocks([{"type": "paragraph", "text": "Hello"}])),
        authoring.ModuleDoc("Two", parse_blocks([{"type": "paragraph", "text": "World"}])),
    ]
    doc = authoring.save_course(studio.ctx, studio.user, doc)
    authoring.set_status(studio.ctx, studio.user, doc.id, "published")
    studio.sync()
    return org, creator, learner, studio, doc


def test_course_reaches_learner_and_events_reach_server(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    _org, _creator, learner, studio, doc = _org_with_course(supabase, tmp_path, devices)
    assert studio.service.status().pending == 0
    assert supabase.sql("select title, status from courses where id = %s", (doc.id,)) == [
        ("Sync 101", "published")
    ]
    laptop = Device(tmp_path / "laptop", supabase, learner)
    devices.append(laptop)
    laptop.sync()
    cards = learning.list_catalogue(laptop.ctx, laptop.user)
    assert [c.title for c in cards] == ["Sync 101"]
    m1 = doc.modules[0].id
    learning.record_event(laptop.ctx, laptop.user, "module_start", course_id=doc.id, module_id=m1)
    learning.record_event(
        laptop.ctx, laptop.user, "module_complete", course_id=doc.id, module_id=m1
    )
    laptop.sync()
    assert laptop.service.status().pending == 0
    n = supabase.sql("select count(*) from learning_events where user_id = %s", (learner.id,))
    assert n == [(2,)]
    rows = supabase.sql(
        "select status, progress_pct from enrollments where user_id = %s", (learner.id,)
    )
    assert rows == [("in_progress", 50.0)]
    # a second device of the same learner receives the events and the enrolment
    phone = Device(tmp_path / "phone", supabase, learner)
    devices.append(phone)
    phone.sync()
    with phone.ctx.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(LearningEvent)) == 2
        assert s.scalar(select(func.count()).select_from(Module)) == 2
    assert learning.course_progress(phone.ctx, phone.user, doc.id).progress_pct == 50.0


def test_unpublish_and_delete_reach_the_learner(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    _org, _creator, learner, studio, doc = _org_with_course(supabase, tmp_path, devices)
    laptop = Device(tmp_path / "laptop", supabase, learner)
    devices.append(laptop)
    laptop.sync()
    authoring.set_status(studio.ctx, studio.user, doc.id, "archived")
    studio.sync()
    laptop.sync()
    assert learning.list_catalogue(laptop.ctx, laptop.user) == []
    authoring.set_status(studio.ctx, studio.user, doc.id, "draft")
    doc = authoring.load_course(studio.ctx, doc.id)
    doc.modules = doc.modules[:1]
    doc.title = "Sync 102"
    authoring.save_course(studio.ctx, studio.user, doc)
    authoring.set_status(studio.ctx, studio.user, doc.id, "published")
    studio.sync()
    laptop.sync()
    cards = learning.list_catalogue(laptop.ctx, laptop.user)
    assert [(c.title, c.module_count) for c in cards] == [("Sync 102", 1)]
    with laptop.ctx.db.transaction() as s:
        assert s.scalar(select(Course.status).where(Course.id == doc.id)) == "published"
        assert s.scalar(select(func.count()).select_from(SyncOutbox)) == 0


def test_a_row_this_version_cannot_store_does_not_block_the_pull(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    _org, _creator, learner, _studio, doc = _org_with_course(supabase, tmp_path, devices)
    # a module written by some other client, with a block this version refuses
    supabase.sql(
        'update modules set content = \'[{"type": "paragraph", "text": ""}]\' where id = %s',
        (doc.modules[1].id,),
    )
    laptop = Device(tmp_path / "laptop", supabase, learner)
    devices.append(laptop)
    laptop.sync()
    cards = learning.list_catalogue(laptop.ctx, laptop.user)
    assert [(c.title, c.module_count) for c in cards] == [("Sync 101", 1)]
    [c] = laptop.service.conflicts()
    assert (c.field, c.row_id) == ("!unreadable", doc.modules[1].id)
    assert "module_content" in str(c.kept_value)
    laptop.sync()  # and it does not come back on every sync
    assert len(laptop.service.conflicts()) == 1
