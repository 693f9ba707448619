"""Studio's "Generate with AI": a pasted source and a brief become a reviewed draft course,
driven through the real dialog with the real local model."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.services import authoring, generation
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.generate_dialog import GenerateCourseDialog
from engine.generation.pipeline import Brief

SOURCE = """# Fire safety at work

Every workplace needs a fire risk assessment. It identifies what could start a fire and who is
at risk.

## Extinguishers

Water extinguishers must never be used on electrical fires. Carbon dioxide extinguishers are
the right choice for electrical equipment.

## Evacuation

Know your nearest exit and your assembly point. Never use lifts during a fire.
"""


def test_bad_briefs_are_refused(ctx: AppContext) -> None:
    with pytest.raises(UserError, match="topic"):
        generation.new_job(ctx, Brief(topic=" "), [])
    with pytest.raises(UserError, match="between 1 and 8"):
        generation.new_job(ctx, Brief(topic="x", modules=20), [])
    with pytest.raises(UserError, match="http"):
        generation.from_url("ftp://example")


@pytest.mark.slow
def test_generate_a_draft_through_the_dialog(
    qtbot: QtBot, ctx: AppContext, creator: CurrentUser
) -> None:
    dlg = GenerateCourseDialog(ctx, creator)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg._add(lambda _c: generation.from_text(SOURCE, "Fire notes"), "pasted text")
    qtbot.waitUntil(lambda: len(dlg.sources) == 1, timeout=10_000)
    assert dlg.topic.text() == "Fire safety at work"  # taken from the source
    dlg.modules.setValue(1)
    dlg.skills.setText("Fire safety")
    dlg.generate()
    assert not dlg.generate_button.isEnabled() and dlg.cancel_button.isEnabled()
    qtbot.waitUntil(
        lambda: dlg.course_id is not None or "could not" in dlg.status.text(), timeout=600_000
    )
    assert dlg.course_id is not None, dlg.status.text()
    assert dlg.open_button.isVisible() and "supported by your sources" in dlg.review.toPlainText()
    doc = authoring.load_course(ctx, dlg.course_id)
    assert doc.status == "draft" and len(doc.modules) == 1
    assert doc.modules[0].blocks and doc.modules[0].quiz
    names = {k.id: k.name for k in authoring.list_skills(ctx, creator)}
    assert [names[t.skill_id] for t in doc.target_skills] == ["Fire safety"]
    settings = authoring.course_settings(ctx, dlg.course_id)
    assert settings["generated"]["sources"] and isinstance(settings["fact_check"], list)
    assert not list(generation.jobs_dir(ctx).glob("*.json"))  # the finished job is cleared
