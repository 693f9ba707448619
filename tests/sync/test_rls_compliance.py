"""Compliance records on the server: who changes what, the transitions, the history,
completion and time (the world: ``org_world``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from psycopg import errors

from engine.org.compliance import TRANSITIONS
from engine.org.vocabulary import COMPLIANCE_STATUSES
from tests.sync.conftest import Account, Supabase
from tests.sync.org_world import SOON, W, history, new_id, org_world, record, refused, run  # noqa: F401 (org_world: the fixture w)


# -- compliance records ----------------------------------------------------------------------
def test_a_learner_cannot_mark_their_own_record_compliant_or_exempt(
    supabase: Supabase, w: W
) -> None:
    rid = record(supabase, w, w.learner_a, SOON)
    me = w.learner_a
    msg = refused(
        supabase,
        me,
        "update compliance_records set status = 'compliant', completed_at = now() where id = %s",
        (rid,),
    )
    assert "your own compliance record" in msg
    refused(
        supabase,
        me,
        "update compliance_records set status = 'exempt',"
        " status_reason = 'I know it' where id = %s",
        (rid,),
    )
    msg = refused(
        supabase,
        me,
        "update compliance_records set required_by = required_by"
        " + interval '30 days' where id = %s",
        (rid,),
    )
    assert "only a manager or an admin" in msg
    refused(
        supabase,
        me,
        "insert into compliance_records (org_id, user_id, course_id, status)"
        " values (%s, %s, %s, 'compliant')",
        (w.a, me.id, w.course_a),
    )
    # what a learner may write: when they were reminded (once across their devices)
    assert run(
        supabase, me, "update compliance_records set reminder_sent_at = now() where id = %s", (rid,)
    ) == [1]
    [(status,)] = supabase.sql("select status from compliance_records where id = %s", (rid,))
    assert status == "pending"
    # and a colleague's record they cannot even see
    assert run(
        supabase,
        w.learner_a2,
        "update compliance_records set reminder_sent_at = now() where id = %s",
        (rid,),
    ) == [0]
    assert run(
        supabase, w.learner_a2, "select count(*) from compliance_records where id = %s", (rid,)
    ) == [(0,)]


def test_another_organisations_manager_cannot_write(supabase: Supabase, w: W) -> None:
    rid = record(supabase, w, w.learner_a, SOON)
    refused(
        supabase,
        w.manager_b,
        "insert into compliance_records (org_id, user_id, course_id,"
        " status) values (%s, %s, %s, 'pending')",
        (w.a, w.learner_a.id, w.course_a),
    )
    refused(
        supabase,
        w.manager_b,
        "insert into compliance_records (org_id, user_id, course_id,"
        " status) values (%s, %s, %s, 'pending')",
        (w.b, w.learner_a.id, w.course_a),
    )
    assert run(
        supabase,
        w.manager_b,
        "update compliance_records set status = 'exempt', status_reason = 'x' where id = %s",
        (rid,),
    ) == [0]
    refused(
        supabase,
        w.manager_b,
        "insert into enrollments (user_id, course_id, enrolled_by,"
        " due_date) values (%s, %s, %s, now() + interval '1 day')",
        (w.learner_a.id, w.course_a, w.manager_b.id),
    )
    refused(
        supabase,
        w.manager_b,
        "insert into learning_paths (org_id, created_by, title,"
        " courses) values (%s, %s, 'P', '[]')",
        (w.a, w.manager_b.id),
    )
    assert run(
        supabase, w.manager_b, "update learning_paths set title = 'Mine' where id = %s", (w.path_a,)
    ) == [0]


def test_a_manager_exempts_with_a_reason_and_every_change_is_in_the_history(
    supabase: Supabase, w: W
) -> None:
    rid = record(supabase, w, w.learner_a2, SOON)
    with pytest.raises(errors.CheckViolation):
        run(
            supabase,
            w.manager_a,
            "update compliance_records set status = 'exempt' where id = %s",
            (rid,),
        )
    run(
        supabase,
        w.manager_a,
        "update compliance_records set status = 'exempt',"
        " status_reason = 'Certified by the fire brigade' where id = %s",
        (rid,),
    )
    run(
        supabase,
        w.manager_a,
        "update compliance_records set status = 'pending',"
        " status_reason = 'certificate lapsed', required_by = required_by + interval '7 days'"
        " where id = %s",
        (rid,),
    )
    got = history(supabase, rid)
    m = w.manager_a.id
    assert [(f, t, by, why) for f, t, by, why in got] == [
        (None, "pending", m, None),
        ("pending", "exempt", m, "Certified by the fire brigade"),
        ("exempt", "pending", m, "certificate lapsed"),
    ]
    [(changes,)] = supabase.sql(
        "select changes from compliance_events where record_id = %s and from_status = 'exempt'",
        (rid,),
    )
    assert set(changes) == {"required_by"}  # from -> to of the other fields too
    # the history cannot be written or rewritten through the API, not even by an admin
    for who in (w.learner_a2, w.manager_a, w.admin_a):
        refused(
            supabase,
            who,
            "insert into compliance_events (record_id, org_id, user_id,"
            " to_status) values (%s, %s, %s, 'compliant')",
            (rid, w.a, w.learner_a2.id),
        )
        refused(
            supabase,
            who,
            "update compliance_events set to_status = 'compliant' where record_id = %s",
            (rid,),
        )
        refused(supabase, who, "delete from compliance_events where record_id = %s", (rid,))
    assert run(
        supabase,
        w.learner_a2,
        "select count(*) from compliance_events where record_id = %s",
        (rid,),
    ) == [(3,)]
    assert run(
        supabase, w.learner_a, "select count(*) from compliance_events where record_id = %s", (rid,)
    ) == [(0,)]
    assert run(supabase, w.manager_a, "delete from compliance_records where id = %s", (rid,)) == [0]


def test_staff_cannot_mark_their_own_record_and_transitions_are_the_engines(
    supabase: Supabase, w: W
) -> None:
    rid = record(supabase, w, w.manager_a, SOON)
    refused(
        supabase,
        w.manager_a,
        "update compliance_records set status = 'exempt',"
        " status_reason = 'I am the manager' where id = %s",
        (rid,),
    )
    run(
        supabase,
        w.admin_a,
        "update compliance_records set status = 'compliant',"
        " completed_at = now(), status_reason = 'done elsewhere' where id = %s",
        (rid,),
    )
    msg = refused(
        supabase,
        w.admin_a,
        "update compliance_records set status = 'overdue' where id = %s",
        (rid,),
    )
    assert "cannot become overdue" in msg
    insert = (
        "insert into compliance_records (id, org_id, user_id, course_id, status, status_reason)"
        " values (%s, %s, %s, %s, %s, %s)"
    )
    refused(
        supabase, w.manager_a, insert, (new_id(), w.a, w.manager_a.id, w.course_a, "exempt", "me")
    )
    refused(supabase, w.manager_a, insert, (new_id(), w.a, w.learner_a.id, w.course_a, None, None))
    # made and exempted offline, it arrives as one insert: the history says so
    rid2 = new_id()
    run(
        supabase, w.manager_a, insert, (rid2, w.a, w.learner_a.id, w.course_a, "exempt", "on leave")
    )
    assert history(supabase, rid2) == [(None, "exempt", w.manager_a.id, "on leave")]
    server = {
        (f, t)
        for f, t in supabase.sql("select from_status, to_status from byteos.compliance_transitions")
    }
    assert server == {(f, t) for f, tos in TRANSITIONS.items() for t in tos}


def test_completing_late_is_compliant_and_the_history_shows_it_was_late(
    supabase: Supabase, w: W
) -> None:
    learner = supabase.create_user("learner", w.a)
    due = datetime.now(UTC) + timedelta(hours=1)
    rid = record(supabase, w, learner, due)
    supabase.sql(
        "update compliance_records set required_by = now() - interval '3 days 2 hours'"
        " where id = %s",
        (rid,),
    )  # time passes (an edit as the owner: in the history too, by nobody)
    run(
        supabase,
        learner,
        "insert into enrollments (user_id, course_id, enrolled_by, status,"
        " progress_pct, started_at, completed_at) values (%s, %s, %s, 'completed', 100, now(),"
        " now())",
        (learner.id, w.course_a, learner.id),
    )
    [(status, reason, done)] = supabase.sql(
        "select status, status_reason, completed_at is not null from compliance_records"
        " where id = %s",
        (rid,),
    )
    assert (status, reason, done) == ("compliant", "completed 3 days after the due date", True)
    assert history(supabase, rid)[2:] == [
        ("pending", "overdue", None, "the due date passed"),
        ("overdue", "compliant", learner.id, "completed 3 days after the due date"),
    ]


def test_overdue_follows_from_time(supabase: Supabase, w: W) -> None:
    learner = supabase.create_user("learner", w.a)
    rid = record(supabase, w, learner, SOON)
    later = SOON + timedelta(days=1)  # an injected clock: what the 30-minute job runs with
    assert supabase.sql("select byteos.mark_overdue(%s, %s)", (w.a, SOON - timedelta(hours=1)))
    [(status,)] = supabase.sql("select status from compliance_records where id = %s", (rid,))
    assert status == "pending"
    supabase.sql("select byteos.mark_overdue(%s, %s)", (w.a, later))
    [(status,)] = supabase.sql("select status from compliance_records where id = %s", (rid,))
    assert status == "overdue"
    assert history(supabase, rid)[-1] == ("pending", "overdue", None, "the due date passed")
    # any member's device may ask for it, for its organisation only; an outsider may not
    assert run(supabase, learner, "select refresh_compliance()")[0][0] >= 0
    fresh = supabase.create_user("learner", None)
    refused(supabase, fresh, "select refresh_compliance()")
    refused(supabase, learner, "select byteos.mark_overdue(null, now())")


# -- what each role pulls ------------------------------------------------------------------------
def test_managers_pull_their_organisations_managed_rows_learners_their_own(
    supabase: Supabase, w: W
) -> None:
    learner = supabase.create_user("learner", w.a)
    rid = record(supabase, w, learner, SOON)

    def pulled(who: Account, table: str) -> set[str]:
        rows = run(supabase, who, "select row_data ->> 'id' from sync_pull(%s, 0, 5000)", (table,))
        return {r[0] for r in rows}

    assert rid in pulled(w.manager_a, "compliance_records")
    assert rid in pulled(learner, "compliance_records")
    assert rid not in pulled(w.learner_a, "compliance_records")
    assert rid not in pulled(w.manager_b, "compliance_records")
    events = {
        e
        for (e,) in supabase.sql(
            "select id::text from compliance_events where record_id = %s", (rid,)
        )
    }
    assert events <= pulled(w.manager_a, "compliance_events")
    assert events <= pulled(learner, "compliance_events")
    assert not events & pulled(w.learner_a, "compliance_events")


def test_the_servers_status_lists_are_the_engines(supabase: Supabase) -> None:
    """The SQL spells each vocabulary again in CHECKs; they must say what engine.org does."""
    for table, column in (
        ("compliance_records", "status"),
        ("compliance_events", "from_status"),
        ("compliance_events", "to_status"),
    ):
        [(definition,)] = supabase.sql(
            "select pg_get_constraintdef(c.oid) from pg_constraint c"
            " where c.conrelid = %s::regclass and c.contype = 'c'"
            " and pg_get_constraintdef(c.oid) like %s",
            (f"public.{table}", f"%({column} = ANY%"),
        )
        assert set(re.findall(r"'(\w+)'", definition)) == set(COMPLIANCE_STATUSES), table
