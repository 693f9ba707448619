"""What each of the five roles is offered, on the real main window (issue 13): every surface
and Organisation action, visible and enabled exactly for the roles that may use it, and the
services refusing the others. A manager sees analytics and assignments but has no Studio: a
manager cannot edit courses unless also a creator."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QDialog, QPushButton
from pytestqt.qtbot import QtBot

from app.services import accounts, branding, members
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.shell.main_window import MainWindow

ROLES = ("learner", "creator", "manager", "org_admin", "super_admin")
SCREENS = (
    "studio",
    "team",
    "paths",
    "assign",
    "compliance",
    "analytics",
    "members",
    "org-settings",
    "branding",
    "demo",
)
Y, N = True, False
MATRIX: dict[str, tuple[bool, ...]] = {
    #              studio team paths assign compl analyt members settings brand demo
    "learner": (N, N, N, N, N, N, N, N, N, N),
    "creator": (Y, N, Y, Y, N, Y, N, N, N, Y),
    "manager": (N, Y, Y, Y, Y, Y, N, N, N, N),
    "org_admin": (Y, Y, Y, Y, Y, Y, Y, Y, Y, Y),
    "super_admin": (Y, Y, Y, Y, Y, Y, Y, Y, Y, Y),
}
ADMIN_DIALOGS = {
    "members": "members-dialog",
    "org-settings": "members-dialog",
    "branding": "branding-dialog",
}


@pytest.fixture
def people(ctx: AppContext, learner: CurrentUser) -> dict[str, CurrentUser]:
    out = {p.role: p for p in accounts.list_profiles(ctx.db)}
    org = learner.org_id
    out["manager"] = accounts.create_profile(ctx.db, "Morgan Lee", "manager", org)
    out["super_admin"] = accounts.create_profile(ctx.db, "Sue Super", "super_admin", org)
    return {role: accounts.sign_in(ctx.db, out[role].id) for role in ROLES}


def _offered(w: MainWindow, screen: str) -> tuple[bool, bool]:
    if screen == "studio":
        button = w.nav_studio
        return (button is not None and button.isVisibleTo(w), w.studio is not None)
    if screen == "team":
        nav = w.workspace.findChild(QPushButton, "nav-team") if w.workspace else None
        return (w.team_action.isVisible(), nav is not None)  # type: ignore[attr-defined]
    if screen == "demo":
        return (w.demo_action.isVisible(), w.demo_action.isEnabled())
    action = w.org_actions[screen]  # type: ignore[attr-defined]
    return (action.isVisible(), action.isEnabled())


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_offered_exactly_what_it_may_do(
    qtbot: QtBot, ctx: AppContext, people: dict[str, CurrentUser], role: str
) -> None:
    user = people[role]
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1280, 820)
    w.show()
    w.enter(user)
    assert w.learn is not None and w.nav_learn is not None  # everyone learns
    seen = {screen: _offered(w, screen) for screen in SCREENS}
    expected = dict(zip(SCREENS, MATRIX[role], strict=True))
    assert {s: v for s, v in seen.items()} == {s: (ok, ok) for s, ok in expected.items()}
    org_menu_visible = w.org_menu.menuAction().isVisible()  # type: ignore[attr-defined]
    assert org_menu_visible == any(expected[s] for s in SCREENS[2:9])
    # the admin screens open for admins, and their services refuse everyone else
    for screen, name in ADMIN_DIALOGS.items():
        if expected[screen]:
            w.org_actions[screen].trigger()  # type: ignore[attr-defined]
            dialog = w.org_dialog  # type: ignore[attr-defined]
            assert isinstance(dialog, QDialog) and dialog.objectName() == name
            assert dialog.isVisible()
            dialog.close()
        else:
            with pytest.raises(UserError, match="Only an organisation admin"):
                members.list_members(ctx, user)
            with pytest.raises(UserError, match="Only an organisation admin"):
                branding.save(ctx, user, None, None, None)
    if expected["members"]:  # Members… and Organisation settings… open their own tab
        for screen, tab in (("members", "Members"), ("org-settings", "Settings")):
            w.org_actions[screen].trigger()  # type: ignore[attr-defined]
            tabs = w.org_dialog.tabs  # type: ignore[attr-defined]
            assert tabs.tabText(tabs.currentIndex()) == tab
            w.org_dialog.close()  # type: ignore[attr-defined]
    w.sign_out()
    QApplication.processEvents()
