"""A person (or IT) points the local tutor at a bigger GGUF model on their machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services import managed_settings
from app.services.errors import UserError
from engine.config import settings
from engine.llm.local import LlamaCppProvider
from tests.support.settings_env import isolate


@pytest.fixture(autouse=True)
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)


def test_a_gguf_file_becomes_the_tutors_model_and_other_files_are_refused(tmp_path: Path) -> None:
    model = tmp_path / "qwen2.5-7b-instruct-q4_k_m.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 64)  # the format's magic; loading is not tried here
    managed_settings.save({"llm_model_path": str(model)})
    assert settings().llm_model_path == model
    provider = LlamaCppProvider()
    assert provider.model_path == model and provider.model == model.stem
    row = next(r for r in managed_settings.rows() if r.name == "llm_model_path")
    assert row.source_label and not row.locked

    text = tmp_path / "notes.gguf"
    text.write_text("not a model")
    with pytest.raises(UserError, match=r"notes\.gguf is not a GGUF model"):
        managed_settings.save({"llm_model_path": str(text)})
    with pytest.raises(UserError, match="there is no model file at"):
        managed_settings.save({"llm_model_path": str(tmp_path / "missing.gguf")})
    assert settings().llm_model_path == model  # nothing changed
    managed_settings.save({"llm_model_path": ""})  # cleared: the bundled model again
    assert settings().llm_model_path is None
