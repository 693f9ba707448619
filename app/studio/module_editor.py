"""The module editor: a module's title, its content blocks and its quiz.

Each block type has a small form that writes straight into the block's draft dict; the
module's drafts are validated only when the course is saved (see ``app.studio.drafts``).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFontDatabase, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services import authoring
from app.services.accounts import CurrentUser
from app.services.authoring import SkillRef
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.common import muted, named
from app.studio.drafts import (
    BLOCK_LABELS,
    CALLOUT_LABELS,
    Draft,
    DraftError,
    ModuleDraft,
    block_preview,
    build_module,
    new_block,
)
from app.studio.quiz_editor import QuizEditor
from app.studio.slide_mode import SlideModeDialog
from engine.content import BLOCK_TYPES
from engine.media.script import build_script
from engine.templates import template

ASSET_SCHEME = "asset://"
PREVIEW_SIZE = (320, 200)


def _text_edit(object_name: str, accessible: str, height: int | None = None) -> QPlainTextEdit:
    edit = named(QPlainTextEdit(), object_name, accessible)
    edit.setTabChangesFocus(True)  # keep Tab for moving between fields
    if height:
        edit.setMaximumHeight(height)
    return edit


class BlockForm(QWidget):
    """Base for the per-type forms; ``block`` is the draft dict being edited."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.block: Draft | None = None
        self._loading = False
        self.form = QFormLayout(self)

    def load(self, block: Draft) -> None:
        self.block = block
        self._loading = True
        try:
            self.fill(block)
        finally:
            self._loading = False

    def fill(self, block: Draft) -> None:
        raise NotImplementedError

    def first_field(self) -> QWidget:
        raise NotImplementedError

    def set_field(self, key: str, value: object) -> None:
        if self._loading or self.block is None:
            return
        self.block[key] = value
        self.changed.emit()


