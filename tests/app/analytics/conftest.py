"""A seeded organisation in a real local database for the analytics tests, and independent
SQL over the same file (``sqlite3``, not the services' SQLAlchemy) to check the figures."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.services import accounts
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from bench.analytics_world import World, seed

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


@dataclass
class Seeded:
    ctx: AppContext
    world: World
    path: Path

    def user(self, user_id: str) -> CurrentUser:
        return accounts.sign_in(self.ctx.db, user_id)

    @property
    def manager(self) -> CurrentUser:
        return self.user(self.world.manager_id)

    def sql(self, query: str, params: Any = ()) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.path) as conn:
            return conn.execute(query, params).fetchall()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    folder = tmp_path_factory.mktemp("analytics")
    ctx = AppContext.open(folder / "byteos.db", folder / "assets")
    world = seed(ctx.db, learners=24, courses=3, modules=5, events=1500, now=NOW)
    yield Seeded(ctx, world, folder / "byteos.db")
    ctx.close()


def monday(raw: str) -> date:
    """The week of a stored timestamp, computed in Python (not the services' SQL)."""
    d = datetime.fromisoformat(raw).astimezone(UTC).date()
    return d - timedelta(days=d.weekday())
