"""Sync in the main window: status line, Sync now (off the UI thread), connect, conflicts."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.services import learning
from app.services.context import AppContext
from app.shell.main_window import MainWindow
from app.shell.sync_status import ConflictsDialog, ConnectDialog
from sync.store.models import SyncConflict
from tests.sync.conftest import (  # noqa: F401  (fixtures)
    Device,
    Supabase,
    memory_keyring,
    publish_course,
    supabase,
)


def test_not_connected_by_default(qtbot: QtBot, tmp_path: Path) -> None:
    ctx = AppContext.open(tmp_path / "byteos.db", tmp_path / "assets")
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    assert w.sync_status.label.text() == "Sync: not connected"
    assert w.sync.sync_now() is None  # nothing to do, nothing started
    assert w.sync_status.button.text() == "Connect…"
    with qtbot.waitSignal(w.sync_status.connect_requested, timeout=1000):
        w.sync_status.button.click()
    dialog = w.findChild(ConnectDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.reject()
    ctx.close()


def test_connect_sync_now_and_offline(qtbot: QtBot, supabase: Supabase, tmp_path: Path) -> None:  # noqa: F811
    org = supabase.create_org("Window")
    creator = supabase.create_user("creator", org)
    learner = supabase.create_user("learner", org)
    studio = Device(tmp_path / "studio", supabase, creator)
    studio.sync()
    publish_course(studio, "Shown after sync")
    studio.close()

    ctx = AppContext.open(tmp_path / "app" / "byteos.db", tmp_path / "app" / "assets")
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    dialog = w.connect_sync()
    assert isinstance(dialog, ConnectDialog)
    dialog.url.setText(supabase.url)
    dialog.key.setText(supabase.anon_key)
    dialog.email.setText(learner.email)
    dialog.password.setText(learner.password)
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result() == ConnectDialog.DialogCode.Accepted, timeout=10000)
    qtbot.waitUntil(lambda: "Synced just now" in w.sync_status.label.text(), timeout=15000)
    assert learner.email in w.sync_status.label.toolTip()
    # the synced account is now a local profile to sign in with; the course is in Learn
    w.sign_in.refresh()
    from app.services import accounts

    me = accounts.sign_in(ctx.db, learner.id)
    w.enter(me)
    assert [c.title for c in learning.list_catalogue(ctx, me)] == ["Shown after sync"]
    assert creator.id not in {p.id for p in accounts.list_profiles(ctx.db)}
    # learning offline-first: an event queues, Sync now sends it, the status follows
    course = learning.list_catalogue(ctx, me)[0]
    learning.record_event(ctx, me, "module_start", course_id=course.id)
    w.sync_status.refresh()
    assert "to send" in w.sync_status.label.text()
    w.sync_status.button.click()
    qtbot.waitUntil(lambda: not w.sync.running, timeout=15000)
    qtbot.waitUntil(lambda: "to send" not in w.sync_status.label.text(), timeout=5000)
    # offline: a quick, clear state, and the UI never waited for the network
    w.sync.stop_background()
    qtbot.waitUntil(lambda: not w.sync.running, timeout=15000)
    w.sync.service.configure("http://127.0.0.1:9", supabase.anon_key)
    handle = w.sync.sync_now()
    assert handle is not None
    qtbot.waitUntil(lambda: handle.done, timeout=5000)
    qtbot.waitUntil(lambda: w.sync_status.label.text().startswith("Offline"), timeout=5000)
    ctx.close()


def test_conflicts_are_listed_and_can_be_restored(qtbot: QtBot, tmp_path: Path) -> None:
    from app.services import accounts
    from app.services.demo import load_demo

    ctx = AppContext.open(tmp_path / "byteos.db", tmp_path / "assets")
    load_demo(ctx)
    me = next(p for p in accounts.list_profiles(ctx.db) if p.role == "learner")
    with ctx.db.transaction() as s:
        from sqlalchemy import select

        from sync.store.models import Profile

        s.scalars(select(Profile).where(Profile.id == me.id)).one().full_name = "Sam (laptop)"
        s.add(
            SyncConflict(
                table_name="profiles",
                row_id=me.id,
                field="full_name",
                kept_value="Sam (laptop)",
                lost_value="Sam (phone)",
                lost_side="remote",
            )
        )
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    assert w.sync_status.conflicts.text() == "1 conflict"
    dialog = w.show_conflicts()
    assert isinstance(dialog, ConflictsDialog)
    assert dialog.list.count() == 1 and "Sam (phone)" in dialog.list.item(0).text()
    dialog.restore.click()
    assert dialog.list.count() == 1 and dialog.list.item(0).text().startswith("No conflicts")
    assert not dialog.restore.isEnabled() and not dialog.keep.isEnabled()
    assert accounts.sign_in(ctx.db, me.id).full_name == "Sam (phone)"
    assert w.sync_status.conflicts.isHidden()
    ctx.close()
