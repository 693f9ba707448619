"""Assignments, compliance and reminders through the services, with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.services import accounts, assignments, authoring, compliance, learning, paths
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.paths import PathCourseRef
from sync.store.models import ComplianceEvent, ComplianceRecord, Enrollment

DEMO_COURSE = "c42b5cc1-bd40-5228-b962-000813b4972e"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def admin_of(ctx: AppContext) -> CurrentUser:
    p = next(p for p in accounts.list_profiles(ctx.db) if p.role == "org_admin")
    return accounts.sign_in(ctx.db, p.id)


def complete_course(ctx: AppContext, learner: CurrentUser, course_id: str) -> None:
    for m in authoring.load_course(ctx, course_id).modules:
        learning.record_event(ctx, learner, "module_start", course_id=course_id, module_id=m.id)
        learning.record_event(ctx, learner, "module_complete", course_id=course_id, module_id=m.id)


def test_roles_are_enforced(ctx: AppContext, learner: CurrentUser, creator: CurrentUser) -> None:
    admin = admin_of(ctx)
    with pytest.raises(UserError, match="Only managers, organisation admins and creators"):
        assignments.assign(ctx, learner, course_id=DEMO_COURSE, learner_ids=[admin.id], now=NOW)
    with pytest.raises(UserError, match="Only managers and organisation admins can make"):
        assignments.assign(
            ctx, creator, course_id=DEMO_COURSE, learner_ids=[learner.id], mandatory=True, now=NOW
        )
    # the demo course is the creator's own: they may assign it (not mandatory)
    own = assignments.assign(ctx, creator, course_id=DEMO_COURSE, learner_ids=[learner.id], now=NOW)
    assert own.learners == 1
    done = assignments.assign(
        ctx,
        admin,
        course_id=DEMO_COURSE,
        learner_ids=[learner.id],
        mandatory=True,
        due=NOW + timedelta(days=10),
        now=NOW,
    )
    record = compliance.overview(ctx, admin, NOW)[0]
    with pytest.raises(UserError, match="Only managers and organisation admins can exempt"):
        compliance.exempt(ctx, learner, record.id, "I know it", NOW)
    with pytest.raises(UserError, match="Only managers"):
        compliance.overview(ctx, learner, NOW)
    assert done.records == 1


def test_bad_input_is_refused_and_nothing_is_written(ctx: AppContext, learner: CurrentUser) -> None:
    admin = admin_of(ctx)
    with pytest.raises(UserError, match="in the past"):
        assignments.assign(
            ctx,
            admin,
            course_id=DEMO_COURSE,
            learner_ids=[learner.id],
            due=NOW - timedelta(days=1),
            mandatory=True,
            now=NOW,
        )
    with pytest.raises(UserError, match="Unknown learner: nobody-here"):
        assignments.assign(
            ctx, admin, course_id=DEMO_COURSE, learner_ids=[learner.id, "nobody-here"], now=NOW
        )
    with pytest.raises(UserError, match="one course or one learning path"):
        assignments.assign(ctx, admin, learner_ids=[learner.id], now=NOW)
    draft = paths.create_path(ctx, admin, "Onboarding")
    with pytest.raises(UserError, match="not published"):
        assignments.assign(ctx, admin, path_id=draft.id, learner_ids=[learner.id], now=NOW)
    with ctx.db.transaction() as s:
        assert s.scalars(select(ComplianceRecord)).all() == []
        assert s.scalars(select(Enrollment).where(Enrollment.enrolled_by == admin.id)).all() == []


def test_everyone_and_by_role(ctx: AppContext, learner: CurrentUser) -> None:
    admin = admin_of(ctx)
    every = assignments.assign(ctx, admin, course_id=DEMO_COURSE, everyone=True, now=NOW)
    assert every.learners == 2  # the creator and the learner: not the admin themselves
    by_role = assignments.assign(ctx, admin, course_id=DEMO_COURSE, role="learner", now=NOW)
    assert by_role.learners == 1 and by_role.enrollments == 1
    with ctx.db.transaction() as s:  # the same enrolment, not a second one
        rows = s.scalars(select(Enrollment).where(Enrollment.user_id == learner.id)).all()
    assert len(rows) == 1 and rows[0].enrolled_by == admin.id


def test_time_makes_records_overdue_late_completion_stays_visible(
    ctx: AppContext, learner: CurrentUser
) -> None:
    admin = admin_of(ctx)
    start = datetime.now(UTC) - timedelta(days=10)  # completions are stamped with real time
    due = start + timedelta(days=5)
    assignments.assign(
        ctx,
        admin,
        course_id=DEMO_COURSE,
        learner_ids=[learner.id],
        due=due,
        mandatory=True,
        now=start,
    )
    work = assignments.assigned_work(ctx, learner, start)
    assert [(w.title, w.mandatory, w.status, w.overdue) for w in work] == [
        ("Learning How to Learn", True, "pending", False)
    ]
    later = due + timedelta(hours=1)
    # nobody opened the app: the learner's view already says overdue, the admin's refresh
    # stores it
    assert assignments.assigned_work(ctx, learner, later)[0].overdue
    assert compliance.refresh(ctx, learner, later) == 0  # a learner stores no status
    assert compliance.refresh(ctx, admin, later) == 1
    assert compliance.refresh(ctx, admin, later) == 0
    complete_course(ctx, learner, DEMO_COURSE)  # about five days late
    after = datetime.now(UTC) + timedelta(minutes=1)
    item = assignments.assigned_work(ctx, learner, after)[0]
    assert item.status == "compliant" and item.late
    assert compliance.refresh(ctx, admin, after) == 1
    row = compliance.overview(ctx, admin, after)[0]
    assert row.status_label == "Compliant (late)" and "after the due date" in (row.reason or "")
    steps = [(h.from_status, h.to_status) for h in compliance.history(ctx, admin, row.id)]
    assert steps == [(None, "pending"), ("pending", "overdue"), ("overdue", "compliant")]
    assert compliance.history(ctx, admin, row.id)[1].by == "time"


def test_exempt_with_reason_and_history(ctx: AppContext, learner: CurrentUser) -> None:
    admin = admin_of(ctx)
    assignments.assign(
        ctx,
        admin,
        course_id=DEMO_COURSE,
        learner_ids=[learner.id],
        due=NOW + timedelta(days=5),
        mandatory=True,
        now=NOW,
    )
    rid = compliance.overview(ctx, admin, NOW)[0].id
    with pytest.raises(UserError, match="Say why the learner is exempt"):
        compliance.exempt(ctx, admin, rid, "  ", NOW)
    compliance.exempt(ctx, admin, rid, "Certified externally in 2026", NOW)
    row = compliance.overview(ctx, admin, NOW)[0]
    assert row.status == "exempt" and row.reason == "Certified externally in 2026"
    history = compliance.history(ctx, admin, rid)
    assert history[-1].to_status == "exempt" and history[-1].by == admin.full_name
    assert "Exempt" in history[-1].line()
    # a server copy of the same step arrives by sync: shown once
    with ctx.db.transaction() as s:
        s.add(
            ComplianceEvent(
                record_id=rid,
                org_id=admin.org_id,
                user_id=learner.id,
                changed_by=admin.id,
                changed_at=NOW + timedelta(minutes=1),
                from_status="pending",
                to_status="exempt",
                reason="synced",
            )
        )
    assert [h.to_status for h in compliance.history(ctx, admin, rid)] == ["pending", "exempt"]


def test_reminder_is_sent_once(ctx: AppContext, learner: CurrentUser) -> None:
    admin = admin_of(ctx)
    due = NOW + timedelta(days=10)
    assignments.assign(
        ctx,
        admin,
        course_id=DEMO_COURSE,
        learner_ids=[learner.id],
        due=due,
        mandatory=True,
        now=NOW,
    )
    assert compliance.send_reminders(ctx, learner, NOW) == []  # 10 days out, 3 days before
    soon = due - timedelta(days=2)
    sent = compliance.send_reminders(ctx, learner, soon)
    assert len(sent) == 1 and "is due in 2 days" in sent[0].message
    assert compliance.send_reminders(ctx, learner, soon + timedelta(hours=1)) == []
    assert compliance.send_reminders(ctx, learner, due + timedelta(days=1)) == []


def test_mandatory_path_opens_a_record_per_required_course(
    ctx: AppContext, learner: CurrentUser
) -> None:
    admin = admin_of(ctx)
    path = paths.create_path(ctx, admin, "Onboarding")
    path.courses = [PathCourseRef(DEMO_COURSE)]
    paths.save_path(ctx, admin, path)
    paths.set_status(ctx, admin, path.id, "published")
    done = assignments.assign(
        ctx,
        admin,
        path_id=path.id,
        learner_ids=[learner.id],
        due=NOW + timedelta(days=7),
        mandatory=True,
        now=NOW,
    )
    assert (done.enrollments, done.records) == (1, 1)
    creator = next(p for p in accounts.list_profiles(ctx.db) if p.role == "creator")
    with pytest.raises(UserError, match="Creators can assign only their own"):
        assignments.assign(ctx, creator, path_id=path.id, learner_ids=[learner.id], now=NOW)
    again = assignments.assign(
        ctx,
        admin,
        path_id=path.id,
        learner_ids=[learner.id],
        due=NOW + timedelta(days=9),
        mandatory=True,
        now=NOW,
    )
    assert again.records == 0  # the open record takes the new due date
    work = assignments.assigned_work(ctx, learner, NOW)
    assert [(w.kind, w.title, w.due) for w in work] == [
        ("path", "Onboarding", NOW + timedelta(days=9))
    ]
    complete_course(ctx, learner, DEMO_COURSE)
    assert assignments.refresh_my_paths(ctx, learner, NOW) == [path.id]
    assert assignments.refresh_my_paths(ctx, learner, NOW) == []
    assert assignments.assigned_work(ctx, learner, NOW)[0].status == "compliant"


def test_overdue_work_comes_first_and_the_twin_sees_it(
    ctx: AppContext, learner: CurrentUser
) -> None:
    from app.services import twin
    from sync.store.models import Organisation

    admin = admin_of(ctx)
    path = paths.create_path(ctx, admin, "Onboarding")
    path.courses = [PathCourseRef(DEMO_COURSE)]
    paths.save_path(ctx, admin, path)
    paths.set_status(ctx, admin, path.id, "published")
    start = datetime.now(UTC) - timedelta(days=3)
    assignments.assign(
        ctx,
        admin,
        path_id=path.id,
        learner_ids=[learner.id],
        due=start + timedelta(days=20),
        now=start,
    )
    assignments.assign(
        ctx,
        admin,
        course_id=DEMO_COURSE,
        learner_ids=[learner.id],
        due=start + timedelta(days=1),
        mandatory=True,
        now=start,
    )
    now = datetime.now(UTC)
    work = assignments.assigned_work(ctx, learner, now)
    assert [(w.kind, w.overdue) for w in work] == [("course", True), ("path", False)]
    assert work[0].due_text().startswith("was due ")
    # the next best action is fed the record as of now: overdue, so required training first
    summary = twin.refresh_twin(ctx, learner, now=now)
    assert summary.next_action.type == "complete_compliance"
    assert summary.next_action.course_id == DEMO_COURSE
    # a path enrolment past its due date is overdue too
    assert assignments.refresh_my_paths(ctx, learner, start + timedelta(days=21)) == []
    with ctx.db.transaction() as s:
        row = s.get(Enrollment, assignments.path_enrollment_id(learner.id, path.id))
        assert row is not None and row.status == "overdue"
    # the organisation's reminder setting is used
    with ctx.db.transaction() as s:
        org = s.get(Organisation, admin.org_id)
        assert org is not None
        org.settings = {**(org.settings or {}), "reminder_days_before": 10}
    assert compliance.days_before(ctx, learner) == 10


def test_sync_status_counts_an_assignment_for_its_author_not_the_learner(
    ctx: AppContext, learner: CurrentUser
) -> None:
    """``SyncService.status().pending`` (the status bar): a manager's assignment of a learner
    is the manager's to push (``author_id``), so the learner's account does not count it."""
    from sync.outbox import write_state
    from sync.service import SyncService

    admin = admin_of(ctx)
    service = SyncService(ctx.db)

    def pending_for(account: str) -> int:
        with ctx.db.transaction() as s:
            write_state(s, "account.id", account)
        return service.status().pending

    before_admin, before_learner = pending_for(admin.id), pending_for(learner.id)
    with ctx.db.transaction() as s:
        write_state(s, "account.id", admin.id)  # the admin's app is signed in to sync
    assignments.assign(
        ctx,
        admin,
        course_id=DEMO_COURSE,
        learner_ids=[learner.id],
        due=NOW + timedelta(days=5),
        mandatory=True,
        now=NOW,
    )
    assert pending_for(admin.id) == before_admin + 2  # the enrolment and the record
    assert pending_for(learner.id) == before_learner


def test_an_expiring_certificate_of_a_mandatory_path_opens_a_renewal_once(
    ctx: AppContext, learner: CurrentUser
) -> None:
    from sync.store.models import Certification

    admin = admin_of(ctx)
    path = paths.create_path(ctx, admin, "Safety refresher")
    path.courses = [PathCourseRef(DEMO_COURSE)]
    path.issue_cert, path.validity_days = True, 365
    paths.save_path(ctx, admin, path)
    paths.set_status(ctx, admin, path.id, "published")
    assignments.assign(
        ctx,
        admin,
        path_id=path.id,
        learner_ids=[learner.id],
        due=NOW + timedelta(days=7),
        mandatory=True,
        now=NOW,
    )
    complete_course(ctx, learner, DEMO_COURSE)
    compliance.refresh(ctx, admin, NOW)
    # events carry the real clock, so the renewal's dates are taken from it
    opened = datetime.now(UTC)
    expires = opened + timedelta(days=10)
    with ctx.db.transaction() as s:  # the certificate the admin's app signed
        s.add(
            Certification(
                user_id=learner.id,
                path_id=path.id,
                issued_at=NOW,
                expires_at=expires,
                verification_code="TEST-CODE-0001",
                credential_jwt="x.y.z",
            )
        )
    assert compliance.refresh(ctx, admin, expires - timedelta(days=40)) == 0  # not yet due
    assert compliance.refresh(ctx, admin, opened) == 1  # within the 30-day lead time
    # once, and the completion that earned the certificate does not renew it
    assert compliance.refresh(ctx, admin, opened) == 0
    with ctx.db.transaction() as s:
        renewal = s.scalars(
            select(ComplianceRecord).where(
                ComplianceRecord.user_id == learner.id,
                ComplianceRecord.status == "pending",
            )
        ).one()
        assert renewal.required_by == expires and renewal.path_id == path.id
        assert "renewal" in (renewal.status_reason or "")
        history = s.scalars(
            select(ComplianceEvent).where(ComplianceEvent.record_id == renewal.id)
        ).all()
        assert [(e.from_status, e.to_status) for e in history] == [(None, "pending")]
    complete_course(ctx, learner, DEMO_COURSE)  # taken again: that renews it
    assert compliance.refresh(ctx, admin, datetime.now(UTC)) == 1
    with ctx.db.transaction() as s:
        assert s.get(ComplianceRecord, renewal.id).status == "compliant"  # type: ignore[union-attr]
