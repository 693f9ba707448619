"""``python -m engine.config [PATH]``: write the policy file's JSON Schema (default
``resources/policies.schema.json``, which ships with the app and is checked by a test)."""

from __future__ import annotations

import sys
from pathlib import Path

from engine.config.schema import schema_text

target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("resources/policies.schema.json")
target.write_text(schema_text(), encoding="utf-8")
print(f"wrote {target}")
