"""Compliance records: their statuses from events and time, exemptions, and the history.

Statuses follow :mod:`engine.org.compliance` (the one transition table). Every change of a
record is written together with a ``compliance_events`` row in the same transaction, so the
device shows the history at once, offline. The server's trigger writes the authoritative
history when the change arrives (0005); those rows are pulled, and :func:`history` shows each
step once: a local entry (``changes.local``) is dropped when the server's copy of the same
step (same from -> to) has arrived.

Who writes what (as the server enforces): managers and org admins change records of their
organisation (``ASSIGNER_ROLES``); a learner's device never writes a record's status, only
``reminder_sent_at`` (``app.services.assignments``). A learner's own view derives completion
from their enrolment (:func:`effective`), as the server will store it.

Time: :func:`refresh` (run at start and on every refresh of a manager's or admin's app, with
the clock injected) stores what time and completions already say: pending past its due date
becomes overdue, completed courses make records compliant (late ones through overdue).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from app.services import path_progress, paths
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from engine.org import compliance as rules
from engine.org import reminders, renewal
from engine.org.compliance import Change, ComplianceError, Requirement
from engine.org.vocabulary import ASSIGNER_ROLES, COMPLIANCE_LABELS
from sync.store.models import (
    Certification,
    ComplianceEvent,
    ComplianceRecord,
    Course,
    Enrollment,
    LearningEvent,
    LearningPath,
    Module,
    Organisation,
    Profile,
)

STATUS_LABELS: dict[str, str] = dict(COMPLIANCE_LABELS)


def may_manage(user: CurrentUser | None) -> bool:
    return user is not None and user.role in ASSIGNER_ROLES


def require_manager(user: CurrentUser, what: str = "change compliance records") -> None:
    if not may_manage(user):
        raise UserError(f"Only managers and organisation admins can {what}.")


def requirement(row: ComplianceRecord) -> Requirement:
    return Requirement(
        status=row.status or "pending",  # type: ignore[arg-type]
        required_by=row.required_by,
        completed_at=row.completed_at,
        reminder_sent_at=row.reminder_sent_at,
        status_reason=row.status_reason,
    )


def apply(s: Session, row: ComplianceRecord, change: Change, by: str | None) -> None:
    """Write ``change`` to the record and its history entry, in the caller's transaction."""
    before, after = change.before, change.after
    if (before.status, before.required_by) != (row.status or "pending", row.required_by):
        # complete() may add the overdue step first: keep it in the history too
        write_event(
            s, row, row.status or "pending", before.status, before.status_reason, by, change.at
        )
    fields = {}
    for name in ("required_by", "completed_at", "status_reason"):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            fields[name] = new.isoformat() if isinstance(new, datetime) else new
    row.status = after.status
    row.required_by = after.required_by
    row.completed_at = after.completed_at
    row.status_reason = after.status_reason
    write_event(s, row, before.status, after.status, change.reason, by, change.at, fields)


def write_event(
    s: Session,
    row: ComplianceRecord,
    from_status: str | None,
    to_status: str | None,
    reason: str | None,
    by: str | None,
    at: datetime,
    changes: dict[str, object] | None = None,
) -> None:
    if row.id is None:
        s.flush()
    s.add(
        ComplianceEvent(
            record_id=row.id,
            org_id=row.org_id,
            user_id=row.user_id,
            changed_by=by,
            changed_at=at,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            changes={**(changes or {}), "local": True},
        )
    )


RENEWAL_PREFIX = "renewal:"


def _renewal_openings(s: Session, record_ids: list[str]) -> dict[str, datetime]:
    """Renewal records among ``record_ids`` (their first history entry says so, and history
    is append-only), with when each opened."""
    if not record_ids:
        return {}
    rows = s.execute(
        select(ComplianceEvent.record_id, ComplianceEvent.changed_at).where(
            ComplianceEvent.record_id.in_(record_ids),
            ComplianceEvent.from_status.is_(None),
            ComplianceEvent.reason.like(RENEWAL_PREFIX + "%"),
        )
    ).all()
    return {rid: at for rid, at in rows}


