"""The local database in every state, as the learner and the command line meet it: another
program's file, a damaged file in a headless run, a read-only or immutable file, a full disk.
Real files, real processes, real file-system limits (see ``tests/sync/fs_limits``)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from app.learn.course_player import CoursePlayer
from app.services import accounts, learning, pending
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.demo import load_demo
from app.services.pending import NotSaved
from app.shell.main_window import MainWindow
from tests.sync.fs_limits import fill, immutable, read_only_folder, small_disk

ROOT = Path(__file__).resolve().parents[2]


def byteos(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
    )


def _fingerprint(path: Path) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for s in ("", "-wal", "-shm", "-journal"):
        p = path.with_name(path.name + s)
        out[s] = hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
    return out


def _make_db(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "byteos.db"
    ctx = AppContext.open(path, folder / "assets")
    load_demo(ctx)
    ctx.close()
    assert not path.with_name("byteos.db-wal").exists()  # closed cleanly
    return path


def _learner(ctx: AppContext) -> CurrentUser:
    profile = next(p for p in accounts.list_profiles(ctx.db) if p.role == "learner")
    return accounts.sign_in(ctx.db, profile.id)


def _event_ids(path: Path) -> set[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {r[0] for r in con.execute("SELECT id FROM learning_events")}
    finally:
        con.close()


# -- 5: another program's SQLite file ------------------------------------------------------------
def test_commands_refuse_a_browsers_database_and_leave_it_byte_for_byte(tmp_path: Path) -> None:
    places = tmp_path / "places.sqlite"
    con = sqlite3.connect(places)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    with con:
        con.executemany("INSERT INTO moz_places (url) VALUES (?)", [(f"u{i}",) for i in range(99)])
    con.close()
    before = _fingerprint(places)
    runs = [
        ("db", "upgrade", "--db", str(places)),
        ("--db", str(places), "--screenshot", str(tmp_path / "x.png")),
        ("sync", "--db", str(places), "--status"),
        ("demo", "--db", str(places)),
    ]
    for args in runs:
        r = byteos(*args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "not a ByteOS database" in r.stderr and "Traceback" not in r.stderr
        assert _fingerprint(places) == before, args
    assert not (tmp_path / "x.png").exists()


# -- 8: no dialog in a headless run ---------------------------------------------------------------
@pytest.mark.parametrize("run", ["screenshot", "offscreen", "no-display"])
def test_damaged_database_in_a_headless_run_exits_2_without_a_dialog(
    tmp_path: Path, run: str
) -> None:
    bad = tmp_path / "bad.db"
    garbage = b"SQLite format 3\x00" + b"\xff" * 5000
    bad.write_bytes(garbage)
    args = [sys.executable, "-m", "app.cli", "--db", str(bad)]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if run == "screenshot":
        args += ["--screenshot", str(tmp_path / "x.png")]
    if run == "no-display":
        for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "CI"):
            env.pop(name, None)
    # a modal dialog would hang here until the timeout
    r = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert r.returncode == 2, r.stderr
    assert "damaged" in r.stderr and "Traceback" not in r.stderr
    assert bad.read_bytes() == garbage and not list(tmp_path.glob("*.damaged-*"))


# -- 7: read-only ------------------------------------------------------------------------------
def test_read_only_folder_opens_read_only_and_keeps_new_events_in_memory(tmp_path: Path) -> None:
    path = _make_db(tmp_path / "ro")
    before = _fingerprint(path)
    with read_only_folder(path.parent) as mechanism:
        ctx = AppContext.open(path, path.parent / "assets")
        try:
            assert ctx.db.read_only, mechanism
            assert "read-only" in ctx.db.read_only_reason
            user = _learner(ctx)
            [card] = learning.list_catalogue(ctx, user)  # learning is still shown
            doc = learning.open_course(ctx, user, card.id)
            with pytest.raises(NotSaved, match="read-only") as caught:
                learning.record_event(
                    ctx, user, "module_start", course_id=card.id, module_id=doc.modules[0].id
                )
            assert not caught.value.durable and "in memory" in str(caught.value)
            assert len(pending.queue_for(path)) == 1
        finally:
            ctx.close()
            pending.forget(path)
        for args in (
            ("db", "upgrade", "--db", str(path)),
            ("--db", str(path), "--screenshot", str(tmp_path / "ro.png")),
        ):
            r = byteos(*args)
            assert r.returncode == 0, (mechanism, args, r.stderr)
        assert "read-only" in byteos("db", "upgrade", "--db", str(path)).stdout
        r = byteos("demo", "--db", str(path))  # reads, then its first write is refused
        assert r.returncode in (0, 2), r.stderr  # 0: demo already present, nothing to write
        assert "Traceback" not in r.stderr
        assert _fingerprint(path) == before
    assert (tmp_path / "ro.png").read_bytes()[:4] == b"\x89PNG"


def test_new_database_in_a_read_only_folder_is_refused_clearly(tmp_path: Path) -> None:
    folder = tmp_path / "ro-empty"
    folder.mkdir()
    (folder / "keep.txt").write_text("x")
    with read_only_folder(folder):
        r = byteos("db", "upgrade", "--db", str(folder / "new.db"))
    assert r.returncode == 2 and "read-only" in r.stderr and "Traceback" not in r.stderr


def test_immutable_file_keeps_events_in_a_journal_and_saves_them_later(tmp_path: Path) -> None:
    path = _make_db(tmp_path / "imm")
    with immutable(path) as mechanism:
        ctx = AppContext.open(path, path.parent / "assets")
        try:
            assert ctx.db.read_only, mechanism
            user = _learner(ctx)
            with pytest.raises(NotSaved) as caught:
                learning.record_event(ctx, user, "streak_maintained")
            assert caught.value.durable  # the folder is writable: the journal has it
            kept = caught.value.event_id
        finally:
            ctx.close()
            pending.forget(path)  # as if ByteOS quit here
    journal = path.with_name("byteos.db.unsaved.jsonl")
    assert kept in journal.read_text()
    assert kept not in _event_ids(path)
    ctx = AppContext.open(path, path.parent / "assets")  # writable again: the next start
    try:
        assert not ctx.db.read_only
        assert "waiting" in learning.pending_message(ctx)
        assert learning.save_pending(ctx) == 1
        assert learning.save_pending(ctx) == 0
    finally:
        ctx.close()
        pending.forget(path)
    assert kept in _event_ids(path) and not journal.exists()


# -- 9: disk full ----------------------------------------------------------------------------------
def _cap_pages(ctx: AppContext):  # type: ignore[no-untyped-def]
    """Without root: SQLite's own size limit, a real SQLITE_FULL, on every connection.
    Returns the listener (remove it and dispose the pool to lift the cap)."""
    with ctx.db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def cap(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(ctx.db.engine, "connect", cap)
    ctx.db.engine.dispose()
    return cap


def test_disk_full_keeps_the_database_intact_and_saves_the_events_later(
    tmp_path: Path,
) -> None:
    disk = tmp_path / "disk"
    with small_disk(disk, "16m") as mechanism:
        if mechanism != "tmpfs":
            pytest.skip(
                "needs root for a real full file system (the player test covers max_page_count)"
            )
        path = _make_db(disk)
        ctx = AppContext.open(path, disk / "assets")
        user = _learner(ctx)
        acknowledged: list[str] = []
        queued: list[str] = []
        try:
            fill(disk)
            for _ in range(5000):
                try:
                    acknowledged.append(
                        learning.record_event(ctx, user, "streak_maintained").event_id
                    )
                except NotSaved as err:
                    assert "disk is full" in str(err) and not err.durable
                    queued.append(err.event_id)
                    if len(queued) == 3:
                        break
            assert queued, "the disk never filled"
            con = sqlite3.connect(path)
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            con.close()
            (disk / "filler.bin").unlink()  # space returns
            receipt = learning.record_event(ctx, user, "streak_maintained")  # retries first
            assert len(pending.queue_for(path)) == 0
            acknowledged.append(receipt.event_id)
        finally:
            ctx.close()
            pending.forget(path)
        stored = _event_ids(path)
        assert set(acknowledged) <= stored and set(queued) <= stored
        print(f"{mechanism}: {len(acknowledged)} saved, {len(queued)} queued then saved")


def test_player_says_progress_was_not_saved_without_a_modal_and_saves_it_later(
    qtbot: QtBot, tmp_path: Path
) -> None:
    disk = tmp_path / "disk"
    with small_disk(disk, "16m") as mechanism:
        path = _make_db(disk)
        ctx = AppContext.open(path, disk / "assets")
        try:
            user = _learner(ctx)
            course_id = learning.list_catalogue(ctx, user)[0].id
            doc = learning.open_course(ctx, user, course_id)
            window = MainWindow(ctx)
            qtbot.addWidget(window)
            if mechanism == "tmpfs":
                fill(disk)
                # use up what SQLite may still have: write until the disk refuses
                for _ in range(5000):
                    try:
                        learning.record_event(ctx, user, "streak_maintained")
                    except NotSaved:
                        break
            else:
                cap = _cap_pages(ctx)
                for _ in range(5000):
                    try:
                        learning.record_event(ctx, user, "streak_maintained")
                    except NotSaved:
                        break
            window.show()
            window.enter(user)
            assert window.learn is not None
            window.learn.open_course(doc.id)  # module_start is recorded: not saved
            player = window.learn.player
            assert isinstance(player, CoursePlayer)
            qtbot.waitUntil(lambda: player.save_warning.isVisible(), timeout=3000)
            assert "could not be saved" in player.save_warning.text()
            assert QApplication.activeModalWidget() is None
            assert not [
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()
            ]
            qtbot.waitUntil(lambda: window.db_banner.isVisible(), timeout=3000)
            assert "Not saved" in window.db_banner.text()
            waiting = len(pending.queue_for(path))
            assert waiting >= 2
            if mechanism == "tmpfs":
                (disk / "filler.bin").unlink()
            else:
                event.remove(ctx.db.engine, "connect", cap)
                ctx.db.engine.dispose()
            assert window.retry_pending() == waiting
            qtbot.waitUntil(lambda: not window.db_banner.isVisible(), timeout=3000)
            assert not player.save_warning.isVisible()
            assert "now been saved" in window.statusBar().currentMessage()
            assert len(pending.queue_for(path)) == 0
            assert learning.record_event(ctx, user, "streak_maintained").event_id
            window.close()
        finally:
            ctx.close()
            pending.forget(path)


def test_window_on_a_read_only_database_says_so_and_shows_learning(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = _make_db(tmp_path / "ro-window")
    with read_only_folder(path.parent):
        ctx = AppContext.open(path, path.parent / "assets")
        try:
            window = MainWindow(ctx)
            qtbot.addWidget(window)
            window.show()
            assert window.db_banner.isVisible() and "read-only" in window.db_banner.text()
            assert window.statusBar().currentMessage().startswith("Read-only")
            window.enter(_learner(ctx))
            assert window.learn is not None
            [card] = window.learn.dashboard.cards
            window.learn.open_course(card.card.id)
            player = window.learn.player
            assert player is not None and player.save_warning.isVisible()
            assert "read-only" in player.save_warning.text()
            assert QApplication.activeModalWidget() is None
            window.close()
        finally:
            ctx.close()
            pending.forget(path)
