"""The Digital Learner Twin wired into the app: service writes, dashboard card, skills view."""

from __future__ import annotations

import time
from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.learn.course_player import CoursePlayer
from app.learn.learn_view import LearnView
from app.learn.skills_view import SkillNode
from app.services import learning, twin
from app.services.accounts import CurrentUser
from app.services.authoring import CourseDoc
from app.services.context import AppContext
from sync.store.column_types import utcnow
from sync.store.models import LearnerProfile, LearnerSkill, Skill, SkillGap

RETRIEVAL = "e1ac0c02-d034-52dc-a555-ac56c5f54edd"
SPACING = "1c359466-0a1a-51e8-949c-c726e767d30d"
PLANNING = "a97234f8-084b-5319-b4cf-3d9f463ec394"
SCIENCE = "963a83b4-d8f0-5a13-ad82-5ce07278dda2"


def _course(ctx: AppContext, user: CurrentUser) -> CourseDoc:
    return learning.open_course(ctx, user, learning.list_catalogue(ctx, user)[0].id)


def _answer(
    ctx: AppContext, user: CurrentUser, doc: CourseDoc, skill: str, correct: bool, n: int = 1
) -> None:
    """Answer ``n`` rounds of every demo question that is tagged with ``skill``."""
    for _ in range(n):
        for m in doc.modules:
            for q in m.quiz:
                if skill not in q.skill_ids:
                    continue
                learning.record_event(
                    ctx,
                    user,
                    "quiz_attempt",
                    course_id=doc.id,
                    module_id=m.id,
                    duration_secs=30,
                    payload={
                        "question_id": q.id,
                        "selected": [],
                        "correct": correct,
                        "attempt_no": 1,
                        "skill_ids": list(q.skill_ids),
                    },
                )


def _complete(ctx: AppContext, user: CurrentUser, doc: CourseDoc, index: int) -> None:
    m = doc.modules[index]
    learning.record_event(ctx, user, "module_start", course_id=doc.id, module_id=m.id)
    learning.record_event(
        ctx, user, "module_complete", course_id=doc.id, module_id=m.id, duration_secs=420
    )


def _gaps(ctx: AppContext, user: CurrentUser) -> list[SkillGap]:
    with ctx.db.transaction() as s:
        rows = s.scalars(select(SkillGap).where(SkillGap.user_id == user.id)).all()
        s.expunge_all()
        return list(rows)


def test_refresh_twin_writes_profile_mastery_gaps_and_next_action(
    ctx: AppContext, learner: CurrentUser
) -> None:
    doc = _course(ctx, learner)
    _complete(ctx, learner, doc, 0)
    _answer(ctx, learner, doc, RETRIEVAL, correct=True)
    _answer(ctx, learner, doc, SPACING, correct=False)
    summary = twin.refresh_twin(ctx, learner)

    with ctx.db.transaction() as s:
        skills = {
            r.skill_id: r
            for r in s.scalars(select(LearnerSkill).where(LearnerSkill.user_id == learner.id))
        }
        profile = s.scalars(
            select(LearnerProfile).where(LearnerProfile.user_id == learner.id)
        ).one()
        level = {k: r.proficiency_level or 0.0 for k, r in skills.items()}
        assert level[RETRIEVAL] > level[SPACING]
        assert all(0.0 <= v <= 1.0 for v in level.values())
        assert (skills[RETRIEVAL].evidence_count or 0) >= 1
        assert skills[RETRIEVAL].last_assessed_at is not None
        assert (profile.total_learning_minutes or 0.0) > 0
        assert profile.last_active_at is not None
        assert 0.0 <= (profile.overall_engagement_score or -1.0) <= 1.0
        assert profile.avg_completion_rate == 1.0
        nba = profile.next_best_action
        assert nba is not None and nba["reason"] and nba["type"] == summary.next_action.type
    assert summary.mastery[RETRIEVAL] > summary.mastery[SPACING]

    # low-mastery target skills have open gaps, one row each; the well-answered one may not
    open_gaps = [g for g in _gaps(ctx, learner) if g.resolved_at is None]
    assert SPACING in {g.skill_id for g in open_gaps}
    assert len({g.skill_id for g in open_gaps}) == len(open_gaps)
    assert summary.next_action.reason


