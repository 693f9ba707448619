"""Assignments, due dates and learning paths on the server (the world: ``org_world``)."""

from __future__ import annotations

import json

import pytest
from psycopg import errors

from tests.sync.conftest import Supabase
from tests.sync.org_world import W, new_id, org_world, refused, run  # noqa: F401 (org_world: the fixture w)


# -- assignments -------------------------------------------------------------------------------
def test_learners_enrol_themselves_without_due_dates_and_keep_assignments_as_assigned(
    supabase: Supabase, w: W
) -> None:
    me = supabase.create_user("learner", w.a)
    mine = new_id()
    run(
        supabase,
        me,
        "insert into enrollments (id, user_id, course_id, enrolled_by) values (%s, %s, %s, %s)",
        (mine, me.id, w.course_a2, me.id),
    )
    msg = refused(
        supabase,
        me,
        "insert into enrollments (user_id, course_id, due_date)"
        " values (%s, %s, now() + interval '3 days')",
        (me.id, w.course_a),
    )
    assert "due date" in msg
    refused(supabase, me, "update enrollments set due_date = now() where id = %s", (mine,))
    refused(
        supabase,
        me,
        "insert into enrollments (user_id, course_id) values (%s, %s)",
        (me.id, w.draft_a),
    )  # only published courses
    assigned = new_id()
    run(
        supabase,
        w.manager_a,
        "insert into enrollments (id, user_id, course_id, enrolled_by,"
        " due_date) values (%s, %s, %s, %s, now() + interval '10 days')",
        (assigned, me.id, w.course_a, w.manager_a.id),
    )
    assert run(
        supabase,
        me,
        "update enrollments set status = 'in_progress', progress_pct = 50 where id = %s",
        (assigned,),
    ) == [1]
    refused(
        supabase,
        me,
        "update enrollments set due_date = due_date + interval '30 days' where id = %s",
        (assigned,),
    )
    refused(
        supabase, me, "update enrollments set enrolled_by = %s where id = %s", (me.id, assigned)
    )
    refused(supabase, me, "delete from enrollments where id = %s", (assigned,))
    assert run(supabase, me, "delete from enrollments where id = %s", (mine,)) == [1]


def test_creators_assign_their_own_content_only(supabase: Supabase, w: W) -> None:
    target = supabase.create_user("learner", w.a)
    eid = new_id()
    run(
        supabase,
        w.creator_a,
        "insert into enrollments (id, user_id, course_id, enrolled_by,"
        " due_date) values (%s, %s, %s, %s, now() + interval '5 days')",
        (eid, target.id, w.course_a, w.creator_a.id),
    )
    assert run(
        supabase,
        w.creator_a,
        "update enrollments set due_date = due_date + interval '1 day' where id = %s",
        (eid,),
    ) == [1]
    run(
        supabase,
        w.creator_a,
        "insert into enrollments (user_id, path_id, enrolled_by) values (%s, %s, %s)",
        (target.id, w.path_a, w.creator_a.id),
    )
    refused(
        supabase,
        w.creator_a,
        "insert into enrollments (user_id, course_id, enrolled_by) values (%s, %s, %s)",
        (target.id, w.course_a2, w.creator_a.id),
    )
    assert run(
        supabase, w.creator_a2, "update enrollments set due_date = now() where id = %s", (eid,)
    ) == [0]
    # making it mandatory is the organisation's call (managers, admins)
    refused(
        supabase,
        w.creator_a,
        "insert into compliance_records (org_id, user_id, course_id,"
        " status) values (%s, %s, %s, 'pending')",
        (w.a, target.id, w.course_a),
    )


def test_managers_write_paths_of_their_organisation(supabase: Supabase, w: W) -> None:
    pid = new_id()
    doc = json.dumps([{"course_id": w.course_a, "order_index": 0, "is_required": True}])
    run(
        supabase,
        w.manager_a,
        "insert into learning_paths (id, org_id, created_by, title,"
        " courses) values (%s, %s, %s, 'Onboarding', %s)",
        (pid, w.a, w.manager_a.id, doc),
    )
    assert run(
        supabase,
        w.manager_a,
        "update learning_paths set status = 'published' where id = %s",
        (pid,),
    ) == [1]
    refused(
        supabase,
        w.learner_a,
        "insert into learning_paths (org_id, created_by, title,"
        " courses) values (%s, %s, 'Mine', %s)",
        (w.a, w.learner_a.id, doc),
    )


def test_only_published_content_is_assigned(supabase: Supabase, w: W) -> None:
    """A learner's device cannot receive a draft: an assignment naming one would stop its pull."""
    target = supabase.create_user("learner", w.a)
    msg = refused(
        supabase,
        w.manager_a,
        "insert into enrollments (user_id, course_id, enrolled_by) values (%s, %s, %s)",
        (target.id, w.draft_a, w.manager_a.id),
    )
    assert "publish the course or path before assigning it" in msg
    refused(
        supabase,
        w.manager_a,
        "insert into compliance_records (org_id, user_id, course_id, status)"
        " values (%s, %s, %s, 'pending')",
        (w.a, target.id, w.draft_a),
    )
    # a manager's own enrolment in a draft (to review it) is theirs to make
    run(
        supabase,
        w.manager_a,
        "insert into enrollments (user_id, course_id) values (%s, %s)",
        (w.manager_a.id, w.draft_a),
    )


def test_path_documents_have_the_spec_shapes(supabase: Supabase, w: W) -> None:
    with pytest.raises(errors.CheckViolation):
        run(
            supabase,
            w.creator_a,
            "insert into learning_paths (org_id, created_by, title, courses)"
            " values (%s, %s, 'P', '{}')",
            (w.a, w.creator_a.id),
        )
    with pytest.raises(errors.CheckViolation):
        run(
            supabase,
            w.creator_a,
            "insert into learning_paths (org_id, created_by, title, courses,"
            " certification_config) values (%s, %s, 'P', '[]', %s)",
            (w.a, w.creator_a.id, json.dumps({"issue_cert": True, "validity_days": 0})),
        )