def _completed_since(s: Session, user_id: str, course_id: str, since: datetime) -> datetime | None:
    """When the learner had completed every module of the course again after ``since``."""
    module_ids = set(s.scalars(select(Module.id).where(Module.course_id == course_id)))
    if not module_ids:
        return None
    latest: dict[str, datetime] = {}
    for mid, at in s.execute(
        select(LearningEvent.module_id, LearningEvent.created_at).where(
            LearningEvent.user_id == user_id,
            LearningEvent.course_id == course_id,
            LearningEvent.event_type == "module_complete",
            LearningEvent.created_at >= since,
        )
    ).all():
        if mid in module_ids:
            latest[mid] = max(at, latest.get(mid, at))
    return max(latest.values()) if set(latest) == module_ids else None


def _completions(s: Session, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], datetime]:
    users = {u for u, _ in pairs}
    rows = s.execute(
        select(Enrollment.user_id, Enrollment.course_id, Enrollment.completed_at).where(
            Enrollment.user_id.in_(users),
            Enrollment.course_id.is_not(None),
            Enrollment.completed_at.is_not(None),
        )
    ).all()
    return {(u, c): at for u, c, at in rows if (u, c) in pairs}


def effective(record: Requirement, completed_at: datetime | None, now: datetime) -> Requirement:
    """The record as of ``now``, with the learner's completion counted (as it will be stored)."""
    if completed_at is not None:
        change = rules.complete(record, completed_at, now)
        if change is not None:
            return change.after
    status = rules.effective_status(record, now)
    return replace(record, status=status) if status != record.status else record


def refresh(ctx: AppContext, user: CurrentUser, now: datetime) -> int:
    """On a manager's or admin's device: store what completions and time say about the
    organisation's records (completed -> compliant, due date passed -> overdue). Returns how
    many records changed. Anyone else's device: nothing to store (returns 0)."""
    if not may_manage(user) or ctx.db.read_only:
        return 0
    changed = 0
    with ctx.db.transaction() as s:
        q = select(ComplianceRecord).where(ComplianceRecord.status.in_(("pending", "overdue")))
        if user.role != "super_admin":
            q = q.where(ComplianceRecord.org_id == user.org_id)
        rows = list(s.scalars(q))
        done = _completions(s, {(r.user_id, r.course_id) for r in rows})
        renewals = _renewal_openings(s, [r.id for r in rows])
        for row in rows:
            if row.id in renewals:  # only a completion after it opened renews a certificate
                at = _completed_since(s, row.user_id, row.course_id, renewals[row.id])
            else:
                at = done.get((row.user_id, row.course_id))
            change = rules.complete(requirement(row), at, now) if at is not None else None
            by = row.user_id if change is not None else None  # the learner completed it
            change = change or rules.mark_overdue(requirement(row), now)
            if change is not None:
                apply(s, row, change, by)
                changed += 1
        changed += _open_renewals(s, user, now)
    return changed


