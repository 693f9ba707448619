"""Author → publish → learn → events → progress, all through the real widgets of one window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.shell.main_window import MainWindow
from sync.store.models import Enrollment, LearningEvent
from tests.app.test_studio import (  # the Studio test's widget drivers
    Dialogs,
    add_module_with_blocks,
    add_question,
    child,
    click,
    dialogs,  # noqa: F401 - fixture
    new_course,
)


def test_course_goes_from_studio_to_a_learner_and_back_as_progress(
    qtbot: QtBot,
    ctx: AppContext,
    creator: CurrentUser,
    learner: CurrentUser,
    dialogs: Dialogs,  # noqa: F811
) -> None:
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()

    # the creator writes and publishes a two-module course
    w.sign_in.select_profile(creator.id)
    qtbot.mouseClick(w.sign_in.continue_button, Qt.MouseButton.LeftButton)
    studio = w.studio
    assert studio is not None and w.surfaces.currentWidget() is studio
    course_id = new_course(qtbot, studio, dialogs, "Kitchen Safety")
    add_module_with_blocks(qtbot, studio, "Knives")
    add_question(
        qtbot, studio, "single", "Carry a knife how?", [("Point down", True), ("Up", False)]
    )
    add_module_with_blocks(qtbot, studio, "Burns")
    click(qtbot, child(studio, QPushButton, "studio-save"))
    click(qtbot, child(studio, QPushButton, "studio-publish"))
    assert dialogs.warnings == []
    w.sign_out()

    # the learner finds it, studies it, and the enrolment follows the events
    w.sign_in.select_profile(learner.id)
    qtbot.mouseClick(w.sign_in.continue_button, Qt.MouseButton.LeftButton)
    assert w.learn is not None and w.studio is None
    card = next(c for c in w.learn.dashboard.cards if c.card.id == course_id)
    assert card.card.module_count == 2
    qtbot.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
    player = w.learn.player
    assert player is not None and "Knives: overview" in player.reader.toPlainText()
    assert player.quiz is not None
    [item] = player.quiz.items
    item.select(sorted(item.question.correct_ids))
    qtbot.mouseClick(item.check_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(player.complete_button, Qt.MouseButton.LeftButton)
    assert player.progress_bar.value() == 50
    qtbot.mouseClick(player.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(player.complete_button, Qt.MouseButton.LeftButton)
    assert player.progress_bar.value() == 100

    with ctx.db.transaction() as s:
        kinds = s.scalars(
            select(LearningEvent.event_type).where(
                LearningEvent.user_id == learner.id, LearningEvent.course_id == course_id
            )
        ).all()
        enrollment = s.scalars(
            select(Enrollment).where(
                Enrollment.user_id == learner.id, Enrollment.course_id == course_id
            )
        ).one()
    assert sorted(kinds) == sorted(
        ["module_start", "quiz_attempt", "module_complete", "module_start", "module_complete"]
    )
    assert (enrollment.status, enrollment.progress_pct) == ("completed", 100.0)
