"""Issue 11, item 13: every dialog shares the app's look.

Each dialog the app shows — its own (settings, create profile, connect, conflicts, generate,
media library, template gallery, publish checklist) and Qt's (message boxes, input, file) —
is opened as ``byteos`` styles the application (Fusion and ``theme.STYLESHEET``, nothing
else), then checked on what it really draws: the background pixels are the theme's window
colour (not Fusion's grey #EFEFEF), its text reads at WCAG AA (4.5:1) on that background,
buttons carry no stock Qt icons, and message boxes show the theme's icons.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyleFactory,
)
from pytestqt.qtbot import QtBot

from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.shell import screenshots, theme
from app.shell.main_window import MainWindow

NAMES = [
    "settings",
    "create-profile",
    "connect",
    "conflicts",
    "generate",
    "media-library",
    "template-gallery",
    "publish-checklist",
    "message-warning",
    "message-question",
    "message-information",
    "input",
    "file",
]


@pytest.fixture
def styled(qapp: QApplication) -> Iterator[QApplication]:
    """The application styled exactly as ``byteos`` does it (app/cli.py)."""
    style, sheet = qapp.style().name() or "Fusion", qapp.styleSheet()
    qapp.setStyle("Fusion")
    qapp.setStyleSheet(theme.STYLESHEET)
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, creator: CurrentUser, styled: QApplication) -> MainWindow:
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.enter(creator)
    w.resize(1280, 820)
    return w


def _open(qtbot: QtBot, window: MainWindow, ctx: AppContext, name: str) -> QDialog:
    creator = window.user
    assert creator is not None
    make = dict(screenshots.dialogs(window, ctx, creator))[name]
    dialog = make()
    assert isinstance(dialog, QDialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    return dialog


def _near(a: QColor, b: QColor, tol: int = 3) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def _hex(c: QColor) -> str:
    return c.name(QColor.NameFormat.HexRgb)


def _corner_pixels(img: QImage) -> list[QColor]:
    """Pixels just inside each corner: the dialog's own background, under no child."""
    w, h = img.width(), img.height()
    return [img.pixelColor(x, y) for x, y in ((3, 3), (w - 4, 3), (3, h - 4), (w - 4, h - 4))]


@pytest.mark.parametrize("name", NAMES)
def test_dialog_shares_the_app_look(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, name: str
) -> None:
    dialog = _open(qtbot, window, ctx, name)
    _draws_the_theme_background(dialog, name)
    _text_meets_aa(dialog, name)
    _no_stock_icons(dialog, name)
    dialog.reject()


def _draws_the_theme_background(dialog: QDialog, name: str) -> None:
    background = QColor(theme.BACKGROUND)
    assert _hex(dialog.palette().color(dialog.backgroundRole())) == theme.BACKGROUND.lower()
    img = dialog.grab().toImage()
    for px in _corner_pixels(img):
        assert _near(px, background), f"{name}: {_hex(px)} is not the theme's {theme.BACKGROUND}"


def _background_behind(label: QLabel, img: QImage, dialog: QDialog) -> QColor:
    """What is drawn behind ``label``: the commonest colour of its rect's corner pixels."""
    top_left = label.mapTo(dialog, label.rect().topLeft())
    x0, y0, w, h = top_left.x(), top_left.y(), label.width(), label.height()
    corners = [
        (x0 + 1, y0 + 1),
        (x0 + w - 2, y0 + 1),
        (x0 + 1, y0 + h - 2),
        (x0 + w - 2, y0 + h - 2),
    ]
    colours = [_hex(img.pixelColor(x, y)) for x, y in corners]
    return QColor(max(set(colours), key=colours.count))


