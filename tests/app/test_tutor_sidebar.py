"""Byte's sidebar beside the course player, driven through its widgets offscreen: streaming on
a worker thread, Stop, citations that open the module, hint / explain, feedback, history,
nudge cards, and the model it names. The model here is a scripted stand-in (the real model
runs in ``test_tutor_service``); everything else is real."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.learn.course_player import CoursePlayer
from app.learn.tutor_sidebar import TutorSidebar
from app.services import learning, tutor
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from engine.llm.base import GenerationSettings
from engine.llm.chain import ProviderChain
from engine.retrieval.embedding import HashingEmbedder
from sync.store.models import AIInteraction
from tests.engine.tutor.helpers import ScriptedProvider


@pytest.fixture
def provider() -> Iterator[ScriptedProvider]:
    p = ScriptedProvider(
        "Spacing spreads your study over several days, so each session starts with a bit of "
        "forgetting to overcome [M3].",
        delay=0.01,
    )
    tutor.set_runtime(
        tutor.TutorRuntime(ProviderChain([p]), HashingEmbedder(), GenerationSettings())
    )
    yield p
    tutor.set_runtime(None)


def _player(qtbot: QtBot, ctx: AppContext, user: CurrentUser) -> CoursePlayer:
    card = learning.list_catalogue(ctx, user)[0]
    player = CoursePlayer(ctx, user, learning.open_course(ctx, user, card.id))
    qtbot.addWidget(player)
    player.resize(1400, 860)
    player.show()
    return player


def _wait_idle(qtbot: QtBot, sidebar: TutorSidebar) -> None:
    qtbot.waitUntil(lambda: not sidebar.busy, timeout=15000)
    qtbot.wait(80)  # the queued signals of the finished task


def test_sidebar_sits_beside_the_player_with_named_controls(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, provider: ScriptedProvider
) -> None:
    player = _player(qtbot, ctx, learner)
    sidebar = player.findChild(TutorSidebar, "tutor-sidebar")
    assert sidebar is player.tutor and sidebar.isVisible()
    assert sidebar.x() > player.module_list.x()  # to the right of the module
    for name in ("tutor-ask", "tutor-hint", "tutor-explain", "tutor-stop", "tutor-helpful",
                 "tutor-unhelpful"):  # fmt: skip
        button = sidebar.findChild(QPushButton, name)
        assert button is not None and button.accessibleName(), name
    assert sidebar.input.accessibleName() == "Ask Byte a question"
    assert sidebar.model_label.text() == "Model: scripted-local · works offline"
    assert "Hi, I'm Byte" in sidebar.view.toPlainText()
    assert not sidebar.stop_button.isEnabled() and not sidebar.up.isEnabled()


def test_streams_an_answer_cites_the_module_and_jumps_to_it(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, provider: ScriptedProvider
) -> None:
    player = _player(qtbot, ctx, learner)
    sidebar = player.tutor
    seen: list[str] = []
    sidebar._stream.text.connect(seen.append)
    qtbot.keyClicks(sidebar.input, "What is spacing and interleaving?")
    qtbot.mouseClick(sidebar.ask_button, Qt.MouseButton.LeftButton)
    assert sidebar.busy and sidebar.stop_button.isEnabled() and not sidebar.ask_button.isEnabled()
    _wait_idle(qtbot, sidebar)
    assert len(seen) > 5  # arrived piece by piece from the worker thread
    text = sidebar.view.toPlainText()
    assert "Spacing spreads your study" in text
    assert "Sources: M3 · Spacing and interleaving" in text
    assert "Answered by scripted-local (on this device)" not in text  # scripted label differs
    assert "Answered by scripted-local" in text
    third = player.course.modules[2]
    assert f"module:{third.id}" in sidebar.view.toHtml()
    sidebar._link(QUrl(f"module:{third.id}"))  # what clicking the citation does
    assert player.current == 2 and player.module_list.currentRow() == 2
    assert sidebar.up.isEnabled() and sidebar.input.isEnabled()


def test_stop_cancels_the_running_answer(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, provider: ScriptedProvider
) -> None:
    provider.delay = 0.15
    sidebar = _player(qtbot, ctx, learner).tutor
    sidebar.ask(tutor.Mode.QUESTION, "What is spacing and interleaving?")
    qtbot.waitUntil(lambda: "Spacing" in sidebar.exchanges[-1].answer, timeout=10000)
    qtbot.mouseClick(sidebar.stop_button, Qt.MouseButton.LeftButton)
    _wait_idle(qtbot, sidebar)
    ex = sidebar.exchanges[-1]
    assert ex.stopped and not ex.pending and "forgetting to overcome" not in ex.answer
    assert "(stopped)" in sidebar.view.toPlainText()
    assert sidebar.status.text() == "Stopped." and not sidebar.stop_button.isEnabled()


def test_feedback_and_history_persist(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, provider: ScriptedProvider
) -> None:
    player = _player(qtbot, ctx, learner)
    sidebar = player.tutor
    sidebar.ask(tutor.Mode.QUESTION, "What is spacing and interleaving?")
    _wait_idle(qtbot, sidebar)
    qtbot.mouseClick(sidebar.down, Qt.MouseButton.LeftButton)
    with ctx.db.transaction() as s:
        assert s.query(AIInteraction).one().helpful is False
    qtbot.mouseClick(sidebar.up, Qt.MouseButton.LeftButton)
    with ctx.db.transaction() as s:
        assert s.query(AIInteraction).one().helpful is True
    assert sidebar.up.isChecked() and not sidebar.down.isChecked()
    reopened = _player(qtbot, ctx, learner).tutor  # history comes back
    assert "What is spacing and interleaving?" in reopened.view.toPlainText()
    assert "You found this helpful" in reopened.view.toPlainText()


def test_hint_and_explain_buttons_use_their_modes(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, provider: ScriptedProvider
) -> None:
    player = _player(qtbot, ctx, learner)
    sidebar = player.tutor
    qtbot.mouseClick(sidebar.hint_button, Qt.MouseButton.LeftButton)
    _wait_idle(qtbot, sidebar)
    qtbot.mouseClick(sidebar.explain_button, Qt.MouseButton.LeftButton)
    _wait_idle(qtbot, sidebar)
    assert [e.kind for e in sidebar.exchanges] == ["hint_request", "explanation"]
    assert "Mode: HINT" in provider.calls[0][1].content
    assert "Mode: EXPLANATION" in provider.calls[1][-1].content  # the conversation goes on
    assert [m.role for m in provider.calls[1]] == ["system", "user", "assistant", "user"]
    assert "[Hint]" in sidebar.view.toPlainText()
    with ctx.db.transaction() as s:
        rows = s.query(AIInteraction).all()
        assert {r.module_id for r in rows} == {player.module.id}


def test_wrong_answers_bring_a_nudge_card_that_asks_for_a_hint(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, provider: ScriptedProvider
) -> None:
    player = _player(qtbot, ctx, learner)
    sidebar = player.tutor
    assert sidebar.nudge_cards == []
    q = player.module.quiz[0]
    wrong = next(c.id for c in q.choices if not c.correct)
    for n in (1, 2):
        player._record_attempt(q, [wrong], False, n, 5)  # what the quiz panel calls
    [card] = sidebar.nudge_cards
    assert card.objectName() == "nudge-repeated_wrong"
    assert card.accessibleName() == "Suggestion from Byte: Want a hint?"
    action = card.findChild(QPushButton, "nudge-action")
    qtbot.mouseClick(action, Qt.MouseButton.LeftButton)
    _wait_idle(qtbot, sidebar)
    assert sidebar.exchanges[-1].kind == "hint_request"
    assert sidebar.nudge_cards == []  # acted on: gone


def test_model_text_is_escaped_and_only_citations_become_links() -> None:
    from app.learn.tutor_render import answer_html

    html = answer_html("<b onclick='x'>hi</b> **key idea** [M2] [M9]\n- one\n- two", {2: "mod-2"})
    assert "<b onclick" not in html and "&lt;b onclick=" in html
    assert "<b>key idea</b>" in html
    assert "href='module:mod-2'" in html and "[M9]" in html and "module:mod-9" not in html
    assert "<li>one</li><li>two</li>" in html


@pytest.mark.slow
def test_the_real_model_answers_in_the_sidebar(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    from tests.engine.tutor.helpers import real_embedder, real_local_provider

    rt = tutor.TutorRuntime(
        ProviderChain([real_local_provider()]),
        real_embedder(),
        GenerationSettings(max_tokens=40, temperature=0.0, timeout_s=240.0),
    )
    tutor.set_runtime(rt)
    try:
        sidebar = _player(qtbot, ctx, learner).tutor
        assert "Qwen2.5-Coder 1.5B Instruct (on this device) · works offline" in (
            sidebar.model_label.text()
        )
        sidebar.ask(tutor.Mode.QUESTION, "What does interleaving mean?")
        qtbot.waitUntil(lambda: not sidebar.busy, timeout=240_000)
        qtbot.wait(80)
        text = sidebar.view.toPlainText()
        assert "Answered by Qwen2.5-Coder 1.5B Instruct (on this device)" in text
        assert "Sources: M3 · Spacing and interleaving" in text
        assert sidebar.exchanges[-1].answer and sidebar.up.isEnabled()
    finally:
        tutor.set_runtime(None)


def test_a_failed_answer_is_said_once_and_retry_asks_again(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, provider: ScriptedProvider
) -> None:
    player = _player(qtbot, ctx, learner)
    sidebar = player.tutor
    provider.fail = "the model crashed"
    qtbot.keyClicks(sidebar.input, "What is spacing and interleaving?")
    qtbot.keyClick(sidebar.input, Qt.Key.Key_Return)
    _wait_idle(qtbot, sidebar)
    assert sidebar.retry_button.isVisible() and sidebar.retry_button.accessibleName()
    assert sidebar.status.text() == "Byte couldn't answer. Retry?"
    assert sidebar.view.toPlainText().count("the model crashed") == 1  # said once
    provider.fail = None
    qtbot.mouseClick(sidebar.retry_button, Qt.MouseButton.LeftButton)
    _wait_idle(qtbot, sidebar)
    assert not sidebar.retry_button.isVisible()
    assert len(sidebar.exchanges) == 1 and not sidebar.exchanges[0].error  # replaced
    assert "Spacing spreads" in sidebar.exchanges[0].answer


def test_a_follow_up_in_the_sidebar_continues_the_conversation(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser, provider: ScriptedProvider
) -> None:
    player = _player(qtbot, ctx, learner)
    sidebar = player.tutor
    for question in ("What is spacing and interleaving?", "Can you say that more simply?"):
        qtbot.keyClicks(sidebar.input, question)
        qtbot.keyClick(sidebar.input, Qt.Key.Key_Return)
        _wait_idle(qtbot, sidebar)
    assert len(sidebar.turns) == 2 and sidebar.status.text() == ""  # both answered
    follow_up = provider.calls[-1]
    assert [m.role for m in follow_up] == ["system", "user", "assistant", "user"]
    assert "more simply" in follow_up[-1].content


class _Reads(ScriptedProvider):
    """Records the prompt beginnings it is asked to read ahead."""

    def __init__(self) -> None:
        super().__init__("Spacing spreads study over days [M3].")
        self.prepared: list[str] = []

    def prepare(self, messages, cancel=None):  # type: ignore[no-untyped-def]
        self.prepared.append(messages[-1].content)
        return True


@pytest.mark.read_ahead
def test_opening_a_module_reads_it_ahead_in_the_background_and_closing_stops_it(
    qtbot: QtBot, ctx: AppContext, learner: CurrentUser
) -> None:
    reads = _Reads()
    tutor.set_runtime(
        tutor.TutorRuntime(ProviderChain([reads]), HashingEmbedder(), GenerationSettings())
    )
    try:
        player = _player(qtbot, ctx, learner)
        sidebar = player.tutor
        qtbot.waitUntil(lambda: len(reads.prepared) >= 2, timeout=15000)
        first, second = reads.prepared[:2]
        on_screen = sidebar.module_title or ""
        assert on_screen and on_screen in first.split("\n")[2]  # the module on screen first
        assert "[M2]" in second  # then the next one
        qtbot.waitUntil(lambda: sidebar.prepare_handle is not None and sidebar.prepare_handle.done)
        assert not sidebar.busy  # reading ahead never blocks asking
    finally:
        tutor.set_runtime(None)
