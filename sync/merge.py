"""The conflict rule for editable rows: per-field last-writer-wins on hybrid logical clocks.

Each field of a row carries the clock of the edit that last set it. When two versions of a
row meet (a pull brings the server's, or a push finds the server moved on), each field is
decided on its own:

* equal values: nothing to decide;
* only one side changed the field since the last version both sides shared (its clock
  differs from the base clock): that side's value is taken, no conflict;
* both changed it: the later clock wins (equal clocks, which only clock-less writers
  produce, are broken by comparing the values, identically on every device), and the
  losing value is kept as a conflict record (``sync_conflicts``) that the app shows and
  can restore.

Bookkeeping fields (``updated_at``) follow the same rule but are not listed as conflicts.

So edits of different fields (a title on one laptop, a description on another) both survive,
and of two edits of one field the later one wins without the other being lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


def _order(value: Any) -> str:
    """A total order on values, to break a tie between equal clocks the same way everywhere."""
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class FieldConflict:
    field: str
    kept_value: Any
    lost_value: Any
    kept_clock: str
    lost_clock: str
    lost_side: str  # 'local' or 'remote'


@dataclass
class Merged:
    values: dict[str, Any]
    clocks: dict[str, str]
    conflicts: list[FieldConflict] = field(default_factory=list)
    differs_from_remote: bool = False
    differs_from_local: bool = False


def merge_rows(
    fields: list[str],
    local: dict[str, Any],
    local_clocks: dict[str, str],
    base_clocks: dict[str, str],
    remote: dict[str, Any],
    remote_clocks: dict[str, str],
    quiet: frozenset[str] = frozenset({"updated_at"}),
) -> Merged:
    out = Merged({}, {})
    for f in fields:
        lv, rv = local.get(f), remote.get(f)
        lc, rc, bc = local_clocks.get(f, ""), remote_clocks.get(f, ""), base_clocks.get(f, "")
        if lv == rv:
            value, clock = lv, max(lc, rc)
        elif lc == bc:
            value, clock = rv, rc
        elif rc == bc:
            value, clock = lv, lc
        elif lc > rc or (lc == rc and _order(lv) > _order(rv)):
            value, clock = lv, lc
            if f not in quiet:
                out.conflicts.append(FieldConflict(f, lv, rv, lc, rc, "remote"))
        else:
            value, clock = rv, rc
            if f not in quiet:
                out.conflicts.append(FieldConflict(f, rv, lv, rc, lc, "local"))
        out.values[f] = value
        if clock:
            out.clocks[f] = clock
        if value != rv:
            out.differs_from_remote = True
        if value != lv:
            out.differs_from_local = True
    return out