class HeadingForm(BlockForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_edit = named(QLineEdit(), "studio-heading-text", "Heading text")
        self.level_spin = named(QSpinBox(), "studio-heading-level", "Heading level, 1 to 4")
        self.level_spin.setRange(1, 4)
        self.form.addRow("Heading te&xt", self.text_edit)
        self.form.addRow("&Level", self.level_spin)
        self.form.addRow(muted("Level 1 is the largest. The module title is shown above."))
        self.text_edit.textChanged.connect(lambda t: self.set_field("text", t))
        self.level_spin.valueChanged.connect(lambda v: self.set_field("level", v))

    def fill(self, block: Draft) -> None:
        self.text_edit.setText(block.get("text", ""))
        self.level_spin.setValue(int(block.get("level", 2)))

    def first_field(self) -> QWidget:
        return self.text_edit


class ParagraphForm(BlockForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_edit = _text_edit("studio-paragraph-text", "Paragraph text")
        self.form.addRow("Te&xt", self.text_edit)
        self.form.addRow(muted("Leave an empty line between paragraphs."))
        self.text_edit.textChanged.connect(
            lambda: self.set_field("text", self.text_edit.toPlainText())
        )

    def fill(self, block: Draft) -> None:
        self.text_edit.setPlainText(block.get("text", ""))

    def first_field(self) -> QWidget:
        return self.text_edit


class ListForm(BlockForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items_edit = _text_edit("studio-list-items", "List items, one per line")
        self.items_edit.setPlaceholderText("One item per line")
        self.ordered_box = named(
            QCheckBox("&Numbered list"), "studio-list-ordered", "Numbered (ordered) list"
        )
        self.form.addRow("&Items", self.items_edit)
        self.form.addRow("", self.ordered_box)
        self.items_edit.textChanged.connect(
            lambda: self.set_field("items", self.items_edit.toPlainText().split("\n"))
        )
        self.ordered_box.toggled.connect(lambda on: self.set_field("ordered", on))

    def fill(self, block: Draft) -> None:
        self.items_edit.setPlainText("\n".join(block.get("items", [])))
        self.ordered_box.setChecked(bool(block.get("ordered")))

    def first_field(self) -> QWidget:
        return self.items_edit


class ImageForm(BlockForm):
    def __init__(self, ctx: AppContext, user: CurrentUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.user = ctx, user
        self.choose_button = named(
            QPushButton("Choose image…"), "studio-image-choose", "Choose image file"
        )
        self.file_label = named(muted("No image chosen"), "studio-image-file", "Chosen image")
        self.library_button = named(
            QPushButton("From library…"), "studio-image-library", "Choose from the media library"
        )
        self.library_button.clicked.connect(lambda: self.choose_from_library())
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.library_button)
        row.addWidget(self.file_label, 1)
        self.preview = named(QLabel(), "studio-image-preview", "Image preview")
        self.preview.setMinimumSize(*PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFrameShape(QLabel.Shape.StyledPanel)
        self.alt_edit = named(QLineEdit(), "studio-image-alt", "Alt text (required)")
        self.alt_edit.setPlaceholderText("Describe the picture for people who cannot see it")
        self.caption_edit = named(QLineEdit(), "studio-image-caption", "Caption (optional)")
        self.form.addRow("Image", row)
        self.form.addRow("", self.preview)
        self.form.addRow("&Alt text (required)", self.alt_edit)
        self.form.addRow("Ca&ption", self.caption_edit)
        self.choose_button.clicked.connect(lambda: self.choose_image())
        self.alt_edit.textChanged.connect(lambda t: self.set_field("alt", t))
        self.caption_edit.textChanged.connect(lambda t: self.set_field("caption", t))

    def fill(self, block: Draft) -> None:
        self.alt_edit.setText(block.get("alt", ""))
        self.caption_edit.setText(block.get("caption", ""))
        self._show_preview(self._resolve(block.get("src", "")))

    def first_field(self) -> QWidget:
        return self.choose_button

    def _resolve(self, src: str) -> Path | None:
        if not src:
            return None
        if src.startswith(ASSET_SCHEME):
            try:
                return self.ctx.assets.path(src.removeprefix(ASSET_SCHEME))
            except ValueError:
                return None
        return Path(src)

    def _show_preview(self, path: Path | None) -> None:
        if path is None:
            self.file_label.setText("No image chosen")
            self.preview.setPixmap(QPixmap())
            self.preview.setText("No image")
            return
        self.file_label.setText(path.name)
        pix = QPixmap(str(path))
        if pix.isNull():
            self.preview.setPixmap(QPixmap())
            self.preview.setText("Preview not available")
        else:
            self.preview.setText("")
            self.preview.setPixmap(
                pix.scaled(
                    *PREVIEW_SIZE,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def choose_image(self) -> bool:
        if self.block is None:
            return False
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Choose image",
            "",
            "Images (*.png *.jpg *.jpeg *.gif *.webp);;All files (*)",
        )
        if not path:
            return False
        try:
            image = authoring.import_image(self.ctx, self.user, Path(path))
        except UserError as err:
            QMessageBox.warning(self, "Cannot use this image", str(err))
            return False
        self.block["src"] = image.src
        self.block["asset_id"] = image.asset_id
        self._show_preview(image.path)
        self.file_label.setText(Path(path).name)
        self.changed.emit()
        if not self.alt_edit.text().strip():
            self.alt_edit.setFocus()
        return True

    def choose_from_library(self) -> bool:
        """Pick an image of the organisation's library; its alt text comes along."""
        if self.block is None:
            return False
        from app.studio.media_library import MediaLibraryDialog

        dialog = MediaLibraryDialog(self.ctx, self.user, choose=True, parent=self)
        if not dialog.exec() or dialog.chosen is None:
            return False
        img = dialog.chosen
        self.block["src"] = img.src
        self.block["asset_id"] = img.asset_id
        self._show_preview(img.path)
        if not self.alt_edit.text().strip():
            self.alt_edit.setText(img.alt)
        self.changed.emit()
        return True


class CalloutForm(BlockForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.style_combo = named(QComboBox(), "studio-callout-style", "Callout style")
        for key, label in CALLOUT_LABELS.items():
            self.style_combo.addItem(label, key)
        self.text_edit = _text_edit("studio-callout-text", "Callout text")
        self.form.addRow("&Style", self.style_combo)
        self.form.addRow("Te&xt", self.text_edit)
        self.style_combo.currentIndexChanged.connect(
            lambda i: self.set_field("style", self.style_combo.itemData(i))
        )
        self.text_edit.textChanged.connect(
            lambda: self.set_field("text", self.text_edit.toPlainText())
        )

    def fill(self, block: Draft) -> None:
        self.style_combo.setCurrentIndex(max(0, self.style_combo.findData(block.get("style"))))
        self.text_edit.setPlainText(block.get("text", ""))

    def first_field(self) -> QWidget:
        return self.style_combo


class CodeForm(BlockForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language_edit = named(QLineEdit(), "studio-code-language", "Code language")
        self.language_edit.setPlaceholderText("e.g. python")
        self.code_edit = _text_edit("studio-code-text", "Code")
        self.code_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.code_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.form.addRow("&Language", self.language_edit)
        self.form.addRow("C&ode", self.code_edit)
        self.form.addRow(muted("Tab moves to the next field; indent code with spaces."))
        self.language_edit.textChanged.connect(lambda t: self.set_field("language", t))
        self.code_edit.textChanged.connect(
            lambda: self.set_field("code", self.code_edit.toPlainText())
        )

    def fill(self, block: Draft) -> None:
        self.language_edit.setText(block.get("language", ""))
        self.code_edit.setPlainText(block.get("code", ""))

    def first_field(self) -> QWidget:
        return self.language_edit


class ModuleEditor(QWidget):
    changed = Signal()
    title_changed = Signal(str)

    def __init__(self, ctx: AppContext, user: CurrentUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("studio-module-editor")
        self.ctx, self.user = ctx, user
        self.module: ModuleDraft | None = None
        self._loading = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        title_row = QFormLayout()
        self.title_edit = named(QLineEdit(), "studio-module-title", "Module title")
        self.slide_mode_button = named(
            QPushButton("Slide Mode"), "studio-slide-mode", "Present this module as slides"
        )
        self.slide_mode_button.clicked.connect(self.open_slide_mode)
        title_line = QHBoxLayout()
        title_line.addWidget(self.title_edit, 1)
        title_line.addWidget(self.slide_mode_button)
        title_label = QLabel("Module &title")  # a layout row needs its buddy set by hand
        title_label.setBuddy(self.title_edit)
        title_row.addRow(title_label, title_line)
        outer.addLayout(title_row)
        # set by the course editor: fact-check flags by block id, and what "checked" does
        self.flags: dict[str, list[dict[str, str]]] = {}
        self.on_flag_checked: Callable[[str], None] = lambda _block_id: None
        # set by the course editor: the course's template and title, for Slide Mode
        self.template_id: Callable[[], str | None] = lambda: None
        self.course_title: Callable[[], str] = lambda: ""

        self.tabs = named(QTabWidget(), "studio-module-tabs", "Module content and quiz")
        outer.addWidget(self.tabs, 1)

        # Content tab: block list + the form for the selected block.
        content = QSplitter(Qt.Orientation.Horizontal)
        content.setChildrenCollapsible(False)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        blocks_label = QLabel("&Blocks")
        self.block_list = named(QListWidget(), "studio-block-list", "Content blocks")
        self.block_list.setMaximumWidth(300)
        blocks_label.setBuddy(self.block_list)
        lv.addWidget(blocks_label)
        lv.addWidget(self.block_list, 1)
        buttons = QHBoxLayout()
        self.add_block_button = named(
            QToolButton(), "studio-add-block", "Add block", "Add a content block"
        )
        self.add_block_button.setText("Add block")
        self.add_block_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_block_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        menu = QMenu(self.add_block_button)
        self.add_block_actions: dict[str, QAction] = {}
        for kind in BLOCK_TYPES:
            action = menu.addAction(BLOCK_LABELS[kind])
            action.setObjectName(f"studio-add-block-{kind}")
            action.triggered.connect(lambda _=False, k=kind: self.add_block(k))
            self.add_block_actions[kind] = action
        self.add_block_button.setMenu(menu)
        self.block_up_button = named(QPushButton("Up"), "studio-block-up", "Move block up")
        self.block_down_button = named(QPushButton("Down"), "studio-block-down", "Move block down")
        self.delete_block_button = named(
            QPushButton("Delete"), "studio-block-delete", "Delete block"
        )
        for b in (
            self.add_block_button,
            self.block_up_button,
            self.block_down_button,
            self.delete_block_button,
        ):
            buttons.addWidget(b)
        lv.addLayout(buttons)
        content.addWidget(left)

        self.block_stack = QStackedWidget()
        self.block_stack.setObjectName("studio-block-form")
        empty = muted("No block selected. Use “Add block” to add a heading, text, image…")
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.block_stack.addWidget(empty)
        self.forms: dict[str, BlockForm] = {
            "heading": HeadingForm(),
            "paragraph": ParagraphForm(),
            "list": ListForm(),
            "image": ImageForm(ctx, user),
            "callout": CalloutForm(),
            "code": CodeForm(),
        }
        for form in self.forms.values():
            self.block_stack.addWidget(form)
            form.changed.connect(self._block_edited)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.block_stack, 1)
        # fact-check flags from AI generation: the claim, why, and the nearest source passage
        self.flag_box = QWidget()
        fv = QVBoxLayout(self.flag_box)
        fv.setContentsMargins(0, 0, 0, 0)
        self.flag_label = named(QLabel(), "studio-fact-flag", "Fact-check note for this block")
        self.flag_label.setWordWrap(True)
        self.flag_label.setStyleSheet(
            "background: #FFF4E5; color: #7A4100; padding: 8px; border-radius: 6px;"
        )
        self.flag_checked_button = named(
            QPushButton("I checked this"),
            "studio-fact-checked",
            "Mark the flagged statement as checked",
        )
        self.flag_checked_button.clicked.connect(self._flag_checked)
        fv.addWidget(self.flag_label)
        fv.addWidget(self.flag_checked_button, 0, Qt.AlignmentFlag.AlignRight)
        self.flag_box.setVisible(False)
        rv.addWidget(self.flag_box)
        content.addWidget(right)
        content.setSizes([260, 580])
        content.setStretchFactor(0, 0)
        content.setStretchFactor(1, 1)
        self.tabs.addTab(content, "&Content")

        self.quiz_editor = QuizEditor()
        self.tabs.addTab(self.quiz_editor, "&Quiz")

        self.title_edit.textChanged.connect(self._on_title)
        self.block_list.currentRowChanged.connect(self._show_block)
        self.block_up_button.clicked.connect(lambda: self.move_block(-1))
        self.block_down_button.clicked.connect(lambda: self.move_block(1))
        self.delete_block_button.clicked.connect(lambda: self.delete_block())
        self.quiz_editor.changed.connect(self._quiz_edited)
        self.set_module(None)

    # ----------------------------------------------------------------- public API
    def set_module(self, module: ModuleDraft | None) -> None:
        self.module = module
        self._loading = True
        try:
            self.title_edit.setText(module.title if module else "")
        finally:
            self._loading = False
        self.setEnabled(module is not None)
        self.quiz_editor.set_questions(module.questions if module else [])
        self._reload_blocks(0 if module and module.blocks else -1)
        self._update_quiz_tab()

    def set_skills(self, skills: list[SkillRef]) -> None:
        self.quiz_editor.set_skills(skills)

    def current_block(self) -> Draft | None:
        row = self.block_list.currentRow()
        if self.module is None or not 0 <= row < len(self.module.blocks):
            return None
        return self.module.blocks[row]

    def current_form(self) -> BlockForm | None:
        block = self.current_block()
        return self.forms[block["type"]] if block else None

    def add_block(self, kind: str) -> None:
        if self.module is None:
            return
        row = self.block_list.currentRow()
        at = row + 1 if row >= 0 else len(self.module.blocks)
        self.module.blocks.insert(at, new_block(kind))
        self._reload_blocks(at)
        self.changed.emit()
        form = self.current_form()
        if form is not None:
            form.first_field().setFocus()

    def move_block(self, delta: int) -> None:
        if self.module is None:
            return
        row, blocks = self.block_list.currentRow(), self.module.blocks
        dest = row + delta
        if not (0 <= row < len(blocks) and 0 <= dest < len(blocks)):
            return
        blocks[row], blocks[dest] = blocks[dest], blocks[row]
        self._reload_blocks(dest)
        self.changed.emit()

    def delete_block(self) -> None:
        if self.module is None:
            return
        row = self.block_list.currentRow()
        if not 0 <= row < len(self.module.blocks):
            return
        del self.module.blocks[row]
        self._reload_blocks(min(row, len(self.module.blocks) - 1))
        self.changed.emit()

    def reveal_block(self, index: int) -> None:
        self.tabs.setCurrentIndex(0)
        self.block_list.setCurrentRow(index)
        form = self.current_form()
        if form is not None:
            form.first_field().setFocus()

    def reveal_question(self, index: int) -> None:
        self.tabs.setCurrentIndex(1)
        self.quiz_editor.select_question(index)
        self.quiz_editor.prompt_edit.setFocus()

    # ---------------------------------------------------------------- internals
    def _reload_blocks(self, select: int) -> None:
        self.block_list.blockSignals(True)
        self.block_list.clear()
        for b in self.module.blocks if self.module else []:
            flagged = b.get("id") in self.flags
            item = QListWidgetItem(("⚠ " if flagged else "") + block_preview(b))
            item.setToolTip(item.text() + ("\nFlagged by the fact-check" if flagged else ""))
            self.block_list.addItem(item)
        self.block_list.blockSignals(False)
        self.block_list.setCurrentRow(select)
        self._show_block(self.block_list.currentRow())

    def _show_block(self, row: int) -> None:
        blocks = self.module.blocks if self.module else []
        n = len(blocks)
        self.delete_block_button.setEnabled(0 <= row < n)
        self.block_up_button.setEnabled(0 < row < n)
        self.block_down_button.setEnabled(0 <= row < n - 1)
        self._show_flag(blocks[row] if 0 <= row < n else None)
        if not 0 <= row < n:
            self.block_stack.setCurrentIndex(0)
            return
        form = self.forms[blocks[row]["type"]]
        form.load(blocks[row])
        self.block_stack.setCurrentWidget(form)

    def _show_flag(self, block: Draft | None) -> None:
        flags = self.flags.get(str(block.get("id"))) if block else None
        self.flag_box.setVisible(bool(flags))
        if flags:
            lines = []
            for f in flags:
                what = "Contradicted" if f["verdict"] == "contradicted" else "Not in the sources"
                lines.append(f"<b>{what}:</b> {escape(f['claim'])}<br>{escape(f['reason'])}")
                if f.get("passage"):
                    lines.append(
                        f"<i>Nearest source ({escape(f.get('source', ''))}):</i> "
                        f"{escape(f['passage'][:400])}"
                    )
            self.flag_label.setText("<br>".join(lines))

    def _flag_checked(self) -> None:
        block = self.current_block()
        if block is None:
            return
        block_id = str(block.get("id"))
        self.flags.pop(block_id, None)
        self.on_flag_checked(block_id)
        row = self.block_list.currentRow()
        self._reload_blocks(row)

    def _block_edited(self) -> None:
        row = self.block_list.currentRow()
        item = self.block_list.item(row)
        block = self.current_block()
        if item is not None and block is not None:
            item.setText(block_preview(block))
            item.setToolTip(item.text())
        self.changed.emit()

    def _quiz_edited(self) -> None:
        self._update_quiz_tab()
        self.changed.emit()

    def _update_quiz_tab(self) -> None:
        n = len(self.module.questions) if self.module else 0
        self.tabs.setTabText(1, f"&Quiz ({n})" if n else "&Quiz")

    def _on_title(self, text: str) -> None:
        if self._loading or self.module is None:
            return
        self.module.title = text
        self.title_changed.emit(text)
        self.changed.emit()

    def open_slide_mode(self) -> None:
        """Present the module as edited (unsaved edits included) in the course template."""
        if self.module is None:
            return
        try:
            doc = build_module(self.module, 0)
        except DraftError as err:
            QMessageBox.warning(self, "Slide Mode", str(err))
            return
        script = build_script(doc.title, doc.blocks, self.course_title())
        SlideModeDialog(script, template(self.template_id()), self).exec()
