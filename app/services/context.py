"""What every service call needs: the open database and the asset store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sync.store.assets import AssetStore, default_assets_dir
from sync.store.database import Database


@dataclass
class AppContext:
    db: Database
    assets: AssetStore

    @classmethod
    def open(cls, db_path: Path | None = None, assets_dir: Path | None = None) -> AppContext:
        db = Database.open(db_path)
        if assets_dir is None:
            assets_dir = db.path.parent / "assets" if db_path else default_assets_dir()
        return cls(db, AssetStore(assets_dir))

    def close(self) -> None:
        self.db.close()
