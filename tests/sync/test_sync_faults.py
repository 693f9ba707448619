"""Sync under faults injected between the device and the server (a loopback proxy)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.services import authoring, learning
from sync.remote.client import TransientError
from sync.service import Offline, SyncError
from sync.store.models import LearningEvent, Module
from tests.sync.conftest import Device, Supabase, publish_course
from tests.sync.fault_proxy import FaultProxy, Planned


def _setup(supabase: Supabase, tmp_path: Path, devices: list[Device], url: str = ""):  # type: ignore[no-untyped-def]
    org = supabase.create_org("Faults")
    creator = supabase.create_user("creator", org)
    learner = supabase.create_user("learner", org)
    studio = Device(tmp_path / "studio", supabase, creator)
    devices.append(studio)
    studio.sync()
    doc = publish_course(studio)
    laptop = Device(tmp_path / "laptop", supabase, learner, url=url)
    devices.append(laptop)
    if not url:
        laptop.sync()
    return learner, studio, laptop, doc


def _record(device: Device, course_id: str, module_id: str | None, n: int) -> set[str]:
    user = device.user
    return {
        learning.record_event(
            device.ctx, user, "quiz_attempt", course_id=course_id, module_id=module_id
        ).event_id
        for _ in range(n)
    }


def server_events(supabase: Supabase, user_id: str) -> list[str]:
    return [
        r[0]
        for r in supabase.sql("select id::text from learning_events where user_id = %s", (user_id,))
    ]


def test_cut_mid_batch_resumes_without_loss_or_duplicates(
    supabase: Supabase, tmp_path: Path, devices: list[Device], proxy: FaultProxy
) -> None:
    learner, _studio, laptop, doc = _setup(supabase, tmp_path, devices, url=proxy.url)
    laptop.sync()
    made = _record(laptop, doc.id, doc.modules[0].id, 120)
    # the first batch goes through, then every request to the events table is cut
    proxy.reset(
        planned=[Planned("pass", "POST", "learning_events")]
        + [Planned("cut", "POST", "learning_events")] * 3
    )
    with pytest.raises(TransientError):
        laptop.sync(push_batch=50)
    assert len(server_events(supabase, learner.id)) == 50
    assert laptop.service.status().pending == 70
    proxy.reset()
    laptop.sync(push_batch=50)
    ids = server_events(supabase, learner.id)
    assert sorted(ids) == sorted(made) and len(ids) == len(set(ids))
    assert laptop.service.status().pending == 0


def test_lost_responses_after_commit_do_not_duplicate(
    supabase: Supabase, tmp_path: Path, devices: list[Device], proxy: FaultProxy
) -> None:
    learner, _studio, laptop, doc = _setup(supabase, tmp_path, devices, url=proxy.url)
    laptop.sync()
    made = _record(laptop, doc.id, doc.modules[0].id, 30)
    proxy.reset(
        planned=[
            Planned("drop", "POST", "learning_events"),
            Planned("drop", "POST", "enrollments"),
            Planned("drop", "PATCH", "learner_profiles"),
        ]
    )
    with laptop.ctx.db.transaction() as s:  # an editable row too: the twin's language
        from sync.store.models import LearnerProfile

        lp = s.scalars(select(LearnerProfile).where(LearnerProfile.user_id == learner.id)).one()
        lp.preferred_language = "fr"
    laptop.sync()
    assert proxy.counts["drop"] >= 2
    ids = server_events(supabase, learner.id)
    assert sorted(ids) == sorted(made)
    assert supabase.sql("select count(*) from enrollments where user_id = %s", (learner.id,)) == [
        (1,)
    ]
    assert supabase.sql(
        "select preferred_language from learner_profiles where user_id = %s", (learner.id,)
    ) == [("fr",)]
    assert laptop.service.conflicts() == []
    assert laptop.service.status().pending == 0


def test_server_errors_and_latency_are_retried(
    supabase: Supabase, tmp_path: Path, devices: list[Device], proxy: FaultProxy
) -> None:
    import random

    learner, _studio, laptop, doc = _setup(supabase, tmp_path, devices, url=proxy.url)
    proxy.reset(odds={"503": 0.25}, latency=0.005, rng=random.Random(7))
    laptop.settle(rounds=6, attempts=5)
    made = _record(laptop, doc.id, doc.modules[1].id, 40)
    laptop.settle(rounds=6, attempts=5)
    assert proxy.counts["503"] > 0
    assert sorted(server_events(supabase, learner.id)) == sorted(made)


def test_offline_is_detected_fast_and_learning_goes_on(
    supabase: Supabase, tmp_path: Path, devices: list[Device], proxy: FaultProxy
) -> None:
    learner, _studio, laptop, doc = _setup(supabase, tmp_path, devices, url=proxy.url)
    laptop.sync()
    proxy.go_offline()
    made = _record(laptop, doc.id, doc.modules[0].id, 3)
    started = time.monotonic()
    with pytest.raises(Offline):
        laptop.sync()
    assert time.monotonic() - started < 2.0
    status = laptop.service.status()
    assert status.pending >= 3 and status.last_error and "Offline" in status.last_error
    assert server_events(supabase, learner.id) == []
    proxy.go_online()
    laptop.sync()
    assert sorted(server_events(supabase, learner.id)) == sorted(made)
    assert laptop.service.status().last_error is None


def test_expired_session_refreshes_and_revoked_session_keeps_the_queue(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org = supabase.create_org("Sessions")
    learner = supabase.create_user("learner", org)
    supabase.standin.access_token_ttl = 1
    try:
        laptop = Device(tmp_path / "laptop", supabase, learner)
    finally:
        supabase.standin.access_token_ttl = 3600
    devices.append(laptop)
    time.sleep(1.5)
    laptop.sync()  # the access token had expired: refreshed with the keyring's refresh token
    supabase.sql("update auth.refresh_tokens set revoked = true where user_id = %s", (learner.id,))
    supabase.standin.access_token_ttl = 1
    try:
        laptop.service.sign_in(learner.email, learner.password)
    finally:
        supabase.standin.access_token_ttl = 3600
    supabase.sql("update auth.refresh_tokens set revoked = true where user_id = %s", (learner.id,))
    time.sleep(1.5)
    user = laptop.user
    made = {learning.record_event(laptop.ctx, user, "streak_maintained").event_id for _ in range(2)}
    with pytest.raises(SyncError, match="Sign in again"):
        laptop.sync()
    assert laptop.service.status().pending >= 2  # nothing dropped
    laptop.service.sign_in(learner.email, learner.password)
    laptop.sync()
    assert set(server_events(supabase, learner.id)) == made


def test_client_killed_mid_sync_resumes(
    supabase: Supabase, tmp_path: Path, devices: list[Device], proxy: FaultProxy
) -> None:
    import os
    import signal
    import subprocess
    import sys

    learner, _studio, laptop, doc = _setup(supabase, tmp_path, devices, url=proxy.url)
    laptop.sync()
    made = _record(laptop, doc.id, doc.modules[0].id, 400)
    proxy.reset(latency=0.05)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.sync.sync_worker",
            str(laptop.ctx.db.path),
            learner.email,
        ],
        stdin=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert worker.stdin is not None
    worker.stdin.write(learner.password.encode() + b"\n")
    worker.stdin.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not server_events(supabase, learner.id):
        time.sleep(0.05)
    time.sleep(0.2)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    partial = len(server_events(supabase, learner.id))
    assert 0 < partial < 400
    proxy.reset()
    laptop.sync()
    ids = server_events(supabase, learner.id)
    assert sorted(ids) == sorted(made)
    with laptop.ctx.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(LearningEvent)) == 400


def test_two_devices_edit_the_same_course_offline(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org = supabase.create_org("Two laptops")
    creator = supabase.create_user("creator", org)
    a = Device(tmp_path / "a", supabase, creator)
    b = Device(tmp_path / "b", supabase, creator)
    devices.extend([a, b])
    a.sync()
    doc = publish_course(a, "Original")
    b.sync()
    # offline: A renames the course; B renames it too (later) and edits the description
    da = authoring.load_course(a.ctx, doc.id)
    da.title = "Title from A"
    authoring.save_course(a.ctx, a.user, da)
    time.sleep(0.01)
    db_ = authoring.load_course(b.ctx, doc.id)
    db_.title = "Title from B"
    db_.description = "Description from B"
    authoring.save_course(b.ctx, b.user, db_)
    a.sync()
    b.sync()
    a.sync()
    for d in (a, b):
        final = authoring.load_course(d.ctx, doc.id)
        assert (final.title, final.description) == ("Title from B", "Description from B")
    assert supabase.sql("select title from courses where id = %s", (doc.id,)) == [("Title from B",)]
    # A's title lost, and is kept: B merged, so B lists it
    lost = [c for c in b.service.conflicts() if c.field == "title"]
    assert [(c.lost_value, c.kept_value) for c in lost] == [("Title from A", "Title from B")]
    b.service.resolve(lost[0].id, restore=True)
    b.sync()
    a.sync()
    for d in (a, b):
        assert authoring.load_course(d.ctx, doc.id).title == "Title from A"
    assert b.service.conflicts() == []


def test_an_edit_beats_a_concurrent_delete(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org = supabase.create_org("Edit vs delete")
    creator = supabase.create_user("creator", org)
    a = Device(tmp_path / "a", supabase, creator)
    b = Device(tmp_path / "b", supabase, creator)
    devices.extend([a, b])
    a.sync()
    doc = publish_course(a, "Course", modules=2)
    b.sync()
    gone = doc.modules[1].id
    da = authoring.load_course(a.ctx, doc.id)
    da.modules = da.modules[:1]  # A deletes module 2
    authoring.save_course(a.ctx, a.user, da)
    db_ = authoring.load_course(b.ctx, doc.id)
    db_.modules[1].title = "Module 2, improved"  # B edits it
    authoring.save_course(b.ctx, b.user, db_)
    b.sync()
    a.sync()
    b.sync()
    for d in (a, b):
        titles = [m.title for m in authoring.load_course(d.ctx, doc.id).modules]
        assert titles == ["Module 1", "Module 2, improved"]
    assert [c.field for c in a.service.conflicts() if c.row_id == gone] == ["*"]
    with a.ctx.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Module)) == 2


def test_clock_skew_cannot_pin_a_field(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org = supabase.create_org("Skew")
    creator = supabase.create_user("creator", org)
    a = Device(tmp_path / "a", supabase, creator)
    b = Device(tmp_path / "b", supabase, creator)
    devices.extend([a, b])
    a.sync()
    doc = publish_course(a, "Skewed")
    b.sync()
    assert a.ctx.db.capture is not None
    with a.ctx.db.transaction() as s:
        clock = a.ctx.db.capture.clock_for(s)
    clock.now_ms = lambda: int(time.time() * 1000) + 86_400_000  # A's clock is a day ahead
    da = authoring.load_course(a.ctx, doc.id)
    da.title = "From the future"
    authoring.save_course(a.ctx, a.user, da)
    a.sync()
    b.sync()
    # B has seen A's edit, so B's next edit is later than it despite B's slower clock
    db_ = authoring.load_course(b.ctx, doc.id)
    assert db_.title == "From the future"
    db_.title = "Edited after"
    authoring.save_course(b.ctx, b.user, db_)
    b.sync()
    a.sync()
    for d in (a, b):
        assert authoring.load_course(d.ctx, doc.id).title == "Edited after"
