"""Organisation → Branding… (issue 13): the organisation's logo, colours and font, with a
live preview of the app and of a course page in them.

Every change redraws the preview at once; a colour that would fail WCAG AA where it is used
is named with its measured ratio and the nearest colour that passes (one click to use it),
and Save refuses it (``app.services.branding``). Saved branding is the whole app's theme for
the organisation's members (``app.shell.theme.apply_branding``), and what course templates,
certificates and exported SCORM packages are drawn in.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabBar,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.services import branding
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.shell import theme
from app.studio.common import fit_size, muted, named
from engine.accessibility import is_hex_colour, shade
from engine.org.branding import BrandColours
from engine.templates import DEFAULT, branded, stylesheet


class BrandingView(QWidget):
    saved = Signal()

    def __init__(self, ctx: AppContext, user: CurrentUser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.user = ctx, user
        doc = branding.load(ctx, user)
        self.logo_url = doc.logo_url
        self.suggestions: dict[str, str] = {}
        outer = QHBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form, 1)
        form.addRow(muted(f"How {doc.org_name} looks to its members, in courses and exports."))
        self.primary = self._colour_row(form, "primary_color", "&Primary colour", doc.primary_color)
        self.secondary = self._colour_row(
            form, "secondary_color", "&Secondary colour", doc.secondary_color
        )
        self.font_family = named(QLineEdit(doc.font or ""), "brand-font", "Font family")
        self.font_family.setPlaceholderText("for example Inter or Noto Sans")
        self.font_family.textChanged.connect(self.update_preview)
        form.addRow("&Font", self.font_family)
        logo_row = QHBoxLayout()
        self.logo_button = named(QPushButton("Choose logo…"), "brand-logo", "Choose the logo")
        self.logo_button.clicked.connect(self.choose_logo)
        logo_row.addWidget(self.logo_button)
        self.clear_logo_button = named(QPushButton("No logo"), "brand-no-logo", "Remove the logo")
        self.clear_logo_button.clicked.connect(lambda: self.set_logo(None))
        logo_row.addWidget(self.clear_logo_button)
        form.addRow("Logo", logo_row)
        self.problems = named(QLabel(), "brand-problems", "Contrast problems")
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(self.problems)
        self.use_suggested = named(
            QPushButton("Use the suggested colours"),
            "brand-use-suggested",
            "Replace the failing colours with the nearest ones that pass",
        )
        self.use_suggested.clicked.connect(self.apply_suggestions)
        form.addRow(self.use_suggested)
        self.save_button = named(QPushButton("Save branding"), "brand-save", "Save the branding")
        self.save_button.setProperty("role", "primary")
        self.save_button.clicked.connect(self.save)
        form.addRow(self.save_button)
        self.status = muted()
        self.status.setObjectName("brand-status")
        form.addRow(self.status)

        self.preview = QFrame()
        self.preview.setObjectName("brand-preview")
        self.preview.setProperty("role", "card")
        self.preview.setAccessibleName("Preview of the branding")
        pv = QVBoxLayout(self.preview)
        top = QHBoxLayout()
        self.preview_logo = QLabel()
        self.preview_logo.setObjectName("brand-preview-logo")
        self.preview_logo.setAccessibleName("Logo")
        top.addWidget(self.preview_logo)
        name = QLabel(doc.org_name)
        name.setProperty("role", "title")
        top.addWidget(name, 1)
        pv.addLayout(top)
        tabs = QTabBar()
        tabs.setObjectName("brand-preview-tabs")
        tabs.setAccessibleName("Sample tabs")
        for text in ("Learn", "Studio", "Team"):
            tabs.addTab(text)
        pv.addWidget(tabs)
        buttons = QHBoxLayout()
        sample = QPushButton("Continue learning")
        sample.setProperty("role", "primary")
        sample.setAccessibleName("Sample primary button")
        buttons.addWidget(sample)
        toggle = QPushButton("Checked")
        toggle.setCheckable(True)
        toggle.setChecked(True)
        toggle.setAccessibleName("Sample checked button")
        buttons.addWidget(toggle)
        buttons.addStretch(1)
        pv.addLayout(buttons)
        bar = QProgressBar()
        bar.setValue(60)
        bar.setAccessibleName("Sample progress")
        pv.addWidget(bar)
        self.course = named(QTextBrowser(), "brand-preview-course", "Sample course page")
        pv.addWidget(self.course, 1)
        outer.addWidget(self.preview, 1)
        self.update_preview()

    def _colour_row(self, form: QFormLayout, key: str, label: str, value: str | None) -> QLineEdit:
        row = QHBoxLayout()
        field = named(QLineEdit(value or ""), f"brand-{key}", label.replace("&", ""))
        field.setPlaceholderText("#RRGGBB")
        field.textChanged.connect(self.update_preview)
        row.addWidget(field)
        pick = named(QPushButton("Pick…"), f"brand-{key}-pick", f"Pick the {label[1:].lower()}")
        pick.clicked.connect(lambda: self.pick(field))
        row.addWidget(pick)
        form.addRow(label, row)
        lbl = form.labelForField(row)
        if isinstance(lbl, QLabel):
            lbl.setBuddy(field)
        return field

    def pick(self, field: QLineEdit) -> None:
        start = QColor(field.text()) if is_hex_colour(field.text()) else QColor(theme.ACCENT)
        colour = QColorDialog.getColor(start, self, "Choose a colour")
        if colour.isValid():
            field.setText(colour.name().upper())

    def candidate(self) -> BrandColours:
        """What the preview shows: the colours as typed (the problems say if they pass)."""
        primary = self.primary.text().strip()
        second = self.secondary.text().strip()
        accent = primary.upper() if is_hex_colour(primary) else theme.ACCENT
        return BrandColours(
            accent=accent,
            accent_dark=shade(accent, 0.18) if accent != theme.ACCENT else theme.ACCENT_DARK,
            secondary=second.upper() if is_hex_colour(second) else accent,
            font=self.font_family.text().strip() or None,
        )

    def update_preview(self) -> None:
        brand = self.candidate()
        self.preview.setStyleSheet(theme.stylesheet(brand))
        page = branded(DEFAULT, brand.accent, brand.font)
        self.course.document().setDefaultStyleSheet(stylesheet(page))
        self.course.setHtml(
            "<h1>Kitchen safety</h1><h2>Knives</h2><p>Carry a knife point down, close to "
            'your side. <a href="#">Read the policy</a>.</p>'
        )
        messages: list[str] = []
        self.suggestions = {}
        for key, field in (("primary_color", self.primary), ("secondary_color", self.secondary)):
            text = field.text().strip()
            if text and not is_hex_colour(text):
                messages.append(f"“{text}” is not a colour: write it as #RRGGBB.")
                continue
            found = branding.problems(key, text) if text else []
            if found:  # the worst use says it all (the suggestion passes every use)
                messages.append(min(found, key=lambda p: p.ratio).message)
            if found:
                self.suggestions[key] = found[0].suggestion
        fine = "Both colours pass WCAG AA where they are used."
        self.problems.setText("\n".join(messages) or fine)
        self.use_suggested.setEnabled(bool(self.suggestions))
        logo = branding.logo_file(self.ctx, self.logo_url)
        pixmap = QPixmap(str(logo)) if logo else QPixmap()
        if pixmap.isNull():
            self.preview_logo.clear()
        else:
            self.preview_logo.setPixmap(pixmap.scaledToHeight(40))

    def apply_suggestions(self) -> None:
        fields = {"primary_color": self.primary, "secondary_color": self.secondary}
        for key, colour in dict(self.suggestions).items():
            fields[key].setText(colour)

    def choose_logo(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose the logo", "", "Images (*.png *.jpg *.jpeg *.gif *.webp)"
        )
        if name:
            self.set_logo(Path(name))

    def set_logo(self, source: Path | None) -> None:
        try:
            self.logo_url = branding.import_logo(self.ctx, self.user, source) if source else None
        except UserError as err:
            QMessageBox.warning(self, "Branding", str(err))
            return
        self.update_preview()

    def save(self) -> None:
        try:
            doc = branding.save(
                self.ctx,
                self.user,
                self.primary.text(),
                self.secondary.text(),
                self.font_family.text(),
                self.logo_url,
            )
        except UserError as err:
            QMessageBox.warning(self, "Branding", str(err))
            return
        self.status.setText(f"Saved: {doc.org_name}'s members see it from now on.")
        self.saved.emit()


def open_branding_dialog(
    ctx: AppContext, user: CurrentUser, parent: QWidget | None = None
) -> QDialog:
    view = BrandingView(ctx, user)
    dialog = QDialog(parent)
    dialog.setObjectName("branding-dialog")
    dialog.setWindowTitle("Branding")
    view.setParent(dialog)
    QVBoxLayout(dialog).addWidget(view)
    dialog.branding_view = view  # type: ignore[attr-defined]
    dialog.saved = view.saved  # type: ignore[attr-defined]
    fit_size(dialog, 1000, 620, parent)
    dialog.show()
    return dialog
