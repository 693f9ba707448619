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
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    "org_members": Table(
        USER,
        select={**each(STAFF, "own org"), "super_admin": "*"},
        insert={"org_admin": "own org", "super_admin": "*"},
        update={"org_admin": "own org", "super_admin": "*"},
        delete={"org_admin": "own org", "super_admin": "*"},
    ),
    "learner_profiles": OWN_ROWS,
    "learner_skills": OWN_ROWS,
    "skill_gaps": OWN_ROWS,
    "enrollments": Table(
        USER,
        select=OWN_ROWS.select,
        # managers and admins enrol their organisation's learners and follow their progress
        insert={**each("learner creator", "own"), **each(READERS + " super_admin", "own org")},
        update={**each("learner creator", "own"), **each(READERS + " super_admin", "own org")},
        delete=each(STAFF + " super_admin", "own"),
    ),
    # events are append-only, even for their author
    "learning_events": Table(
        USER, select=OWN_ROWS.select, insert=each(STAFF + " super_admin", "own")
    ),
    "ai_interactions": OWN_ROWS,
    # issued by managers and admins of the learner's organisation
    "certifications": Table(
        USER,
        select=OWN_ROWS.select,
        insert={**each(READERS, "own org"), "super_admin": "*"},
        update={**each(READERS, "own org"), "super_admin": "*"},
        delete={**each(READERS, "own org"), "super_admin": "*"},
    ),
    "compliance_records": Table(
        USER,
        select=OWN_ROWS.select,
        insert={**each(READERS, "own org"), "super_admin": "*"},
        update={**each(READERS, "own org"), "super_admin": "*"},
        delete={**each(READERS, "own org"), "super_admin": "*"},
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
    "learning_paths": CONTENT_RULES,
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
#   "self": must be the actor (super admins excepted).
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
    ("enrollments", "enrolled_by"): "readable",
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
    ("compliance_records", "course_id"): "readable",
    ("org_invitations", "org_id"): "owner",
    # made by the admin who makes it; another admin may later take it over (or revoke it)
    ("org_invitations", "invited_by"): ("self", "readable"),
    ("org_invitations", "accepted_by"): "readable",
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
    assert rule == "self", rule
    return target == "own" or role == "super_admin"
