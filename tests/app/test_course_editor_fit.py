"""The course editor's action buttons never clip their labels, at the smallest window sizes
(a published course shows the most buttons: Publish changes…, Discard changes, Archive, Back
to draft, Export SCORM 1.2…)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.services import authoring
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.shell.main_window import MainWindow


@pytest.mark.parametrize("size", [(900, 600), (1024, 700), (1280, 820)])
def test_every_action_button_is_as_wide_as_its_label(
    qtbot: QtBot, ctx: AppContext, creator: CurrentUser, size: tuple[int, int]
) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.enter(creator)
    window.show_surface("studio")
    window.resize(*size)
    window.show()
    course = authoring.list_courses(ctx, creator)[0]
    window.studio.open_course(course.id)  # type: ignore[union-attr]
    qtbot.wait(50)
    editor = window.studio.editor  # type: ignore[union-attr]
    buttons = [
        editor.save_button,
        editor.publish_button,
        editor.publish_changes_button,
        editor.discard_button,
        editor.archive_button,
        editor.draft_button,
        editor.scorm_button,
    ]
    shown = [b for b in buttons if b.isVisible()]
    assert editor.scorm_button in shown and len(shown) >= 5
    for b in shown:
        assert b.width() >= b.sizeHint().width(), (b.text(), b.width(), b.sizeHint().width())
        assert b.geometry().right() <= editor.width(), b.text()
