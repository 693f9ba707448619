"""Issue 11 (item 7): every top-level screen's widget tree is walked, and it fails on

* a label that shows a literal ``&`` meant as a mnemonic ("Tem&plate": a QLabel with no buddy
  draws the ampersand), or a button/tab whose ``&`` meant as text is eaten as a mnemonic
  ("Q& A");
* a button a screen reader cannot name: no accessible name and no readable text (icon-only,
  or a symbol such as "+" or "−").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QTabBar,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.learn.learn_view import LearnView
from app.services import accounts, learning
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.shell.theme import STYLESHEET

_MNEMONIC = re.compile(r"(?<!&)&(?!&)[^\s&]")  # "&t" in "Module &title"
_EATEN = re.compile(r"(?<!&)&(?!&)(\s|$)")  # "Q& A", "Save &"


def _widgets(root: QWidget) -> Iterator[QWidget]:
    yield root
    yield from root.findChildren(QWidget)


def _plain(label: QLabel) -> bool:
    fmt = label.textFormat()
    if fmt == Qt.TextFormat.PlainText:
        return True
    if fmt == Qt.TextFormat.RichText:
        return False
    return not GuiQt.mightBeRichText(label.text())  # type: ignore[attr-defined]


def _readable(text: str) -> bool:
    return any(ch.isalnum() for ch in text.replace("&", ""))


def problems(root: QWidget) -> list[str]:
    out: list[str] = []
    for w in _widgets(root):
        where = f"{type(w).__name__}#{w.objectName() or '?'}"
        if isinstance(w, QLabel) and w.buddy() is None and _plain(w) and _MNEMONIC.search(w.text()):
            out.append(f"{where} shows a literal '&': {w.text()!r}")
        if isinstance(w, QAbstractButton) and w.isVisibleTo(root):
            if _EATEN.search(w.text()):
                out.append(f"{where}: '&' meant as text is eaten: {w.text()!r}")
            name = w.accessibleName().strip()
            iface = QAccessible.queryAccessibleInterface(w)
            heard = iface.text(QAccessible.Text.Name).strip() if iface is not None else ""
            if not name and not _readable(w.text()):
                out.append(f"{where}: icon-only button without an accessible name")
            elif not heard and not name:
                out.append(f"{where}: a screen reader hears no name")
        if isinstance(w, QTabBar):
            for i in range(w.count()):
                if _EATEN.search(w.tabText(i)):
                    out.append(f"{where}: tab text eats '&': {w.tabText(i)!r}")
        if isinstance(w, QGroupBox) and _EATEN.search(w.title()):
            out.append(f"{where}: group title eats '&': {w.title()!r}")
    return out


def test_the_checker_catches_the_reported_defects(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QToolButton

    host = QWidget()
    qtbot.addWidget(host)
    form = QFormLayout(host)
    row = QHBoxLayout()
    row.addWidget(QLineEdit())
    form.addRow("Tem&plate", row)  # a layout gets no buddy: '&' is drawn
    form.addRow("&Title", QLineEdit())  # fine: a mnemonic with a buddy
    form.addRow(QPushButton("Q& A"))
    form.addRow(QToolButton())
    found = "\n".join(problems(host))
    assert "Tem&plate" in found and "Q& A" in found and "icon-only" in found
    assert "&Title" not in found


def _user(ctx: AppContext, role: str) -> CurrentUser:
    profile = next(p for p in accounts.list_profiles(ctx.db) if p.role == role)
    return accounts.sign_in(ctx.db, profile.id)


def _learn_screens(ctx: AppContext) -> Iterator[tuple[str, Callable[[], QWidget]]]:
    learner = _user(ctx, "learner")

    def dashboard() -> QWidget:
        return LearnView(ctx, learner)

    def skills() -> QWidget:
        view = LearnView(ctx, learner)
        view.show_skills()
        return view

    def practice() -> QWidget:
        view = LearnView(ctx, learner)
        view.practise(learning.list_catalogue(ctx, learner)[0].id)
        return view

    def player() -> QWidget:
        view = LearnView(ctx, learner)
        view.open_course(learning.list_catalogue(ctx, learner)[0].id)
        return view

    yield from (("dashboard", dashboard), ("skills", skills), ("practice", practice))
    yield ("player", player)


SCREENS = [
    "sign-in",
    "dashboard",
    "skills",
    "practice",
    "player",
    "studio",
    "course-editor",
    "template-gallery",
    "media-library",
    "generate-dialog",
    "create-profile",
    "connect-dialog",
]


def _build(name: str, ctx: AppContext) -> QWidget:
    creator = _user(ctx, "creator")
    if name in ("dashboard", "skills", "practice", "player"):
        return dict(_learn_screens(ctx))[name]()
    if name == "sign-in":
        from app.shell.main_window import MainWindow

        return MainWindow(ctx)
    if name == "create-profile":
        from app.shell.sign_in import CreateProfileDialog

        return CreateProfileDialog(ctx)
    if name in ("studio", "course-editor"):
        from app.studio.studio_view import StudioView

        studio = StudioView(ctx, creator)
        if name == "course-editor":
            with ctx.db.transaction() as s:
                from sqlalchemy import select

                from sync.store.models import Course

                course_id = s.scalars(select(Course.id)).first()
            assert course_id is not None
            studio.open_course(course_id)
            studio.editor.tabs.setCurrentIndex(1)
        return studio
    if name == "template-gallery":
        from app.studio.template_gallery import TemplateGallery

        return TemplateGallery(None)
    if name == "media-library":
        from app.studio.media_library import MediaLibraryDialog

        return MediaLibraryDialog(ctx, creator, providers=[], choose=True)
    if name == "connect-dialog":
        from app.shell.sync_status import ConnectDialog, SyncController
        from app.tasks import TaskRunner

        return ConnectDialog(SyncController(ctx, TaskRunner()))
    if name == "generate-dialog":
        from app.studio.generate_dialog import GenerateCourseDialog

        return GenerateCourseDialog(ctx, creator)
    raise AssertionError(name)


@pytest.mark.parametrize("name", SCREENS)
def test_screen_has_no_literal_ampersands_or_unnamed_buttons(
    qtbot: QtBot, ctx: AppContext, name: str
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet(STYLESHEET)
    widget = _build(name, ctx)
    qtbot.addWidget(widget)
    widget.show()
    found = problems(widget)
    if isinstance(widget, QTabWidget):
        for i in range(widget.count()):
            found += problems(widget.widget(i))
    assert found == []


@pytest.mark.parametrize("name", ["template-gallery", "media-library"])
def test_every_button_of_the_studio_dialogs_has_an_accessible_name(
    qtbot: QtBot, ctx: AppContext, name: str
) -> None:
    widget = _build(name, ctx)
    qtbot.addWidget(widget)
    widget.show()
    unnamed = [
        f"{type(b).__name__}#{b.objectName()} {b.text()!r}"
        for b in widget.findChildren(QAbstractButton)
        if b.isVisibleTo(widget) and not b.accessibleName().strip()
    ]
    assert unnamed == []
