"""The ByteOS look: one application stylesheet with WCAG AA contrast.

Text colours are checked against their backgrounds in tests (contrast ratio >= 4.5:1),
disabled text included: a disabled control is still read, to know what it would do.

Two rules keep controls from clipping or jumping:

* every state of a control has the same box: a state that thickens a border takes the same
  pixels off the padding, and no state changes the font weight (Qt sizes a button from its
  normal state, so a bold checked label would not fit: "Videc", "Quiz (3");
* a checked toggle is shown by a tinted fill, an accent border and a 3 px accent bar at the
  bottom — colour is never the only cue.

Keyboard focus is one ring for every focusable control — 2 px of ``FOCUS_RING`` — and the
``:focus`` rules come last, so no later role rule (primary, nav, …) hides them. The ring has
at least 3:1 contrast against every background it is drawn on (WCAG 2.4.11 / 1.4.11),
including the accent fill of primary buttons.

White-label (issue 13): :func:`stylesheet` draws the same sheet in an organisation's colours
and font (``engine.org.branding`` has checked the colours for AA on ``SURFACE``,
``BACKGROUND`` and ``INFO_BG`` before they were stored); :func:`apply_branding` puts it on the
application when one of its members signs in (``app.shell.role_menus``) and ByteOS's own back
when nobody is. ``STYLESHEET`` is the sheet in ByteOS's colours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.accessibility import AA_NON_TEXT, contrast_ratio
from engine.org.branding import PAGE_BACKGROUND, TINT, BrandColours, brand_colours
from engine.org.branding import SURFACE as BRAND_SURFACE

__all__ = [
    "DIALOG_CLASSES",
    "ICONS",
    "STYLESHEET",
    "apply",
    "apply_branding",
    "contrast_ratio",
    "palette",
    "stylesheet",
]

ICONS = Path(__file__).resolve().parent / "icons"  # the theme's own icons (SVG)

ACCENT = "#3B5BDB"  # on white: 6.1:1
ACCENT_DARK = "#2F4AC0"
TEXT = "#1F2430"  # on white: 15.4:1
MUTED = "#4A5263"  # on white: 8.0:1
SURFACE = "#FFFFFF"
BACKGROUND = "#F4F6FB"
BORDER = "#D5DAE5"
SUCCESS = "#1E7A46"  # on white: 5.5:1
DANGER = "#B42318"  # on white: 6.5:1
WARNING_BG = "#FFF4E5"
WARNING_TEXT = "#7A4100"
INFO_BG = "#EAF0FF"
TIP_BG = "#E8F7EF"
DISABLED_TEXT = "#5C6374"  # on DISABLED_BG: 5.3:1
DISABLED_BG = "#EEF0F5"
DISABLED_BORDER = "#E1E4EC"
PRIMARY_DISABLED_BG = "#DDE3F7"  # with MUTED text: 6.1:1
FOCUS_RING = "#0B1533"  # on white 18:1, on BACKGROUND 17:1, on INFO_BG 16:1, on ACCENT 3.2:1

# Every kind of dialog the app shows (its own and Qt's): all get the window's background.
DEFAULT_BRAND = BrandColours(ACCENT, ACCENT_DARK, ACCENT, None)
"""The ByteOS colours (no organisation branding): ``STYLESHEET`` is drawn in them."""
assert (SURFACE, BACKGROUND, INFO_BG) == (
    BRAND_SURFACE,
    PAGE_BACKGROUND,
    TINT,
)  # the checks' backgrounds

DIALOG_CLASSES = ("QDialog", "QMessageBox", "QInputDialog", "QFileDialog", "QProgressDialog")


def _icon(name: str) -> str:
    return f'url("{(ICONS / name).as_posix()}")'


def stylesheet(brand: BrandColours | None = None) -> str:
    """The application stylesheet, in an organisation's colours and font when ``brand`` is
    given (``engine.org.branding``: colours already checked for AA on these backgrounds).

    The primary colour takes the accent's place (text, primary buttons, selection), the
    secondary colour the bars and underlines. When the focus ring would not reach 3:1 on a
    (dark) primary fill, a focused primary button turns to an outlined one instead."""
    c = brand or DEFAULT_BRAND
    accent, accent_dark, secondary = c.accent, c.accent_dark, c.secondary
    sheet = f"""
