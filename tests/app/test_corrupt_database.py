"""A damaged database at start-up: the user is asked, and nothing is thrown away."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.cli import _open_context
from app.services.context import AppContext
from sync.store.database import CorruptDatabaseError

GARBAGE = b"SQLite format 3\x00" + b"\xff" * 5000


def _answer(monkeypatch: pytest.MonkeyPatch, button_index: int) -> list[str]:
    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(box.text())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "clickedButton", lambda box: box.buttons()[button_index])
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    return shown


def test_keep_damaged_file_and_start_fresh(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "byteos.db"
    db.write_bytes(GARBAGE)
    shown = _answer(monkeypatch, 0)  # "Keep the file and start fresh"
    ctx = _open_context(db)
    assert isinstance(ctx, AppContext)
    ctx.close()
    assert "damaged" in shown[0]
    [kept] = list(tmp_path.glob("byteos.db.damaged-*"))
    assert kept.read_bytes() == GARBAGE
    assert str(kept) in shown[-1]


def test_quit_leaves_the_file_alone(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "byteos.db"
    db.write_bytes(GARBAGE)
    _answer(monkeypatch, 1)  # "Quit"
    with pytest.raises(CorruptDatabaseError):
        _open_context(db)
    assert db.read_bytes() == GARBAGE
    assert not list(tmp_path.glob("*.damaged-*"))
