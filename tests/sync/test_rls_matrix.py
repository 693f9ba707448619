"""The row-level security matrix, generated from the live schema, against ``rls_policy``.

Tables, primary keys, unique constraints and foreign keys are read from PostgreSQL's
catalogue; for every table × role × operation × scope (and every foreign-key column pointed
at every scope of the table it references) one case runs in its own transaction, directly
on the database as PostgREST would run it (``set local role``, ``request.jwt.claims``), and
is rolled back. Outcomes: an operation is *allowed* when it reads or writes the row, and
*refused* when row-level security, a privilege or a trigger says no (42501) or it touches no
row. A delete stopped only by a foreign key (23503) got past the policies: allowed. Any
other error is a broken case and fails the test.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
from psycopg import errors, sql

from tests.sync import rls_policy as policy
from tests.sync.conftest import Supabase

Row = dict[str, Any]


# -- the schema, from the catalogue ----------------------------------------------------------
@dataclass
class TableInfo:
    name: str
    pk: str
    pk_type: str
    columns: list[str]
    uniques: list[list[str]]
    fks: dict[str, tuple[str, str]]  # column -> (schema.table, column)
    text_columns: set[str] = field(default_factory=set)
    json_columns: set[str] = field(default_factory=set)

    @property
    def touch(self) -> str:
        """A plain column to set to itself: an update that changes nothing but is one."""
        keyed = {self.pk, *self.fks, *(c for u in self.uniques for c in u), "sync_seq"}
        return next(c for c in self.columns if c not in keyed)


def read_schema(conn: psycopg.Connection[Any]) -> dict[str, TableInfo]:
    tables: dict[str, TableInfo] = {}
    for name, pk, pk_type in conn.execute(
        "select k.relname, a.attname, format_type(a.atttypid, null) from pg_class k "
        "join pg_namespace n on n.oid = k.relnamespace "
        "join pg_constraint c on c.conrelid = k.oid and c.contype = 'p' "
        "join pg_attribute a on a.attrelid = k.oid and a.attnum = c.conkey[1] "
        "where n.nspname = 'public' and k.relkind = 'r' order by 1"
    ):
        cols = conn.execute(
            "select attname, format_type(atttypid, null) from pg_attribute "
            "where attrelid = %s::regclass and attnum > 0 and not attisdropped order by attnum",
            (f"public.{name}",),
        ).fetchall()
        uniques = [
            list(r[0])
            for r in conn.execute(
                "select array(select a.attname from unnest(c.conkey) k "
                "join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k) "
                "from pg_constraint c where c.conrelid = %s::regclass and c.contype = 'u'",
                (f"public.{name}",),
            )
        ]
        fks = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                "select a.attname, rn.nspname || '.' || rk.relname, ra.attname "
                "from pg_constraint c "
                "join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1] "
                "join pg_class rk on rk.oid = c.confrelid "
                "join pg_namespace rn on rn.oid = rk.relnamespace "
                "join pg_attribute ra on ra.attrelid = c.confrelid and ra.attnum = c.confkey[1] "
                "where c.conrelid = %s::regclass and c.contype = 'f'",
                (f"public.{name}",),
            )
        }
        tables[name] = TableInfo(
            name,
            pk,
            pk_type,
            [c for c, _ in cols],
            uniques,
            fks,
            {c for c, t in cols if t == "text"},
            {c for c, t in cols if t == "jsonb"},
        )
    return tables


# -- the world: two organisations, every role, a row of every scope ----------------------------
@dataclass
class Actor:
    role: str
    uid: str | None
    claims: dict[str, Any]

    @property
    def db_role(self) -> str:
        return "anon" if self.role == "anonymous" else "authenticated"


@dataclass
class World:
    actors: dict[str, Actor]
    colleague: str  # a learner of organisation A
    outsider: str  # a learner of organisation B
    fixed: dict[tuple[str, str], Any]  # (table, scope) -> key, for rows not owned by a user
    owned: dict[str, dict[str, Any]]  # table -> user id -> key of that user's row

    def key(self, table: str, scope: str, actor: Actor) -> Any:
        if (table, scope) in self.fixed:
            return self.fixed[(table, scope)]
        if table not in self.owned or scope not in ("own", "org", "other"):
            raise AssertionError(f"no row of {table}[{scope}] in the world: add one to build_world")
        who = {"own": actor.uid, "org": self.colleague, "other": self.outsider}[scope]
        return self.owned[table].get(who) if who else None


USER_TABLES = (
    "learner_skills",
    "skill_gaps",
    "enrollments",
    "learning_events",
    "ai_interactions",
    "certifications",
    "compliance_records",
    "compliance_events",
)


def build_world(supabase: Supabase) -> World:
    q = supabase.sql
    org_a, org_b = supabase.create_org("Matrix A"), supabase.create_org("Matrix B")
    accounts = {r: supabase.create_user(r, org_a) for r in policy.PROFILE_ROLES}
    colleague = supabase.create_user("learner", org_a)
    outsider = supabase.create_user("learner", org_b)
    creator_b = supabase.create_user("creator", org_b)
    fresh = str(uuid.uuid4())
    q(
        "insert into auth.users (id, email) values (%s, %s)",
        (fresh, f"fresh-{fresh[:8]}@example.org"),
    )

    def new(table: str, **values: Any) -> str:
        values.setdefault("id", str(uuid.uuid4()))
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in values)
        marks = sql.SQL(", ").join(sql.Placeholder() * len(values))
        q(
            sql.SQL("insert into public.{} ({}) values ({})").format(
                sql.Identifier(table), cols, marks
            ),
            tuple(json.dumps(v) if isinstance(v, list | dict) else v for v in values.values()),
        )
        return str(values["id"])

    def skill(org: str | None) -> str:
        return new("skills", name="S", slug=secrets.token_hex(8), org_id=org)

    sg, sa, sb = skill(None), skill(org_a), skill(org_b)
    a_creator = accounts["creator"].id
    asset = {
        k: new("content_assets", org_id=o, uploader_id=u, type="image", url=f"asset://{k}-{o}")
        for k, o, u in (
            ("pub", org_a, a_creator),
            ("draft", org_a, a_creator),
            ("b", org_b, creator_b.id),
        )
    }

    def course(org: str, by: str, status: str) -> str:
        return new("courses", org_id=org, created_by=by, title="C", status=status)

    pa, da, pb = (
        course(org_a, a_creator, "published"),
        course(org_a, a_creator, "draft"),
        course(org_b, creator_b.id, "published"),
    )

    def module(course_id: str, asset_id: str) -> str:
        block = {"type": "image", "asset_id": asset_id, "src": "x.png", "alt": "A picture"}
        return new("modules", course_id=course_id, title="M", content=[block])

    ma, mda, mb = module(pa, asset["pub"]), module(da, asset["draft"]), module(pb, asset["b"])

    def path(org: str, by: str, status: str) -> str:
        return new(
            "learning_paths", org_id=org, created_by=by, title="P", status=status, courses=[]
        )

    ppa, dpa, ppb = (
        path(org_a, a_creator, "published"),
        path(org_a, a_creator, "draft"),
        path(org_b, creator_b.id, "published"),
    )
    inv_a = new(
        "org_invitations",
        org_id=org_a,
        email="invitee-a@example.org",
        invited_by=accounts["org_admin"].id,
        token_hash=secrets.token_hex(32),
    )
    inv_b = new(
        "org_invitations",
        org_id=org_b,
        email="invitee-b@example.org",
        token_hash=secrets.token_hex(32),
    )
    tomb = {}
    for org in (org_a, org_b):
        [(seq,)] = q(
            "insert into sync_tombstones (sync_seq, table_name, row_id, org_id) values "
            "(nextval('sync_change_seq'), 'courses', gen_random_uuid(), %s) returning sync_seq",
            (org,),
        )
        tomb[org] = seq
    [(version,)] = q("select min(version) from byteos_schema_migrations")

    users = [*accounts.values(), colleague, outsider]
    owned: dict[str, dict[str, Any]] = {t: {} for t in USER_TABLES}
    owned["profiles"] = {u.id: u.id for u in users}
    owned["org_members"] = {
        str(u): str(m)
        for m, u in q(
            "select id, user_id from org_members where user_id = any(%s::uuid[])",
            ([u.id for u in users],),
        )
    }
    owned["learner_profiles"] = {
        str(u): str(m)
        for m, u in q(
            "select id, user_id from learner_profiles where user_id = any(%s::uuid[])",
            ([u.id for u in users],),
        )
    }
    for u in users:
        in_b = u.org_id == org_b
        org, c, m, p = (org_b, pb, mb, ppb) if in_b else (org_a, pa, ma, ppa)
        o = owned
        o["learner_skills"][u.id] = new("learner_skills", user_id=u.id, skill_id=sg)
        o["skill_gaps"][u.id] = new("skill_gaps", user_id=u.id, skill_id=sg, gap_score=0.5)
        o["enrollments"][u.id] = new("enrollments", user_id=u.id, course_id=c)
        o["learning_events"][u.id] = new(
            "learning_events", user_id=u.id, course_id=c, module_id=m, event_type="module_start"
        )
        o["ai_interactions"][u.id] = new(
            "ai_interactions", user_id=u.id, course_id=c, module_id=m, interaction_type="question"
        )
        o["certifications"][u.id] = new(
            "certifications",
            user_id=u.id,
            path_id=p,
            credential_jwt="eyJhbGciOiJFZERTQSJ9.e30.c2ln",
            verification_code=secrets.token_hex(8),
        )
        record = new("compliance_records", org_id=org, user_id=u.id, course_id=c, status="pending")
        o["compliance_records"][u.id] = record
        # made by the server's history trigger
        [(event,)] = q("select id from compliance_events where record_id = %s", (record,))
        o["compliance_events"][u.id] = str(event)
    issuer = {
        org: new("certificate_issuers", org_id=org, key_set={"issuer": {}, "keys": []})
        for org in (org_a, org_b)
    }
    fixed: dict[tuple[str, str], Any] = {
        ("organisations", "org"): org_a,
        ("organisations", "other"): org_b,
        ("skills", "org"): sa,
        ("skills", "global"): sg,
        ("skills", "other"): sb,
        ("org_invitations", "org"): inv_a,
        ("certificate_issuers", "org"): issuer[org_a],
        ("certificate_issuers", "other"): issuer[org_b],
        ("org_invitations", "other"): inv_b,
        ("sync_tombstones", "org"): tomb[org_a],
        ("sync_tombstones", "other"): tomb[org_b],
        ("byteos_schema_migrations", "row"): version,
    }
    for table, (org, draft, other) in {
        "courses": (pa, da, pb),
        "modules": (ma, mda, mb),
        "learning_paths": (ppa, dpa, ppb),
        "content_assets": (asset["pub"], asset["draft"], asset["b"]),
    }.items():
        fixed[(table, "org")], fixed[(table, "org_draft")], fixed[(table, "other")] = (
            org,
            draft,
            other,
        )

    def claims(uid: str, email: str) -> dict[str, Any]:
        return {"sub": uid, "role": "authenticated", "aud": "authenticated", "email": email}

    actors = {"anonymous": Actor("anonymous", None, {"role": "anon"})}
    actors["fresh"] = Actor("fresh", fresh, claims(fresh, f"fresh-{fresh[:8]}@example.org"))
    for role, acc in accounts.items():
        actors[role] = Actor(role, acc.id, claims(acc.id, acc.email))
    return World(actors, colleague.id, outsider.id, fixed, owned)


# -- cases -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    table: str
    role: str
    op: str  # select insert update delete
    scope: str
    column: str | None = None  # a foreign key (or a JSON document naming an id) set to ...
    target: str | None = None  # ... the row of this scope of the table it references
    expected: bool = False
    json: bool = False  # column is a JSON document of policy.JSON_REFS

    def __str__(self) -> str:
        ref = (
            f" with {self.column}{'{json}' if self.json else ''} -> {self.target}"
            if self.column
            else ""
        )
        verdict = "allowed" if self.expected else "refused"
        return f"{self.role:>11} {self.op} {self.table}[{self.scope}]{ref}: should be {verdict}"


class Runner:
    def __init__(self, conn: psycopg.Connection[Any], schema: dict[str, TableInfo], world: World):
        self.conn = conn
        self.schema = schema
        self.world = world
        self._rows: dict[tuple[str, Any], Row] = {}

    def row(self, table: str, key: Any) -> Row:
        if (table, key) not in self._rows:
            t = self.schema[table]
            got = self.conn.execute(
                sql.SQL("select to_jsonb(t) from public.{} t where {} = %s").format(
                    sql.Identifier(table), sql.Identifier(t.pk)
                ),
                (key,),
            ).fetchone()
            self.conn.rollback()
            assert got is not None, (table, key)
            self._rows[(table, key)] = got[0]
        return dict(self._rows[(table, key)])

    # The row a case starts from, or None when the case cannot apply: the actor's own row
    # of a table where they have none (anonymous, or a fresh sign-up's profile-bound rows
    # other than on insert), or a second own profile.
    def source(self, case: Case, actor: Actor) -> Row | None:
        key = self.world.key(case.table, case.scope, actor)
        if key is not None:
            if case.op == "insert" and case.table == "profiles" and case.scope == "own":
                return None  # they have one; a second is a duplicate key, not a policy
            return self.row(case.table, key)
        if case.op != "insert" or case.scope != "own" or actor.uid is None:
            return None
        if case.table == "profiles":  # a fresh sign-up's own profile, as the app would send
            return {"id": actor.uid, "full_name": "New", "role": "learner", "org_id": None}
        model = self.row(
            case.table, self.world.key(case.table, "own", self.world.actors["learner"])
        )
        return {**model, "user_id": actor.uid}

    def home(self, table: str, op: str, role: str) -> str | None:
        """The scope of the row the foreign-key cases start from: the first the actor may
        do ``op`` on (a certification's signer may not insert their own), else the first
        they have a row of."""
        actor = self.world.actors[role]
        have = [
            scope
            for scope in policy.POLICY[table].scopes
            if self.source(Case(table, role, op, scope), actor) is not None
        ]
        allowed = [s for s in have if policy.expected(op, role, table, s)]
        return (allowed or have or [None])[0]

    def new_row(self, case: Case, src: Row, actor: Actor) -> tuple[Row, list[sql.Composable]]:
        """A new row like ``src``: a new key, new values for unique text columns."""
        t = self.schema[case.table]
        prep: list[sql.Composable] = []
        row = dict(src)
        if case.table == "profiles" and row["id"] != actor.uid:
            uid = str(uuid.uuid4())
            prep.append(
                sql.SQL("insert into auth.users (id, email) values ({}, {})").format(
                    sql.Literal(uid), sql.Literal(f"{uid}@example.org")
                )
            )
            row["id"] = uid
        elif case.table != "profiles":
            row[t.pk] = (
                str(uuid.uuid4())
                if t.pk_type == "uuid"
                else secrets.randbelow(2**62)
                if t.pk_type == "bigint"
                else secrets.token_hex(8)
            )
        for u in t.uniques:
            if len(u) == 1 and u[0] in t.text_columns and row.get(u[0]) is not None:
                row[u[0]] = secrets.token_hex(32)
        return row, prep

    def unique_room(self, table: str, row: Row) -> list[sql.Composable]:
        """Delete (as the owner, inside the case) rows the new values would collide with."""
        t = self.schema[table]
        prep: list[sql.Composable] = []
        for u in t.uniques:
            if len(u) == 1 and u[0] in t.text_columns:
                continue
            cond = sql.SQL(" and ").join(
                sql.SQL("{} = {}").format(sql.Identifier(c), sql.Literal(row.get(c))) for c in u
            )
            prep.append(
                sql.SQL("delete from public.{} where {} and {} <> {}").format(
                    sql.Identifier(table), cond, sql.Identifier(t.pk), sql.Literal(row[t.pk])
                )
            )
        return prep

    def statement(self, case: Case, actor: Actor) -> tuple[list[sql.Composable], Any] | None:
        t = self.schema[case.table]
        tname = sql.Identifier(case.table)
        pk = sql.Identifier(t.pk)
        src = self.source(case, actor)
        if src is None:
            return None
        if case.op == "select":
            return [], sql.SQL("select count(*) from public.{} where {} = {}").format(
                tname, pk, sql.Literal(src[t.pk])
            )
        if case.op == "delete":
            return [], sql.SQL("delete from public.{} where {} = {}").format(
                tname, pk, sql.Literal(src[t.pk])
            )
        target_key: Any = None
        changes: Row = {}
        if case.column is not None and case.json:
            ref = policy.JSON_REFS[(case.table, case.column)]
            target_key = self.world.key(ref.ref_table, case.target or "", actor)
            if target_key is None or str(target_key) in json.dumps(src.get(case.column)):
                return None  # no such target for this actor, or no change
            changes[case.column] = ref.doc(str(target_key))
        elif case.column is not None:
            ref_table = t.fks[case.column][0].removeprefix("public.")
            target_key = self.world.key(ref_table, case.target or "", actor)
            if target_key is None or str(target_key) == str(src.get(case.column)):
                return None  # no such target for this actor, or no change
            changes[case.column] = target_key
            # a module must be one of the row's course: move the pair together
            module_col, course_col = policy.SAME_COURSE.get(case.table, ("", ""))
            if case.column == module_col:
                changes[course_col] = self.row("modules", target_key)["course_id"]
            elif case.column == course_col:
                changes[module_col] = None
        if case.op == "insert":
            row, prep = self.new_row(case, src, actor)
            row.update(changes)
            prep += self.unique_room(case.table, row)
            cols = sql.SQL(", ").join(sql.Identifier(c) for c in row)
            return prep, sql.SQL(
                "insert into public.{0} ({1}) select {1} "
                "from jsonb_populate_record(null::public.{0}, {2})"
            ).format(tname, cols, sql.Literal(json.dumps(row)))
        assert case.op == "update"
        if case.column is None:
            col = sql.Identifier(t.touch)
            return [], sql.SQL("update public.{} set {} = {} where {} = {}").format(
                tname, col, col, pk, sql.Literal(src[t.pk])
            )
        moved = {**src, **changes}
        sets = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(
                sql.Identifier(c),
                sql.SQL("{}::jsonb").format(sql.Literal(json.dumps(v)))
                if c in t.json_columns
                else sql.Literal(v),
            )
            for c, v in changes.items()
        )
        return self.unique_room(case.table, moved), sql.SQL(
            "update public.{} set {} where {} = {}"
        ).format(tname, sets, pk, sql.Literal(src[t.pk]))

    def run(self, case: Case) -> bool | None:
        """True allowed, False refused, None not applicable; raises on a broken case."""
        actor = self.world.actors[case.role]
        made = self.statement(case, actor)
        if made is None:
            return None
        prep, stmt = made
        conn = self.conn
        try:
            for p in prep:
                conn.execute(p)
            conn.execute(sql.SQL("set local role {}").format(sql.Identifier(actor.db_role)))
            conn.execute(
                "select set_config('request.jwt.claims', %s, true)", (json.dumps(actor.claims),)
            )
            cur = conn.execute(stmt)
            if case.op == "select":
                row = cur.fetchone()
                return bool(row and row[0])
            return cur.rowcount > 0
        except errors.InsufficientPrivilege:
            return False
        except errors.ForeignKeyViolation:
            if case.op == "delete":
                return True  # the policies let it through; the rows naming it stopped it
            if case.op == "insert" and actor.role == "fresh":
                return False  # passed the policy, but names their profile, which is not there
            raise
        finally:
            conn.rollback()


def cases(schema: dict[str, TableInfo], runner: Runner) -> Iterator[Case]:
    for table in sorted(schema):
        rules = policy.POLICY[table]
        fks = {c: ref for c, ref in schema[table].fks.items() if ref[0].startswith("public.")}
        for role in policy.ROLES:
            for op in policy.BASE_OPS:
                for scope in rules.scopes:
                    ok = policy.expected(op, role, table, scope)
                    yield Case(table, role, op, scope, expected=ok)
            # foreign keys: the actor's home row of the table (their own, or else the first
            # scope they have a row of) with the column pointed at every scope's row
            for op in ("insert", "update"):
                home = runner.home(table, op, role)
                if home is None:
                    continue
                for column, (ref, _) in sorted(fks.items()):
                    ref_table = ref.removeprefix("public.")
                    for target in policy.POLICY[ref_table].scopes:
                        ok = policy.expected_ref(op, role, table, home, column, ref_table, target)
                        yield Case(table, role, op, home, column, target, ok)
                for (jtable, column), ref in sorted(policy.JSON_REFS.items()):
                    if jtable != table:
                        continue
                    for target in policy.POLICY[ref.ref_table].scopes:
                        ok = policy.expected_json_ref(op, role, table, home, column, target)
                        yield Case(table, role, op, home, column, target, ok, json=True)


# -- tests ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def schema(supabase: Supabase) -> dict[str, TableInfo]:
    with psycopg.connect(supabase.admin_url) as conn:
        return read_schema(conn)


def test_every_table_and_foreign_key_has_an_expectation(schema: dict[str, TableInfo]) -> None:
    assert sorted(schema) == sorted(policy.POLICY), "tables without (or with stale) expectations"
    public = {
        (t, c)
        for t, info in schema.items()
        for c, r in info.fks.items()
        if r[0].startswith("public.")
    }
    outside = {
        (t, c)
        for t, info in schema.items()
        for c, r in info.fks.items()
        if not r[0].startswith("public.")
    }
    assert sorted(public ^ set(policy.REFS)) == [], "foreign keys without (or with stale) rules"
    assert sorted(outside ^ set(policy.OUTSIDE)) == []
    for table, rules in policy.POLICY.items():
        for op in policy.BASE_OPS:
            for role, scopes in getattr(rules, op).items():
                assert role in policy.ROLES, (table, op, role)
                assert scopes == "*" or set(scopes.split()) <= set(rules.scopes), (table, op)


def test_every_json_column_has_a_decision(schema: dict[str, TableInfo]) -> None:
    documents = {
        (t, c) for t, info in schema.items() for c in info.json_columns if c != "field_clocks"
    }
    assert sorted(documents & set(policy.JSON_REFS) & set(policy.JSON_FREE)) == []
    assert sorted(documents ^ (set(policy.JSON_REFS) | set(policy.JSON_FREE))) == [], (
        "jsonb columns without (or with stale) a JSON_REFS rule or a JSON_FREE reason"
    )


def test_every_json_reference_is_checked_by_a_trigger(supabase: Supabase) -> None:
    declared = {(t, c, r.path, r.ref_table) for (t, c), r in policy.JSON_REFS.items()}
    for trigger in ("check_json_references_insert", "check_json_references_update"):
        checked: set[tuple[str, str, str, str]] = set()
        for table, args in supabase.sql(
            "select c.relname, encode(t.tgargs, 'escape') from pg_trigger t "
            "join pg_class c on c.oid = t.tgrelid where t.tgname = %s",
            (trigger,),
        ):
            parts = args.split("\\000")  # the primary key, then (column, path, table, mode)
            checked |= {(table, *parts[i : i + 3]) for i in range(1, len(parts) - 1, 4)}
            modes = {parts[i]: parts[i + 3] for i in range(1, len(parts) - 1, 4)}
            for column, mode in modes.items():
                assert mode == policy.JSON_REFS[(table, column)].rule, (table, column)
        assert sorted(checked ^ declared) == [], trigger


def test_every_trigger_is_declared(supabase: Supabase, schema: dict[str, TableInfo]) -> None:
    found: dict[str, set[str]] = {}
    for name, table in supabase.sql(
        "select t.tgname, c.relname from pg_trigger t join pg_class c on c.oid = t.tgrelid "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'public' and not t.tgisinternal"
    ):
        found.setdefault(name, set()).add(table)
    assert sorted(found) == sorted(policy.TRIGGERS), "triggers without (or with stale) entries"
    for name, tables in policy.TRIGGERS.items():
        if tables:
            assert found[name] == set(tables.split()), name
    refs = {t for t, _ in policy.REFS}
    assert found["check_references_insert"] == found["check_references_update"] == refs
    # a table naming both a course and a module keeps them consistent
    pairs = {
        t: (m, c)
        for t, info in schema.items()
        for m, (mt, _) in info.fks.items()
        for c, (ct, _) in info.fks.items()
        if mt == "public.modules" and ct == "public.courses"
    }
    assert pairs == policy.SAME_COURSE
    for trigger in ("check_module_in_course_insert", "check_module_in_course_update"):
        assert found[trigger] == set(policy.SAME_COURSE), trigger
    json_refs = {t for t, _ in policy.JSON_REFS}
    assert found["check_json_references_insert"] == json_refs
    assert found["check_json_references_update"] == json_refs


def test_every_foreign_key_is_checked_by_a_trigger(
    supabase: Supabase, schema: dict[str, TableInfo]
) -> None:
    for trigger in ("check_references_insert", "check_references_update"):
        checked: set[tuple[str, str]] = set()
        for table, args in supabase.sql(
            "select c.relname, encode(t.tgargs, 'escape') from pg_trigger t "
            "join pg_class c on c.oid = t.tgrelid where t.tgname = %s",
            (trigger,),
        ):
            parts = args.split("\\000")  # the primary key, then (column, table, column)
            assert parts[0] == schema[table].pk
            checked |= {(table, parts[i]) for i in range(1, len(parts) - 1, 3)}
        assert sorted(set(policy.REFS) - checked) == [], trigger


def test_rls_matrix(supabase: Supabase, schema: dict[str, TableInfo]) -> None:
    world = build_world(supabase)
    wrong: list[str] = []
    ran = 0
    started = time.monotonic()
    with psycopg.connect(supabase.admin_url) as conn:
        runner = Runner(conn, schema, world)
        all_cases = list(cases(schema, runner))
        for case in all_cases:
            try:
                got = runner.run(case)
            except psycopg.Error as err:
                wrong.append(f"{case}: broken case: {err.sqlstate} {err}")
                continue
            if got is None:
                continue
            ran += 1
            if got != case.expected:
                wrong.append(str(case).replace("should be", "but was not:"))
    elapsed = time.monotonic() - started
    print(f"rls matrix: {ran} cases ({len(all_cases)} generated) in {elapsed:.1f} s")
    assert ran > 1000
    assert wrong == [], f"{len(wrong)} of {ran} cases differ:\n" + "\n".join(wrong)
