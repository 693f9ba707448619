"""Organisation → Fine-tuning…: admins only; consent, build on the runner, size and sample,
Submit disabled without a key, then submit to a local Together server and use the model."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.shell.main_window import MainWindow
from app.studio.finetune_view import FineTuneDialog
from engine.config import reset, settings
from engine.llm.cloud import forget_reachability
from tests.app.test_finetune_service import _seed
from tests.engine.finetune.together_server import MODEL_NAME, TogetherFineTuneServer
from tests.support.settings_env import isolate


@pytest.fixture(autouse=True)
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)
    forget_reachability()


def test_only_admins_are_offered_it(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, org_admin: CurrentUser
) -> None:
    for user, offered in ((learner, False), (org_admin, True)):
        w = MainWindow(ctx)
        qtbot.addWidget(w)
        w.show()
        w.enter(user)
        action = w.org_actions["fine-tuning"]  # type: ignore[attr-defined]
        assert (action.isVisible(), action.isEnabled()) == (offered, offered)
        if offered:
            action.trigger()
            dialog = w.org_dialog  # type: ignore[attr-defined]
            assert isinstance(dialog, FineTuneDialog) and dialog.isVisible()
            assert dialog.runner is w.runner  # the app's one runner
            dialog.close()


def test_consent_build_sample_submit_and_use(
    qtbot: QtBot,
    ctx: AppContext,
    learner: CurrentUser,
    org_admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = org_admin
    _seed(ctx, learner)
    from app.tasks import shared_runner

    d = FineTuneDialog(ctx, admin, shared_runner(), None)
    qtbot.addWidget(d)
    d.show()
    assert not d.consent.isChecked() and not d.build_button.isEnabled()
    assert not d.submit_button.isEnabled()
    d.consent.setChecked(True)
    assert d.build_button.isEnabled()
    d.build_button.click()
    qtbot.waitUntil(lambda: d.data is not None, timeout=10000)
    assert "examples" in d.size_label.text() and "bytes" in d.size_label.text()
    assert '"role": "assistant"' in d.sample.toPlainText()
    assert learner.full_name.split()[0] not in d.sample.toPlainText()
    assert not d.submit_button.isEnabled()
    assert "no Together AI API key" in d.reason.text()

    monkeypatch.setenv("TOGETHER_API_KEY", "test-key")
    with TogetherFineTuneServer("completed", polls_before_end=0) as server:
        monkeypatch.setenv("TOGETHER_BASE_URL", server.url)
        reset()
        d.build_button.click()
        qtbot.waitUntil(lambda: d.submit_button.isEnabled(), timeout=10000)
        d.submit_button.click()
        qtbot.waitUntil(lambda: d.refresh_button.isEnabled(), timeout=10000)
        d.refresh_button.click()
        qtbot.waitUntil(lambda: d.use_button.isEnabled(), timeout=10000)
    assert MODEL_NAME in d.job.text()
    d.use_button.click()
    assert settings().together_model == MODEL_NAME