def _text_meets_aa(dialog: QDialog, name: str) -> None:
    img = dialog.grab().toImage()
    checked = 0
    for label in dialog.findChildren(QLabel):
        if not label.isVisible() or not label.text().strip() or label.styleSheet():
            continue  # a label with its own colours (a badge, a warning) is tested elsewhere
        if label.visibleRegion().isEmpty():
            continue  # scrolled out of view: nothing of it is drawn to measure
        plain = label.text().replace("&&", "")
        if "&" in plain and "<" not in plain:  # a mnemonic shows as a literal "&" without a buddy
            assert label.buddy() is not None, f"{name}: literal & in {label.text()!r}"
        fg = label.palette().color(QPalette.ColorRole.WindowText)
        bg = _background_behind(label, img, dialog)
        ratio = theme.contrast_ratio(_hex(fg), _hex(bg))
        assert ratio >= 4.5, f"{name}: {label.text()[:40]!r} {_hex(fg)} on {_hex(bg)}: {ratio:.1f}"
        checked += 1
    for edit in dialog.findChildren(QLineEdit):
        if edit.isVisible():
            pal = edit.palette()
            fg, bg = pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base)
            assert theme.contrast_ratio(_hex(fg), _hex(bg)) >= 4.5, name
    for button in dialog.findChildren(QPushButton):
        if button.isVisible() and button.isEnabled():
            pal = button.palette()
            fg, bg = pal.color(QPalette.ColorRole.ButtonText), pal.color(QPalette.ColorRole.Button)
            assert theme.contrast_ratio(_hex(fg), _hex(bg)) >= 4.5, (name, button.text())
    assert checked or name == "file", f"{name}: no text was checked"


def _no_stock_icons(dialog: QDialog, name: str) -> None:
    for box in dialog.findChildren(QDialogButtonBox):
        for button in box.findChildren(QAbstractButton):
            assert button.icon().isNull(), f"{name}: {button.text()!r} has a stock icon"


@pytest.mark.parametrize(
    ("name", "icon", "fill"),
    [
        ("message-warning", QMessageBox.Icon.Warning, theme.WARNING_BG),
        ("message-question", QMessageBox.Icon.Question, theme.INFO_BG),
        ("message-information", QMessageBox.Icon.Information, theme.INFO_BG),
    ],
)
def test_message_boxes_show_the_theme_icons(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    name: str,
    icon: QMessageBox.Icon,
    fill: str,
) -> None:
    box = _open(qtbot, window, ctx, name)
    assert isinstance(box, QMessageBox) and box.icon() == icon
    pixmap = box.iconPixmap()
    assert not pixmap.isNull()
    img = pixmap.toImage()
    # the icon is a tinted disc: just inside its rim, the fill is the theme's tint
    px = img.pixelColor(img.width() // 2, round(img.height() * 0.16))
    assert _near(px, QColor(fill), 12), f"{name}: icon fill {_hex(px)}, not {fill}"
    fusion = QStyleFactory.create("Fusion")
    standard = {
        QMessageBox.Icon.Warning: fusion.StandardPixmap.SP_MessageBoxWarning,
        QMessageBox.Icon.Question: fusion.StandardPixmap.SP_MessageBoxQuestion,
        QMessageBox.Icon.Information: fusion.StandardPixmap.SP_MessageBoxInformation,
    }[icon]
    stock = fusion.standardIcon(standard).pixmap(pixmap.size()).toImage()
    assert stock.convertToFormat(img.format()) != img  # not Qt's default icon
    box.reject()


def test_the_critical_icon_is_the_theme_one_too(qtbot: QtBot, styled: QApplication) -> None:
    box = QMessageBox(QMessageBox.Icon.Critical, "ByteOS", "The database cannot be opened.")
    qtbot.addWidget(box)
    img = box.iconPixmap().toImage()
    px = img.pixelColor(img.width() // 2, round(img.height() * 0.16))
    assert _near(px, QColor("#FFE3E3"), 12), _hex(px)


def test_theme_apply_sets_palette_and_stylesheet(qapp: QApplication) -> None:
    style, sheet, pal = qapp.style().name() or "Fusion", qapp.styleSheet(), qapp.palette()
    try:
        theme.apply(qapp)
        assert qapp.styleSheet() == theme.STYLESHEET
        window = qapp.palette().color(QPalette.ColorRole.Window)
        assert _hex(window) == theme.BACKGROUND.lower()
        text = qapp.palette().color(QPalette.ColorRole.WindowText)
        assert theme.contrast_ratio(_hex(text), _hex(window)) >= 4.5
    finally:
        qapp.setStyleSheet(sheet)
        qapp.setPalette(pal)
        qapp.setStyle(style)


def test_theme_icons_exist() -> None:
    for name in ("warning", "critical", "information", "question", "chevron-down", "chevron-up"):
        assert (theme.ICONS / f"{name}.svg").is_file(), name
