"""Policies in the app: a locked value cannot be changed in Settings, the About / Policies
page names every value's origin, and a broken policy file is said at start (issue 15)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from app.services import api_keys, managed_settings
from app.services.context import AppContext
from app.services.errors import UserError
from app.shell.main_window import MainWindow
from app.shell.policies_page import PoliciesDialog
from app.shell.settings_dialog import SettingsDialog
from engine import config, secrets
from engine.config import Source
from engine.config.sources import user_settings_path
from tests.support.settings_env import isolate
from tests.sync.conftest import MemoryKeyring, memory_keyring  # noqa: F401 - fixture


@pytest.fixture
def policy_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,  # noqa: F811
) -> Iterator[Path]:
    for k in api_keys.KEYS:
        monkeypatch.delenv(k.name, raising=False)
    secrets.reset()
    path = isolate(tmp_path, monkeypatch)
    path.parent.mkdir(parents=True)
    yield path
    config.reset()
    secrets.reset()


def lock(
    path: Path, locked: dict[str, object], recommended: dict[str, object] | None = None
) -> None:
    path.write_text(json.dumps({"locked": locked, "recommended": recommended or {}}), "utf-8")


def test_a_locked_value_cannot_be_changed_in_settings(qtbot: QtBot, policy_file: Path) -> None:
    lock(policy_file, {"tts_mode": "piper", "ai_key_source": "environment"})
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    tts = dialog.prefs["tts_mode"]
    assert isinstance(tts.control, QComboBox)
    assert not tts.control.isEnabled() and tts.control.currentText() == "piper"
    assert tts.lock.text() == "Locked by IT"
    assert str(policy_file) in tts.control.toolTip()
    # the keyboard cannot reach it and a click does nothing
    tts.control.setFocus()
    qtbot.keyClick(tts.control, Qt.Key.Key_Down)
    qtbot.mouseClick(tts.control, Qt.MouseButton.LeftButton)
    assert tts.control.currentText() == "piper"
    # the other preferences still save, and the locked one stays IT's
    lang = dialog.prefs["default_language"]
    assert isinstance(lang.control, QLineEdit) and lang.control.isEnabled()
    lang.control.setText("fr")
    assert dialog.store_preferences()
    saved = json.loads(user_settings_path().read_text("utf-8"))
    assert saved == {"default_language": "fr"}
    effective = config.current()
    assert effective.values.tts_mode == "piper" and effective.locked("tts_mode")
    assert effective.origins["default_language"] is Source.USER
    # the service refuses it too, whatever a view sends
    with pytest.raises(UserError, match="set by your organisation's policy"):
        managed_settings.save({"tts_mode": "edge"})
    # keys for cloud AI come from the environment only: the key rows are read-only
    row = dialog.rows["OPENAI_API_KEY"]
    assert not row.edit.isEnabled() and "environment only" in row.edit.toolTip()
    with pytest.raises(UserError, match="environment only"):
        api_keys.save_key("OPENAI_API_KEY", "sk-0123456789abcdef")


def test_a_bad_preference_is_refused_with_the_reason(qtbot: QtBot, policy_file: Path) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.prefs["default_language"].control.setText("not a language")  # type: ignore[attr-defined]
    assert not dialog.store_preferences()
    assert "language tag" in dialog.message.text()
    assert not user_settings_path().exists()


def test_the_policies_page_names_where_each_value_came_from(
    qtbot: QtBot, policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock(policy_file, {"llm_providers": ["local"]}, {"tts_mode": "espeak"})
    monkeypatch.setenv("BYTEOS_TTS_VOICE", "en-GB-SoniaNeural")
    config.save_user_values({"default_language": "de"})
    page = PoliciesDialog()
    qtbot.addWidget(page)
    page.show()
    assert page.table.rowCount() == len(config.FIELDS)
    assert page.cell("llm_providers", "Value") == "local"
    assert page.cell("llm_providers", "Source") == "Locked by your organisation"
    assert page.cell("llm_providers", "Set by") == str(policy_file)
    assert page.cell("tts_mode", "Source") == "Recommended by your organisation"
    assert page.cell("tts_voice", "Source") == "Environment variable"
    assert page.cell("tts_voice", "Set by") == "BYTEOS_TTS_VOICE"
    assert page.cell("default_language", "Source") == "Your settings file"
    assert page.cell("proxy_mode", "Source") == "Default"
    assert not page.problems.isVisible()


def test_a_broken_policy_file_is_said_at_start(
    qtbot: QtBot, ctx: AppContext, policy_file: Path
) -> None:
    policy_file.write_text('{\n  "locked": {\n    "proxy_mode": "sideways"\n  }\n}\n', "utf-8")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: "Policy problem" in window.statusBar().currentMessage())
    message = window.statusBar().currentMessage()
    assert message.startswith("Policy problem: ") and f"{policy_file}, line 3" in message
    assert "sideways" in message and "defaults" in message
    page = window.show_policies()
    assert isinstance(page, PoliciesDialog)
    assert page.problems.isVisible() and "line 3" in page.problems.text()
    page.close()


def test_the_organisations_project_comes_from_policy(ctx: AppContext, policy_file: Path) -> None:
    from sync.service import SyncError, SyncService

    service = SyncService(ctx.db)
    lock(policy_file, {}, {"supabase_url": "https://rec.example.org", "supabase_anon_key": "r"})
    assert service.settings() == ("https://rec.example.org", "r")  # opens already connected
    service.configure("https://mine.example.org", "m")
    assert service.settings() == ("https://mine.example.org", "m")  # the user's choice stands
    lock(policy_file, {"supabase_url": "https://org.example.org", "sign_in_methods": []})
    assert service.settings()[0] == "https://org.example.org"
    with pytest.raises(SyncError, match="organisation's policy sets the Supabase project"):
        service.configure("https://elsewhere.example.org", "x")
    with pytest.raises(SyncError, match="turned off by your organisation's policy"):
        service.sign_in("a@example.org", "pw")


def test_the_policy_screens_pass_the_widget_tree_checks(qtbot: QtBot, policy_file: Path) -> None:
    from tests.app.test_widget_tree_a11y import problems

    lock(policy_file, {"proxy_mode": "none"})
    for screen in (SettingsDialog(), PoliciesDialog()):
        qtbot.addWidget(screen)
        screen.show()
        assert problems(screen) == [], type(screen).__name__
