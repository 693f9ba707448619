"""The ByteOS look: one application stylesheet with WCAG AA contrast.

Text colours are checked against their backgrounds in tests (contrast ratio >= 4.5:1).
"""

from __future__ import annotations

from engine.accessibility import contrast_ratio

__all__ = ["STYLESHEET", "contrast_ratio"]

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

STYLESHEET = f"""
QWidget {{ color: {TEXT}; font-size: 10.5pt; }}
QMainWindow, QStackedWidget#workspace, QWidget#page {{ background: {BACKGROUND}; }}
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
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:checked {{ background: {INFO_BG}; border: 2px solid {ACCENT}; font-weight: 600; }}
QPushButton:disabled {{ color: #8A90A0; background: #EEF0F5; border-color: #E1E4EC; }}
QPushButton:focus {{ border: 2px solid {ACCENT}; }}
QPushButton[role="primary"] {{
    background: {ACCENT}; color: #FFFFFF; border: 1px solid {ACCENT_DARK}; font-weight: 600;
}}
QPushButton[role="primary"]:hover {{ background: {ACCENT_DARK}; }}
QPushButton[role="primary"]:disabled {{ background: #8FA2E8; color: #FFFFFF; }}
QPushButton[role="nav"] {{
    border: none; border-radius: 0; padding: 10px 18px; font-weight: 600; color: {MUTED};
    background: transparent;
}}
QPushButton[role="nav"]:checked {{ color: {ACCENT}; border-bottom: 3px solid {ACCENT}; }}
QWidget#topbar {{ background: {SURFACE}; border-bottom: 1px solid {BORDER}; }}
QListWidget, QTextBrowser, QLineEdit, QPlainTextEdit, QComboBox, QSpinBox {{
    background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px;
}}
QListWidget::item {{ padding: 6px; }}
QListWidget::item:selected {{ background: {INFO_BG}; color: {TEXT}; }}
QProgressBar {{
    border: 1px solid {BORDER}; border-radius: 4px; background: {SURFACE}; height: 10px;
    text-align: center;
}}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 3px; }}
"""
