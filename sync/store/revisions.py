"""The schema revisions this ByteOS knows, read from the migrations folder without Alembic.

Why: opening a database must only find out whether its ``alembic_version`` is the newest
revision (the usual case: nothing to do). Importing Alembic to learn that costs more than the
rest of the database open put together, so the revision ids and their parents are read from
the migration files as text (each declares ``revision = "…"`` and ``down_revision = …``, as
``script.py.mako`` writes them) and Alembic is imported only to migrate. A test holds these
against Alembic's own view of the folder (``tests/sync/test_schema_version.py``), so a new or
unusual migration file cannot slip past the check.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

VERSIONS_DIR = Path(__file__).with_name("migrations") / "versions"

_ASSIGN = re.compile(
    r"^(?P<name>revision|down_revision)\s*(?::[^=\n]+)?=\s*(?P<value>.+?)\s*(?:#.*)?$",
    re.MULTILINE,
)


class RevisionScanError(RuntimeError):
    """The migration files do not say plainly which revision they are (a packaging bug)."""


def _parents(value: object, where: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise RevisionScanError(f"{where.name}: down_revision is not a revision id or a tuple of them")


@cache
def revision_parents() -> dict[str, tuple[str, ...]]:
    """Every revision in the migrations folder and the revisions it follows."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted(VERSIONS_DIR.glob("*.py")):
        if path.name.startswith("_"):
            continue
        values: dict[str, object] = {}
        for m in _ASSIGN.finditer(path.read_text(encoding="utf-8")):
            if m["name"] not in values:  # the module-level assignment comes first
                try:
                    values[m["name"]] = ast.literal_eval(m["value"])
                except (ValueError, SyntaxError) as err:
                    raise RevisionScanError(f"{path.name}: {m['name']} is not a literal") from err
        revision = values.get("revision")
        if not isinstance(revision, str) or "down_revision" not in values:
            raise RevisionScanError(f"{path.name}: no revision / down_revision")
        found[revision] = _parents(values["down_revision"], path)
    return found


def known_revisions() -> set[str]:
    return set(revision_parents())


@cache
def head_revision() -> str:
    """The one revision no other revision follows (what Alembic calls ``head``)."""
    graph = revision_parents()
    followed = {p for parents in graph.values() for p in parents}
    heads = sorted(set(graph) - followed)
    if len(heads) != 1:
        raise RevisionScanError(f"the migrations have {len(heads)} heads: {heads}")
    return heads[0]