QWidget {{ color: {TEXT}; font-size: 10.5pt; }}
QWidget:disabled {{ color: {DISABLED_TEXT}; }}
QWidget {{ selection-background-color: {accent}; selection-color: #FFFFFF; }}
QMainWindow, QStackedWidget#workspace, QWidget#page {{ background: {BACKGROUND}; }}
/* Dialogs share the window's look: its background and text (not Fusion's grey), the
   theme's own message-box icons, and no stock icons on OK / Cancel / Close. */
{", ".join(DIALOG_CLASSES)} {{ background: {BACKGROUND}; color: {TEXT}; }}
QDialog QScrollArea > QWidget#qt_scrollarea_viewport > QWidget {{ background: transparent; }}
QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
QMessageBox {{
    messagebox-warning-icon: {_icon("warning.svg")};
    messagebox-critical-icon: {_icon("critical.svg")};
    messagebox-information-icon: {_icon("information.svg")};
    messagebox-question-icon: {_icon("question.svg")};
}}
QMessageBox QLabel {{ background: transparent; }}
QMenuBar {{ background: {SURFACE}; color: {TEXT}; }}
QMenuBar::item {{ padding: 4px 8px; background: transparent; }}
QMenuBar::item:selected {{ background: {INFO_BG}; color: {TEXT}; }}
QMenu {{ background: {SURFACE}; color: {TEXT}; border: 1px solid {BORDER}; padding: 4px; }}
QMenu::item {{ padding: 5px 24px 5px 12px; border-radius: 4px; }}
QMenu::item:selected {{ background: {INFO_BG}; color: {TEXT}; }}
QMenu::item:disabled {{ color: {DISABLED_TEXT}; }}
QMenu::separator {{ height: 1px; background: {BORDER}; margin: 4px 6px; }}
QToolTip {{ background: {TEXT}; color: #FFFFFF; border: 1px solid {TEXT}; padding: 4px 6px; }}
QStatusBar {{ background: {SURFACE}; border-top: 1px solid {BORDER}; }}
QTabWidget::pane {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px; top: -1px;
}}
QTabBar::tab {{
    background: transparent; color: {MUTED}; border: 1px solid transparent;
    border-bottom: 3px solid transparent; padding: 6px 14px; margin-right: 2px;
}}
QTabBar::tab:hover {{ color: {TEXT}; }}
QTabBar::tab:selected {{ color: {accent_dark}; border-bottom-color: {secondary}; }}
QTabBar::tab:disabled {{ color: {DISABLED_TEXT}; }}
QHeaderView::section {{
    background: {BACKGROUND}; color: {TEXT}; border: none; border-bottom: 1px solid {BORDER};
    border-right: 1px solid {BORDER}; padding: 4px 6px;
}}
QLabel[role="title"] {{ font-size: 18pt; font-weight: 600; }}
QLabel[role="subtitle"] {{ color: {MUTED}; font-size: 11pt; }}
QLabel[role="muted"] {{ color: {MUTED}; }}
QFrame[role="card"] {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 10px;
}}
QPushButton {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px;
    padding: 6px 14px;
}}
QPushButton:hover {{ border-color: {accent}; }}
QPushButton:checked {{
    background: {INFO_BG}; color: {accent_dark}; border: 1px solid {accent};
    border-bottom: 3px solid {secondary}; padding: 6px 14px 4px 14px;
}}
QPushButton:disabled {{
    color: {DISABLED_TEXT}; background: {DISABLED_BG}; border-color: {DISABLED_BORDER};
}}
QPushButton[role="primary"] {{
    background: {accent}; color: #FFFFFF; border: 1px solid {accent_dark}; font-weight: 600;
    padding: 6px 14px;
}}
QPushButton[role="primary"]:hover {{ background: {accent_dark}; }}
QPushButton[role="primary"]:disabled {{
    background: {PRIMARY_DISABLED_BG}; color: {MUTED}; border-color: {PRIMARY_DISABLED_BG};
}}
QPushButton[role="nav"] {{
    border: 2px solid transparent; border-bottom: 3px solid transparent; border-radius: 0;
    padding: 8px 16px; font-weight: 600; color: {MUTED}; background: transparent;
}}
QPushButton[role="nav"]:hover {{ color: {TEXT}; }}
QPushButton[role="nav"]:checked {{ color: {accent}; border-bottom-color: {secondary}; }}
QToolButton {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px; padding: 4px;
}}
QToolButton:hover {{ border-color: {accent}; }}
QToolButton:checked {{ background: {INFO_BG}; border-color: {accent}; }}
QCheckBox, QRadioButton {{ border: 2px solid transparent; border-radius: 4px; padding: 2px; }}
QWidget#topbar {{ background: {SURFACE}; border-bottom: 1px solid {BORDER}; }}
QListWidget, QListView, QTreeView, QTableView, QTextBrowser, QTextEdit, QPlainTextEdit {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px;
}}
QLineEdit, QComboBox, QSpinBox, QDoubleSpinBox {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px; padding: 4px 6px;
}}
QLineEdit:disabled, QComboBox:disabled, QSpinBox:disabled, QPlainTextEdit:disabled,
QTextEdit:disabled, QListWidget:disabled {{
    background: {DISABLED_BG}; color: {DISABLED_TEXT};
}}
QComboBox::drop-down {{
    subcontrol-origin: padding; subcontrol-position: center right; width: 22px; border: none;
}}
QComboBox::down-arrow {{ image: {_icon("chevron-down.svg")}; width: 12px; height: 12px; }}
QComboBox::down-arrow:disabled {{ image: {_icon("chevron-down-disabled.svg")}; }}
QComboBox QAbstractItemView {{
    background: {SURFACE}; color: {TEXT}; border: 1px solid {BORDER};
    selection-background-color: {INFO_BG}; selection-color: {TEXT}; outline: 0;
}}
QSpinBox, QDoubleSpinBox {{ padding-right: 22px; }}
QSpinBox::up-button, QDoubleSpinBox::up-button, QSpinBox::down-button,
QDoubleSpinBox::down-button {{
    subcontrol-origin: border; width: 20px; border: none; background: transparent;
}}
QSpinBox::up-button, QDoubleSpinBox::up-button {{ subcontrol-position: top right; }}
QSpinBox::down-button, QDoubleSpinBox::down-button {{ subcontrol-position: bottom right; }}
QSpinBox::up-arrow, QDoubleSpinBox::up-arrow {{
    image: {_icon("chevron-up.svg")}; width: 10px; height: 10px;
}}
QSpinBox::down-arrow, QDoubleSpinBox::down-arrow {{
    image: {_icon("chevron-down.svg")}; width: 10px; height: 10px;
}}
QSpinBox::up-arrow:disabled, QDoubleSpinBox::up-arrow:disabled {{
    image: {_icon("chevron-up-disabled.svg")};
}}
QSpinBox::down-arrow:disabled, QDoubleSpinBox::down-arrow:disabled {{
    image: {_icon("chevron-down-disabled.svg")};
}}
QListWidget::item {{ padding: 6px; }}
QListWidget::item:selected {{ background: {INFO_BG}; color: {TEXT}; }}
QProgressBar {{
    border: 1px solid {BORDER}; border-radius: 4px; background: {SURFACE}; height: 10px;
    text-align: center;
}}
QProgressBar::chunk {{ background: {secondary}; border-radius: 3px; }}

