"""Studio's "Generate with AI": a pasted source and a brief become a reviewed draft course,
driven through the real dialog with the real local model."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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
    # until the draft exists or the task has ended (a failure then says why below)
    qtbot.waitUntil(
        lambda: dlg.course_id is not None or dlg.generate_button.isEnabled(), timeout=600_000
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


def test_sources_show_progress_warnings_encoding_and_cancel(
    qtbot: QtBot, ctx: AppContext, creator: CurrentUser, tmp_path: Path
) -> None:
    """Reading a source runs in the task runner: progress, a chosen encoding, what was left
    out shown to the creator, and Cancel stopping a long import."""
    from tests.engine.ingest.hostile import TEXT_LINE, write_pdf

    dlg = GenerateCourseDialog(ctx, creator)
    qtbot.addWidget(dlg)
    dlg.show()
    notes = tmp_path / "notes.txt"
    notes.write_bytes("Kůň a čaj jsou dobré.".encode("cp1250"))
    dlg.encoding.setCurrentIndex(dlg.encoding.findData("cp1250"))
    dlg.add_path(notes)
    qtbot.waitUntil(lambda: len(dlg.sources) == 1, timeout=10_000)
    assert dlg.sources[0].document.plain_text() == "Kůň a čaj jsou dobré."
    assert "read as cp1250" in dlg.source_list.item(0).text()
    assert not dlg.warnings.isVisible()

    nested = tmp_path / "nested.html"
    n = 2_000
    nested.write_text(
        "<html><body>"
        + "".join(f"<div><p>Deep paragraph {i} of the page.</p>" for i in range(n))
        + "</div>" * n
        + "</body></html>",
        encoding="utf-8",
    )
    dlg.encoding.setCurrentIndex(0)  # detect
    dlg.add_path(nested)
    qtbot.waitUntil(lambda: len(dlg.sources) == 2, timeout=20_000)
    assert dlg.warnings.isVisible() and "nested deeper" in dlg.warnings.text()
    assert dlg.source_list.item(1).text().endswith("⚠")
    assert f"Deep paragraph {n - 1} of the page." in dlg.sources[1].document.plain_text()

    slow = write_pdf(tmp_path / "slow.pdf", 300, TEXT_LINE * 1500, shared=False)
    dlg.add_path(slow)
    assert dlg.cancel_button.isEnabled()
    qtbot.waitUntil(
        lambda: dlg.progress.value() >= 1 and "Reading page" in dlg.status.text(),
        timeout=30_000,
    )
    dlg.cancel()
    qtbot.waitUntil(
        lambda: (
            "Stopped reading slow.pdf" in dlg.status.text() and not dlg.cancel_button.isEnabled()
        ),
        timeout=20_000,
    )
    assert len(dlg.sources) == 2
    dlg.runner.wait_all()


class _Endless(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        chunk = b"<p>" + b"endless " * 8000 + b"</p>"
        try:
            while True:
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *_args: object) -> None:
        return None


@pytest.fixture
def endless_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endless)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/page"
    server.shutdown()
    server.server_close()


def test_a_web_page_download_stops_at_the_size_limit(endless_server: str) -> None:
    calls: list[str] = []
    with pytest.raises(UserError, match="larger than 30 MB"):
        generation.from_url(endless_server, lambda _f, m: calls.append(m))
    assert calls and calls[-1].startswith("Downloading")

    class Stop(Exception):
        pass

    def cancel(_f: float, _m: str) -> None:
        raise Stop

    with pytest.raises(Stop):
        generation.from_url(endless_server, cancel)


def test_an_ai_title_the_organisation_already_has_is_numbered(
    ctx: AppContext, creator: CurrentUser, tmp_path: Path
) -> None:
    """Titles are unique in an organisation; the AI's proposal must not fail the whole job
    at the very end, so it is numbered instead of refused."""
    from engine.generation.pipeline import GeneratedModule, GenerationState

    taken = authoring.list_courses(ctx, creator)[0].title
    state = GenerationState(
        brief=Brief(topic="memory", modules=1),
        title=taken,
        description="A short course.",
        modules=[
            GeneratedModule(
                "Why we forget",
                "Explain forgetting.",
                blocks=[{"type": "paragraph", "text": "Memories fade without review."}],
                done_content=True,
                done_quiz=True,
            )
        ],
        outlined=True,
        finished=True,
    )
    job = generation.Job("job-1", tmp_path / "job.json", state)
    course_id = generation.create_draft(ctx, creator, job, generation.Result(state, [[]]))
    titles = [c.title for c in authoring.list_courses(ctx, creator) if c.id == course_id]
    assert titles == [f"{taken} (2)"]
    with pytest.raises(UserError):
        authoring.create_course(ctx, creator, taken)  # a person typing it is told instead
