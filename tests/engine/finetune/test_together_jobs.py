"""The Together adapter against a real local HTTP server speaking the fine-tuning API."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.finetune.dataset import Exchange, build
from engine.finetune.together_jobs import FineTuneError, Offline, TogetherFineTuning
from engine.llm.cloud import forget_reachability
from tests.engine.finetune.together_server import (
    FILE_ID,
    JOB_ID,
    MODEL_NAME,
    TogetherFineTuneServer,
)
from tests.support.settings_env import isolate


@pytest.fixture(autouse=True)
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)
    forget_reachability()


def _file(tmp_path: Path) -> Path:
    ds = build(
        [
            Exchange(
                f"What is spaced repetition, part {i}?", f"Reviewing at growing intervals {i}."
            )
            for i in range(3)
        ],
        [],
        consent=True,
    )
    path = tmp_path / "train.jsonl"
    path.write_bytes(ds.data)
    return path


def test_upload_create_poll_and_the_model_name(tmp_path: Path) -> None:
    path = _file(tmp_path)
    with TogetherFineTuneServer("completed") as server:
        api = TogetherFineTuning("test-key", server.url)
        assert api.upload(path) == FILE_ID
        assert server.uploaded == path.read_bytes()  # the file as shown, byte for byte
        job = api.create(FILE_ID)
        assert job == JOB_ID
        assert server.created["training_file"] == FILE_ID
        seen: list[str] = []
        st = api.wait(job, interval_s=0.01, on_status=lambda s: seen.append(s.status))
    assert st.done and st.model_name == MODEL_NAME
    assert seen == ["running", "completed"]


def test_a_failed_job_says_why(tmp_path: Path) -> None:
    with TogetherFineTuneServer("error") as server:
        api = TogetherFineTuning("test-key", server.url)
        with pytest.raises(FineTuneError, match="ended as error: Training file has too few"):
            api.wait(JOB_ID, interval_s=0.01)


def test_a_bad_answer_is_an_error_not_a_crash(tmp_path: Path) -> None:
    with TogetherFineTuneServer("garbage") as server:
        api = TogetherFineTuning("test-key", server.url)
        with pytest.raises(FineTuneError, match="Together AI: reading the job failed"):
            api.wait(JOB_ID, interval_s=0.01)


def test_offline_and_no_key_are_told_at_once(tmp_path: Path) -> None:
    path = _file(tmp_path)
    with TogetherFineTuneServer() as server:
        dead = server.url
    started = time.monotonic()
    with pytest.raises(Offline, match="offline"):
        TogetherFineTuning("test-key", dead).upload(path)
    assert time.monotonic() - started < 2.0
    with pytest.raises(FineTuneError, match="no Together AI API key"):
        TogetherFineTuning(None, dead).upload(path)
