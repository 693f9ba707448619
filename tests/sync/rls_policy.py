"""Who may do what on the Supabase server: the expected policy, as data, in one place.

``tests/sync/test_rls_matrix.py`` reads the schema from PostgreSQL (every table of ``public``
and every foreign key) and, for every table × role × operation × scope, checks the server
against this module. A table, scope or foreign key the server has and this module does not
is a test failure: new schema needs a decision written down here first.

Roles (the acting user): ``anonymous`` (the anon key, no sign-in), ``fresh`` (signed up, no
profile yet), and the profile roles ``learner``, ``creator``, ``manager``, ``org_admin`` and
``super_admin`` of organisation A.

Scopes (which row the operation is aimed at), per table:

* ``own``: the actor's own row (their profile, membership, events, …);
* ``org``: a row of the actor's organisation A: a colleague's row, or for content the
  published course, module, path or an asset a published module uses;
* ``org_draft``: content of organisation A that is not published (or an asset used only by
  a draft course);
* ``global``: a skill of no organisation;
* ``other``: a row of organisation B (or of one of its users);
* ``row``: any row (tables nobody may touch).

Operations: ``select``, ``insert`` (a new row like the scope's row), ``update``, ``delete``,
and for every foreign-key column, the same column pointing at each scope of the referenced
table, on ``insert`` and on ``update`` (the expectation follows from the rule in ``REFS``).
So does every id inside a JSON document (``JSON_REFS``): the document naming each scope's
row. Every jsonb column, and every trigger on a public table, is declared here too
(``JSON_REFS`` or ``JSON_FREE``; ``TRIGGERS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "fresh", "learner", "creator", "manager", "org_admin", "super_admin")
PROFILE_ROLES = ROLES[2:]
BASE_OPS = ("select", "insert", "update", "delete")

USER = ("own", "org", "other")  # rows owned by one user
CONTENT = ("org", "org_draft", "other")  # an organisation's content, published or not


@dataclass(frozen=True)
class Table:
    scopes: tuple[str, ...]
    select: dict[str, str] = field(default_factory=dict)
    insert: dict[str, str] = field(default_factory=dict)
    update: dict[str, str] = field(default_factory=dict)
    delete: dict[str, str] = field(default_factory=dict)
    """Each maps a role to the scopes (space separated, ``*`` for all) it may act on;
    a role not named may act on none."""

    def allows(self, op: str, role: str, scope: str) -> bool:
        rule = getattr(self, op).get(role, "")
        return rule == "*" or scope in rule.split()


def each(roles: str, scopes: str) -> dict[str, str]:
    return {r: scopes for r in roles.split()}


STAFF = "learner creator manager org_admin"  # every profile role of the organisation
AUTHORS = "creator org_admin"
READERS = "manager org_admin"  # read (and manage) the organisation's learner rows

# A learner's own rows: everyone with a profile reads and writes their own; managers and
# admins also read their colleagues'; super admins read everyone's but write only their own
# (the learner twin is the learner's).
OWN_ROWS = Table(
    USER,
    select={**each("learner creator", "own"), **each(READERS, "own org"), "super_admin": "*"},
    insert=each(STAFF + " super_admin", "own"),
    update=each(STAFF + " super_admin", "own"),
    delete=each(STAFF + " super_admin", "own"),
)

# An organisation's content: learners read what is published (for assets: what a published
# module uses); creators, managers and admins also drafts; authors write.
CONTENT_RULES = Table(
    CONTENT,
    select={
        "learner": "org",
        **each("creator manager org_admin", "org org_draft"),
        "super_admin": "*",
    },
    insert={**each(AUTHORS, "org org_draft"), "super_admin": "*"},
    update={**each(AUTHORS, "org org_draft"), "super_admin": "*"},
    delete={**each(AUTHORS, "org org_draft"), "super_admin": "*"},
)

# Learning paths: as content, and managers write them too (they build the training).
PATH_RULES = Table(
    CONTENT,
    select=CONTENT_RULES.select,
    insert={**each(AUTHORS + " manager", "org org_draft"), "super_admin": "*"},
    update={**each(AUTHORS + " manager", "org org_draft"), "super_admin": "*"},
    delete={**each(AUTHORS + " manager", "org org_draft"), "super_admin": "*"},
)

POLICY: dict[str, Table] = {
    "organisations": Table(
        ("org", "other"),
        select={**each(STAFF, "org"), "super_admin": "*"},
        insert={"super_admin": "*"},
        update={"org_admin": "org", "super_admin": "*"},
        delete={"super_admin": "*"},
    ),
    # joining an organisation is accept_invitation / join_organisation, never an insert here:
    # a fresh sign-up may only create their own profile, as a learner of no organisation
    "profiles": Table(
        USER,
        select={**each(STAFF, "own org"), "super_admin": "*"},
        insert={"fresh": "own", "super_admin": "*"},
        update={
            **each("learner creator manager", "own"),
            "org_admin": "own org",
            "super_admin": "*",
        },
    ),
    # an org admin removes a member with rpc/remove_member (which also takes the profile out
    # of the organisation); deleting the bare membership would leave their access in place
    "org_members": Table(
        USER,
        select={**each(STAFF, "own org"), "super_admin": "*"},
        insert={"org_admin": "own org", "super_admin": "*"},
        update={"org_admin": "own org", "super_admin": "*"},
        delete={"super_admin": "*"},
    ),
    "learner_profiles": OWN_ROWS,
    "learner_skills": OWN_ROWS,
    "skill_gaps": OWN_ROWS,
    "enrollments": Table(
        USER,
        # managers and admins enrol their organisation's learners and follow their progress;
        # creators assign colleagues to their own courses and paths (the world's colleague is
        # enrolled in the creator's course). Due dates and "assigned by" are the assigner's,
        # and a learner cannot delete an assignment: test_rls_org.py
        select={**OWN_ROWS.select, "creator": "own org"},
        insert={"learner": "own", **each("creator " + READERS + " super_admin", "own org")},
        update={"learner": "own", **each("creator " + READERS + " super_admin", "own org")},
        delete=each(STAFF + " super_admin", "own"),
    ),
    # events are append-only, even for their author
    "learning_events": Table(
        USER, select=OWN_ROWS.select, insert=each(STAFF + " super_admin", "own")
    ),
    "ai_interactions": OWN_ROWS,
    # signed by the organisation's signer (an org admin), never for oneself; managers read
    "certifications": Table(
        USER,
        select=OWN_ROWS.select,
        insert={"org_admin": "org", "super_admin": "org other"},
        update={"org_admin": "org", "super_admin": "org other"},
        delete={"super_admin": "*"},
    ),
    # managers and admins require training; a learner's update of their own record may only
    # say when they were reminded (the matrix's update changes nothing; test_rls_org.py has
    # status, due date and the transitions); the history makes deleting a super admin's
    "compliance_records": Table(
        USER,
        select=OWN_ROWS.select,
        insert={**each(READERS, "own org"), "super_admin": "*"},
        update={**each("learner creator", "own"), **each(READERS, "own org"), "super_admin": "*"},
        delete={"super_admin": "*"},
    ),
    # the audit history: written by the server's trigger only, read like the records
    "compliance_events": Table(USER, select=OWN_ROWS.select),
    # the organisation's key set and revocation list: every member reads, the signer writes
    "certificate_issuers": Table(
        ("org", "other"),
        select={**each(STAFF, "org"), "super_admin": "*"},
        insert={"org_admin": "org", "super_admin": "*"},
        update={"org_admin": "org", "super_admin": "*"},
        delete={"super_admin": "*"},
    ),
    # global skills are for everyone signed in (even before joining), written by super admins
    "skills": Table(
        ("org", "global", "other"),
        select={"fresh": "global", **each(STAFF, "org global"), "super_admin": "*"},
        insert={**each(AUTHORS, "org"), "super_admin": "*"},
        update={**each(AUTHORS, "org"), "super_admin": "*"},
        delete={**each(AUTHORS, "org"), "super_admin": "*"},
    ),
    "courses": CONTENT_RULES,
    "modules": CONTENT_RULES,
    "learning_paths": PATH_RULES,
    "content_assets": CONTENT_RULES,
    # server-only: an organisation's admins invite; accept_invitation() uses them
    "org_invitations": Table(
        ("org", "other"),
        select={"org_admin": "org", "super_admin": "*"},
        insert={"org_admin": "org", "super_admin": "*"},
        update={"org_admin": "org", "super_admin": "*"},
        delete={"org_admin": "org", "super_admin": "*"},
    ),
    # written by triggers only; an organisation's deletions are read by its members
    "sync_tombstones": Table(("org", "other"), select={**each(STAFF, "org"), "super_admin": "*"}),
    # migration bookkeeping: for the database owner only
    "byteos_schema_migrations": Table(("row",)),
}

# Foreign keys. Every foreign key between public tables has a rule:
#   "owner": the column says whose (or which organisation's) row it is: pointing it at a
#            target moves the row into the target's scope, allowed when the actor may write
#            rows of that scope;
#   "readable": a link to content, a colleague or a skill: allowed when the actor may read
#            the target (so never another organisation's, and for learners only published
#            content);
#   "self": must be the actor (super admins excepted);
#   "enrollee": must be the row's user (among the world's profiles, which are all learners
#            and the actor; the staff who may also be named are tested end to end);
#   "staff_readable": "readable", for managers, org admins and super admins only (others
#            may not change the column at all).
# A pair (rule on insert, rule on update) where they differ. In every case the operation on
# the row itself must be allowed too.
REFS: dict[tuple[str, str], str | tuple[str, str]] = {
    ("profiles", "org_id"): "owner",
    ("org_members", "org_id"): "owner",
    ("org_members", "user_id"): "owner",
    ("learner_profiles", "user_id"): "owner",
    ("skills", "org_id"): "owner",
    ("skills", "parent_skill_id"): "readable",
    ("learner_skills", "user_id"): "owner",
    ("learner_skills", "skill_id"): "readable",
    ("skill_gaps", "user_id"): "owner",
    ("skill_gaps", "skill_id"): "readable",
    ("courses", "org_id"): "owner",
    ("courses", "created_by"): "readable",
    ("modules", "course_id"): "owner",
    ("content_assets", "org_id"): "owner",
    ("content_assets", "uploader_id"): "readable",
    ("learning_paths", "org_id"): "owner",
    ("learning_paths", "created_by"): "readable",
    ("enrollments", "user_id"): "owner",
    ("enrollments", "path_id"): "readable",
    ("enrollments", "course_id"): "readable",
    # the enrollee, or (written by a manager or admin) a manager or admin of the enrollee's
    # organisation or the content's creator: test_rls_references.py has those
    ("enrollments", "enrolled_by"): "enrollee",
    ("learning_events", "user_id"): "owner",
    ("learning_events", "course_id"): "readable",
    ("learning_events", "module_id"): "readable",
    ("ai_interactions", "user_id"): "owner",
    ("ai_interactions", "course_id"): "readable",
    ("ai_interactions", "module_id"): "readable",
    ("certifications", "user_id"): "owner",
    ("certifications", "path_id"): "readable",
    ("compliance_records", "org_id"): "owner",
    ("compliance_records", "user_id"): "owner",
    ("compliance_records", "course_id"): "staff_readable",
    ("compliance_records", "path_id"): "staff_readable",
    # nobody writes the history through the API: the rules never get to apply
    ("compliance_events", "record_id"): "readable",
    ("compliance_events", "org_id"): "owner",
    ("compliance_events", "user_id"): "owner",
    ("compliance_events", "changed_by"): "readable",
    ("certificate_issuers", "org_id"): "owner",
    ("org_invitations", "org_id"): "owner",
    # made by the admin who makes it; another admin may later take it over (or revoke it)
    ("org_invitations", "invited_by"): ("self", "readable"),
    ("org_invitations", "accepted_by"): "readable",
}


# References inside JSON documents (ECOSYSTEM.md section 5's shapes), checked like foreign
# keys by the server's check_json_references triggers (byteos.json_references): for each
# (table, column), the JSON path the server reads the ids at, the table they name, the rule
# (as in REFS), and a document naming one id. "not_foreign": an id may not name another
# organisation's row (an id of no row yet passes: modules are pushed before their assets).
@dataclass(frozen=True)
class JsonRef:
    path: str
    ref_table: str
    rule: str
    doc: Callable[[str], Any]


def _image(asset_id: str) -> list[dict[str, Any]]:
    return [{"type": "image", "asset_id": asset_id, "src": "j.png", "alt": "A picture"}]


def _question(skill_id: str) -> list[dict[str, Any]]:
    choices = [{"id": "a", "text": "Yes", "correct": True}, {"id": "b", "text": "No"}]
    return [
        {"id": "q", "type": "single", "prompt": "?", "choices": choices, "skill_ids": [skill_id]}
    ]


JSON_REFS: dict[tuple[str, str], JsonRef] = {
    ("courses", "target_skills"): JsonRef(
        "lax $[*].skill_id",
        "skills",
        "readable",
        lambda i: [{"skill_id": i, "target_proficiency": 0.8}],
    ),
    ("learning_paths", "courses"): JsonRef(
        "lax $[*].course_id",
        "courses",
        "readable",
        lambda i: [{"course_id": i, "order_index": 0, "is_required": True}],
    ),
    ("learning_paths", "target_skills"): JsonRef(
        "lax $[*].skill_id",
        "skills",
        "readable",
        lambda i: [{"skill_id": i, "target_proficiency": 0.8}],
    ),
    ("modules", "quiz"): JsonRef("lax $[*].skill_ids[*]", "skills", "readable", _question),
    ("modules", "content"): JsonRef(
        'lax $[*] ? (@.type == "image").asset_id', "content_assets", "not_foreign", _image
    ),
    ("content_assets", "metadata"): JsonRef(
        "lax $.module_id", "modules", "readable", lambda i: {"module_id": i}
    ),
}

# Every other jsonb column, and why it holds no id of another row the server must check.
JSON_FREE: dict[tuple[str, str], str] = {
    ("organisations", "branding"): "colours, font, a logo url",
    ("organisations", "settings"): "settings, allowed email domains",
    ("learner_profiles", "modality_scores"): "numbers",
    ("learner_profiles", "next_best_action"): "the owner's own suggestion (target_id is shown"
    " only to them, resolved through what they can read)",
    ("learner_profiles", "ai_tutor_context"): "the owner's own summary",
    ("courses", "settings"): "flags",
    ("modules", "modality_variants"): "media urls, mindmap data, a game id (no table)",
    ("learning_paths", "certification_config"): "flags, a template name",
    ("learning_events", "payload"): "the owner's telemetry (question and skill ids of content"
    " the row's course names, which is checked)",
    ("ai_interactions", "context_used"): "the owner's retrieval notes",
    ("compliance_events", "changes"): "the record's old and new values, written by the server"
    " (ids among them were checked when the record was written)",
    ("certificate_issuers", "key_set"): "public keys and the issuer's name",
}

# A module column that must name a module of the row's course column (when both are set):
# check_module_in_course triggers; the matrix keeps the pair consistent when it moves one,
# test_rls_references.py tests the mismatch.
SAME_COURSE: dict[str, tuple[str, str]] = {
    "learning_events": ("module_id", "course_id"),
    "ai_interactions": ("module_id", "course_id"),
}

# Every trigger on a public table (name -> tables), so a new one is a decision written here.
_SYNCED = (
    "organisations profiles org_members learner_profiles skills learner_skills skill_gaps"
    " courses modules content_assets learning_paths enrollments learning_events"
    " ai_interactions certifications compliance_records compliance_events certificate_issuers"
)
TRIGGERS: dict[str, str] = {
    "sync_stamp": _SYNCED,  # change numbers
    "sync_tombstone": _SYNCED,  # deletions
    "sync_visibility": "courses learning_paths",  # 'hide' when unpublished; restamp modules
    "guard_profile": "profiles",  # nobody changes their role or organisation
    "restamp_assets": "courses modules learning_paths",  # assets becoming visible to learners
    "hide_assets": "courses modules learning_paths",  # assets no longer visible to learners
    "hide_assets_delete": "courses",  # the same, before a course (and its modules) goes
    "check_references_insert": "",  # every table of REFS (checked against REFS)
    "check_references_update": "",
    "check_json_references_insert": "",  # every table of JSON_REFS (checked against JSON_REFS)
    "check_json_references_update": "",
    "check_module_in_course_insert": "learning_events ai_interactions",
    "check_module_in_course_update": "learning_events ai_interactions",
    "check_enrolled_by_insert": "enrollments",
    "check_enrolled_by_update": "enrollments",
    "check_assigned_content": "enrollments compliance_records",  # assign published content
    "guard_enrollment": "enrollments",  # due dates and "assigned by" are the assigner's
    "enrollment_compliance": "enrollments",  # a completion makes compliance records compliant
    "guard_compliance": "compliance_records",  # who changes what, and the transitions
    "compliance_history": "compliance_records",  # every change into compliance_events
    "roll_up_event": "learning_events",  # the analytics rollup (byteos.analytics_daily)
    "role_in_step": "profiles org_members",  # profiles.role and org_members.role agree
    "guard_member": "org_members",  # nobody changes their own membership role
    "keep_an_admin": "profiles",  # the last admin is neither demoted nor removed
    "guard_organisation": "organisations",  # a name; branding and settings keep their shape
    "make_asset_bucket": "organisations",  # its private Storage bucket for asset files
}

# Foreign keys out of public, not part of the matrix.
OUTSIDE: dict[tuple[str, str], str] = {
    ("profiles", "id"): "the primary key: a profile is its auth.users row",
}


def expected(op: str, role: str, table: str, scope: str) -> bool:
    return POLICY[table].allows(op, role, scope)


def expected_ref(
    op: str, role: str, table: str, home: str, column: str, ref_table: str, target: str
) -> bool:
    """``op`` (insert or update) of ``table``'s ``home`` row with ``column`` set to the
    ``target`` row of ``ref_table``."""
    if not expected(op, role, table, home):
        return False
    rule = REFS[(table, column)]
    if isinstance(rule, tuple):
        rule = rule[0] if op == "insert" else rule[1]
    if rule == "owner":
        return expected(op, role, table, target)
    if rule == "readable":
        return expected("select", role, ref_table, target)
    if rule == "enrollee":
        return target == home
    if rule == "staff_readable":
        staff = role in ("manager", "org_admin", "super_admin")
        return staff and expected("select", role, ref_table, target)
    assert rule == "self", rule
    return target == "own" or role == "super_admin"


def expected_json_ref(op: str, role: str, table: str, home: str, column: str, target: str) -> bool:
    """``op`` of ``table``'s ``home`` row with the document in ``column`` naming the
    ``target`` row of the table it references."""
    if not expected(op, role, table, home):
        return False
    ref = JSON_REFS[(table, column)]
    assert ref.rule in ("readable", "not_foreign"), ref.rule
    # every target of the matrix exists, so both rules come to "the actor can read it"
    return expected("select", role, ref.ref_table, target)
