"""Where an asset's file lives in Supabase Storage, who may write it, and its checksum.

One private bucket per organisation (``org-<org id>``, made by the server migration
``20261202000400_asset_storage.sql``); the object key is the asset's ``storage_path``, which
the local asset store already makes content-addressed (``ab/<sha256><suffix>``), so the key
names its checksum and two devices uploading the same file write the same object. Uploads in
flight go to ``.uploads/<sha256>`` first and are moved to the key once whole.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from engine.org.vocabulary import ProfileRole

UPLOADS_PREFIX = ".uploads"
ASSET_WRITER_ROLES: frozenset[ProfileRole] = frozenset(
    {"creator", "manager", "org_admin", "super_admin"}
)
"""Upload asset files (the storage policy ``byteos_asset_insert`` says the same)."""

_CONTENT_ADDRESSED = re.compile(r"^[0-9a-f]{2}/([0-9a-f]{64})(\.[A-Za-z0-9]+)?$")
_SHA = re.compile(r"^[0-9a-f]{64}$")


def bucket_for(org_id: str) -> str:
    return f"org-{org_id}"


def temp_key(sha256: str) -> str:
    return f"{UPLOADS_PREFIX}/{sha256}"


def expected_sha256(storage_path: str | None, metadata: dict[str, Any] | None) -> str | None:
    """The checksum the file must have: named by its content-addressed path, else recorded
    in the row's metadata (``sha256``) when the file was stored; None when neither says."""
    match = _CONTENT_ADDRESSED.match(storage_path or "")
    if match:
        return match.group(1)
    recorded = (metadata or {}).get("sha256")
    return recorded if isinstance(recorded, str) and _SHA.match(recorded) else None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