def _open_renewals(s: Session, user: CurrentUser, now: datetime) -> int:
    """Certificates of mandatory paths that expire within the lead time become new pending
    records, one per required course, due when the certificate expires
    (``engine.org.renewal``: the same record id on every device, so nobody renews twice)."""
    certs = select(Certification, Profile.org_id).join(Profile, Profile.id == Certification.user_id)
    if user.role != "super_admin":
        certs = certs.where(Profile.org_id == user.org_id)
    held: list[renewal.Held] = []
    org_of: dict[str, str] = {}
    for cert, org_id in s.execute(certs).all():
        held.append(renewal.Held(cert.id, cert.user_id, cert.path_id, cert.expires_at))
        org_of[cert.user_id] = org_id
    if not held:
        return 0
    mandatory: dict[str, set[str]] = {}
    existing: set[str] = set()
    for rid, uid, pid in s.execute(
        select(ComplianceRecord.id, ComplianceRecord.user_id, ComplianceRecord.path_id).where(
            ComplianceRecord.user_id.in_({h.user_id for h in held})
        )
    ).all():
        existing.add(rid)
        if pid is not None:
            mandatory.setdefault(uid, set()).add(pid)
    path_ids = {h.path_id for h in held}
    specs = {
        row.id: paths.spec_of(paths.doc_of(row))
        for row in s.scalars(select(LearningPath).where(LearningPath.id.in_(path_ids)))
    }
    opened = 0
    for r in renewal.renewals_due(held, mandatory, specs, existing, now):
        record = ComplianceRecord(
            id=r.record_id,
            org_id=org_of[r.user_id],
            user_id=r.user_id,
            course_id=r.course_id,
            path_id=r.path_id,
            required_by=r.required_by,
            status="pending",
            status_reason=r.reason,
        )
        s.add(record)
        s.flush()
        write_event(s, record, None, "pending", r.reason, user.id, now)
        opened += 1
    return opened


def _record(s: Session, user: CurrentUser, record_id: str) -> ComplianceRecord:
    row = s.get(ComplianceRecord, record_id)
    if row is None:
        raise UserError("That compliance record no longer exists.")
    if user.role != "super_admin" and row.org_id != user.org_id:
        raise UserError("This compliance record belongs to another organisation.")
    if row.user_id == user.id:
        raise UserError("Nobody can exempt themselves: ask another manager or an admin.")
    return row


def exempt(ctx: AppContext, user: CurrentUser, record_id: str, reason: str, now: datetime) -> None:
    """Exempt the learner from one requirement; the reason is required and kept."""
    require_manager(user, "exempt a learner")
    with ctx.db.transaction() as s:
        row = _record(s, user, record_id)
        try:
            change = rules.exempt(requirement(row), reason, now)
        except ComplianceError as err:
            raise UserError(str(err)[0].upper() + str(err)[1:] + ".") from err
        apply(s, row, change, user.id)


def lift_exemption(
    ctx: AppContext, user: CurrentUser, record_id: str, reason: str, now: datetime
) -> None:
    require_manager(user, "lift an exemption")
    with ctx.db.transaction() as s:
        row = _record(s, user, record_id)
        try:
            change = rules.lift_exemption(requirement(row), reason, now)
        except ComplianceError as err:
            raise UserError(str(err)[0].upper() + str(err)[1:] + ".") from err
        apply(s, row, change, user.id)


@dataclass(frozen=True)
class RecordRow:
    id: str
    learner_id: str
    learner: str
    course_id: str
    course: str
    path: str | None
    status: str
    required_by: datetime | None
    completed_at: datetime | None
    late: bool
    reason: str | None

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS.get(self.status, self.status)
        return f"{label} (late)" if self.late else label


def overview(ctx: AppContext, user: CurrentUser, now: datetime) -> list[RecordRow]:
    """Every record of the organisation (a manager's view), overdue first, then by due date."""
    require_manager(user, "see the organisation's compliance")
    with ctx.db.transaction() as s:
        q = (
            select(ComplianceRecord, Profile.full_name, Course.title, LearningPath.title)
            .join(Profile, Profile.id == ComplianceRecord.user_id)
            .join(Course, Course.id == ComplianceRecord.course_id)
            .outerjoin(LearningPath, LearningPath.id == ComplianceRecord.path_id)
        )
        if user.role != "super_admin":
            q = q.where(ComplianceRecord.org_id == user.org_id)
        found = s.execute(q).all()
        done = _completions(s, {(r.user_id, r.course_id) for r, *_ in found})
        out = []
        for row, name, course, path in found:
            eff = effective(requirement(row), done.get((row.user_id, row.course_id)), now)
            out.append(
                RecordRow(
                    row.id,
                    row.user_id,
                    name or "",
                    row.course_id,
                    course,
                    path,
                    eff.status,
                    eff.required_by,
                    eff.completed_at,
                    rules.is_late(eff),
                    eff.status_reason,
                )
            )
    order = {"overdue": 0, "pending": 1, "exempt": 2, "compliant": 3}
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(out, key=lambda r: (order.get(r.status, 9), r.required_by or far, r.learner))


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime | None
    by: str
    from_status: str | None
    to_status: str | None
    reason: str

    def line(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M} UTC" if self.at else "(time unknown)"
        step = (
            f"{STATUS_LABELS.get(self.from_status or '', 'new')} → "
            f"{STATUS_LABELS.get(self.to_status or '', self.to_status or '')}"
        )
        return f"{when} · {step} · {self.by} · {self.reason}".rstrip(" ·")


