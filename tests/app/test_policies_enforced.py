"""What IT locks is enforced where people act, not only shown on the Policies page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services import accounts
from app.services.context import AppContext
from app.services.errors import UserError
from app.shell.sign_in import SignInPage
from engine import config
from tests.support.settings_env import isolate


def test_no_local_profiles_when_it_says_so(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = isolate(tmp_path, monkeypatch)
    page = SignInPage(ctx)
    qtbot.addWidget(page)
    assert page.create_button.isEnabled()
    org = accounts.list_profiles(ctx.db)[0].org_id
    made = accounts.create_local_profile(ctx.db, "Kim Lee", "learner", org)
    assert made.full_name == "Kim Lee"

    policy.parent.mkdir(parents=True, exist_ok=True)
    policy.write_text(json.dumps({"locked": {"local_profiles_allowed": False}}), "utf-8")
    config.reset()
    page.refresh()
    assert not page.create_button.isEnabled()
    assert "does not allow new local profiles" in page.create_button.toolTip()
    assert page.create_button.accessibleDescription() == page.create_button.toolTip()
    before = len(accounts.list_profiles(ctx.db))
    with pytest.raises(UserError, match="does not allow new local profiles"):
        accounts.create_local_profile(ctx.db, "Ana Ruiz", "learner", org)
    assert len(accounts.list_profiles(ctx.db)) == before  # nothing written
    assert any(p.full_name == "Kim Lee" for p in accounts.list_profiles(ctx.db))  # kept
