"""Column types that keep the SQLite mirror faithful to the Postgres schema.

* ``UTCDateTime`` stores ``timestamptz`` as ISO-8601 UTC text and refuses naive datetimes, so
  no local-time value can slip in and sort wrongly against server timestamps.
* ``ValidatedJSON`` stores ``jsonb`` and validates every value on write against a pydantic
  type, so a malformed document is refused before it reaches the database.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import JSON, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class InvalidDocument(ValueError):
    """A JSON column value does not have the shape its column requires."""

    def __init__(self, column: str, error: ValidationError) -> None:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
        )
        super().__init__(f"Invalid {column}: {details}")
        self.column = column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetime stored as ISO-8601 text, e.g. ``2026-11-25T01:02:03+00:00``."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: timestamps must be timezone-aware")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class ValidatedJSON(TypeDecorator[Any]):
    """JSON column validated on write with a pydantic ``TypeAdapter``.

    The validated, normalised form (defaults filled in) is what gets stored.
    """

    impl = JSON
    cache_ok = True  # adapters are module-level singletons: identity is a stable key

    def __init__(self, adapter: TypeAdapter[Any], name: str) -> None:
        super().__init__()
        self.adapter = adapter
        self.name = name

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        try:
            validated = self.adapter.validate_python(value)
        except ValidationError as err:
            raise InvalidDocument(self.name, err) from err
        return json.loads(self.adapter.dump_json(validated))