def test_gaps_resolve_when_mastery_passes_target_and_never_duplicate(
    ctx: AppContext, learner: CurrentUser
) -> None:
    doc = _course(ctx, learner)
    _complete(ctx, learner, doc, 0)
    _answer(ctx, learner, doc, SPACING, correct=False)
    first = twin.refresh_twin(ctx, learner)
    assert SPACING in first.open_gaps
    twin.refresh_twin(ctx, learner)  # refreshing again must not open a second row
    spacing = [g for g in _gaps(ctx, learner) if g.skill_id == SPACING]
    assert len(spacing) == 1 and spacing[0].resolved_at is None

    _answer(ctx, learner, doc, SPACING, correct=True, n=8)
    after = twin.refresh_twin(ctx, learner)
    assert after.mastery[SPACING] >= 0.8
    assert SPACING not in after.open_gaps
    spacing = [g for g in _gaps(ctx, learner) if g.skill_id == SPACING]
    assert len(spacing) == 1 and spacing[0].resolved_at is not None
    assert spacing[0].gap_score == 0.0
    with ctx.db.transaction() as s:
        nba = s.scalars(
            select(LearnerProfile.next_best_action).where(LearnerProfile.user_id == learner.id)
        ).one()
    assert nba is not None and nba["reason"]


def test_next_action_continues_the_course_and_points_at_a_module(
    ctx: AppContext, learner: CurrentUser
) -> None:
    doc = _course(ctx, learner)
    for i in range(2):
        _complete(ctx, learner, doc, i)
    for skill in (SCIENCE, RETRIEVAL, SPACING, PLANNING):
        _answer(ctx, learner, doc, skill, correct=True, n=6)
    action = twin.refresh_twin(ctx, learner).next_action
    assert action.type == "continue_module"
    assert action.course_id == doc.id and action.module_id == doc.modules[2].id
    assert doc.modules[2].title in action.reason


def test_refresh_twin_is_fast(ctx: AppContext, learner: CurrentUser) -> None:
    doc = _course(ctx, learner)
    for i in range(len(doc.modules)):
        _complete(ctx, learner, doc, i)
    for i in range(70):
        _answer(ctx, learner, doc, [RETRIEVAL, SPACING, PLANNING][i % 3], correct=i % 4 != 0)
    twin.refresh_twin(ctx, learner)
    best = min(_timed(ctx, learner) for _ in range(5))
    assert twin.refresh_twin(ctx, learner).events >= 200
    assert best < 0.1, f"refresh_twin took {best * 1000:.0f} ms"


def _timed(ctx: AppContext, user: CurrentUser) -> float:
    t = time.perf_counter()
    twin.refresh_twin(ctx, user)
    return time.perf_counter() - t


def test_skills_overview_lists_the_demo_tree(ctx: AppContext, learner: CurrentUser) -> None:
    doc = _course(ctx, learner)
    _complete(ctx, learner, doc, 0)
    _answer(ctx, learner, doc, SPACING, correct=False)
    twin.refresh_twin(ctx, learner)
    views = {v.id: v for v in twin.skills_overview(ctx, learner)}
    assert set(views) >= {SCIENCE, RETRIEVAL, SPACING, PLANNING}
    assert views[SCIENCE].parent_id is None and views[SPACING].parent_id == SCIENCE
    assert views[SPACING].gap_open and views[SPACING].target == 0.8
    assert views[SPACING].mastery is not None and views[SPACING].evidence > 0
    assert views[SCIENCE].target is None


