"""Fine-tuning use cases on a real SQLite database with the demo organisation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services import finetuning
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from engine.config import settings
from engine.llm.cloud import forget_reachability
from sync.store.models import AIInteraction, Course, Module
from tests.engine.finetune.together_server import MODEL_NAME, TogetherFineTuneServer
from tests.support.settings_env import isolate


@pytest.fixture(autouse=True)
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)
    forget_reachability()


def _seed(ctx: AppContext, learner: CurrentUser) -> None:
    with ctx.db.transaction() as s:
        course = s.scalars(select(Course)).first()
        assert course is not None
        module = s.scalars(select(Module).where(Module.course_id == course.id)).first()
        assert module is not None
        course.settings = {**(course.settings or {}), "generated": {"job": "j1"}}
        for helpful in (True, True, False, None):
            s.add(
                AIInteraction(
                    user_id=learner.id,
                    course_id=course.id,
                    module_id=module.id,
                    interaction_type="question",
                    user_message=f"{learner.full_name} here: what is retrieval practice?",
                    ai_response="Recalling from memory strengthens it.",
                    context_used={"modules": [{"module_id": module.id, "cited": True}]},
                    helpful=helpful,
                )
            )


def test_consent_then_build_export_submit_and_use(
    ctx: AppContext,
    learner: CurrentUser,
    org_admin: CurrentUser,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    admin = org_admin
    _seed(ctx, learner)
    assert finetuning.state(ctx, admin).allowed is False  # off by default
    with pytest.raises(UserError, match="not allowed fine-tuning"):
        finetuning.build_dataset(ctx, admin)
    with pytest.raises(UserError, match="Only an organisation admin"):
        finetuning.set_allowed(ctx, learner, True)

    assert finetuning.set_allowed(ctx, admin, True).allowed
    ds = finetuning.build_dataset(ctx, admin)
    assert ds.sources["tutor"] == 1  # two helpful, same text: one; unrated/unhelpful: none
    assert ds.sources["modules"] >= 1  # the published generated course's modules
    assert ds.skipped_duplicates >= 1
    assert learner.full_name.split()[0] not in ds.data.decode()
    first = ds.sample(1)[0]["messages"]
    assert "Course passages:" in first[1]["content"]  # type: ignore[index]
    path = finetuning.export(ctx, admin, ds)
    assert path.read_bytes() == ds.data
    assert all(json.loads(line)["messages"] for line in path.read_text().splitlines())

    assert "no Together AI API key" in (finetuning.submit_reason() or "")
    monkeypatch.setenv("TOGETHER_API_KEY", "test-key")
    with TogetherFineTuneServer("completed", polls_before_end=0) as server:
        monkeypatch.setenv("TOGETHER_BASE_URL", server.url)
        from engine.config import reset

        reset()
        assert finetuning.submit_reason() is None
        finetuning.submit(ctx, admin, path)
        st = finetuning.refresh(ctx, admin)
        assert server.uploaded == ds.data
    assert (st.status, st.model_name) == ("completed", MODEL_NAME)
    finetuning.use_model(admin, MODEL_NAME)
    assert settings().together_model == MODEL_NAME
