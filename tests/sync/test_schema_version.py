"""The fast schema-version check: up to date only when it truly is, and Alembic only to migrate.

``sync.store.revisions`` reads the revision ids from the migration files as text so that a
database open never imports Alembic; these tests hold it against Alembic's own reading of
the same folder (a new migration cannot be missed), and check in fresh processes that an
up-to-date file opens without Alembic while an old one is still migrated.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from sync.store import revisions
from sync.store.database import (
    Database,
    alembic_config,
    current_revision,
    head_revision,
    inspect_file,
    known_revisions,
    make_engine,
    prepare,
    upgrade,
)

ROOT = Path(__file__).resolve().parents[2]
FIRST = "0001"


def _alembic() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def test_head_is_alembics_head() -> None:
    assert head_revision() == _alembic().get_current_head()
    assert revisions.head_revision() == head_revision()


def test_known_revisions_are_alembics() -> None:
    script = _alembic()
    assert known_revisions() == {r.revision for r in script.walk_revisions()}
    for rev in script.walk_revisions():
        assert revisions.revision_parents()[rev.revision] == tuple(
            [rev.down_revision]
            if isinstance(rev.down_revision, str)
            else list(rev.down_revision or ())
        )


@pytest.fixture
def versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A scratch migrations/versions folder for the scanner."""
    folder = tmp_path / "versions"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    monkeypatch.setattr(revisions, "VERSIONS_DIR", folder)
    revisions.revision_parents.cache_clear()
    revisions.head_revision.cache_clear()
    yield folder
    revisions.revision_parents.cache_clear()
    revisions.head_revision.cache_clear()


def _migration(folder: Path, name: str, body: str) -> None:
    (folder / name).write_text(textwrap.dedent(body))


def test_scanner_follows_a_new_migration(versions: Path) -> None:
    _migration(versions, "0001_a.py", 'revision = "0001"\ndown_revision = None\n')
    _migration(versions, "0002_b.py", 'revision = "0002"\ndown_revision = "0001"\n')
    assert revisions.head_revision() == "0002"
    revisions.revision_parents.cache_clear()
    revisions.head_revision.cache_clear()
    # the typed form newer Alembic templates write, and a merge of two branches
    _migration(
        versions,
        "0003_c.py",
        """\
        revision: str = "0003"
        down_revision: str | None = "0001"  # a branch
        """,
    )
    _migration(
        versions,
        "0004_merge.py",
        """\
        from alembic import op

        revision = '0004'
        down_revision = ('0002', '0003')


        def upgrade() -> None:
            revision = "not this one"  # inside a function: never read
        """,
    )
    assert revisions.revision_parents()["0004"] == ("0002", "0003")
    assert revisions.head_revision() == "0004"
    assert revisions.known_revisions() == {"0001", "0002", "0003", "0004"}


def test_scanner_refuses_two_heads_and_unreadable_files(versions: Path) -> None:
    _migration(versions, "0001_a.py", 'revision = "0001"\ndown_revision = None\n')
    _migration(versions, "0002_b.py", 'revision = "0002"\ndown_revision = "0001"\n')
    _migration(versions, "0003_c.py", 'revision = "0003"\ndown_revision = "0001"\n')
    with pytest.raises(revisions.RevisionScanError, match="2 heads"):
        revisions.head_revision()
    revisions.revision_parents.cache_clear()
    _migration(versions, "0004_d.py", "revision = make_id()\ndown_revision = None\n")
    with pytest.raises(revisions.RevisionScanError, match=r"0004_d\.py"):
        revisions.revision_parents()


def test_up_to_date_only_when_at_head(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    upgrade(old, FIRST)
    assert inspect_file(old).revision == FIRST != head_revision()
    state, backup = prepare(old)  # not at head: migrated, with a backup first
    assert backup is not None and backup.exists()
    assert state.revision == head_revision()
    engine = make_engine(old)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    before = old.read_bytes()
    state, backup = prepare(old)  # at head: nothing to do, nothing written
    assert backup is None and state.revision == head_revision()
    assert old.read_bytes() == before


def test_current_revision_of_a_file_without_one(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    sqlite3.connect(path).close()
    engine = make_engine(path)
    try:
        assert current_revision(engine) is None
    finally:
        engine.dispose()


_OPEN = """
import json, sys
from pathlib import Path
from sync.store.database import Database, current_revision
db = Database.open(Path(sys.argv[1]))
print(json.dumps({"alembic": "alembic" in sys.modules, "revision": current_revision(db.engine)}))
db.close()
"""


def _open_in_fresh_process(path: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _OPEN, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        timeout=120,
    ).stdout
    result: dict[str, object] = json.loads(out.splitlines()[-1])
    return result


def test_open_imports_alembic_only_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "byteos.db"
    upgrade(path, FIRST)
    assert _open_in_fresh_process(path) == {"alembic": True, "revision": head_revision()}
    assert _open_in_fresh_process(path) == {"alembic": False, "revision": head_revision()}
    db = Database.open(path)
    db.close()
