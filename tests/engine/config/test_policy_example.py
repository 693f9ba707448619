"""The example policy file the README points IT to is a valid policy document."""

from __future__ import annotations

import json
from pathlib import Path

from engine.config.sources import parse_policy_document

EXAMPLE = Path(__file__).resolve().parents[3] / "resources" / "policies.example.json"


def test_the_documented_example_parses_without_problems() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    read = parse_policy_document(str(EXAMPLE), json.loads(text), text)
    assert read.ok, [p.message for p in read.problems]
    assert read.locked is not None and read.locked["local_profiles_allowed"] is False
    assert read.recommended is not None and read.recommended["tts_mode"] == "piper"
