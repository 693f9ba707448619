"""Organisation → Fine-tuning… (issue 16), for organisation admins.

Why a dialog of its own: nothing of the organisation's data leaves the device unless an admin
has allowed it, looked at the data set's size and a sample, and pressed Submit. Building and
every call to Together AI run on the app's task runner, never on the UI thread; Submit is
disabled, with the reason, when there is no API key or no connection. The rules are the
service's (``app.services.finetuning``).
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services import finetuning, members
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.common import fit_size, muted, named
from app.tasks import TaskRunner, runner_for
from engine.finetune.dataset import DataSet


class FineTuneDialog(QDialog):
    def __init__(
        self, ctx: AppContext, user: CurrentUser, runner: TaskRunner, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("finetune-dialog")
        self.setWindowTitle("Fine-tuning on your organisation's data")
        self.ctx, self.user, self.runner = ctx, user, runner
        self.data: DataSet | None = None
        self.path: Path | None = None
        lay = QVBoxLayout(self)
        lay.addWidget(
            muted(
                "Builds a training set from tutor answers learners marked helpful and from "
                "generated modules your creators published, with names, emails, phone numbers "
                "and personal links removed. Nothing leaves this device until you submit it."
            )
        )
        self.consent = named(
            QCheckBox("Allow fine-tuning on this organisation's data"),
            "finetune-consent",
            "Allow fine-tuning on this organisation's data",
        )
        st = finetuning.state(ctx, user)
        self.consent.setChecked(st.allowed)
        self.consent.toggled.connect(self._consent)
        lay.addWidget(self.consent)
        row = QHBoxLayout()
        self.build_button = named(QPushButton("Build data set"), "finetune-build", "Build data set")
        self.build_button.clicked.connect(self.build)
        row.addWidget(self.build_button)
        self.submit_button = named(
            QPushButton("Submit to Together AI"), "finetune-submit", "Submit to Together AI"
        )
        self.submit_button.clicked.connect(self.submit)
        row.addWidget(self.submit_button)
        self.refresh_button = named(
            QPushButton("Check job status"), "finetune-refresh", "Check the job's status"
        )
        self.refresh_button.clicked.connect(self.refresh)
        row.addWidget(self.refresh_button)
        self.use_button = named(QPushButton("Use this model"), "finetune-use", "Use this model")
        self.use_button.clicked.connect(self.use)
        row.addWidget(self.use_button)
        lay.addLayout(row)
        self.size_label = named(QLabel(""), "finetune-size", "Data set size")
        lay.addWidget(self.size_label)
        self.sample = named(QPlainTextEdit(), "finetune-sample", "Sample of the data set")
        self.sample.setReadOnly(True)
        lay.addWidget(self.sample, 1)
        self.reason = named(muted(), "finetune-reason", "Why submitting is not possible")
        lay.addWidget(self.reason)
        self.job = named(muted(), "finetune-job", "Fine-tuning job status")
        lay.addWidget(self.job)
        self._show_state()

    def _warn(self, message: object) -> None:
        QMessageBox.warning(self, "Fine-tuning", str(message))
        self._update_buttons()

    def _consent(self, on: bool) -> None:
        try:
            finetuning.set_allowed(self.ctx, self.user, on)
        except UserError as err:
            self._warn(err)
        if not on:
            self.data = self.path = None
            self.size_label.setText("")
            self.sample.clear()
        self._update_buttons()

    def _show_state(self) -> None:
        st = finetuning.state(self.ctx, self.user)
        if st.job_id:
            model = f" — model {st.model_name}" if st.model_name else ""
            self.job.setText(f"Job {st.job_id}: {st.status or 'unknown'}{model}")
        self._update_buttons()

    def _update_buttons(self, reason: str | None = None) -> None:
        st = finetuning.state(self.ctx, self.user)
        self.build_button.setEnabled(st.allowed)
        if reason is None:
            reason = (
                "Build the data set and review it first."
                if self.path is None or not st.allowed
                else None
            )
        self.submit_button.setEnabled(reason is None)
        self.reason.setText(f"Submit is not available: {reason}" if reason else "")
        self.refresh_button.setEnabled(bool(st.job_id))
        self.use_button.setEnabled(bool(st.model_name))

    def build(self) -> None:
        ctx, user = self.ctx, self.user
        self.build_button.setEnabled(False)

        def work(control: object) -> tuple[DataSet, Path, str | None]:
            data = finetuning.build_dataset(ctx, user)
            path = finetuning.export(ctx, user, data)
            return data, path, finetuning.submit_reason()

        self.runner.run(
            "Building the fine-tuning data set", work, on_success=self._built, on_error=self._warn
        )

    def _built(self, result: object) -> None:
        assert isinstance(result, tuple)
        data: DataSet = result[0]
        path: Path = result[1]
        reason: str | None = result[2]
        self.data, self.path = data, path
        self.size_label.setText(
            f"{data.examples} examples ({data.sources.get('tutor', 0)} tutor answers, "
            f"{data.sources.get('modules', 0)} modules), about {data.approx_tokens:,} tokens, "
            f"{data.size_bytes:,} bytes; {data.skipped_duplicates} duplicates dropped, "
            f"{data.redactions} pieces of personal data removed. Saved as {path}."
        )
        self.sample.setPlainText(
            "\n\n".join(json.dumps(s, ensure_ascii=False, indent=1) for s in data.sample(3))
        )
        if data.examples == 0:
            reason = "the data set is empty."
        self._update_buttons(reason)

    def submit(self) -> None:
        if self.path is None:
            return
        ctx, user, path = self.ctx, self.user, self.path
        self.submit_button.setEnabled(False)
        self.runner.run(
            "Submitting to Together AI",
            lambda _c: finetuning.submit(ctx, user, path),
            on_success=lambda _r: self._show_state(),
            on_error=self._warn,
        )

    def refresh(self) -> None:
        ctx, user = self.ctx, self.user
        self.runner.run(
            "Checking the fine-tuning job",
            lambda _c: finetuning.refresh(ctx, user),
            on_success=lambda _r: self._show_state(),
            on_error=self._warn,
        )

    def use(self) -> None:
        st = finetuning.state(self.ctx, self.user)
        if not st.model_name:
            return
        try:
            finetuning.use_model(self.user, st.model_name)
        except UserError as err:
            self._warn(err)
            return
        self.job.setText(f"Byte now uses {st.model_name} when it runs on Together AI.")


def open_finetune_dialog(
    ctx: AppContext, user: CurrentUser, parent: QWidget | None = None
) -> FineTuneDialog:
    if not members.may_manage(user):
        raise UserError("Only an organisation admin manages fine-tuning.")
    dialog = FineTuneDialog(ctx, user, runner_for(parent), parent)
    fit_size(dialog, 900, 640, parent)
    dialog.show()
    return dialog


__all__ = ["FineTuneDialog", "open_finetune_dialog"]
