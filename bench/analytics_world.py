"""A seeded organisation for the analytics bench, tests and screenshots (issue 13).

``seed(db, …)`` writes, with bulk inserts straight into the local mirror (as a pull would
bring them), one organisation with an admin, a manager, two creators and ``learners``
learners; published courses with modules and target skills; a path of the first two
courses; enrolments; ``events`` learning events spread over the last 12 weeks (module
starts and completions that thin out through each course, drop-offs where learners stop,
first and repeated quiz attempts in several modalities, tutor questions, some "not
covered"); tutor interactions with helpful ratings; skills with learner levels and open
gaps; compliance records of the first course with due dates around now; streaks. A second,
small organisation is seeded too, so that a count leaking across organisations shows.

Deterministic for a given ``seed`` value. Not a test double: it is data, written through
the real models into a real database.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from sync.store.database import Database
from sync.store.models import (
    AIInteraction,
    ComplianceRecord,
    Course,
    Enrollment,
    LearnerProfile,
    LearnerSkill,
    LearningEvent,
    LearningPath,
    LocalUser,
    Module,
    Organisation,
    OrgMember,
    Profile,
    Skill,
    SkillGap,
)

MODALITY_MIX = ("text", "text", "text", "video", "video", "audio", "flashcards", "game")
SKILLS = (
    "Data protection",
    "Incident reporting",
    "Fire safety",
    "Spreadsheets",
    "Customer care",
    "First aid",
    "Negotiation",
    "Cyber hygiene",
)
QUESTIONS = (
    "What counts as personal data?",
    "Who do I tell about a breach?",
    "How long do we keep records?",
    "What is the fine for a breach?",
    "Can I use my own laptop?",
)
FIRST_NAMES = ("Ada", "Ben", "Chloé", "Dev", "Eun-ji", "Farah", "Gus", "Hana", "Ivo", "Jo")
SURNAMES = ("Okafor", "Smith", "Nguyen", "García", "Kowalski", "Haddad", "Ito", "Brown")


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass
class World:
    org_id: str
    other_org_id: str
    admin_id: str
    manager_id: str
    creator_id: str
    creator2_id: str
    learner_ids: list[str]
    course_ids: list[str]
    module_ids: dict[str, list[str]]
    path_id: str
    skill_ids: list[str]
    now: datetime
    counts: dict[str, int] = field(default_factory=dict)


class _Rows:
    """Buffers rows per model and writes them in chunks (bulk Core inserts)."""

    def __init__(self, db: Database, chunk: int = 5000) -> None:
        self.db, self.chunk = db, chunk
        self.rows: dict[Any, list[dict[str, Any]]] = {}
        self.order: list[Any] = []
        self.counts: dict[str, int] = {}

    def add(self, model: Any, **row: Any) -> None:
        if model not in self.rows:
            self.rows[model] = []
            self.order.append(model)
        self.rows[model].append(row)
        self.counts[model.__tablename__] = self.counts.get(model.__tablename__, 0) + 1

    def flush(self) -> None:
        with self.db.transaction() as s:
            for model in self.order:
                rows = self.rows[model]
                for i in range(0, len(rows), self.chunk):
                    s.execute(insert(model), rows[i : i + self.chunk])
                rows.clear()


def _people(
    out: _Rows, rng: random.Random, org: str, role: str, name: str, now: datetime, streak: int = 0
) -> str:
    uid = _id(rng)
    out.add(LocalUser, id=uid, email=f"{role}-{uid[:8]}@example.org")
    out.add(Profile, id=uid, full_name=name, role=role, org_id=org, onboarding_complete=True)
    member = {"org_admin": "admin", "super_admin": "admin"}.get(role, role)
    out.add(OrgMember, id=_id(rng), org_id=org, user_id=uid, role=member)
    out.add(LearnerProfile, id=_id(rng), user_id=uid, streak_days=streak, last_active_at=now)
    return uid


def _times(rng: random.Random, now: datetime, n: int) -> Iterator[datetime]:
    """``n`` increasing instants in the last 12 weeks."""
    start = now - timedelta(weeks=12) + timedelta(hours=rng.randint(0, 24 * 30))
    step = max(60.0, (now - start).total_seconds() / max(1, n + 1))
    t = start
    for _ in range(n):
        t = t + timedelta(seconds=rng.uniform(0.2, 1.8) * step)
        yield min(t, now - timedelta(minutes=1))


def seed(
    db: Database,
    *,
    learners: int = 24,
    courses: int = 3,
    modules: int = 5,
    events: int = 1500,
    seed_value: int = 13,
    now: datetime | None = None,
) -> World:
    rng = random.Random(seed_value)
    now = now or datetime.now(UTC).replace(microsecond=0)
    out = _Rows(db)
    org, other = _id(rng), _id(rng)
    out.add(Organisation, id=org, name="Northwind Training", slug=f"northwind-{org[:6]}")
    out.add(Organisation, id=other, name="Elsewhere Ltd", slug=f"elsewhere-{other[:6]}")
    admin = _people(out, rng, org, "org_admin", "Alex Admin", now)
    manager = _people(out, rng, org, "manager", "Morgan Manager", now)
    creator = _people(out, rng, org, "creator", "Casey Creator", now)
    creator2 = _people(out, rng, org, "creator", "Robin Second", now)
    people = []
    for i in range(learners):
        name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {SURNAMES[(i // 3) % len(SURNAMES)]} {i + 1}"
        streak = rng.choice((0, 0, 1, 2, 3, 5, 8, 15, 30))
        people.append(_people(out, rng, org, "learner", name, now, streak))
    skills = []
    for name in SKILLS:
        sid = _id(rng)
        slug = f"{name.lower().replace(' ', '-')}-{sid[:4]}"
        out.add(Skill, id=sid, name=name, slug=slug, org_id=org)
        skills.append(sid)
    course_ids, module_ids = [], {}
    for c in range(courses):
        cid = _id(rng)
        by = creator if c % 2 == 0 else creator2
        targets = [{"skill_id": s, "target_proficiency": 0.8} for s in skills[c % 4 :: 4][:2]]
        out.add(
            Course,
            id=cid,
            org_id=org,
            created_by=by,
            title=("Data protection basics", "Safety at work", "Spreadsheets for all")[c % 3]
            + ("" if c < 3 else f" {c + 1}"),
            status="published",
            target_skills=targets,
            published_at=now - timedelta(weeks=13),
        )
        mids = []
        for m in range(modules):
            mid = _id(rng)
            out.add(
                Module,
                id=mid,
                course_id=cid,
                title=f"Part {m + 1}",
                content=[{"type": "paragraph", "text": f"Part {m + 1} of the course."}],
                order_index=m,
            )
            mids.append(mid)
        course_ids.append(cid)
        module_ids[cid] = mids
    path = _id(rng)
    out.add(
        LearningPath,
        id=path,
        org_id=org,
        created_by=creator,
        title="Onboarding",
        status="published",
        courses=[{"course_id": c, "order_index": i} for i, c in enumerate(course_ids[:2])],
    )
    # the other organisation: a learner, a course and events that must never be counted
    stranger = _people(out, rng, other, "learner", "Sam Stranger", now, 9)
    ocourse = _id(rng)
    out.add(
        Course, id=ocourse, org_id=other, created_by=stranger, title="Theirs", status="published"
    )
    omod = _id(rng)
    out.add(Module, id=omod, course_id=ocourse, title="X", content=[], order_index=0)
    out.add(
        Enrollment,
        id=_id(rng),
        user_id=stranger,
        course_id=ocourse,
        status="completed",
        progress_pct=100.0,
        completed_at=now - timedelta(days=3),
    )
    for t in _times(rng, now, 20):
        out.add(
            LearningEvent,
            id=_id(rng),
            user_id=stranger,
            course_id=ocourse,
            module_id=omod,
            event_type="module_start",
            modality="text",
            duration_secs=60,
            created_at=t,
        )

    per_learner = max(1, events // max(1, learners))
    done_first = {
        uid: _learner(out, rng, uid, course_ids, module_ids, path, skills, per_learner, now).get(
            course_ids[0]
        )
        for uid in people
    }
    for i, uid in enumerate(people):  # compliance on the first course, due around now
        due = now + timedelta(days=rng.choice((-20, -5, -1, 3, 10, 40)))
        status = "pending" if due > now else rng.choice(("pending", "overdue"))
        done, reason = done_first[uid], None
        if done is not None:  # as the server's completion trigger leaves it
            status = "compliant"
        elif i % 11 == 5:
            status, reason = "exempt", "On long-term leave"
        out.add(
            ComplianceRecord,
            id=_id(rng),
            org_id=org,
            user_id=uid,
            course_id=course_ids[0],
            required_by=due,
            completed_at=done,
            status=status,
            status_reason=reason,
            path_id=None,
        )
    out.flush()
    return World(
        org,
        other,
        admin,
        manager,
        creator,
        creator2,
        people,
        course_ids,
        module_ids,
        path,
        skills,
        now,
        dict(out.counts),
    )


def _learner(
    out: _Rows,
    rng: random.Random,
    uid: str,
    course_ids: list[str],
    module_ids: dict[str, list[str]],
    path: str,
    skills: list[str],
    budget: int,
    now: datetime,
) -> dict[str, datetime]:
    """Write one learner's activity; returns when they completed each course they did."""
    for sid in rng.sample(skills, k=rng.randint(2, len(skills))):
        level = round(rng.random(), 2)
        out.add(
            LearnerSkill,
            id=_id(rng),
            user_id=uid,
            skill_id=sid,
            proficiency_level=level,
            evidence_count=rng.randint(1, 9),
            last_assessed_at=now - timedelta(days=2),
        )
        if level < 0.5 and rng.random() < 0.7:
            out.add(
                SkillGap,
                id=_id(rng),
                user_id=uid,
                skill_id=sid,
                gap_score=round(min(1.0, 0.8 - level + rng.random() * 0.2), 2),
                identified_at=now - timedelta(days=5),
            )
    mine = [c for c in course_ids if rng.random() < 0.8] or course_ids[:1]
    plan: list[tuple[str, str, str, str, dict[str, Any]]] = []
    for cid in mine:
        mids = module_ids[cid]
        reach = rng.choice((1, 1, 2, 2, 3, len(mids), len(mids), len(mids)))
        modality = rng.choice(MODALITY_MIX)
        for k, mid in enumerate(mids[:reach]):
            plan.append((cid, mid, "module_start", modality, {}))
            for q in range(rng.randint(1, 3)):
                ok = rng.random() < {"video": 0.8, "game": 0.75, "flashcards": 0.7}.get(
                    modality, 0.6
                )
                payload = {"question_id": f"q{q}", "correct": ok, "attempt_no": 1, "skill_ids": []}
                plan.append((cid, mid, "quiz_attempt", modality, payload))
                if not ok:
                    retry = {**payload, "correct": True, "attempt_no": 2}
                    plan.append((cid, mid, "quiz_attempt", modality, retry))
            last = k == reach - 1
            if last and reach < len(mids) and rng.random() < 0.5:
                plan.append((cid, mid, "drop_off", modality, {}))
            elif not last or reach == len(mids):
                plan.append((cid, mid, "module_complete", modality, {}))
        if rng.random() < 0.5:
            covered = rng.random() < 0.7
            plan.append((cid, mids[0], "ai_tutor_query", modality, {"covered": covered}))
    while len(plan) < budget:  # extra activity: replays and more answers
        cid, mid, _, modality, _ = rng.choice(plan) if plan else (mine[0], "", "", "text", {})
        plan.append(
            (
                cid,
                mid,
                "video_play" if modality == "video" else "modality_switch",
                modality,
                {"from": "text", "to": modality},
            )
        )
    plan = plan[: max(budget, 1)]
    done_courses = set()
    for (cid, mid, kind, modality, payload), t in zip(
        plan, _times(rng, now, len(plan)), strict=True
    ):
        eid = _id(rng)
        if kind == "ai_tutor_query":
            iid = _id(rng)
            helpful = rng.choice((True, True, False, None))
            question = rng.choice(QUESTIONS)
            out.add(
                AIInteraction,
                id=iid,
                user_id=uid,
                course_id=cid,
                module_id=mid,
                interaction_type="question",
                user_message=question,
                ai_response="…",
                context_used={},
                helpful=helpful,
                created_at=t,
            )
            payload = {**payload, "interaction_id": iid, "mode": "answer"}
        out.add(
            LearningEvent,
            id=eid,
            user_id=uid,
            course_id=cid,
            module_id=mid or None,
            event_type=kind,
            modality=modality,
            payload=payload,
            duration_secs=rng.randint(30, 600),
            created_at=t,
        )
        if kind == "module_complete" and mid == module_ids[cid][-1]:
            done_courses.add((cid, t))
    finished = {c: t for c, t in done_courses}
    for cid in mine:
        at = finished.get(cid)
        out.add(
            Enrollment,
            id=_id(rng),
            user_id=uid,
            course_id=cid,
            status="completed" if at else "in_progress",
            progress_pct=100.0 if at else 40.0,
            started_at=now - timedelta(weeks=12),
            completed_at=at,
        )
    if set(course_ids[:2]) <= set(mine):
        both = all(c in finished for c in course_ids[:2])
        out.add(
            Enrollment,
            id=_id(rng),
            user_id=uid,
            path_id=path,
            status="completed" if both else "in_progress",
            progress_pct=100.0 if both else 50.0,
            completed_at=max(finished[c] for c in course_ids[:2]) if both else None,
        )
    return finished
