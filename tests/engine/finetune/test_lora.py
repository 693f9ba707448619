"""The on-device LoRA path: the adapter setting is checked (GGUF magic) and reaches llama.cpp."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from app.services import managed_settings
from app.services.errors import UserError
from engine.config import settings
from engine.finetune.lora import LoraAdapterError, check_adapter
from engine.llm.base import ProviderFailed
from engine.llm.local import LlamaCppProvider
from tests.support.settings_env import isolate


@pytest.fixture(autouse=True)
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(tmp_path, monkeypatch)


def _gguf(path: Path, version: int = 3) -> Path:
    path.write_bytes(b"GGUF" + struct.pack("<I", version) + b"\0" * 16)
    return path


def test_check_adapter(tmp_path: Path) -> None:
    good = _gguf(tmp_path / "org-adapter.gguf")
    assert check_adapter(good) == good
    (tmp_path / "adapter.safetensors").write_bytes(b"{}")
    with pytest.raises(LoraAdapterError, match="is not a GGUF LoRA adapter"):
        check_adapter(tmp_path / "adapter.safetensors")
    with pytest.raises(LoraAdapterError, match="GGUF version 9"):
        check_adapter(_gguf(tmp_path / "future.gguf", 9))
    with pytest.raises(LoraAdapterError, match="no LoRA adapter file"):
        check_adapter(tmp_path / "missing.gguf")


def test_the_setting_is_checked_and_reaches_the_local_provider(tmp_path: Path) -> None:
    good = _gguf(tmp_path / "org-adapter.gguf")
    managed_settings.save({"llm_lora_path": str(good)})
    assert settings().llm_lora_path == good
    assert LlamaCppProvider().lora_path == good
    (tmp_path / "notes.gguf").write_text("not an adapter")
    with pytest.raises(UserError, match=r"Not saved: notes\.gguf is not a GGUF LoRA adapter"):
        managed_settings.save({"llm_lora_path": str(tmp_path / "notes.gguf")})
    assert settings().llm_lora_path == good


def test_a_bad_adapter_fails_loading_with_a_clear_message(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    model = _gguf(tmp_path / "model.gguf")  # never reached: the adapter is checked first
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"PK\x03\x04")
    provider = LlamaCppProvider(model, lora_path=bad, cache_dir=tmp_path)
    with pytest.raises(ProviderFailed, match="The LoRA adapter cannot be used"):
        provider.load()
