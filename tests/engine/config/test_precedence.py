"""The one precedence: defaults < user file < recommended policy < environment < locked policy.

Each source is the real thing: the user's settings file, the policy file (``locked`` /
``recommended``) and an environment variable. Every combination of sources is tried (so
every pair), and the highest one present must win, with its origin named."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from engine import config
from engine.config import Layer, LockedSetting, Source, current, resolve, save_user_values
from engine.config.sources import user_settings_path

VALUES = {
    Source.DEFAULT: "en",
    Source.USER: "fr",
    Source.RECOMMENDED: "de",
    Source.ENVIRONMENT: "es",
    Source.LOCKED: "it",
}
SET_BY = (Source.USER, Source.RECOMMENDED, Source.ENVIRONMENT, Source.LOCKED)
COMBINATIONS = [c for n in range(len(SET_BY) + 1) for c in itertools.combinations(SET_BY, n)]


def write_policy(path: Path, locked: dict[str, object], recommended: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"locked": locked, "recommended": recommended}), encoding="utf-8")


def write_user(values: dict[str, object]) -> None:
    path = user_settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values), encoding="utf-8")


@pytest.mark.parametrize(
    "present", COMBINATIONS, ids=lambda c: "+".join(s.name for s in c) or "none"
)
def test_the_highest_source_present_wins(
    present: tuple[Source, ...], policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if Source.USER in present:
        write_user({"default_language": VALUES[Source.USER]})
    locked = {"default_language": VALUES[Source.LOCKED]} if Source.LOCKED in present else {}
    rec = {"default_language": VALUES[Source.RECOMMENDED]} if Source.RECOMMENDED in present else {}
    if locked or rec:
        write_policy(policy_file, locked, rec)
    if Source.ENVIRONMENT in present:
        monkeypatch.setenv("BYTEOS_LANGUAGE", VALUES[Source.ENVIRONMENT])
    winner = max(present, key=list(Source).index, default=Source.DEFAULT)
    effective = current()
    assert effective.values.default_language == VALUES[winner]
    assert effective.origins["default_language"] is winner
    assert effective.problems == ()
    where = effective.where.get("default_language", "")
    expected = {
        Source.DEFAULT: "",
        Source.USER: str(user_settings_path()),
        Source.RECOMMENDED: str(policy_file),
        Source.ENVIRONMENT: "BYTEOS_LANGUAGE",
        Source.LOCKED: str(policy_file),
    }
    assert where == expected[winner]


@pytest.mark.parametrize(
    ("low", "high"), list(itertools.combinations(list(Source), 2)), ids=lambda s: s.name
)
def test_resolve_orders_layers_whatever_order_they_come_in(low: Source, high: Source) -> None:
    layers = [
        Layer(s, {"tts_mode": m}, {"tts_mode": s.value})
        for s, m in ((low, "edge"), (high, "espeak"))
        if s is not Source.DEFAULT
    ]
    random.Random(7).shuffle(layers)
    effective = resolve(layers[::-1])
    assert effective.values.tts_mode == "espeak"
    assert effective.origins["tts_mode"] is high
    assert all(effective.origins[n] is Source.DEFAULT for n in config.FIELDS if n != "tts_mode")


def test_existing_environment_variable_names_keep_working(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "BYTEOS_LLM_PROVIDERS": "anthropic, Local",
        "BYTEOS_LLM_MODEL_PATH": "/models/tutor.gguf",
        "BYTEOS_MODEL_CACHE": "/var/cache/byteos",
        "BYTEOS_PIPER_MODEL": "/voices/joe.onnx",
        "BYTEOS_TTS": "offline",
        "BYTEOS_TTS_VOICE": "en-GB-SoniaNeural",
        "BYTEOS_SUPABASE_URL": "https://org.supabase.co",
        "BYTEOS_SUPABASE_ANON_KEY": "anon",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "BYTEOS_ANTHROPIC_MODEL": "claude-x",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    s = current().values
    assert s.llm_providers == ["anthropic", "local"]
    assert s.llm_model_path == Path("/models/tutor.gguf")
    assert s.model_cache == Path("/var/cache/byteos") and s.piper_model == Path("/voices/joe.onnx")
    assert s.tts_mode == "piper" and s.tts_voice == "en-GB-SoniaNeural"
    assert (s.supabase_url, s.supabase_anon_key) == ("https://org.supabase.co", "anon")
    assert s.openai_base_url == "http://127.0.0.1:9/v1" and s.anthropic_model == "claude-x"


def test_a_bad_environment_value_is_reported_and_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYTEOS_PROXY_MODE", "sideways")
    effective = current()
    assert effective.values.proxy_mode == "system"
    [problem] = effective.problems
    assert "BYTEOS_PROXY_MODE" in problem.message and "sideways" in problem.message


def test_the_cache_follows_the_environment_and_the_files(
    policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert current().values.tts_mode == "auto"
    monkeypatch.setenv("BYTEOS_TTS", "espeak")
    assert current().values.tts_mode == "espeak"
    write_policy(policy_file, {"tts_mode": "piper"}, {})
    assert current().values.tts_mode == "piper" and current().locked("tts_mode")


def test_a_locked_value_cannot_be_saved_and_the_file_is_untouched(policy_file: Path) -> None:
    write_user({"default_language": "fr"})
    write_policy(policy_file, {"tts_mode": "piper"}, {})
    before = user_settings_path().read_text(encoding="utf-8")
    with pytest.raises(LockedSetting, match="tts_mode is set by your organisation's policy"):
        save_user_values({"tts_mode": "edge", "default_language": "de"})
    assert user_settings_path().read_text(encoding="utf-8") == before
    with pytest.raises(ValueError, match="language tag"):
        save_user_values({"default_language": "not a tag"})
    assert user_settings_path().read_text(encoding="utf-8") == before


def test_a_user_change_to_a_recommended_value_stands(
    policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_user({"default_language": "fr"})
    write_policy(policy_file, {}, {"default_language": "de", "tts_mode": "piper"})
    assert current().values.default_language == "de"  # a new recommendation reaches the user
    effective = save_user_values({"default_language": "pt-BR"})
    assert effective.values.default_language == "pt-BR"
    assert effective.origins["default_language"] is Source.USER
    assert effective.origins["tts_mode"] is Source.RECOMMENDED  # the other stays IT's
    monkeypatch.setenv("BYTEOS_LANGUAGE", "es")  # the environment still wins over both
    assert current().values.default_language == "es"
    monkeypatch.delenv("BYTEOS_LANGUAGE")
    assert save_user_values({"default_language": None}).values.default_language == "de"


@pytest.mark.parametrize(
    "present", COMBINATIONS, ids=lambda c: "+".join(s.name for s in c) or "none"
)
def test_the_data_folder_read_before_the_first_frame_follows_the_same_precedence(
    present: tuple[Source, ...], policy_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``engine.config.early`` (no pydantic) agrees with the full reader for ``data_dir``."""
    from engine.config.early import data_dir

    folders = {s: f"/srv/byteos-{s.name.lower()}" for s in Source}
    if Source.USER in present:
        write_user({"data_dir": folders[Source.USER]})
    locked = {"data_dir": folders[Source.LOCKED]} if Source.LOCKED in present else {}
    rec = {"data_dir": folders[Source.RECOMMENDED]} if Source.RECOMMENDED in present else {}
    if locked or rec:
        write_policy(policy_file, locked, rec)
    if Source.ENVIRONMENT in present:
        monkeypatch.setenv("BYTEOS_DATA_DIR", folders[Source.ENVIRONMENT])
    full = current().values.data_dir
    assert data_dir() == full
    assert full == (Path(folders[max(present, key=list(Source).index)]) if present else None)


def test_the_early_reader_loads_no_pydantic_and_uses_the_last_good_policy(
    policy_file: Path,
) -> None:
    import os
    import subprocess
    import sys

    write_policy(policy_file, {"data_dir": "/srv/good"}, {})
    assert current().values.data_dir == Path("/srv/good")  # remembered as the last good copy
    policy_file.write_text('{"locked": {"data_dir": "/srv/bad",}}', encoding="utf-8")
    code = (
        "import sys; from sync.store.paths import data_dir; "
        "print(data_dir(), 'pydantic' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=True,
    )
    assert out.stdout.split() == ["/srv/good", "False"]
