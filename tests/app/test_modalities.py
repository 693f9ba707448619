"""The modality switcher and the Text, Flashcards, ByteFeed, ByteMind and BytePlay views,
driven through the real widgets offscreen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.learn.course_player import CoursePlayer
from app.learn.modalities import registry
from app.learn.modalities.feed_view import FeedView
from app.learn.modalities.flashcards_view import FlashcardsView
from app.learn.modalities.game_view import GameView
from app.learn.modalities.mindmap_view import MindMapView, MindNode
from app.learn.modalities.text_view import TextView
from app.services import flashcards, learning
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from engine.modalities import game
from sync.store.models import LearningEvent


def _player(qtbot: QtBot, ctx: AppContext, user: CurrentUser) -> CoursePlayer:
    course = learning.open_course(ctx, user, learning.list_catalogue(ctx, user)[0].id)
    p = CoursePlayer(ctx, user, course)
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    return p


def _events(ctx: AppContext, user: CurrentUser, kind: str) -> list[LearningEvent]:
    with ctx.db.transaction() as s:
        return list(
            s.scalars(
                select(LearningEvent)
                .where(LearningEvent.user_id == user.id, LearningEvent.event_type == kind)
                .order_by(LearningEvent.created_at)
            )
        )


def test_switcher_shows_all_seven_and_records_the_choice(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    p = _player(qtbot, ctx, learner)
    assert list(p.modality_buttons) == [
        "text",
        "video",
        "audio",
        "mindmap",
        "flashcards",
        "feed",
        "game",
    ]
    assert p.recommended in registry.NAMES
    assert p.recommendation.text().startswith("Byte suggests")
    star = [b.text() for b in p.modality_buttons.values() if b.text().startswith("★")]
    assert star == [f"★ {registry.LABELS[p.recommended]}"]
    qtbot.mouseClick(p.modality_buttons["mindmap"], Qt.MouseButton.LeftButton)
    assert p.modality == "mindmap" and isinstance(p.modality_stack.currentWidget(), MindMapView)
    [switch] = _events(ctx, learner, "modality_switch")
    assert switch.payload["from"] == "text" and switch.payload["to"] == "mindmap"
    assert switch.payload["recommended"] == p.recommended
    assert switch.modality == "mindmap"
    # the choice sticks across modules, and later events carry it
    qtbot.mouseClick(p.next_button, Qt.MouseButton.LeftButton)
    assert p.modality == "mindmap" and isinstance(p.modality_stack.currentWidget(), MindMapView)
    assert _events(ctx, learner, "module_start")[-1].modality == "mindmap"


def test_text_font_size(qtbot: QtBot, ctx: AppContext, learner: CurrentUser) -> None:
    p = _player(qtbot, ctx, learner)
    view = p.views["text"]
    assert isinstance(view, TextView)
    before = view.point_size
    qtbot.mouseClick(view.larger, Qt.MouseButton.LeftButton)
    assert view.point_size == before + 1
    body_pt = view.template.body_pt * (before + 1) / 11
    assert f"font-size: {body_pt:.1f}pt" in view.browser.document().defaultStyleSheet()
    for _ in range(40):
        view.smaller.click()
    assert not view.smaller.isEnabled() and "Why we forget" in view.browser.toPlainText()


def test_flashcards_review_on_fsrs(qtbot: QtBot, ctx: AppContext, learner: CurrentUser) -> None:
    p = _player(qtbot, ctx, learner)
    p.switch_modality("flashcards")
    view = p.views["flashcards"]
    assert isinstance(view, FlashcardsView)
    total = len(view.cards)
    assert total > 3 and view.current is not None
    assert f"{total} due" in view.status.text()
    first = view.current
    qtbot.mouseClick(view.show_button, Qt.MouseButton.LeftButton)
    assert view.back.text() == first.back
    qtbot.mouseClick(view.grade_buttons["good"], Qt.MouseButton.LeftButton)
    second = view.current
    assert second is not None and second.card_id != first.card_id
    view.reveal()
    view.grade("again")
    [good, _again] = _events(ctx, learner, "quiz_attempt")
    assert good.modality == "flashcards" and good.payload["grade"] == "good"
    assert good.payload["flashcard_id"] == first.card_id and "fsrs_log" in good.payload
    # replayed from the events, "good" schedules further out than "again"
    deck = {c.card_id: c for c in flashcards.deck(ctx, learner, p.module)}
    assert deck[first.card_id].due > deck[second.card_id].due
    assert view.status.text().startswith(f"{total - 2} due")  # both wait for their next review


def test_flashcards_all_caught_up(qtbot: QtBot, ctx: AppContext, learner: CurrentUser) -> None:
    p = _player(qtbot, ctx, learner)
    p.switch_modality("flashcards")
    view = p.views["flashcards"]
    assert isinstance(view, FlashcardsView)
    for _ in range(len(view.cards)):
        view.reveal()
        view.grade("easy")
    assert view.current is None and "caught up" in view.front.text()
    assert "Next review in" in view.back.text()


def test_feed_cards_and_questions(qtbot: QtBot, ctx: AppContext, learner: CurrentUser) -> None:
    p = _player(qtbot, ctx, learner)
    p.switch_modality("feed")
    view = p.views["feed"]
    assert isinstance(view, FeedView)
    assert len(view.widgets) == len(view.cards) >= 6
    view.show_card(4)
    assert view.position == 4
    view.next_card()
    assert view.position == 5
    qcard = next(w for w in view.widgets if w.question_widget is not None)
    qw = qcard.question_widget
    assert qw is not None
    qw.select(sorted(qw.question.correct_ids))
    qtbot.mouseClick(qw.check_button, Qt.MouseButton.LeftButton)
    [attempt] = _events(ctx, learner, "quiz_attempt")
    assert attempt.modality == "feed" and attempt.payload["correct"] is True


def test_mindmap_nodes_select_and_zoom(qtbot: QtBot, ctx: AppContext, learner: CurrentUser) -> None:
    p = _player(qtbot, ctx, learner)
    p.switch_modality("mindmap")
    view = p.views["mindmap"]
    assert isinstance(view, MindMapView)
    nodes = [i for i in view.scene.items() if isinstance(i, MindNode)]
    assert len(nodes) == view.graph.number_of_nodes() > 5
    concept = next(n for n in nodes if n.kind == "concept")
    view.select(concept.node_id)
    assert concept.label in view.detail.text()
    before = view.view.transform().m11()
    qtbot.mouseClick(
        view.findChild(type(p.next_button), "mindmap-zoom-in"), Qt.MouseButton.LeftButton
    )
    assert view.view.transform().m11() > before


def test_byteplay_score_lives_and_attempts(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    p = _player(qtbot, ctx, learner)
    p.switch_modality("game")
    view = p.views["game"]
    assert isinstance(view, GameView)
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
    rnd = view.state.current
    assert rnd is not None and len(view.choice_buttons) == len(rnd.choices)
    right = next(i for i, c in enumerate(rnd.choices) if c.correct)
    qtbot.mouseClick(view.choice_buttons[right], Qt.MouseButton.LeftButton)
    assert view.state.score > 0 and "Correct" in view.feedback.text()
    view.advance()
    rnd = view.state.current
    assert rnd is not None
    view.time_out()
    assert view.state.lives == game.LIVES - 1 and "Time's up" in view.feedback.text()
    while not view.state.over:
        view.advance()
        view.time_out()
    view.advance()
    assert view.start_button.isVisible() and "Score" in view.prompt.text()
    quiz_rounds = sum(1 for r in view.state.rounds[: view.state.index] if r.question)
    attempts = _events(ctx, learner, "quiz_attempt")
    assert len(attempts) == quiz_rounds and all(a.modality == "game" for a in attempts)


def test_due_flashcards_become_the_next_action(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    from datetime import timedelta

    from app.learn.learn_view import LearnView
    from app.services import twin
    from sync.store.column_types import utcnow

    course = learning.open_course(ctx, learner, learning.list_catalogue(ctx, learner)[0].id)
    module = course.modules[0]
    for card in flashcards.deck(ctx, learner, module)[:8]:
        flashcards.review(ctx, learner, course.id, card, "again", 3)
    later = utcnow() + timedelta(days=3)
    summary = twin.refresh_twin(ctx, learner, now=later)
    action = summary.next_action
    assert action.type == "review_flashcards", action
    assert "due for review" in action.reason
    assert (action.course_id, action.module_id, action.modality) == (
        course.id,
        module.id,
        "flashcards",
    )
    view = LearnView(ctx, learner)
    qtbot.addWidget(view)
    view.dashboard._perform(action)
    assert view.player is not None and view.player.modality == "flashcards"
