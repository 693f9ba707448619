"""Role-specific parts of the main window: the menus each role is offered, Settings, and the
managers' *Team* surface.

The main window calls :func:`apply_role` whenever who is signed in changes (``None`` when
nobody is); the rules themselves are Qt-free, in ``app.services.roles``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QPushButton

from app.services import analytics, assignments, compliance, members, paths, roles
from app.services.accounts import CurrentUser

if TYPE_CHECKING:
    from app.shell.main_window import MainWindow


def _menu(window: MainWindow, title: str) -> QMenu | None:
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == title:
            return menu
    return None


def _install(window: MainWindow) -> None:
    """Create the actions once: File → Settings…, View → Team progress."""
    if getattr(window, "settings_action", None) is not None:
        return
    settings = QAction("S&ettings…", window)
    settings.setObjectName("settings-action")
    settings.setShortcut(QKeySequence("Ctrl+,"))
    settings.setMenuRole(QAction.MenuRole.PreferencesRole)
    settings.triggered.connect(lambda: open_settings(window))
    file_menu = _menu(window, "File")
    if file_menu is not None:
        # right after "Load demo content", before the separator and Quit
        actions = file_menu.actions()
        demo = getattr(window, "demo_action", None)
        after = actions.index(demo) + 1 if demo in actions else 0
        before = actions[after] if after < len(actions) else None
        file_menu.insertAction(before, settings) if before else file_menu.addAction(settings)
    team = QAction("&Team progress", window)
    team.setObjectName("team-action")
    team.setShortcut(QKeySequence("Ctrl+3"))
    team.triggered.connect(lambda: show_team(window))
    view = _menu(window, "View")
    if view is not None:
        view.addAction(team)
    connect = getattr(window, "connect_action", None)
    if connect is not None:  # what a creator calls it, not the server's product name
        connect.setText("&Connect to your organisation…")
    _install_organisation_menu(window)
    window.settings_action = settings  # type: ignore[attr-defined]
    window.team_action = team  # type: ignore[attr-defined]
    window.settings_dialog = None  # type: ignore[attr-defined]
    window.team_view = None  # type: ignore[attr-defined]
    window.nav_team = None  # type: ignore[attr-defined]


def apply_role(window: MainWindow, user: CurrentUser | None) -> None:
    """Offer ``user`` (or nobody signed in) what their role is for."""
    _install(window)
    demo_ok = roles.may_load_demo(window.ctx, user)
    window.demo_action.setVisible(demo_ok)
    window.demo_action.setEnabled(demo_ok)
    team_ok = roles.may_view_team(user) and window.learn is not None
    window.team_action.setVisible(team_ok)  # type: ignore[attr-defined]
    window.team_action.setEnabled(team_ok)  # type: ignore[attr-defined]
    org_actions = {
        "paths": paths.may_edit(user),
        "assign": assignments.may_assign(user),
        "compliance": compliance.may_manage(user),
        "analytics": analytics.may_view(user),
        "members": members.may_manage(user),
        "org-settings": members.may_manage(user),
        "branding": members.may_manage(user),
        "fine-tuning": members.may_manage(user),
    }
    for key, ok in org_actions.items():
        action = window.org_actions[key]  # type: ignore[attr-defined]
        action.setVisible(ok and window.learn is not None)
        action.setEnabled(ok and window.learn is not None)
    window.org_menu.menuAction().setVisible(any(org_actions.values()))  # type: ignore[attr-defined]
    _apply_branding(window, user)
    if team_ok and user is not None:
        _add_team_surface(window, user)
    else:
        window.team_view = window.nav_team = None  # type: ignore[attr-defined]


def _install_organisation_menu(window: MainWindow) -> None:
    """Organisation → Learning paths…, Assign training…, Compliance… (issue 12)."""
    menu = window.menuBar().addMenu("&Organisation")
    menu.setObjectName("organisation-menu")
    specs = (
        ("paths", "&Learning paths…", open_paths),
        ("assign", "&Assign training…", open_assign),
        ("compliance", "&Compliance…", open_compliance),
        ("analytics", "A&nalytics…", open_analytics),
        ("members", "&Members…", open_members),
        ("org-settings", "Organisation &settings…", open_org_settings),
        ("branding", "&Branding…", open_branding),
        ("fine-tuning", "&Fine-tuning…", open_finetune),
    )
    actions = {}
    for key, text, slot in specs:
        action = QAction(text, window)
        action.setObjectName(f"{key}-action")
        action.triggered.connect(lambda _checked=False, f=slot: f(window))
        menu.addAction(action)
        actions[key] = action
    window.org_menu = menu  # type: ignore[attr-defined]
    window.org_actions = actions  # type: ignore[attr-defined]
    window.org_dialog = None  # type: ignore[attr-defined]


def open_paths(window: MainWindow) -> None:
    from app.studio.paths_view import open_paths_dialog

    if window.user is not None:
        window.org_dialog = open_paths_dialog(window.ctx, window.user, window)  # type: ignore[attr-defined]


def open_assign(window: MainWindow) -> None:
    from app.studio.assign_dialog import open_assign_dialog

    if window.user is not None:
        window.org_dialog = open_assign_dialog(window.ctx, window.user, window)  # type: ignore[attr-defined]


def open_compliance(window: MainWindow) -> None:
    from app.studio.compliance_view import open_compliance_dialog

    if window.user is not None:
        window.org_dialog = open_compliance_dialog(window.ctx, window.user, window)  # type: ignore[attr-defined]


def open_analytics(window: MainWindow) -> None:
    from app.studio.analytics import open_analytics_dialog

    if window.user is not None:
        window.org_dialog = open_analytics_dialog(window.ctx, window.user, window)  # type: ignore[attr-defined]


def open_members(window: MainWindow, tab: str = "members") -> None:
    from app.studio.members_view import open_members_dialog

    if window.user is not None:
        window.org_dialog = open_members_dialog(window.ctx, window.user, window, tab=tab)  # type: ignore[attr-defined]


def open_org_settings(window: MainWindow) -> None:
    open_members(window, tab="settings")


def open_branding(window: MainWindow) -> None:
    from app.studio.branding_view import open_branding_dialog

    if window.user is not None:
        dialog = open_branding_dialog(window.ctx, window.user, window)
        dialog.saved.connect(lambda: _apply_branding(window, window.user))  # type: ignore[attr-defined]
        window.org_dialog = dialog  # type: ignore[attr-defined]


def open_finetune(window: MainWindow) -> None:
    from app.studio.finetune_view import open_finetune_dialog

    if window.user is not None:
        window.org_dialog = open_finetune_dialog(window.ctx, window.user, window)  # type: ignore[attr-defined]


def _apply_branding(window: MainWindow, user: CurrentUser | None) -> None:
    """The whole app in the signed-in member's organisation colours (ByteOS's own when
    nobody is signed in): ``app.services.branding``, ``app.shell.theme.apply_branding``."""
    from PySide6.QtWidgets import QApplication

    from app.shell.theme import apply_branding

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if user is None or user.org_id is None:
        apply_branding(app, None)
        return
    from app.services import branding

    apply_branding(app, branding.for_user(window.ctx, user))


def _add_team_surface(window: MainWindow, user: CurrentUser) -> None:
    """A *Team* tab beside Learn (and Studio), showing the read-only team progress."""
    from app.studio.team_progress import TeamProgressView

    if window.nav_learn is None:
        return
    view = TeamProgressView(window.ctx, user)
    window.surfaces.addWidget(view)
    button = QPushButton("Team")
    button.setObjectName("nav-team")
    button.setProperty("role", "nav")
    button.setCheckable(True)
    button.setAccessibleName("Open Team progress")
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.clicked.connect(lambda: show_team(window))
    group = window.nav_learn.group()
    if group is not None:
        group.addButton(button)
    top = window.nav_learn.parentWidget()
    layout = top.layout() if top is not None else None
    if layout is not None:
        after = window.nav_studio if window.nav_studio is not None else window.nav_learn
        layout.insertWidget(layout.indexOf(after) + 1, button)  # type: ignore[attr-defined]
    window.team_view = view  # type: ignore[attr-defined]
    window.nav_team = button  # type: ignore[attr-defined]


def show_team(window: MainWindow) -> None:
    view = getattr(window, "team_view", None)
    if view is None or window.learn is None:
        return
    studio = window.studio
    leaving_studio = studio is not None and window.surfaces.currentWidget() is studio
    if leaving_studio and not window._studio_may_leave():
        return
    window.surfaces.setCurrentWidget(view)
    view.refresh()
    if window.nav_team is not None:  # type: ignore[attr-defined]
        window.nav_team.setChecked(True)  # type: ignore[attr-defined]


def open_settings(window: MainWindow) -> None:
    from app.shell.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window, show_image_keys=roles.may_see_image_keys(window.user))
    window.settings_dialog = dialog  # type: ignore[attr-defined]
    dialog.open()
