"""Roles, the Connect dialog and Settings (issue 11, items 11 and 12)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from app.services import accounts, api_keys, learning, team_progress
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.shell.main_window import MainWindow
from app.shell.settings_dialog import SettingsDialog
from app.shell.sync_status import server_url
from app.studio.team_progress import TeamProgressView
from engine import secrets
from tests.sync.conftest import MemoryKeyring, memory_keyring  # noqa: F401 - fixture

DEMO_COURSE = "c42b5cc1-bd40-5228-b962-000813b4972e"
SECRET = "sk-test-0123456789abcdefXYZ9"


@pytest.fixture
def manager(ctx: AppContext, learner: CurrentUser) -> CurrentUser:
    return accounts.create_profile(ctx.db, "Morgan Lee", "manager", learner.org_id)


@pytest.fixture
def keys(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:  # noqa: F811
    for k in api_keys.KEYS:
        monkeypatch.delenv(k.name, raising=False)
    monkeypatch.delenv(secrets.DISABLE_ENV, raising=False)
    secrets.reset()
    yield
    secrets.reset()


def window_for(qtbot: QtBot, ctx: AppContext, user: CurrentUser | None) -> MainWindow:
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1280, 820)
    if user is not None:
        w.enter(user)
    return w


# -- item 11: managers, and who is offered the demo --------------------------------------------
def test_team_progress_service_lists_each_learners_progress(
    ctx: AppContext, learner: CurrentUser, manager: CurrentUser
) -> None:
    with pytest.raises(UserError):
        team_progress.team_progress(ctx, learner)
    [course] = team_progress.team_progress(ctx, manager)
    assert course.course_id == DEMO_COURSE and course.module_count == 4
    [row] = course.learners  # the demo's one learner, not started yet
    assert (row.full_name, row.status, row.progress_pct) == ("Sam Rivera", "not_started", 0.0)
    module = learning.open_course(ctx, learner, DEMO_COURSE).modules[0]
    for kind in ("module_start", "module_complete"):
        learning.record_event(ctx, learner, kind, course_id=DEMO_COURSE, module_id=module.id)
    [course] = team_progress.team_progress(ctx, manager)
    [row] = course.learners
    assert row.status == "in_progress" and row.progress_pct == 25.0
    assert row.last_active is not None and course.count("in_progress") == 1


def test_a_manager_gets_a_read_only_team_view_and_a_learner_does_not(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, manager: CurrentUser
) -> None:
    w = window_for(qtbot, ctx, manager)
    assert w.studio is None  # managers do not author
    nav = w.findChild(QPushButton, "nav-team")
    assert nav is not None and w.team_action.isVisible()
    qtbot.mouseClick(nav, Qt.MouseButton.LeftButton)
    view = w.surfaces.currentWidget()
    assert isinstance(view, TeamProgressView)
    assert view.table.rowCount() == 1 and view.table.item(0, 0).text() == "Sam Rivera"
    assert view.table.item(0, 1).text() == "Not started"
    assert view.table.editTriggers() == view.table.EditTrigger.NoEditTriggers
    w.show_surface("learn")  # Ctrl+1 still goes back to Learn
    assert w.surfaces.currentWidget() is w.learn and not nav.isChecked()
    w.sign_out()
    w.enter(learner)
    assert w.workspace is not None and w.workspace.findChild(QPushButton, "nav-team") is None
    assert not w.team_action.isVisible()


def test_load_demo_content_is_offered_to_authors_or_an_empty_device_only(
    qtbot: QtBot,
    tmp_path: Path,
    ctx: AppContext,
    learner: CurrentUser,
    creator: CurrentUser,
    manager: CurrentUser,
) -> None:
    w = window_for(qtbot, ctx, learner)
    assert not w.demo_action.isVisible() and not w.demo_action.isEnabled()
    w.enter(manager)
    assert not w.demo_action.isVisible()
    w.enter(creator)
    assert w.demo_action.isVisible() and w.demo_action.isEnabled()
    w.sign_out()  # signed out on a device that has profiles: no
    assert not w.demo_action.isVisible()
    empty = AppContext.open(tmp_path / "empty.db", tmp_path / "assets2")
    try:
        fresh = window_for(qtbot, empty, None)
        assert fresh.demo_action.isVisible()  # nobody to sign in as yet: yes
    finally:
        empty.close()


# -- item 12: the Connect dialog ------------------------------------------------------------------
def test_connect_asks_for_what_a_creator_knows(qtbot: QtBot, ctx: AppContext) -> None:
    w = window_for(qtbot, ctx, None)
    dialog = w.connect_sync()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.width() >= 520
    labels = " ".join(lbl.text() for lbl in dialog.findChildren(QLabel))
    assert "Project URL" not in labels and "Anon key" not in labels
    assert "Organisation &address" in labels
    assert not dialog.advanced.isVisible()  # the server details are IT's, under Advanced
    for edit in (dialog.address, dialog.email):
        fm = edit.fontMetrics()
        assert fm.horizontalAdvance(edit.placeholderText()) < edit.width() - 12  # not clipped
    qtbot.keyClicks(dialog.address, "acme")
    assert dialog.url.text() == "https://acme.supabase.co"
    assert server_url("acme.example.org") == "https://acme.example.org"
    assert server_url("http://127.0.0.1:54321/") == "http://127.0.0.1:54321"
    dialog.email.setText("ada@acme.org")
    dialog.password.setText("pw")
    dialog.submit()  # no public key known on this device: say who has it, open Advanced
    assert dialog.advanced.isVisible() and "IT team" in dialog.message.text()
    assert dialog.buttons.isEnabled()
    dialog.reject()


# -- item 12: Settings and the keyring ---------------------------------------------------------
def test_settings_keep_keys_in_the_keyring_and_never_show_them(
    qtbot: QtBot, keys: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert "Secrets are kept in" in dialog.store.text()
    row = dialog.rows["PEXELS_API_KEY"]
    assert row.state.text() == "Not set" and not row.save.isEnabled()
    row.edit.setText(SECRET)
    assert row.edit.echoMode() == QLineEdit.EchoMode.Password
    row.save.click()
    assert secrets.get_secret("PEXELS_API_KEY") == SECRET
    assert row.edit.text() == ""  # never shown back
    assert row.state.text() == "•••••••• XYZ9"
    everything = " ".join(w.text() for w in dialog.findChildren(QLineEdit)) + " ".join(
        getattr(w, "text", lambda: "")() for w in dialog.findChildren(QPushButton)
    )
    assert SECRET not in everything and SECRET not in caplog.text
    dialog.rows["OPENAI_API_KEY"].edit.setText(SECRET)
    dialog.rows["OPENAI_API_KEY"].store()
    from engine.llm.keys import api_key

    assert api_key("openai") == SECRET  # where the cloud provider looks
    row.remove.click()
    assert secrets.get_secret("PEXELS_API_KEY") is None and row.state.text() == "Not set"


def test_settings_say_when_this_machine_has_no_keyring(
    qtbot: QtBot, keys: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(secrets.DISABLE_ENV, "1")
    secrets.reset()
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    assert dialog.store.text() == secrets.status().message
    assert "No keyring is available" in dialog.store.text()
    row = dialog.rows["GIPHY_API_KEY"]
    row.edit.setText(SECRET)
    row.store()
    assert "No keyring is available" in dialog.message.text()  # SecretsUnavailable's message
    assert SECRET not in dialog.message.text()


def test_settings_are_in_the_file_menu_and_the_media_library_points_there(
    qtbot: QtBot, ctx: AppContext, creator: CurrentUser, learner: CurrentUser, keys: None
) -> None:
    from app.studio.media_library import MediaLibraryDialog

    w = window_for(qtbot, ctx, creator)
    w.settings_action.trigger()
    dialog = w.settings_dialog
    assert isinstance(dialog, SettingsDialog) and "PEXELS_API_KEY" in dialog.rows
    dialog.reject()
    w.enter(learner)  # a learner has no media library: only the cloud AI keys
    w.settings_action.trigger()
    assert "PEXELS_API_KEY" not in w.settings_dialog.rows
    assert "OPENAI_API_KEY" in w.settings_dialog.rows
    w.settings_dialog.reject()
    media = MediaLibraryDialog(ctx, creator, providers=[])
    qtbot.addWidget(media)
    text = media.status.text()
    assert "Settings" in text and "environment" not in text and "_KEY" not in text


def test_the_new_screens_pass_the_widget_tree_checks(
    qtbot: QtBot, ctx: AppContext, creator: CurrentUser, manager: CurrentUser, keys: None
) -> None:
    from app.services import authoring, publishing
    from app.studio.publish_checklist import PublishChecklistDialog
    from tests.app.test_widget_tree_a11y import problems

    w = window_for(qtbot, ctx, None)
    doc = authoring.load_course(ctx, DEMO_COURSE)
    screens = [
        w.connect_sync(),
        SettingsDialog(),
        PublishChecklistDialog(publishing.checklist(ctx, creator, doc), doc.title),
        TeamProgressView(ctx, manager),
    ]
    for screen in screens:
        qtbot.addWidget(screen)
        screen.show()
        assert problems(screen) == [], type(screen).__name__
