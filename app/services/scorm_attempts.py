"""Playing an imported SCO: which page to launch, and one learner's session with it.

:func:`sco_for` finds a module's item (``courses.settings["scorm"]``, written by
``scorm_import``) and its unpacked folder (unpacked again from the stored zip if the folder
is gone). :class:`ScormSession` is the LMS side of one session: the API's messages
(``init``, ``set``, ``commit``, ``finish``) come in through :meth:`ScormSession.handle`.

**Durable at once.** Every value is checked again with ``engine.scorm.cmi`` (a value the
page accepted but the rules refuse is dropped and logged). Every commit — ``LMSCommit``,
``LMSFinish``, the page being hidden, the player closing — writes the attempt's kept values
in one SQLite transaction before anything else happens, so a killed app loses nothing
already committed. Where: the ``sync_state`` key/value table, key
``scorm.cmi/<user>/<module>``: the canonical schema has no per-attempt document (enrolments
carry no JSON; learning events are append-only and a commit every slide would flood the
learner model), and a new table would need a migration on both sides for one document per
attempt. The cost: that row is local. What another device needs to resume is carried by
the session's last event instead (``drop_off`` or ``module_complete`` hold the resume
values: location, suspend data, status, score, time), which sync does bring; a session
starts from whichever of the two is newer.

**Events** (``engine.scorm.attempt.commit_events``, written through the one door,
``learning.record_event``, so enrolment progress follows): ``module_start`` when the SCO
initialises, ``quiz_attempt`` for each new score, ``module_complete`` with the time spent
when it is passed or completed, ``drop_off`` when a session ends with it not done.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.services import asset_files, learning
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.scorm_import import SCORM_KEY, unpack_package
from engine.scorm.attempt import (
    CommitFacts,
    EventSpec,
    Learner,
    commit_events,
    finish,
    kept,
    start_values,
)
from engine.scorm.cmi import CmiModel
from engine.scorm.importer import inspect_package
from sync.store.column_types import utcnow
from sync.store.models import ContentAsset, Course, LearningEvent, SyncState

log = logging.getLogger(__name__)

STATE_PREFIX = "scorm.cmi/"
Recorder = Callable[..., object]  # record(event_type, *, duration_secs=None, payload=None)


@dataclass(frozen=True)
class ScoLaunch:
    course_id: str
    module_id: str
    title: str
    identifier: str
    launch: str  # path in the package, with the item's parameters
    scorm_type: str  # "sco" (talks to the API) or "asset" (a page)
    mastery_score: float | None
    folder: Path  # the unpacked package
    host: str  # the player's origin for this package: byteos-scorm://<host>/
    version: str = "1.2"  # of the package; the player's API is SCORM 1.2's


def _scorm_settings(ctx: AppContext, course_id: str) -> dict[str, Any] | None:
    with ctx.db.transaction() as s:
        course = s.get(Course, course_id)
        raw = (course.settings or {}).get(SCORM_KEY) if course is not None else None
    return raw if isinstance(raw, dict) else None


def is_scorm_module(ctx: AppContext, course_id: str, module_id: str | None) -> bool:
    found = _scorm_settings(ctx, course_id)
    return bool(found and module_id and module_id in (found.get("items") or {}))


def sco_for(ctx: AppContext, course_id: str, module_id: str, title: str = "") -> ScoLaunch:
    """The item behind ``module_id``; ``UserError`` when it cannot be played here."""
    found = _scorm_settings(ctx, course_id)
    item = (found or {}).get("items", {}).get(module_id)
    if found is None or not isinstance(item, dict):
        raise UserError("This module is not part of an imported SCORM package.")
    with ctx.db.transaction() as s:
        asset = s.get(ContentAsset, str(found.get("asset_id")))
        meta = dict(asset.metadata_ or {}) if asset is not None else {}
        storage_path = asset.storage_path if asset is not None else None
    unpacked = str(meta.get("unpacked") or "")
    if not unpacked or not storage_path:
        raise UserError("The SCORM package of this course is not on this device.")
    folder = ctx.assets.path(unpacked)
    if not folder.is_dir():
        zip_path = ctx.assets.path(storage_path)
        if not zip_path.is_file():  # not on this device yet: download it now (verified)
            zip_path = asset_files.local_file(ctx, f"asset://{storage_path}") or zip_path
        if not zip_path.is_file():
            raise UserError(
                "The SCORM package of this course is not on this device yet; it arrives "
                "with the course's files."
            )
        data = zip_path.read_bytes()
        staging = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.part")
        staging.mkdir(parents=True)
        unpack_package(data, inspect_package(data), staging)
        staging.rename(folder)
    return ScoLaunch(
        course_id,
        module_id,
        title,
        str(item.get("identifier") or ""),
        str(item.get("launch") or ""),
        str(item.get("scorm_type") or "sco"),
        item.get("mastery_score"),
        folder,
        "pkg-" + str(meta.get("sha256") or "")[:24],
        str(found.get("version") or "1.2"),
    )


def _state_key(user_id: str, module_id: str) -> str:
    return f"{STATE_PREFIX}{user_id}/{module_id}"


def stored_values(ctx: AppContext, user: CurrentUser, launch: ScoLaunch) -> dict[str, str]:
    """The attempt as last committed: this device's row, or the resume values of the
    newest SCORM event (from another device, through sync) when that is newer."""
    with ctx.db.transaction() as s:
        raw = s.get(SyncState, _state_key(user.id, launch.module_id))
        local = json.loads(raw.value) if raw is not None and raw.value else None
        rows = s.execute(
            select(LearningEvent.payload, LearningEvent.created_at)
            .where(
                LearningEvent.user_id == user.id,
                LearningEvent.module_id == launch.module_id,
                LearningEvent.event_type.in_(("drop_off", "module_complete")),
            )
            .order_by(LearningEvent.created_at.desc())
            .limit(20)
        ).all()
    values: dict[str, str] = dict(local["values"]) if local else {}
    saved = datetime.fromisoformat(local["saved_at"]) if local else None
    for payload, at in rows:
        cmi = (payload or {}).get("cmi") if isinstance(payload, dict) else None
        if payload and payload.get("source") == "scorm" and isinstance(cmi, dict):
            if saved is None or at > saved:
                values.update({str(k): str(v) for k, v in cmi.items()})
            break
    return values


def _facts(ctx: AppContext, user: CurrentUser, launch: ScoLaunch) -> CommitFacts:
    progress = learning.course_progress(ctx, user, launch.course_id)
    with ctx.db.transaction() as s:
        payloads = s.scalars(
            select(LearningEvent.payload).where(
                LearningEvent.user_id == user.id,
                LearningEvent.module_id == launch.module_id,
                LearningEvent.event_type == "quiz_attempt",
            )
        ).all()
    scores = sum(1 for p in payloads if isinstance(p, dict) and p.get("source") == "scorm")
    return CommitFacts(scores, None, launch.module_id in progress.completed_module_ids)


class ScormSession:
    """The LMS side of one session of ``user`` with the SCO ``launch``."""

    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        launch: ScoLaunch,
        record: Recorder | None = None,
    ) -> None:
        self.ctx, self.user, self.launch = ctx, user, launch
        self.id = str(uuid.uuid4())
        self._record = record or self._record_event
        self.model = CmiModel(
            start_values(
                stored_values(ctx, user, launch),
                Learner(user.id, user.full_name or user.id),
                mastery_score=launch.mastery_score,
            )
        )
        self.facts = _facts(ctx, user, launch)
        raw = self.model.values.get("cmi.core.score.raw", "")
        self.facts.last_score = float(raw) if raw else None
        self.state = "new"  # new → running → finished
        self.started = time.monotonic()
        self.rejected: list[tuple[str, str, int]] = []  # values the page let through
        self.commits = 0

    @property
    def values(self) -> dict[str, str]:
        return self.model.values

    def handle(self, message: dict[str, Any]) -> None:
        op = message.get("op")
        if op == "init" and self.state == "new":
            self.state = "running"
            self.started = time.monotonic()
            self._emit(
                [
                    EventSpec(
                        "module_start",
                        {
                            "source": "scorm",
                            "sco": self.launch.identifier,
                            "entry": self.values.get("cmi.core.entry", ""),
                            "session": self.id,
                        },
                    )
                ]
            )
        elif op == "set" and self.state == "running":
            element, value = str(message.get("element", "")), str(message.get("value", ""))
            code = self.model.set(element, value)
            if code:
                log.warning("SCORM value refused here but not in the page: %s (%s)", element, code)
                self.rejected.append((element, value, code))
        elif op == "commit" and self.state == "running":
            self.commit(session_end=False)
        elif op == "finish" and self.state == "running":
            self.end()

    def view_asset(self) -> None:
        """An item of type ``asset`` (a page that does not talk to the API) is done once it
        has been shown: SCORM gives the LMS nothing else to go by."""
        if self.state != "new":
            return
        self.state = "finished"
        self._emit(
            [
                EventSpec("module_start", {"source": "scorm", "sco": self.launch.identifier}),
                *(
                    []
                    if self.facts.completed
                    else [
                        EventSpec(
                            "module_complete",
                            {"source": "scorm", "sco": self.launch.identifier, "asset": True},
                            0,
                        )
                    ]
                ),
            ]
        )

    def _wall_secs(self) -> int:
        return round(time.monotonic() - self.started)

    def commit(self, *, session_end: bool) -> None:
        """Write the attempt, then the events it means."""
        values = kept(self.values)
        with self.ctx.db.transaction() as s:
            key = _state_key(self.user.id, self.launch.module_id)
            row = s.get(SyncState, key)
            text = json.dumps(
                {"values": values, "saved_at": utcnow().isoformat(), "session": self.id}
            )
            if row is None:
                s.add(SyncState(key=key, value=text))
            else:
                row.value = text
        self.commits += 1
        events = commit_events(
            self.values,
            self.facts,
            sco=self.launch.identifier,
            session_end=session_end,
            session_secs=self._wall_secs(),
        )
        self._emit(events)

    def end(self) -> None:
        """``LMSFinish``, or the player closing while the SCO runs."""
        if self.state != "running":
            return
        self.state = "finished"
        self.model.values = finish(self.values, self._wall_secs())
        self.commit(session_end=True)

    def _emit(self, events: list[EventSpec]) -> None:
        for ev in events:
            if ev.event_type == "quiz_attempt":
                self.facts.scores_recorded += 1
                self.facts.last_score = ev.payload.get("score")
            if ev.event_type == "module_complete":
                self.facts.completed = True
            self._record(ev.event_type, duration_secs=ev.duration_secs, payload=ev.payload)

    def _record_event(self, event_type: str, **kw: Any) -> object:
        return learning.record_event(
            self.ctx,
            self.user,
            event_type,
            course_id=self.launch.course_id,
            module_id=self.launch.module_id,
            modality="text",
            **kw,
        )
