"""What each role is offered beyond Learn, decided in one place (the menus follow it).

- **Load demo content** adds a sample organisation, profiles and a published course. It is for
  people who build courses (creators and admins: they explore Studio with it), and for a device
  with no profile at all (first set-up, before anyone can sign in). Learners and managers are
  never offered it: sample profiles and a sample course would appear in their organisation's
  learning and, once synced, in reports.
- **Team progress** (read-only learners' progress per course) is for managers and admins.
"""

from __future__ import annotations

from app.services import accounts
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.team_progress import can_view


def may_load_demo(ctx: AppContext, user: CurrentUser | None) -> bool:
    if ctx.db.read_only:
        return False
    if user is None:
        return not accounts.list_profiles(ctx.db)
    return user.can_author


def may_view_team(user: CurrentUser | None) -> bool:
    return user is not None and can_view(user)


def may_see_image_keys(user: CurrentUser | None) -> bool:
    """Image-search keys matter to whoever uses the media library (authors), or to IT setting
    up a device before anyone signs in."""
    return user is None or user.can_author
