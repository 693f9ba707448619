"""Analytics for managers, org admins and creators (issue 13): who may look, at what, and
where the figures come from.

Every view of the dashboard is computed by one function of ``analytics_activity`` /
``analytics_outcomes`` (an aggregate query per view against the local mirror, never a query
per learner), through the :class:`Scope` decided here once:

- **Who.** Managers, org admins and super admins see their organisation; creators see the
  courses they created, nothing else (``VIEWER_ROLES``; the role names are
  ``engine.org.vocabulary``'s). Learners see no analytics.
- **What.** :class:`Filters`: one course or one path (its courses), the learners' role, and a
  date range (inclusive days, UTC; default the last 12 weeks).
- **From where.** Each result carries a :class:`Meta`: ``source`` ("this device": the local
  mirror, what sync has brought; "server": the server's aggregate functions) and ``as_of``
  (for the mirror, when this device last synced; it holds its own learners' events up to
  now, others' up to then).

Each result also gives its :class:`Table`: the same figures the chart draws, as rows, for
the screen-reader table beside the chart and for the CSV and PDF exports, so the three
never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.accounts import ROLE_LABELS, CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from engine.org.vocabulary import ASSIGNER_ROLES, PROFILE_ROLES
from sync.outbox import read_state
from sync.store.models import Course, LearningPath, Organisation

VIEWER_ROLES = frozenset(ASSIGNER_ROLES | {"creator"})
"""Managers, org admins, super admins (their organisation) and creators (their own courses)."""
SOURCE_LOCAL = "this device"
SOURCE_SERVER = "server"
DEFAULT_WEEKS = 12
Cell = str | int | float


def may_view(user: CurrentUser | None) -> bool:
    return user is not None and user.org_id is not None and user.role in VIEWER_ROLES


def require_viewer(user: CurrentUser) -> None:
    if user.role not in VIEWER_ROLES:
        raise UserError(
            "Analytics are for managers, organisation admins and creators (their own courses)."
        )
    if user.org_id is None:
        raise UserError("Join an organisation to see its analytics.")


@dataclass(frozen=True)
class Filters:
    course_id: str | None = None
    path_id: str | None = None
    role: str | None = None
    """The learners' profile role (None: everyone of the organisation)."""
    start: date | None = None
    end: date | None = None
    """Inclusive, in UTC; both None: the last ``DEFAULT_WEEKS`` weeks up to today."""

    def validated(self, today: date) -> Filters:
        """These filters with the date range filled in, or a clear error."""
        if self.course_id and self.path_id:
            raise UserError("Choose a course or a path, not both.")
        if self.role is not None and self.role not in PROFILE_ROLES:
            raise UserError(f"Unknown role “{self.role}”.")
        end = self.end or today
        start = self.start or (end - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1))
        if start > end:
            raise UserError(
                f"The date range starts after it ends ({start:%d %b %Y} > {end:%d %b %Y})."
            )
        if (end - start).days > 3653:
            raise UserError("Choose a date range of at most ten years.")
        return Filters(self.course_id, self.path_id, self.role, start, end)

    @property
    def since(self) -> datetime:
        assert self.start is not None, "call validated() first"
        return datetime.combine(self.start, time.min, UTC)

    @property
    def until(self) -> datetime:
        """The instant after the range (exclusive bound)."""
        assert self.end is not None, "call validated() first"
        return datetime.combine(self.end + timedelta(days=1), time.min, UTC)


@dataclass(frozen=True)
class Meta:
    source: str
    as_of: datetime
    synced: bool
    """False: this device never synced, so the mirror holds only what was recorded here."""

    def line(self) -> str:
        when = self.as_of.astimezone().strftime("%d %b %Y %H:%M")
        if self.source == SOURCE_SERVER:
            return f"Source: the server, as of {when}."
        if not self.synced:
            return "Source: this device only (never synced: what was recorded here)."
        return f"Source: this device, last synced {when} (others' activity up to then)."


@dataclass(frozen=True)
class Scope:
    """The courses a view covers and the learners it counts (decided once per request)."""

    org_id: str
    course_ids: tuple[str, ...]
    titles: dict[str, str]
    narrowed: bool
    """True when the courses are a subset (a filter, or a creator's own): events outside
    courses (practice without a course) are then left out."""
    filters: Filters
    meta: Meta
    target_skills: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def role(self) -> str | None:
        return self.filters.role


