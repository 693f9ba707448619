"""Every settings test starts from nothing (tests/support/settings_env.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import config
from tests.support.settings_env import isolate


@pytest.fixture(autouse=True)
def policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = isolate(tmp_path, monkeypatch)
    yield path
    config.reset()
