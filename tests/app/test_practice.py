"""Adaptive practice: questions chosen for the 70–85 % band, answers recorded as events."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.learn.learn_view import LearnView
from app.services import learning, practice, twin
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from sync.store.models import LearnerProfile, LearningEvent, Skill


def _skill(ctx: AppContext, slug: str) -> str:
    with ctx.db.transaction() as s:
        return s.scalars(select(Skill.id).where(Skill.slug == slug)).one()


def _course(ctx: AppContext, user: CurrentUser) -> str:
    return learning.list_catalogue(ctx, user)[0].id


def test_practice_keeps_to_the_skill_and_records_answers(
    ctx: AppContext, learner: CurrentUser
) -> None:
    retrieval = _skill(ctx, "retrieval-practice")
    session = practice.start(ctx, learner, _course(ctx, learner), retrieval)
    assert session.skill_name == "Retrieval practice"
    assert all(retrieval in q.skill_ids for _m, q in session.bank.values())
    seen = []
    for _ in range(6):
        item = practice.next_question(ctx, learner, session)
        assert 0.0 <= item.choice.predicted_success <= 1.0 and item.choice.reason
        seen.append(item.question.id)
        practice.answer(ctx, learner, session, item, sorted(item.question.correct_ids), 15)
    assert session.correct == 6
    # with more questions than the recent window, the last few are never repeated at once
    if len(session.bank) > practice.RECENT:
        for i in range(practice.RECENT, len(seen)):
            assert seen[i] not in seen[i - practice.RECENT : i]
    with ctx.db.transaction() as s:
        rows = s.scalars(
            select(LearningEvent).where(LearningEvent.event_type == "quiz_attempt")
        ).all()
    assert len(rows) == 6
    assert all(r.payload["practice"] and r.payload["attempt_no"] == 1 for r in rows)


def test_choice_tracks_ability(ctx: AppContext, learner: CurrentUser) -> None:
    """A learner who keeps failing gets easier-predicted questions than one who succeeds."""
    course = _course(ctx, learner)
    session = practice.start(ctx, learner, course)
    first = practice.next_question(ctx, learner, session)
    for _ in range(8):
        item = practice.next_question(ctx, learner, session)
        wrong = [c.id for c in item.question.choices if not c.correct][:1]
        practice.answer(ctx, learner, session, item, wrong, 5)
    after = practice.next_question(ctx, learner, session)
    assert after.choice.predicted_success < first.choice.predicted_success


def test_practice_moves_difficulty_comfort(ctx: AppContext, learner: CurrentUser) -> None:
    session = practice.start(ctx, learner, _course(ctx, learner))
    for _ in range(12):
        item = practice.next_question(ctx, learner, session)
        wrong = [c.id for c in item.question.choices if not c.correct][:1]
        practice.answer(ctx, learner, session, item, wrong, 5)
    twin.refresh_twin(ctx, learner)
    with ctx.db.transaction() as s:
        comfort = s.scalars(
            select(LearnerProfile.difficulty_comfort).where(LearnerProfile.user_id == learner.id)
        ).one()
    assert comfort == "beginner"


def test_practice_view_through_widgets(qtbot: QtBot, ctx: AppContext, learner: CurrentUser) -> None:
    view = LearnView(ctx, learner)
    qtbot.addWidget(view)
    view.show()
    view.practise(_course(ctx, learner), _skill(ctx, "spaced-repetition"))
    pv = view.practice
    assert pv is not None and view.currentWidget() is pv
    assert "Why this question" in pv.reason.text()
    assert not pv.next_button.isEnabled()
    qw = pv.question_widget
    assert qw is not None
    qw.select(sorted(qw.question.correct_ids))
    qtbot.mouseClick(qw.check_button, Qt.MouseButton.LeftButton)
    assert pv.score.text() == "1 of 1 right" and pv.next_button.isEnabled()
    qtbot.mouseClick(pv.next_button, Qt.MouseButton.LeftButton)
    assert pv.question_widget is not qw and not pv.next_button.isEnabled()
    qtbot.mouseClick(pv.back_button, Qt.MouseButton.LeftButton)
    assert view.currentWidget() is view.dashboard and view.practice is None


def test_skills_view_practise_button(qtbot: QtBot, ctx: AppContext, learner: CurrentUser) -> None:
    view = LearnView(ctx, learner)
    qtbot.addWidget(view)
    view.show()
    view.show_skills()
    sv = view.skills
    assert sv is not None
    qtbot.mouseClick(sv.practise_button, Qt.MouseButton.LeftButton)
    assert "Select a skill" in sv.practise_hint.text()
    row = next(i for i, k in enumerate(sv.skills) if k.name == "Study planning")
    sv.table.selectRow(row)
    qtbot.mouseClick(sv.practise_button, Qt.MouseButton.LeftButton)
    assert view.practice is not None and view.practice.session.skill_name == "Study planning"
