"""The asset store: files (images, documents, media) that content refers to.

Files are stored content-addressed (by SHA-256) under the user data directory, so importing
the same picture twice stores it once, and a file's name can never collide or escape the
store. ``content_assets.storage_path`` holds the path relative to the store root.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sync.store.paths import default_assets_dir

__all__ = ["AssetStore", "default_assets_dir"]


class AssetStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, source: Path, suffix: str) -> str:
        """Copy ``source`` into the store; returns its storage path (relative)."""
        digest = hashlib.sha256()
        with source.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        rel = f"{digest.hexdigest()[:2]}/{digest.hexdigest()}{suffix.lower()}"
        dest = self.root / rel
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".part")
            shutil.copyfile(source, tmp)
            tmp.replace(dest)
        return rel

    def path(self, storage_path: str) -> Path:
        resolved = (self.root / storage_path).resolve()
        if self.root.resolve() not in resolved.parents:
            raise ValueError(f"storage path escapes the asset store: {storage_path}")
        return resolved
