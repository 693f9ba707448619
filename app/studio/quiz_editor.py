"""The quiz editor: a module's questions, their options, answer key and skill tags.

It edits the question drafts of one module in place (see ``app.studio.drafts``); the answer
key is only checked when the course is saved, so a half-written question is never refused
while the person is still typing.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.authoring import SkillRef
from app.studio.common import clear_layout_widgets, muted, named
from app.studio.drafts import (
    QUESTION_LABELS,
    Draft,
    new_choice,
    new_question,
    question_preview,
    true_false_choices,
)


class OptionRow(QWidget):
    """One answer option: its text, a "correct" box and a remove button."""

    def __init__(self, index: int, fixed: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        n = index + 1
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.text_edit = named(QLineEdit(), f"studio-option-text-{index}", f"Option {n} text")
        self.text_edit.setPlaceholderText(f"Option {n}")
        self.text_edit.setReadOnly(fixed)
        self.text_edit.setMinimumWidth(220)
        self.correct_box = named(
            QCheckBox("Correct"), f"studio-option-correct-{index}", f"Option {n} is correct"
        )
        self.remove_button = named(
            QPushButton("Remove"), f"studio-option-remove-{index}", f"Remove option {n}"
        )
        self.remove_button.setVisible(not fixed)
        row.addWidget(self.text_edit, 1)
        row.addWidget(self.correct_box)
        row.addWidget(self.remove_button)


class QuizEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("studio-quiz-editor")
        self._questions: list[Draft] = []
        self._skills: list[SkillRef] = []
        self._rows: list[OptionRow] = []
        self._stash: dict[str, list[Draft]] = {}  # choices set aside while a question is T/F
        self._loading = False

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(split)

        # Left: the question list and its buttons.
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        list_label = QLabel("Q&uestions")
        self.question_list = named(QListWidget(), "studio-question-list", "Questions")
        list_label.setBuddy(self.question_list)
        lv.addWidget(list_label)
        lv.addWidget(self.question_list, 1)
        buttons = QGridLayout()
        self.add_button = named(QPushButton("Add question"), "studio-add-question", "Add question")
        self.remove_button = named(
            QPushButton("Remove"), "studio-remove-question", "Remove question"
        )
        self.up_button = named(QPushButton("Up"), "studio-question-up", "Move question up")
        self.down_button = named(QPushButton("Down"), "studio-question-down", "Move question down")
        for i, b in enumerate(
            (self.add_button, self.remove_button, self.up_button, self.down_button)
        ):
            buttons.addWidget(b, i // 2, i % 2)  # two rows keep the list column narrow
        lv.addLayout(buttons)
        left.setMaximumWidth(280)
        split.addWidget(left)

        # Right: the selected question.
        self.stack = QStackedWidget()
        empty = muted("No question selected. Use “Add question” to write one.")
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(empty)
        form_host = QWidget()
        host_layout = QVBoxLayout(form_host)
        form = QFormLayout()
        host_layout.addLayout(form)
        host_layout.addStretch(1)
        self.type_combo = named(QComboBox(), "studio-question-type", "Question type")
        for kind, label in QUESTION_LABELS.items():
            self.type_combo.addItem(label, kind)
        form.addRow("T&ype", self.type_combo)
        self.prompt_edit = named(QPlainTextEdit(), "studio-question-prompt", "Question prompt")
        self.prompt_edit.setTabChangesFocus(True)
        self.prompt_edit.setMaximumHeight(90)
        self.prompt_edit.setPlaceholderText("What should the learner answer?")
        form.addRow("&Prompt", self.prompt_edit)
        options_host = QWidget()
        ov = QVBoxLayout(options_host)
        ov.setContentsMargins(0, 0, 0, 0)
        self.options_layout = QVBoxLayout()
        ov.addLayout(self.options_layout)
        self.add_option_button = named(
            QPushButton("Add option"), "studio-add-option", "Add answer option"
        )
        self.options_hint = muted("")
        oh = QHBoxLayout()
        oh.addWidget(self.add_option_button)
        oh.addWidget(self.options_hint, 1)
        ov.addLayout(oh)
        form.addRow("Options", options_host)
        self.explanation_edit = named(
            QPlainTextEdit(), "studio-question-explanation", "Explanation shown after answering"
        )
        self.explanation_edit.setTabChangesFocus(True)
        self.explanation_edit.setMaximumHeight(90)
        self.explanation_edit.setPlaceholderText("Why is the answer right? (optional)")
        form.addRow("&Explanation", self.explanation_edit)
        self.skill_list = named(
            QListWidget(), "studio-question-skills", "Skills this question practises"
        )
        self.skill_list.setMaximumHeight(120)
        form.addRow("&Skills", self.skill_list)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        self.stack.addWidget(scroll)
        split.addWidget(self.stack)
        split.setSizes([220, 620])
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)

        self.question_list.currentRowChanged.connect(self._show_question)
        self.add_button.clicked.connect(lambda: self.add_question())
        self.remove_button.clicked.connect(lambda: self.remove_question())
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.type_combo.currentIndexChanged.connect(self._on_type)
        self.prompt_edit.textChanged.connect(self._on_prompt)
        self.explanation_edit.textChanged.connect(self._on_explanation)
        self.add_option_button.clicked.connect(lambda: self.add_option())
        self.skill_list.itemChanged.connect(self._on_skill)
        self._update_buttons()

    # ----------------------------------------------------------------- public API
    def set_questions(self, questions: list[Draft]) -> None:
        """Edit ``questions`` (a module draft's list) in place."""
        self._questions = questions
        self._stash.clear()
        self._reload_list(0 if questions else -1)

    def set_skills(self, skills: list[SkillRef]) -> None:
        self._skills = list(skills)
        q = self.current_question()
        self._loading = True
        try:
            self._fill_skills(q)
        finally:
            self._loading = False

    def current_question(self) -> Draft | None:
        row = self.question_list.currentRow()
        return self._questions[row] if 0 <= row < len(self._questions) else None

    def select_question(self, index: int) -> None:
        self.question_list.setCurrentRow(index)

    def option_rows(self) -> list[OptionRow]:
        return list(self._rows)

    def add_question(self, kind: str = "single") -> None:
        self._questions.append(new_question(kind))
        self._reload_list(len(self._questions) - 1)
        self.changed.emit()
        self.prompt_edit.setFocus()

    def remove_question(self) -> None:
        row = self.question_list.currentRow()
        if not 0 <= row < len(self._questions):
            return
        del self._questions[row]
        self._reload_list(min(row, len(self._questions) - 1))
        self.changed.emit()

    def add_option(self) -> None:
        q = self.current_question()
        if q is None or q["type"] == "true_false":
            return
        q["choices"].append(new_choice())
        self._build_options(q)
        self.changed.emit()
        self._rows[-1].text_edit.setFocus()

    # ---------------------------------------------------------------- internals
    def _reload_list(self, select: int) -> None:
        self.question_list.blockSignals(True)
        self.question_list.clear()
        for i, q in enumerate(self._questions):
            item = QListWidgetItem(question_preview(i, q))
            item.setToolTip(item.text())
            self.question_list.addItem(item)
        self.question_list.blockSignals(False)
        self.question_list.setCurrentRow(select)
        self._show_question(self.question_list.currentRow())

    def _refresh_item(self) -> None:
        row = self.question_list.currentRow()
        item = self.question_list.item(row)
        if item is not None:
            item.setText(question_preview(row, self._questions[row]))

    def _update_buttons(self) -> None:
        row = self.question_list.currentRow()
        n = len(self._questions)
        self.remove_button.setEnabled(0 <= row < n)
        self.up_button.setEnabled(0 < row < n)
        self.down_button.setEnabled(0 <= row < n - 1)

    def _move(self, delta: int) -> None:
        row = self.question_list.currentRow()
        dest = row + delta
        if not (0 <= row < len(self._questions) and 0 <= dest < len(self._questions)):
            return
        qs = self._questions
        qs[row], qs[dest] = qs[dest], qs[row]
        self._reload_list(dest)
        self.changed.emit()

    def _show_question(self, row: int) -> None:
        self._update_buttons()
        q = self._questions[row] if 0 <= row < len(self._questions) else None
        if q is None:
            self.stack.setCurrentIndex(0)
            clear_layout_widgets(list(self._rows))
            self._rows = []
            return
        self._loading = True
        try:
            self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(q["type"])))
            self.prompt_edit.setPlainText(q.get("prompt", ""))
            self.explanation_edit.setPlainText(q.get("explanation", ""))
            self._fill_skills(q)
            self._build_options(q)
        finally:
            self._loading = False
        self.stack.setCurrentIndex(1)

    def _fill_skills(self, q: Draft | None) -> None:
        self.skill_list.clear()
        chosen = set(q.get("skill_ids", [])) if q else set()
        for s in self._skills:
            item = QListWidgetItem(s.name + (f" ({s.category})" if s.category else ""))
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if s.id in chosen else Qt.CheckState.Unchecked)
            self.skill_list.addItem(item)
        if not self._skills:
            self.skill_list.addItem(QListWidgetItem("No skills yet — add them in Details"))

    def _build_options(self, q: Draft) -> None:
        was_loading, self._loading = self._loading, True
        clear_layout_widgets(list(self._rows))
        self._rows = []
        fixed = q["type"] == "true_false"
        for i, choice in enumerate(q["choices"]):
            row = OptionRow(i, fixed)
            row.text_edit.setText(choice.get("text", ""))
            row.correct_box.setChecked(bool(choice.get("correct")))
            row.text_edit.textChanged.connect(lambda text, c=choice: self._on_choice_text(c, text))
            row.correct_box.toggled.connect(lambda on, c=choice: self._on_choice_correct(c, on))
            row.remove_button.clicked.connect(lambda _=False, c=choice: self._remove_option(c))
            self.options_layout.addWidget(row)
            self._rows.append(row)
        self.add_option_button.setEnabled(not fixed)
        self.options_hint.setText(
            {
                "single": "Tick exactly one correct option.",
                "multiple": "Tick every correct option.",
                "true_false": "Tick the one statement that is correct.",
            }[q["type"]]
        )
        # Keep Tab moving top to bottom through the rebuilt rows.
        chain: list[QWidget] = [self.prompt_edit]
        for r in self._rows:
            chain += [r.text_edit, r.correct_box]
            if not fixed:
                chain.append(r.remove_button)
        chain += [self.add_option_button, self.explanation_edit, self.skill_list]
        for a, b in pairwise(chain):
            QWidget.setTabOrder(a, b)
        self._loading = was_loading

    def _edited(self) -> None:
        self._refresh_item()
        self.changed.emit()

    def _on_type(self, index: int) -> None:
        q = self.current_question()
        if self._loading or q is None:
            return
        kind = self.type_combo.itemData(index)
        old = q["type"]
        if kind == old:
            return
        if kind == "true_false":
            texts = [c.get("text", "").strip().lower() for c in q["choices"]]
            if texts != ["true", "false"]:
                self._stash[q["id"]] = q["choices"]
                q["choices"] = true_false_choices()
        elif old == "true_false" and q["id"] in self._stash:
            q["choices"] = self._stash.pop(q["id"])
        q["type"] = kind
        self._build_options(q)
        self._edited()

    def _on_prompt(self) -> None:
        q = self.current_question()
        if self._loading or q is None:
            return
        q["prompt"] = self.prompt_edit.toPlainText()
        self._edited()

    def _on_explanation(self) -> None:
        q = self.current_question()
        if self._loading or q is None:
            return
        q["explanation"] = self.explanation_edit.toPlainText()
        self._edited()

    def _on_choice_text(self, choice: Draft, text: str) -> None:
        if self._loading:
            return
        choice["text"] = text
        self._edited()

    def _on_choice_correct(self, choice: Draft, on: bool) -> None:
        if self._loading:
            return
        choice["correct"] = on
        self._edited()

    def _remove_option(self, choice: Draft) -> None:
        q = self.current_question()
        if q is None or q["type"] == "true_false":
            return
        q["choices"] = [c for c in q["choices"] if c is not choice]
        self._build_options(q)
        self._edited()
        if self._rows:
            self._rows[-1].text_edit.setFocus()
        else:
            self.add_option_button.setFocus()

    def _on_skill(self, item: QListWidgetItem) -> None:
        q = self.current_question()
        skill_id = item.data(Qt.ItemDataRole.UserRole)
        if self._loading or q is None or skill_id is None:
            return
        ids = [s for s in q.get("skill_ids", []) if s != skill_id]
        if item.checkState() == Qt.CheckState.Checked:
            ids.append(skill_id)
        q["skill_ids"] = ids
        self._edited()
