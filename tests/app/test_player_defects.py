"""The course player as a new learner meets it (issue 11, items 2-6 in the player): the
module list is never a sliver and its sizes are remembered; nothing is squeezed at
1024x700; a wrong answer doesn't give the answer away; answers survive leaving a module;
keyboard order is content -> quiz -> tutor and Enter checks; the suggestion's reason fits
the modality shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget
from pytestqt.qtbot import QtBot

import app.learn.course_player as course_player
from app.learn.course_player import CoursePlayer
from app.services import learning
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from engine.adaptive.dispatcher import ModalityRecommendation


@pytest.fixture(autouse=True)
def own_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ini = tmp_path / "settings.ini"
    monkeypatch.setattr(
        course_player, "settings", lambda: QSettings(str(ini), QSettings.Format.IniFormat)
    )
    return ini


def _player(
    qtbot: QtBot, ctx: AppContext, user: CurrentUser, size: tuple[int, int]
) -> CoursePlayer:
    card = learning.list_catalogue(ctx, user)[0]
    player = CoursePlayer(ctx, user, learning.open_course(ctx, user, card.id))
    qtbot.addWidget(player)
    player.resize(*size)
    player.show()
    qtbot.waitExposed(player)
    QApplication.processEvents()
    return player


@pytest.mark.parametrize("size", [(1024, 668), (1280, 788)])  # the window less its bars
def test_module_list_is_readable_and_never_scrolls_sideways(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, size: tuple[int, int]
) -> None:
    p = _player(qtbot, ctx, learner, size)
    assert p.module_list.width() >= course_player.MODULE_LIST_MIN
    assert not p.module_list.horizontalScrollBar().isVisible()
    rect = p.module_list.visualItemRect(p.module_list.item(2))  # "3. Spacing and interleaving"
    assert rect.width() <= p.module_list.viewport().width()


def test_splitter_sizes_are_remembered(qtbot: QtBot, ctx: AppContext, learner: CurrentUser) -> None:
    p = _player(qtbot, ctx, learner, (1400, 860))
    sizes = p.split.sizes()
    p.split.setSizes([320, sizes[0] + sizes[1] - 320, sizes[2]])
    p.split.splitterMoved.emit(320, 1)  # what a drag of the handle emits
    kept = p.split.sizes()
    assert kept[0] == 320
    again = _player(qtbot, ctx, learner, (1400, 860))
    assert again.split.sizes()[0] == 320


def test_nothing_is_squeezed_at_1024x700_and_byte_folds_away(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    p = _player(qtbot, ctx, learner, (1024, 668))
    assert not p.tutor.isVisible()  # below 1100 px Byte folds away...
    assert p.tutor_toggle.text() == "Ask Byte"

    def all_fit() -> None:
        for b in [*p.modality_buttons.values(), p.complete_button, p.next_button]:
            assert b.width() >= b.sizeHint().width(), b.text()
            right = b.mapTo(p, b.rect().topRight()).x()
            assert right <= p.width(), b.text()

    all_fit()
    p.tutor_toggle.click()  # ...and comes back on request: the modality row wraps
    QApplication.processEvents()
    assert p.tutor.isVisible() and p.tutor_toggle.text() == "Hide Byte"
    all_fit()
    wide = _player(qtbot, ctx, learner, (1280, 788))
    assert wide.tutor.isVisible()


def _first_module_quiz(p: CoursePlayer):  # type: ignore[no-untyped-def]
    p.show_page(1)
    assert p.quiz is not None
    return p.quiz.items


def test_a_wrong_answer_does_not_give_the_answer_away(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    p = _player(qtbot, ctx, learner, (1280, 788))
    q = _first_module_quiz(p)[0]
    explanation = q.question.explanation
    assert explanation
    wrong = next(c.id for c in q.question.choices if not c.correct)
    q.select([wrong])
    q.check()
    assert "try again" in q.feedback.text()
    assert explanation not in q.feedback.text()
    assert q.reveal_button.isVisibleTo(q)
    q.reveal_button.click()  # the learner gives up
    assert explanation in q.feedback.text() and q.correct_text() in q.feedback.text()
    assert not q.check_button.isEnabled()

    right = _first_module_quiz(p)[1]
    right.select([c.id for c in right.question.choices if c.correct])
    right.check()
    assert right.feedback.text().startswith("✓ Correct.")
    assert right.question.explanation in right.feedback.text()
    assert not right.reveal_button.isVisibleTo(right)


def test_quiz_answers_survive_leaving_the_module(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    p = _player(qtbot, ctx, learner, (1280, 788))
    first, second = _first_module_quiz(p)[:2]
    wrong = next(c.id for c in first.question.choices if not c.correct)
    right = [c.id for c in second.question.choices if c.correct]
    first.select([wrong])
    first.check()
    second.select(right)
    second.check()
    p.next_module()
    p.previous_module()  # back, without having pressed Complete
    a, b = _first_module_quiz(p)[:2]
    assert a.selected() == [wrong] and a.attempts == 1 and "try again" in a.feedback.text()
    assert b.selected() == right and b.answered_correctly and "Correct" in b.feedback.text()
    # and in a later visit (a new player), from the recorded quiz_attempt events
    later = _player(qtbot, ctx, learner, (1280, 788))
    a2, b2 = _first_module_quiz(later)[:2]
    assert a2.selected() == [wrong] and a2.attempts == 1
    assert b2.selected() == right and b2.answered_correctly


def _chain(p: CoursePlayer) -> list[QWidget]:
    out: list[QWidget] = []
    w = p.back_button
    for _ in range(400):
        if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisibleTo(p) and w.isEnabled():
            out.append(w)
        w = w.nextInFocusChain()
        if w is p.back_button:
            break
    return out


def test_tab_order_is_content_quiz_tutor_and_skips_unnamed_scroll_areas(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    p = _player(qtbot, ctx, learner, (1400, 860))
    chain = _chain(p)
    reader = p.reader
    p.show_page(1)
    chain_quiz = _chain(p)
    assert p.quiz is not None
    first_option = next(iter(p.quiz.items[0].buttons.values()))
    assert chain.index(reader) < chain.index(p.tutor.input)
    assert chain.index(reader) < 14  # it was tab stop 14, after the whole tutor panel
    assert chain_quiz.index(first_option) < chain_quiz.index(p.tutor.input)
    assert chain_quiz.index(p.quiz_button) < chain_quiz.index(first_option)
    for w in chain + chain_quiz:
        if isinstance(w, QAbstractScrollArea):
            assert w.accessibleName(), w.objectName()


def test_enter_on_a_chosen_option_checks_the_answer(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    p = _player(qtbot, ctx, learner, (1280, 788))
    q = _first_module_quiz(p)[0]
    option = next(iter(q.buttons.values()))
    option.setChecked(True)
    option.setFocus()
    qtbot.keyClick(option, Qt.Key.Key_Return)
    assert q.attempts == 1 and q.feedback.text()
    qtbot.keyClick(q.check_button, Qt.Key.Key_Enter)
    assert q.attempts == 2


def test_the_suggestion_reason_fits_the_modality_shown(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import modalities

    def suggest(_ctx, _user, _module_id, _available, current=None):  # type: ignore[no-untyped-def]
        reason = (
            "It's a good way to start." if current == "flashcards" else "Why not try flashcards?"
        )
        return ModalityRecommendation("flashcards", reason, "thompson", {})

    monkeypatch.setattr(modalities, "suggest", suggest)
    p = _player(qtbot, ctx, learner, (1280, 788))
    assert "Why not try flashcards?" in p.recommendation.text()
    p.switch_modality("flashcards")
    text = p.recommendation.text()
    assert "Why not try" not in text
    assert "It's a good way to start." in text and "You're using it now." in text
