"""How a frozen build finds the tutor model (engine/llm/bundled.py): the joined GGUF file that
packaging/byteos.spec puts at ``<bundle>/models/<key>.gguf`` is used where it is, so an
installed app never copies 1 GB into each user's cache. Runs in seconds: the bundle root
(``sys._MEIPASS``, which PyInstaller's bootloader sets) is a temporary folder here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from engine.llm.bundled import (
    GGUF_MAGIC,
    QWEN25_CODER_05B,
    ensure_gguf,
    part_paths,
    prejoined_gguf,
)


def test_a_frozen_bundles_joined_model_is_used_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "bundle"
    model_file = bundle / "models" / QWEN25_CODER_05B.filename
    model_file.parent.mkdir(parents=True)
    model_file.write_bytes(GGUF_MAGIC + b"\0" * 60)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    cache = tmp_path / "cache"

    assert prejoined_gguf(QWEN25_CODER_05B) == model_file
    assert part_paths(QWEN25_CODER_05B) == [model_file]
    assert ensure_gguf(QWEN25_CODER_05B, cache) == model_file
    assert not cache.exists()  # nothing joined, nothing copied


def test_outside_a_frozen_bundle_the_slices_are_still_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert prejoined_gguf(QWEN25_CODER_05B) is None
    # a bundle folder without the file does not count either
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert prejoined_gguf(QWEN25_CODER_05B) is None
