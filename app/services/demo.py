"""Demo content for a first start: an organisation, three profiles and a real course.

Loading is idempotent (stable IDs): running it twice, or on a database that already holds the
demo, changes nothing, and it never touches the user's own rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.resources import resource
from app.services.context import AppContext
from sync.store.column_types import utcnow
from sync.store.models import (
    Course,
    LearnerProfile,
    LocalUser,
    Module,
    Organisation,
    OrgMember,
    Profile,
    Skill,
)

DEMO_FILE = resource("demo", "demo_content.json")
_MEMBER_ROLE = {"creator": "creator", "learner": "learner", "org_admin": "admin"}


@dataclass(frozen=True)
class DemoResult:
    created: bool
    organisation_id: str
    course_ids: list[str]


def load_demo(ctx: AppContext, source: Path = DEMO_FILE) -> DemoResult:
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    org = data["organisation"]
    course_ids = [c["id"] for c in data["courses"]]
    with ctx.db.transaction() as s:
        if s.get(Organisation, org["id"]) is not None:
            return DemoResult(False, org["id"], course_ids)
        s.add(Organisation(**org))
        s.flush()
        for p in data["profiles"]:
            s.add(LocalUser(id=p["id"], email=p["email"]))
            s.flush()
            s.add(
                Profile(
                    id=p["id"],
                    full_name=p["full_name"],
                    role=p["role"],
                    org_id=org["id"],
                    onboarding_complete=True,
                )
            )
            s.flush()
            s.add(OrgMember(org_id=org["id"], user_id=p["id"], role=_MEMBER_ROLE[p["role"]]))
            s.add(LearnerProfile(user_id=p["id"]))
        for k in data["skills"]:
            s.add(Skill(org_id=org["id"], **k))
            s.flush()
        now = utcnow()
        for c in data["courses"]:
            fields = {k: v for k, v in c.items() if k != "modules"}
            s.add(Course(org_id=org["id"], published_at=now, **fields))
            s.flush()
            for m in c["modules"]:
                s.add(Module(course_id=c["id"], **m))
    return DemoResult(True, org["id"], course_ids)
