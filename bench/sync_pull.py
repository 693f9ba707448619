"""Pull time for a large catalogue: 500 published courses with 5,000 modules.

The catalogue is written straight into a throwaway PostgreSQL (with the Supabase migrations
and the PostgREST stand-in of the tests); a fresh learner device then pulls everything its
organisation publishes. Reports the time of the first full sync and of a second one that
finds nothing new.

    .venv/bin/python -m bench.sync_pull [--courses N] [--modules-per-course M]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import keyring
import psycopg

import app  # noqa: F401  (pydantic first; see app/__init__)
from app.services import learning
from app.services.accounts import sign_in
from app.services.context import AppContext
from app.shell.sync_glue import sync_service
from sync.remote.session_store import MemoryKeyring
from tests.sync.conftest import running_project

CONTENT = json.dumps(
    [
        {"type": "heading", "text": "What this module covers", "level": 2},
        {"type": "paragraph", "text": "Spaced practice beats cramming. " * 12},
        {"type": "list", "items": ["Retrieve", "Space", "Interleave"], "ordered": False},
    ]
)
QUIZ = json.dumps(
    [
        {
            "type": "single",
            "prompt": "Which works better over a month?",
            "choices": [
                {"text": "Spaced practice", "correct": True},
                {"text": "Cramming", "correct": False},
            ],
            "explanation": "Spacing lets forgetting make retrieval effortful.",
        }
    ]
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--courses", type=int, default=500)
    ap.add_argument("--modules-per-course", type=int, default=10)
    args = ap.parse_args()
    keyring.set_keyring(MemoryKeyring())
    with running_project() as project, tempfile.TemporaryDirectory() as tmp:
        org = project.create_org("Catalogue")
        creator = project.create_user("creator", org)
        learner = project.create_user("learner", org)
        with psycopg.connect(project.admin_url) as c:
            c.execute(
                "insert into courses (id, org_id, created_by, title, description, status, "
                "difficulty, tags, target_skills, published_at) "
                "select gen_random_uuid(), %s, %s, 'Course ' || i, 'About topic ' || i, "
                "'published', 'beginner', array['bench'], '[]'::jsonb, now() "
                "from generate_series(1, %s) i",
                (org, creator.id, args.courses),
            )
            c.execute(
                "insert into modules (id, course_id, title, content, quiz, order_index) "
                "select gen_random_uuid(), c.id, 'Module ' || j, %s::jsonb, %s::jsonb, j - 1 "
                "from courses c, generate_series(1, %s) j where c.org_id = %s",
                (CONTENT, QUIZ, args.modules_per_course, org),
            )
        ctx = AppContext.open(Path(tmp) / "byteos.db", Path(tmp) / "assets")
        service = sync_service(ctx)
        service.configure(project.url, project.anon_key)
        service.sign_in(learner.email, learner.password)
        t0 = time.perf_counter()
        report = service.sync_now()
        first_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        service.sync_now()
        again_s = time.perf_counter() - t1
        cards = learning.list_catalogue(ctx, sign_in(ctx.db, learner.id))
        modules = sum(c.module_count for c in cards)
        ctx.close()
    print(
        json.dumps(
            {
                "bench": "sync_pull",
                "courses": len(cards),
                "modules": modules,
                "rows_received": report.pulled,
                "first_sync_seconds": round(first_s, 2),
                "modules_per_s": round(modules / first_s, 1),
                "nothing_new_sync_seconds": round(again_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
