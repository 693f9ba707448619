"""Shared fixtures: a real migrated SQLite database in a temp folder, with the demo loaded."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import app  # noqa: F401  (loads pydantic fully before any Qt import; see app/__init__)
from app.services import accounts
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.demo import load_demo

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "ECOSYSTEM.md"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    context = AppContext.open(tmp_path / "byteos.db", tmp_path / "assets")
    load_demo(context)
    yield context
    context.close()


def _by_role(ctx: AppContext, role: str) -> CurrentUser:
    profile = next(p for p in accounts.list_profiles(ctx.db) if p.role == role)
    return accounts.sign_in(ctx.db, profile.id)


@pytest.fixture
def learner(ctx: AppContext) -> CurrentUser:
    return _by_role(ctx, "learner")


@pytest.fixture
def creator(ctx: AppContext) -> CurrentUser:
    return _by_role(ctx, "creator")


@pytest.fixture
def org_admin(ctx: AppContext) -> CurrentUser:
    return _by_role(ctx, "org_admin")