/* Keyboard focus: last, so that no role or state rule above overrides it. */
QPushButton:focus, QPushButton[role="primary"]:focus {{
    border: 2px solid {FOCUS_RING}; padding: 5px 13px;
}}
QPushButton:checked:focus {{
    border: 2px solid {FOCUS_RING}; border-bottom: 3px solid {FOCUS_RING};
    padding: 5px 13px 4px 13px;
}}
QPushButton[role="nav"]:focus {{ border-color: {FOCUS_RING}; border-radius: 4px; }}
QPushButton[role="nav"]:checked:focus {{
    border-color: {FOCUS_RING}; border-bottom-color: {secondary};
}}
QToolButton:focus {{ border: 2px solid {FOCUS_RING}; padding: 3px; }}
QCheckBox:focus, QRadioButton:focus {{ border-color: {FOCUS_RING}; }}
QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QDoubleSpinBox:focus {{
    border: 2px solid {FOCUS_RING}; padding: 3px 5px;
}}
QSpinBox:focus, QDoubleSpinBox:focus {{ padding-right: 21px; }}
QTabBar::tab:focus {{ border: 1px solid {FOCUS_RING}; border-bottom: 3px solid {FOCUS_RING}; }}
QListWidget:focus, QListView:focus, QTreeView:focus, QTableView:focus, QTextBrowser:focus,
QTextEdit:focus, QPlainTextEdit:focus, QGraphicsView:focus {{
    border: 2px solid {FOCUS_RING};
}}
"""
    if contrast_ratio(FOCUS_RING, accent) < AA_NON_TEXT:
        sheet += (
            f'QPushButton[role="primary"]:focus {{ background: {SURFACE}; color: {accent}; }}\n'
        )
    if c.font:
        sheet += f'QWidget {{ font-family: "{c.font}"; }}\n'
    return sheet


STYLESHEET = stylesheet()


def palette(brand: BrandColours | None = None) -> object:
    """The theme as a ``QPalette``, for what a stylesheet does not reach (Fusion's own
    drawing: check boxes, scroll bars, item views, the file dialog)."""
    from PySide6.QtGui import QColor, QPalette

    c = brand or DEFAULT_BRAND

    pal = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, BACKGROUND),
        (roles.WindowText, TEXT),
        (roles.Base, SURFACE),
        (roles.AlternateBase, BACKGROUND),
        (roles.Text, TEXT),
        (roles.Button, SURFACE),
        (roles.ButtonText, TEXT),
        (roles.ToolTipBase, TEXT),
        (roles.ToolTipText, "#FFFFFF"),
        (roles.PlaceholderText, MUTED),
        (roles.Highlight, c.accent),
        (roles.HighlightedText, "#FFFFFF"),
        (roles.Link, c.accent_dark),
        (roles.Light, SURFACE),
        (roles.Midlight, BORDER),
        (roles.Mid, BORDER),
        (roles.Dark, MUTED),
    ):
        pal.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        pal.setColor(disabled, role, QColor(DISABLED_TEXT))
    pal.setColor(disabled, roles.Button, QColor(DISABLED_BG))
    pal.setColor(disabled, roles.Base, QColor(DISABLED_BG))
    return pal


def apply(app: object) -> None:
    """Give ``app`` (a ``QApplication``) the ByteOS look: Fusion, the palette, the stylesheet.

    The stylesheet alone already themes every window and dialog (``byteos`` sets Fusion and
    ``STYLESHEET``); the palette makes what Fusion draws itself match too.
    """
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    pal = palette()
    assert isinstance(pal, QPalette)
    app.setPalette(pal)
    app.setStyleSheet(STYLESHEET)


def brand_for(branding: Mapping[str, Any] | None) -> BrandColours | None:
    """The theme colours for an organisation's ``branding`` document; ``None`` when it would
    look like ByteOS's own (no branding, unreadable colours, a font this machine lacks)."""
    if not branding:
        return None
    brand = brand_colours(branding, ACCENT, ACCENT)
    if brand.accent == ACCENT:  # the ByteOS accent keeps its own hover shade
        brand = replace(brand, accent_dark=ACCENT_DARK)
    if brand.font is not None and not _installed(brand.font):
        brand = replace(brand, font=None)  # Qt would fall back anyway: do not restyle for it
    return None if brand == DEFAULT_BRAND else brand


def _installed(family: str) -> bool:
    from PySide6.QtGui import QFontDatabase

    return family.casefold() in {f.casefold() for f in QFontDatabase.families()}


def apply_branding(app: object, branding: Mapping[str, Any] | None) -> BrandColours | None:
    """Redraw ``app`` in an organisation's colours (who signed in belongs to it), or in
    ByteOS's own (``None``: nobody signed in, or no branding). Only when it changes: setting
    a stylesheet repolishes every widget."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    brand = brand_for(branding)
    if brand is None and not app.property("byteos-branded"):
        return None  # never branded: the app keeps the look it was started with
    app.setProperty("byteos-branded", brand is not None)
    sheet = stylesheet(brand)
    if app.styleSheet() != sheet:
        pal = palette(brand)
        assert isinstance(pal, QPalette)
        app.setPalette(pal)
        app.setStyleSheet(sheet)
    return brand