def history(ctx: AppContext, user: CurrentUser, record_id: str) -> list[HistoryEntry]:
    """The record's changes, oldest first: who, when, from -> to and why."""
    require_manager(user, "see a record's history")
    with ctx.db.transaction() as s:
        row = s.get(ComplianceRecord, record_id)
        if row is None or (user.role != "super_admin" and row.org_id != user.org_id):
            raise UserError("That compliance record is not one of your organisation's.")
        events = list(
            s.scalars(
                select(ComplianceEvent)
                .where(ComplianceEvent.record_id == record_id)
                # same instant (a change and its history in one call): in written order
                .order_by(ComplianceEvent.changed_at, literal_column("rowid"))
            )
        )
        ids = {e.changed_by for e in events if e.changed_by}
        names = dict(
            s.execute(select(Profile.id, Profile.full_name).where(Profile.id.in_(ids))).all()
        )
    server = [e for e in events if not (e.changes or {}).get("local")]
    kept: list[ComplianceEvent] = list(server)
    unmatched = list(server)
    for e in (e for e in events if (e.changes or {}).get("local")):
        twin = next(
            (x for x in unmatched if (x.from_status, x.to_status) == (e.from_status, e.to_status)),
            None,
        )
        if twin is None:
            kept.append(e)
        else:
            unmatched.remove(twin)
    pos = {e.id: i for i, e in enumerate(events)}
    kept.sort(key=lambda e: pos[e.id])
    return [
        HistoryEntry(
            e.changed_at,
            names.get(e.changed_by or "", "") or ("time" if e.changed_by is None else "someone"),
            e.from_status,
            e.to_status,
            e.reason or "",
        )
        for e in kept
    ]


# -- reminders (the learner's device) ----------------------------------------------------------
def days_before(ctx: AppContext, user: CurrentUser) -> int:
    """The organisation's ``settings.reminder_days_before`` (default 3)."""
    with ctx.db.transaction() as s:
        org = s.get(Organisation, user.org_id) if user.org_id else None
        value = (org.settings or {}).get("reminder_days_before") if org is not None else None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return reminders.DEFAULT_DAYS_BEFORE


@dataclass(frozen=True)
class SentReminder:
    record_id: str
    title: str
    message: str
    overdue: bool


def send_reminders(
    ctx: AppContext, user: CurrentUser, now: datetime, days: int | None = None
) -> list[SentReminder]:
    """The reminders due now for the learner's records, each stored as sent
    (``reminder_sent_at = now``) so no device shows it twice. The caller shows them."""
    days = days_before(ctx, user) if days is None else days
    if ctx.db.read_only:
        return []
    done = path_progress.completed_courses(ctx, user.id)
    out: list[SentReminder] = []
    with ctx.db.transaction() as s:
        rows = {
            r.id: r
            for r in s.scalars(select(ComplianceRecord).where(ComplianceRecord.user_id == user.id))
        }
        titles = dict(s.execute(select(Course.id, Course.title)).all())
        reqs = [
            (rid, effective(requirement(r), done.get(r.course_id), now)) for rid, r in rows.items()
        ]
        for rem in reminders.due_reminders(reqs, now, days):
            row = rows[rem.record_id]
            row.reminder_sent_at = now
            title = titles.get(row.course_id, "Required training")
            out.append(SentReminder(rem.record_id, title, rem.message(title), rem.overdue))
    return out
