"""The organisation side through the real outbox, replicator and server, device to device.

A manager's device assigns training (an enrolment with a due date and a compliance record)
for a learner and pushes it although the rows are the learner's (the outbox records the
manager as the author); the learner's device pulls them and the server's history, pushes
its reminder time, and never gets a change of status or a certificate of its own through;
the admin's device (the signer) pushes a certificate and the key set, which the learner's
device pulls.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from sync.store.models import (
    CertificateIssuer,
    Certification,
    ComplianceEvent,
    ComplianceRecord,
    Enrollment,
    SyncOutbox,
)
from tests.sync.conftest import Device, Supabase

JWT = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def test_assignments_compliance_and_certificates_sync_by_role(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org = supabase.create_org("Org sync")
    creator = supabase.create_user("creator", org)
    manager = supabase.create_user("manager", org)
    admin = supabase.create_user("org_admin", org)
    learner = supabase.create_user("learner", org)
    [(course,)] = supabase.sql(
        "insert into courses (org_id, created_by, title, status) values (%s, %s, 'Fire safety',"
        " 'published') returning id::text",
        (org, creator.id),
    )
    [(path,)] = supabase.sql(
        "insert into learning_paths (org_id, created_by, title, status, courses) values"
        " (%s, %s, 'Safety', 'published', %s) returning id::text",
        (org, creator.id, f'[{{"course_id": "{course}", "order_index": 0}}]'),
    )
    office = Device(tmp_path / "manager", supabase, manager)
    laptop = Device(tmp_path / "learner", supabase, learner)
    signer = Device(tmp_path / "admin", supabase, admin)
    devices += [office, laptop, signer]
    for d in devices:
        d.sync()

    # the manager assigns, offline, then syncs
    due = datetime.now(UTC) + timedelta(days=14)
    with office.ctx.db.transaction() as s:
        s.add(
            Enrollment(user_id=learner.id, course_id=course, enrolled_by=manager.id, due_date=due)
        )
        rec = ComplianceRecord(
            org_id=org,
            user_id=learner.id,
            course_id=course,
            path_id=path,
            required_by=due,
            status="pending",
        )
        s.add(rec)
        s.flush()
        rid = rec.id
        authors = set(s.scalars(select(SyncOutbox.author_id)))
    assert authors == {manager.id}
    report = office.sync()
    assert report.rejected == 0 and office.service.status().rejected == 0
    assert supabase.sql(
        "select status, path_id::text from compliance_records where id = %s", (rid,)
    ) == [("pending", path)]

    # the learner's device receives the assignment, the record and its history
    laptop.sync()
    with laptop.ctx.db.transaction() as s:
        [enrolment] = s.scalars(select(Enrollment).where(Enrollment.user_id == learner.id)).all()
        assert enrolment.due_date == due and enrolment.enrolled_by == manager.id
        mine = s.get(ComplianceRecord, rid)
        assert mine is not None and mine.status == "pending"
        [event] = s.scalars(select(ComplianceEvent).where(ComplianceEvent.record_id == rid))
        assert (event.to_status, event.changed_by) == ("pending", manager.id)
        mine.reminder_sent_at = datetime.now(UTC)  # reminded here: the other devices know
    report = laptop.sync()
    assert report.rejected == 0
    [(reminded,)] = supabase.sql(
        "select reminder_sent_at is not null from compliance_records where id = %s", (rid,)
    )
    assert reminded

    # the learner's device cannot make the record compliant, nor sign its own certificate
    with laptop.ctx.db.transaction() as s:
        mine = s.get(ComplianceRecord, rid)
        assert mine is not None
        mine.status = "compliant"
        s.add(
            Certification(
                user_id=learner.id, path_id=path, verification_code="X", credential_jwt=JWT
            )
        )
    report = laptop.sync()
    assert report.rejected == 2
    assert supabase.sql("select status from compliance_records where id = %s", (rid,)) == [
        ("pending",)
    ]
    assert supabase.sql(
        "select count(*) from certifications where user_id = %s", (learner.id,)
    ) == [(0,)]
    with laptop.ctx.db.transaction() as s:
        errors = {t: e for t, e in s.execute(select(SyncOutbox.table_name, SyncOutbox.last_error))}
    assert "only org_admin or super_admin accounts send certifications" in errors["certifications"]
    assert "your own compliance record" in errors["compliance_records"]

    # the signer's device writes the certificate and the key set; the learner's pulls both
    with signer.ctx.db.transaction() as s:
        s.add(
            Certification(
                user_id=learner.id,
                path_id=path,
                verification_code="7KQM-3XWD-R9TP-HC4F",
                credential_jwt=JWT,
                expires_at=due + timedelta(days=365),
            )
        )
        s.add(
            CertificateIssuer(org_id=org, key_set={"issuer": {}, "keys": []}, revocation_list=JWT)
        )
    assert signer.sync().rejected == 0
    laptop.sync()
    with laptop.ctx.db.transaction() as s:
        codes = set(s.scalars(select(Certification.verification_code)))
        assert "7KQM-3XWD-R9TP-HC4F" in codes
        [issuer] = s.scalars(select(CertificateIssuer)).all()
        assert issuer.revocation_list == JWT

    # and the manager's device sees the learner's record and history (for the compliance view)
    office.sync()
    with office.ctx.db.transaction() as s:
        got = s.get(ComplianceRecord, rid)
        assert got is not None and got.reminder_sent_at is not None
        assert (
            len(s.scalars(select(ComplianceEvent).where(ComplianceEvent.record_id == rid)).all())
            == 2
        )


def test_a_completion_on_the_server_and_an_offline_exemption_merge_by_clock(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org = supabase.create_org("Org merge")
    creator = supabase.create_user("creator", org)
    manager = supabase.create_user("manager", org)
    learner = supabase.create_user("learner", org)
    [(course,)] = supabase.sql(
        "insert into courses (org_id, created_by, title, status) values (%s, %s, 'First aid',"
        " 'published') returning id::text",
        (org, creator.id),
    )
    office = Device(tmp_path / "manager", supabase, manager)
    devices.append(office)
    office.sync()
    with office.ctx.db.transaction() as s:
        rec = ComplianceRecord(
            org_id=org,
            user_id=learner.id,
            course_id=course,
            required_by=datetime.now(UTC) + timedelta(days=7),
            status="pending",
        )
        s.add(rec)
        s.flush()
        rid = rec.id
    office.sync()
    # offline on the manager's laptop: an exemption; meanwhile the learner completes
    with office.ctx.db.transaction() as s:
        mine = s.get(ComplianceRecord, rid)
        assert mine is not None
        mine.status, mine.status_reason = "exempt", "on leave"
    supabase.sql(
        "insert into enrollments (user_id, course_id, status, completed_at)"
        " values (%s, %s, 'completed', now())",
        (learner.id, course),
    )
    [(clocks,)] = supabase.sql("select field_clocks from compliance_records where id = %s", (rid,))
    assert clocks["status"].endswith(".server")
    report = office.sync()
    assert report.rejected == 0  # nothing refused: the later change (the completion) won
    with office.ctx.db.transaction() as s:
        got = s.get(ComplianceRecord, rid)
        assert got is not None and (got.status, got.status_reason) == ("compliant", "completed")
    lost = {(c.field, c.lost_value) for c in office.service.conflicts()}
    assert ("status", "exempt") in lost  # and the exemption is kept, listed as a conflict
    assert supabase.sql("select status from compliance_records where id = %s", (rid,)) == [
        ("compliant",)
    ]