@dataclass(frozen=True)
class Table:
    """A view's figures as rows: the accessible table beside the chart, the CSV, the PDF."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    keys: tuple[Any, ...] = ()
    """Per row, what a click on it drills into (``None``: nothing behind it)."""

    def __post_init__(self) -> None:
        for r in self.rows:
            if len(r) != len(self.headers):
                raise ValueError(f"{self.title}: a row has {len(r)} cells for {len(self.headers)}")


def _meta(s: Session, user: CurrentUser, now: datetime) -> Meta:
    account = read_state(s, "account.id")
    raw = read_state(s, f"last_sync:{account}") if account == user.id else None
    if raw:
        return Meta(SOURCE_LOCAL, datetime.fromisoformat(raw), True)
    return Meta(SOURCE_LOCAL, now, False)


def scope(
    s: Session, user: CurrentUser, filters: Filters, now: datetime, *, need_courses: bool = True
) -> Scope:
    """The courses ``user`` may see narrowed by ``filters`` (one query, two with a path).

    Bad input is refused with the reason: a course or path of another organisation, or a
    creator's filter on a colleague's course.
    """
    require_viewer(user)
    f = filters.validated(now.astimezone(UTC).date())
    org = user.org_id
    assert org is not None
    q = select(Course.id, Course.title, Course.created_by, Course.target_skills).where(
        Course.org_id == org
    )
    rows = s.execute(q.order_by(Course.title)).all()
    mine = user.role == "creator"
    allowed = {cid: (t, by, ts) for cid, t, by, ts in rows if not mine or by == user.id}
    wanted: list[str] = list(allowed)
    if f.course_id:
        if f.course_id not in allowed:
            raise UserError(
                "You can see analytics of your own courses only."
                if mine and any(r[0] == f.course_id for r in rows)
                else "That course is not one of your organisation's."
            )
        wanted = [f.course_id]
    elif f.path_id:
        path = s.get(LearningPath, f.path_id)
        if path is None or path.org_id != org:
            raise UserError("That learning path is not one of your organisation's.")
        listed = [c["course_id"] for c in sorted(path.courses, key=lambda c: c["order_index"])]
        wanted = [c for c in listed if c in allowed]
        if not wanted:
            raise UserError("None of that path's courses is yours to see.")
    titles = {cid: allowed[cid][0] for cid in wanted}
    targets = {
        cid: tuple(t["skill_id"] for t in (allowed[cid][2] or []) if t.get("skill_id"))
        for cid in wanted
    }
    if need_courses and not wanted:
        raise UserError(
            "You have no course yet: analytics appear once you have created one."
            if mine
            else "Your organisation has no course yet."
        )
    narrowed = mine or bool(f.course_id or f.path_id)
    return Scope(org, tuple(wanted), titles, narrowed, f, _meta(s, user, now), targets)


def brand_colour(ctx: AppContext, user: CurrentUser) -> str | None:
    """The organisation's ``branding.primary_color`` (the charts lead with it when it is
    readable; white-label editing is issue 13's later part)."""
    if user.org_id is None:
        return None
    with ctx.db.transaction() as s:
        org = s.get(Organisation, user.org_id)
        colour = (org.branding or {}).get("primary_color") if org is not None else None
    return colour if isinstance(colour, str) else None


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    """What the filter bar offers this user: their courses, the paths, the roles."""

    courses: tuple[Choice, ...]
    paths: tuple[Choice, ...]
    roles: tuple[Choice, ...]


def filter_choices(ctx: AppContext, user: CurrentUser) -> FilterChoices:
    require_viewer(user)
    with ctx.db.transaction() as s:
        q = select(Course.id, Course.title).where(Course.org_id == user.org_id)
        if user.role == "creator":
            q = q.where(Course.created_by == user.id)
        courses = tuple(Choice(i, t) for i, t in s.execute(q.order_by(Course.title)))
        pq = select(LearningPath.id, LearningPath.title).where(LearningPath.org_id == user.org_id)
        if user.role == "creator":
            pq = pq.where(LearningPath.created_by == user.id)
        paths = tuple(Choice(i, t) for i, t in s.execute(pq.order_by(LearningPath.title)))
    roles = tuple(Choice(r, ROLE_LABELS.get(r, r)) for r in PROFILE_ROLES if r != "super_admin")
    return FilterChoices(courses, paths, roles)
