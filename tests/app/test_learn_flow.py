"""Sign in, role gating and the Learn flow, driven through the real widgets offscreen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressBar, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.learn.course_player import CoursePlayer
from app.services import accounts, learning
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.shell.main_window import MainWindow
from sync.store.models import Enrollment, LearningEvent


def _window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    return w


def _sign_in_as(qtbot: QtBot, w: MainWindow, user: CurrentUser) -> None:
    w.sign_in.select_profile(user.id)
    qtbot.mouseClick(w.sign_in.continue_button, Qt.MouseButton.LeftButton)
    assert w.user is not None and w.user.id == user.id


def test_learner_sees_no_studio(qtbot: QtBot, ctx: AppContext, learner: CurrentUser) -> None:
    w = _window(qtbot, ctx)
    _sign_in_as(qtbot, w, learner)
    assert w.studio is None and w.nav_studio is None
    assert not w.studio_action.isEnabled()
    assert w.learn is not None and w.surfaces.currentWidget() is w.learn


def test_creator_gets_both_surfaces_and_can_sign_out(
    qtbot: QtBot, ctx: AppContext, creator: CurrentUser
) -> None:
    w = _window(qtbot, ctx)
    _sign_in_as(qtbot, w, creator)
    assert w.studio is not None and w.nav_studio is not None
    qtbot.mouseClick(w.nav_learn, Qt.MouseButton.LeftButton)
    assert w.surfaces.currentWidget() is w.learn
    w.sign_out()
    assert w.user is None and w.stack.currentWidget() is w.sign_in


def test_create_profile_dialog(qtbot: QtBot, ctx: AppContext, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.shell.sign_in import CreateProfileDialog

    warnings: list[str] = []
    monkeypatch.setattr("app.shell.sign_in.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    d = CreateProfileDialog(ctx)
    qtbot.addWidget(d)
    d.create()  # empty name
    assert warnings and "name" in warnings[-1]
    qtbot.keyClicks(d.name, "Grace Hopper")
    d.role.setCurrentIndex(d.role.findData("creator"))
    qtbot.keyClicks(d.passphrase, "kitchen-knife-7")  # a creator needs one (issue 13)
    qtbot.keyClicks(d.passphrase_again, "kitchen-knife-7")
    d.create()
    assert d.created is not None and d.created.role == "creator"


def _answer_all_correctly(qtbot: QtBot, player: CoursePlayer) -> None:
    assert player.quiz is not None
    for item in player.quiz.items:
        wrong = [c.id for c in item.question.choices if not c.correct][:1]
        item.select(wrong)
        qtbot.mouseClick(item.check_button, Qt.MouseButton.LeftButton)
        assert "Not quite" in item.feedback.text()
        item.select(sorted(item.question.correct_ids))
        qtbot.mouseClick(item.check_button, Qt.MouseButton.LeftButton)
        assert item.feedback.text().startswith("✓ Correct")


def test_learner_completes_the_demo_course(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    w = _window(qtbot, ctx)
    _sign_in_as(qtbot, w, learner)
    assert w.learn is not None
    dash = w.learn.dashboard
    [card] = dash.cards
    assert card.open_button.text() == "Start"
    qtbot.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
    player = w.learn.player
    assert player is not None
    n = len(player.course.modules)
    assert "Why we forget" in player.reader.toPlainText()

    # completing before answering the quiz is refused with a hint
    qtbot.mouseClick(player.complete_button, Qt.MouseButton.LeftButton)
    assert "Answer every quiz question" in player.hint.text()

    for i in range(n):
        assert player.current == i
        qtbot.mouseClick(player.quiz_button, Qt.MouseButton.LeftButton)
        _answer_all_correctly(qtbot, player)
        qtbot.mouseClick(player.complete_button, Qt.MouseButton.LeftButton)
        assert player.progress_bar.value() == round(100 * (i + 1) / n)
        if i + 1 < n:
            qtbot.mouseClick(player.next_button, Qt.MouseButton.LeftButton)
    assert "Course complete" in player.hint.text()

    with ctx.db.transaction() as s:
        events = s.scalars(select(LearningEvent).where(LearningEvent.user_id == learner.id)).all()
        enrollment = s.scalars(select(Enrollment).where(Enrollment.user_id == learner.id)).one()
    kinds = [e.event_type for e in events]
    assert kinds.count("module_start") == n
    assert kinds.count("module_complete") == n
    n_questions = sum(len(m.quiz) for m in player.course.modules)
    assert kinds.count("quiz_attempt") == 2 * n_questions
    assert all(e.modality == "text" for e in events)
    attempts = [e for e in events if e.event_type == "quiz_attempt"]
    assert {a.payload["correct"] for a in attempts} == {True, False}
    assert all(a.payload["skill_ids"] for a in attempts)
    assert all(e.duration_secs is not None for e in events if e.event_type != "module_start")
    assert (enrollment.status, enrollment.progress_pct) == ("completed", 100.0)
    assert enrollment.completed_at is not None

    back: QPushButton = player.back_button
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    [card] = w.learn.dashboard.cards
    assert card.open_button.text() == "Review"
    bar = card.findChild(QProgressBar, "course-progress")
    assert bar is not None and bar.value() == 100
    assert "1 completed" in w.learn.dashboard.summary.text()
    assert learning.list_catalogue(ctx, learner)[0].progress_pct == 100.0


def test_reopening_resumes_at_first_unfinished_module(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    course_id = learning.list_catalogue(ctx, learner)[0].id
    doc = learning.open_course(ctx, learner, course_id)
    learning.record_event(
        ctx, learner, "module_complete", course_id=course_id, module_id=doc.modules[0].id
    )
    player = CoursePlayer(ctx, learner, doc)
    qtbot.addWidget(player)
    assert player.current == 1
    assert player.module_list.item(0).text().startswith("✓")


def test_unpublished_course_cannot_be_opened(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, creator: CurrentUser, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from app.services import authoring

    w = _window(qtbot, ctx)
    _sign_in_as(qtbot, w, learner)
    assert w.learn is not None
    [card] = w.learn.dashboard.cards
    authoring.set_status(ctx, creator, card.card.id, "archived")
    shown: list[str] = []
    monkeypatch.setattr("app.learn.learn_view.QMessageBox.warning", lambda *a: shown.append(a[2]))
    qtbot.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
    assert shown and "not published" in shown[0]
    assert w.learn.dashboard.cards == []
    assert accounts.list_profiles(ctx.db)


def test_unsaved_studio_edits_are_not_lost_on_surface_switch(
    qtbot: QtBot, ctx: AppContext, creator: CurrentUser, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    w = _window(qtbot, ctx)
    _sign_in_as(qtbot, w, creator)
    studio = w.studio
    assert studio is not None
    course_id = learning.list_catalogue(ctx, creator)[0].id
    assert studio.open_course(course_id)  # type: ignore[attr-defined]
    studio.editor.title_edit.setText("Learning How to Learn, revised")  # type: ignore[attr-defined]
    assert studio.has_unsaved_changes  # type: ignore[attr-defined]
    monkeypatch.setattr(
        "app.studio.studio_view.QMessageBox.question",
        lambda *a, **k: QMessageBox.StandardButton.Cancel,
    )
    w.show_surface("learn")
    assert w.surfaces.currentWidget() is studio  # stayed: the user cancelled
    w.sign_out()
    assert w.user is not None  # still signed in
