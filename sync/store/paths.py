"""Where ByteOS keeps its files by default: light enough to ask before anything else loads.

The start-up path needs the database's location before SQLAlchemy is imported (the window
paints first, the ORM loads after), so the answer lives here rather than in ``database``.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "ByteOS"


def data_dir() -> Path:
    """The ``data_dir`` setting (a policy, ``BYTEOS_DATA_DIR``, the user file), else the
    platform's user data folder."""
    from engine.config.early import data_dir as configured

    return configured() or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "byteos.db"


def default_assets_dir() -> Path:
    return data_dir() / "assets"
