"""The modules that used to read environment variables now read the settings, so a policy
reaches them as well as the old variables do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.llm import build_chain
from engine.llm.chain import provider_order
from engine.llm.cloud import OpenAIProvider
from engine.llm.keys import api_key
from engine.llm.local import LlamaCppProvider, _default_cache
from engine.media.tts import EdgeTTSProvider, PiperProvider, provider_chain


def lock(path: Path, locked: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"locked": locked}), encoding="utf-8")


def test_local_only_ai_policy_wins_over_the_environment_and_the_caller(
    policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYTEOS_LLM_PROVIDERS", "openai,local")
    assert provider_order() == ("openai", "local")
    lock(policy_file, {"llm_providers": ["local"]})
    assert provider_order() == ("local",)
    chain = build_chain(("openai", "anthropic", "local"))
    assert [p.name for p in chain.providers] == ["local"]


def test_the_key_source_policy_decides_where_keys_come_from(
    policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert api_key("openai") == "sk-from-env"
    lock(policy_file, {"ai_key_source": "none"})
    assert api_key("openai") is None and not OpenAIProvider().has_key
    lock(policy_file, {"ai_key_source": "keyring"})
    monkeypatch.setenv("BYTEOS_NO_KEYRING", "1")
    assert api_key("openai") is None  # the environment is not a permitted source


def test_cloud_addresses_and_models_follow_the_settings(
    policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("BYTEOS_OPENAI_MODEL", "gpt-env")
    provider = OpenAIProvider(key="k")
    assert (provider.base_url, provider.model) == ("http://127.0.0.1:9/v1", "gpt-env")
    lock(policy_file, {"openai_base_url": "https://llm.corp.example/v1"})
    assert OpenAIProvider(key="k").base_url == "https://llm.corp.example/v1"


def test_model_paths_follow_the_settings(
    policy_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BYTEOS_LLM_MODEL_PATH", str(tmp_path / "m.gguf"))
    monkeypatch.setenv("BYTEOS_MODEL_CACHE", str(tmp_path / "cache"))
    assert LlamaCppProvider().model_path == tmp_path / "m.gguf"
    assert _default_cache() == tmp_path / "cache"
    voice = tmp_path / "voice.onnx"
    voice.write_bytes(b"onnx")
    lock(policy_file, {"piper_model": str(voice)})
    assert PiperProvider().model_path() == voice


def test_an_offline_narration_policy_wins_over_a_callers_preference(
    policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYTEOS_TTS_VOICE", "en-GB-SoniaNeural")
    chain = provider_chain("edge")
    assert isinstance(chain[0], EdgeTTSProvider) and chain[0].voice == "en-GB-SoniaNeural"
    lock(policy_file, {"tts_mode": "piper"})
    assert [p.name for p in provider_chain("edge")] == ["piper", "espeak-ng"]


def test_the_online_voice_checks_the_explicit_proxy_not_the_service(policy_file: Path) -> None:
    lock(policy_file, {"proxy_mode": "explicit", "proxy_url": "http://proxy.corp.example:3128"})
    assert EdgeTTSProvider()._probe_target() == ("proxy.corp.example", 3128)
