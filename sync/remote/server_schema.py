"""Apply ``resources/supabase/migrations/*.sql`` to a PostgreSQL (Supabase) database.

Each file runs once, in name order, in its own transaction, and is recorded in
``public.byteos_schema_migrations``; re-running applies only what is new. This is what IT
runs against a new Supabase project (``byteos supabase migrate --url postgresql://...``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import psycopg


def supabase_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    root = Path(frozen) if frozen else Path(__file__).resolve().parents[2]
    return root / "resources" / "supabase"


def migration_files(folder: Path | None = None) -> list[Path]:
    folder = folder or supabase_dir() / "migrations"
    return sorted(folder.glob("*.sql"))


def apply_migrations(
    url: str,
    files: list[Path] | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> list[str]:
    """Apply the migrations not yet applied at ``url``; returns the names applied now."""
    files = migration_files() if files is None else files
    applied_now: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "create table if not exists public.byteos_schema_migrations ("
            " version text primary key, applied_at timestamptz not null default now())"
        )
        done = {r[0] for r in conn.execute("select version from public.byteos_schema_migrations")}
        for path in files:
            if path.name in done:
                continue
            log(f"applying {path.name}")
            with conn.transaction():
                conn.execute(path.read_text(encoding="utf-8").encode())
                conn.execute(
                    "insert into public.byteos_schema_migrations (version) values (%s)",
                    (path.name,),
                )
            applied_now.append(path.name)
    return applied_now


def run_sql_file(url: str, path: Path) -> None:
    """Run one SQL file in a transaction (used for the test-only Supabase stand-in)."""
    with psycopg.connect(url) as conn:
        conn.execute(path.read_text(encoding="utf-8").encode())
