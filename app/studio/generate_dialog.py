"""Generate a course with AI: sources + brief → a draft the creator reviews.

Generation runs in the background with progress and Cancel; its state is saved after every
step, so pressing Generate again after a cancel resumes where it stopped. The result is a
draft course, never published automatically, with fact-check flags to review.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services import generation
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.common import fit_size, named
from app.tasks import TaskControl, TaskHandle, TaskRunner, runner_for
from engine.generation.pipeline import Brief
from engine.ingest.text_source import ENCODINGS
from engine.llm.base import CancelToken

FILE_FILTER = "Sources (*.pdf *.docx *.html *.htm *.md *.markdown *.txt);;All files (*)"


class GenerateCourseDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        runner: TaskRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.user = ctx, user
        self.runner = runner or runner_for(parent)  # the main window's, handed down
        self.sources: list[generation.Source] = []
        self.job: generation.Job | None = None
        self.course_id: str | None = None
        self.handle: TaskHandle | None = None
        self.reading: TaskHandle | None = None  # a source being read (Cancel stops it)
        self.setWindowTitle("Generate a course with AI")
        self.setObjectName("generate-course")
        outer = QVBoxLayout(self)
        intro = QLabel(
            "Byte drafts a course from your sources; you review and edit everything "
            "before publishing. Works offline with the on-device model."
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)
        self.source_list = named(QListWidget(), "gen-sources", "Sources")
        self.source_list.setMaximumHeight(110)
        outer.addWidget(QLabel("Sources"))
        outer.addWidget(self.source_list)
        row = QHBoxLayout()
        for text, name, fn in (
            ("Add file…", "gen-add-file", self.add_file),
            ("Add web page…", "gen-add-url", self.add_url),
            ("Paste text…", "gen-add-text", self.add_text),
        ):
            b = named(QPushButton(text), name, text.rstrip("…"))
            b.clicked.connect(fn)
            row.addWidget(b)
        row.addStretch(1)
        outer.addLayout(row)
        form = QFormLayout()
        self.topic = named(QLineEdit(), "gen-topic", "Course topic")
        self.topic.setPlaceholderText("e.g. Fire safety for new staff")
        self.audience = named(QLineEdit("new employees"), "gen-audience", "Audience")
        self.difficulty = named(QComboBox(), "gen-difficulty", "Difficulty")
        for d in ("beginner", "intermediate", "advanced"):
            self.difficulty.addItem(d.capitalize(), d)
        self.modules = named(QSpinBox(), "gen-modules", "Number of modules")
        self.modules.setRange(1, 8)
        self.modules.setValue(3)
        self.skills = named(QLineEdit(), "gen-skills", "Target skills, separated by commas")
        form.addRow("&Topic", self.topic)
        form.addRow("&Audience", self.audience)
        form.addRow("&Difficulty", self.difficulty)
        form.addRow("&Modules", self.modules)
        form.addRow("Target s&kills", self.skills)
        self.encoding = named(QComboBox(), "gen-encoding", "Text encoding of added files")
        self.encoding.addItem("Detect automatically", None)
        for codec, label in ENCODINGS:
            self.encoding.addItem(label, codec)
        self.encoding.setToolTip(
            "For text and web-page files: if accented letters come out wrong, choose the "
            "file's encoding here and add it again."
        )
        form.addRow("Text &encoding", self.encoding)
        outer.addLayout(form)
        self.progress = named(QProgressBar(), "gen-progress", "Generation progress")
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)  # shown once something is being read or generated
        self.status = named(QLabel(), "gen-status", "Generation status")
        self.status.setWordWrap(True)
        outer.addWidget(self.progress)
        outer.addWidget(self.status)
        # what an importer left out or could not read, per source, for the creator to see
        self.warnings = named(QLabel(), "gen-warnings", "What was left out of your sources")
        self.warnings.setWordWrap(True)
        self.warnings.setProperty("role", "warning")
        self.warnings.setVisible(False)
        outer.addWidget(self.warnings)
        self.review = named(QPlainTextEdit(), "gen-review", "Fact-check results")
        self.review.setReadOnly(True)
        self.review.setVisible(False)
        outer.addWidget(self.review, 1)
        outer.addStretch(1)  # spare height goes below the form, not between its rows
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = named(
            QPushButton("Cancel generation"), "gen-cancel", "Cancel generation"
        )
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.generate_button = named(QPushButton("Generate"), "gen-start", "Generate the draft")
        self.generate_button.setProperty("role", "primary")
        self.generate_button.clicked.connect(self.generate)
        self.open_button = named(
            QPushButton("Open the draft"), "gen-open", "Open the generated draft course"
        )
        self.open_button.setVisible(False)
        self.open_button.clicked.connect(self.accept)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        for b in (self.cancel_button, self.generate_button, self.open_button, close):
            buttons.addWidget(b)
        outer.addLayout(buttons)
        fit_size(self, 720, 640, parent)

    # -- sources -----------------------------------------------------------------------------
    def _add(self, make: Any, label: str) -> None:
        self.status.setText(f"Reading {label}…")
        self.progress.setValue(0)
        self.progress.setVisible(True)

        def work(control: TaskControl) -> generation.Source:
            return make(control)  # type: ignore[no-any-return]

        def done(src: object) -> None:
            assert isinstance(src, generation.Source)
            self.sources.append(src)
            d = src.document
            pages = f", {d.pages} pages" if d.pages else ""
            enc = f", read as {d.encoding}" if d.encoding else ""
            mark = " ⚠" if d.warnings else ""
            self.source_list.addItem(
                f"{src.label} — {d.title} ({d.word_count} words{pages}{enc}){mark}"
            )
            if d.warnings:
                item = self.source_list.item(self.source_list.count() - 1)
                item.setToolTip("\n".join(d.warnings))
            self._show_warnings()
            note = " Some of it was left out: see below." if d.warnings else ""
            self.status.setText(f"Added {src.label}.{note}")
            if not self.topic.text().strip():
                self.topic.setText(d.title)

        def failed(message: str) -> None:
            self.status.setText(message)

        def cancelled() -> None:
            self.status.setText(f"Stopped reading {label}; nothing was added.")

        def ended() -> None:
            if self.reading is handle:  # not a newer read started meanwhile
                self.reading = None
                if self.handle is None or self.handle.done:
                    self.cancel_button.setEnabled(False)

        handle = self.runner.run(
            f"Reading {label}",
            work,
            on_success=done,
            on_error=failed,
            on_progress=self._progress,
            on_cancel=cancelled,
        )
        handle.ended.connect(ended)
        self.reading = handle
        self.cancel_button.setEnabled(True)

    def _show_warnings(self) -> None:
        lines = [f"⚠ {s.label}: {w}" for s in self.sources for w in s.document.warnings]
        self.warnings.setText("\n".join(lines))
        self.warnings.setVisible(bool(lines))

    def add_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a source", "", FILE_FILTER)
        if path:
            self.add_path(Path(path))

    def add_path(self, p: Path) -> None:
        """Read one file in the background, with the encoding chosen in the dialog."""
        encoding = self.encoding.currentData()
        self._add(lambda c: generation.from_file(p, c.progress, encoding), p.name)

    def add_url(self) -> None:
        url, ok = QInputDialog.getText(self, "Add a web page", "Address (https://…):")
        if ok and url.strip():
            address, encoding = url.strip(), self.encoding.currentData()
            self._add(lambda c: generation.from_url(address, c.progress, encoding), address)

    def add_text(self) -> None:
        text, ok = QInputDialog.getMultiLineText(self, "Paste text", "Source text:")
        if ok and text.strip():
            self._add(
                lambda c: generation.from_text(text, "Pasted text", c.progress), "pasted text"
            )

    # -- generation --------------------------------------------------------------------------
    def brief(self) -> Brief:
        skills = [s.strip() for s in self.skills.text().split(",") if s.strip()]
        return Brief(
            topic=self.topic.text().strip(),
            audience=self.audience.text().strip() or "adult learners",
            difficulty=self.difficulty.currentData(),
            modules=self.modules.value(),
            target_skills=skills,
        )

    def generate(self) -> None:
        try:
            if self.job is None:  # a cancelled job is resumed, not restarted
                self.job = generation.new_job(self.ctx, self.brief(), list(self.sources))
        except UserError as err:
            QMessageBox.warning(self, "Generate a course", str(err))
            return
        job = self.job

        def work(control: TaskControl) -> generation.Result:
            token = CancelToken(also=lambda: control.cancelled)
            return generation.run(job, control.progress, token)

        self.generate_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText("Starting…")
        self.progress.setVisible(True)
        self.handle = self.runner.run(
            "Generating a course",
            work,
            on_success=self._finished,
            on_error=self._failed,
            on_cancel=self._cancelled,
            on_progress=self._progress,
        )

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(fraction * 100))
        if message:
            self.status.setText(message)

    def cancel(self) -> None:
        if self.reading is not None and not self.reading.done:
            self.reading.cancel()
            self.status.setText("Stopping…")
        if self.handle is not None and not self.handle.done:
            self.handle.cancel()
            self.status.setText("Stopping after the current step…")

    def _cancelled(self) -> None:
        self._idle()
        self.generate_button.setText("Resume")
        self.status.setText(
            "Stopped. Everything generated so far is kept: press Resume to continue."
        )

    def _failed(self, message: str) -> None:
        self._idle()
        self.generate_button.setText("Try again" if self.job is None else "Resume")
        self.status.setText(message)

    def _idle(self) -> None:
        self.generate_button.setEnabled(True)
        self.cancel_button.setEnabled(self.reading is not None and not self.reading.done)

    def _finished(self, result: object) -> None:
        self._idle()
        assert isinstance(result, generation.Result) and self.job is not None
        try:
            self.course_id = generation.create_draft(self.ctx, self.user, self.job, result)
        except UserError as err:
            self.status.setText(str(err))
            return
        flags = [c for checks in result.checks for c in checks if c.verdict != "supported"]
        total = sum(len(c) for c in result.checks)
        lines = [f"{total - len(flags)} of {total} statements are supported by your sources."]
        st = result.state
        lines.append("\nWhat each module teaches from your sources:")
        for i, m in enumerate(st.modules):
            taught = "; ".join(m.sections) or "(the passages nearest its title)"
            lines.append(f"  {i + 1}. {m.title}: {taught}")
        if st.skipped:
            lines.append("Left out on purpose: " + "; ".join(st.skipped))
        lines += [f"⚠ {w}" for w in st.warnings]
        for c in flags:
            lines.append(f"\n⚠ {c.verdict.upper()}: {c.claim}\n   {c.reason}")
            if c.passage is not None:
                lines.append(f"   Nearest source ({c.passage.cite()}): {c.passage.text[:300]}")
        self.review.setPlainText("\n".join(lines))
        self.review.setVisible(True)
        self.generate_button.setVisible(False)
        self.open_button.setVisible(True)
        self.status.setText("Draft ready. Review the flagged statements, then open the draft.")
