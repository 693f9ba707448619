"""The organisation side's vocabularies, defined once.

The database's CHECK constraints (``sync.store.models``), the sync rules (``sync.tables``)
and the logic here all import these names, as the event vocabulary is imported from
``engine.adaptive.events``; the Supabase migrations spell the same lists in SQL, and the
tests hold them together.
"""

from __future__ import annotations

from typing import Literal, get_args

ProfileRole = Literal["super_admin", "org_admin", "manager", "creator", "learner"]
PROFILE_ROLES: tuple[ProfileRole, ...] = get_args(ProfileRole)

MemberRole = Literal["admin", "manager", "creator", "learner"]
MEMBER_ROLES: tuple[MemberRole, ...] = get_args(MemberRole)

ContentStatus = Literal["draft", "published", "archived"]
CONTENT_STATUSES: tuple[ContentStatus, ...] = get_args(ContentStatus)

EnrollmentStatus = Literal["not_started", "in_progress", "completed", "overdue"]
ENROLLMENT_STATUSES: tuple[EnrollmentStatus, ...] = get_args(EnrollmentStatus)

ComplianceStatus = Literal["pending", "compliant", "overdue", "exempt"]
COMPLIANCE_STATUSES: tuple[ComplianceStatus, ...] = get_args(ComplianceStatus)

ASSIGNER_ROLES: frozenset[ProfileRole] = frozenset({"manager", "org_admin", "super_admin"})
"""Assign anyone of their organisation, set due dates, and make training mandatory
(write ``compliance_records``). Creators assign only their own courses and paths."""

SIGNER_ROLES: frozenset[ProfileRole] = frozenset({"org_admin", "super_admin"})
"""Write ``certifications`` rows (for someone else) and the organisation's key set and
revocation list: the signer path (``resources/certificates/README.md``)."""

CONTENT_LABELS: dict[str, str] = {
    "draft": "Draft",
    "published": "Published",
    "archived": "Archived",
}
ENROLLMENT_LABELS: dict[str, str] = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "completed": "Completed",
    "overdue": "Overdue",
}
COMPLIANCE_LABELS: dict[str, str] = {
    "pending": "Pending",
    "compliant": "Compliant",
    "overdue": "Overdue",
    "exempt": "Exempt",
}
"""How each status is written on screen (one place, so no screen shows ``not_started``;
the keys are the tuples above, which a test holds together)."""


def work_status_label(status: str) -> str:
    """An enrolment's or compliance record's status as people read it."""
    labels = {**ENROLLMENT_LABELS, **COMPLIANCE_LABELS}
    return labels.get(status, status.replace("_", " ").capitalize())