def test_dashboard_card_and_skills_view(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    doc = _course(ctx, learner)
    _complete(ctx, learner, doc, 0)
    _answer(ctx, learner, doc, SCIENCE, correct=True, n=4)
    _answer(ctx, learner, doc, RETRIEVAL, correct=True, n=6)
    _answer(ctx, learner, doc, SPACING, correct=False)
    view = LearnView(ctx, learner)
    qtbot.addWidget(view)
    view.show()
    card = view.dashboard.next_action
    assert card.objectName() == "next-action-card" and card.isVisible()
    action = view.dashboard.twin.next_action if view.dashboard.twin else None
    assert action is not None
    assert card.title.text() == action.title and card.reason.text() == action.reason
    assert action.reason and action.can_open and card.go_button.isVisible()

    # the button performs the action: practice for a gap, else the player at the module
    qtbot.mouseClick(card.go_button, Qt.MouseButton.LeftButton)
    if action.type == "close_skill_gap":
        assert view.practice is not None and view.currentWidget() is view.practice
        assert view.practice.session.skill_id == action.skill_id
        qtbot.mouseClick(view.practice.back_button, Qt.MouseButton.LeftButton)
    else:
        assert view.player is not None and view.currentWidget() is view.player
        assert view.player.module.id == action.module_id
        qtbot.mouseClick(view.player.back_button, Qt.MouseButton.LeftButton)

    skills_button = view.dashboard.findChild(type(card.go_button), "open-skills")
    assert skills_button is not None
    qtbot.mouseClick(skills_button, Qt.MouseButton.LeftButton)
    sv = view.skills
    assert sv is not None and view.currentWidget() is sv
    with ctx.db.transaction() as s:
        names = {k.id: k.name for k in s.scalars(select(Skill))}
    assert set(sv.nodes) == set(names)
    nodes = [i for i in sv.scene.items() if isinstance(i, SkillNode)]
    assert len(nodes) == len(names)
    spacing = sv.nodes[SPACING]
    assert spacing.gap_text is not None and spacing.gap_text.text() == "gap"
    assert "%" in spacing.mastery_text.text() and "target 80%" in spacing.mastery_text.text()
    assert "skill gap" in spacing.accessible_name
    assert spacing.pos().y() > sv.nodes[SCIENCE].pos().y()  # child drawn below its parent
    edges = [i for i in sv.scene.items() if i.type() == 6]  # QGraphicsLineItem
    assert len(edges) == 3
    assert sv.table.rowCount() == len(names)
    items = [sv.table.item(r, 0) for r in range(sv.table.rowCount())]
    table_names = {i.text() for i in items if i is not None}
    assert table_names == set(names.values())
    assert sv.graph.accessibleName() == "Skills graph"
    qtbot.mouseClick(sv.back_button, Qt.MouseButton.LeftButton)
    assert view.currentWidget() is view.dashboard and view.skills is None


def test_completing_a_module_in_the_player_refreshes_the_twin(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    doc = _course(ctx, learner)
    player = CoursePlayer(ctx, learner, doc)
    qtbot.addWidget(player)
    assert player.quiz is not None
    for item in player.quiz.items:
        item.select(sorted(item.question.correct_ids))
        qtbot.mouseClick(item.check_button, Qt.MouseButton.LeftButton)
    before = utcnow() - timedelta(seconds=1)
    qtbot.mouseClick(player.complete_button, Qt.MouseButton.LeftButton)
    assert player.twin is not None and SCIENCE in player.twin.mastery
    with ctx.db.transaction() as s:
        row = s.scalars(
            select(LearnerSkill).where(
                LearnerSkill.user_id == learner.id, LearnerSkill.skill_id == SCIENCE
            )
        ).one()
        profile = s.scalars(
            select(LearnerProfile).where(LearnerProfile.user_id == learner.id)
        ).one()
    assert row.evidence_count == len(doc.modules[0].quiz)
    assert profile.next_best_action is not None
    assert profile.updated_at is not None and profile.updated_at >= before
