"""Push throughput: 100,000 learning events queued offline, sent to a real PostgreSQL.

Starts a throwaway PostgreSQL with the Supabase migrations and the PostgREST/GoTrue
stand-in of the tests, queues the events on a fresh device (bulk-inserted through the ORM,
so the outbox is filled exactly as ``record_event`` fills it), then times the push alone.

    .venv/bin/python -m bench.sync_push [--events N] [--batch B]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring

import app  # noqa: F401  (pydantic first; see app/__init__)
from app.services.context import AppContext
from app.shell.sync_glue import sync_service
from sync.remote.client import Remote
from sync.remote.session_store import MemoryKeyring
from sync.replicator import Replicator
from sync.store.models import LearningEvent
from tests.sync.conftest import running_project


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    keyring.set_keyring(MemoryKeyring())
    with running_project() as project, tempfile.TemporaryDirectory() as tmp:
        org = project.create_org("Bench")
        learner = project.create_user("learner", org)
        ctx = AppContext.open(Path(tmp) / "byteos.db", Path(tmp) / "assets")
        service = sync_service(ctx)
        service.configure(project.url, project.anon_key)
        service.sign_in(learner.email, learner.password)
        service.sync_now()  # the profile arrives; the device now knows its account
        t0 = time.perf_counter()
        start = datetime.now(UTC) - timedelta(days=30)
        chunk = 10_000
        for base in range(0, args.events, chunk):
            with ctx.db.transaction() as s:
                s.add_all(
                    LearningEvent(
                        id=str(uuid.uuid4()),
                        user_id=learner.id,
                        event_type="quiz_attempt",
                        modality="text",
                        payload={"correct": i % 3 != 0},
                        duration_secs=i % 90,
                        created_at=start + timedelta(seconds=i),
                    )
                    for i in range(base, min(args.events, base + chunk))
                )
        queued_s = time.perf_counter() - t0
        pending = service.status().pending
        remote = Remote(project.url, project.anon_key)
        stored = service.store.load(project.url, learner.id)
        assert stored is not None
        remote.resume(stored.access_token, stored.refresh_token)
        replicator = Replicator(ctx.db, remote, learner.id, push_batch=args.batch)
        t1 = time.perf_counter()
        replicator.push_all()
        push_s = time.perf_counter() - t1
        on_server = project.sql(
            "select count(*) from learning_events where user_id = %s", (learner.id,)
        )[0][0]
        remote.close()
        ctx.close()
    print(
        json.dumps(
            {
                "bench": "sync_push",
                "events": args.events,
                "batch": args.batch,
                "pending_before": pending,
                "on_server_after": on_server,
                "queue_seconds": round(queued_s, 2),
                "push_seconds": round(push_s, 2),
                "events_per_s": round(args.events / push_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
