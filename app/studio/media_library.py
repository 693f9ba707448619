"""The media library dialog: the organisation's images, importing new ones (alt text
required), and searching Pexels / Unsplash / Giphy / web images when online with a key.

Searches and downloads run through ``TaskRunner`` so the window never freezes, and a
failure (offline, key refused) shows as a message in the dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services import media_library
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.common import fit_size, muted, named
from app.tasks import TaskControl, TaskRunner, runner_for
from engine.media_search.providers import (
    MediaHit,
    MediaSearchError,
    MediaSearchProvider,
    configured_providers,
)

THUMB = QSize(150, 110)


def _icon(path_or_bytes: Path | bytes | None) -> QIcon:
    pm = QPixmap()
    if isinstance(path_or_bytes, Path):
        pm.load(str(path_or_bytes))
    elif path_or_bytes:
        pm.loadFromData(path_or_bytes)
    if pm.isNull():
        return QIcon()
    return QIcon(
        pm.scaled(
            THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    )


def _fetch_thumb(url: str) -> bytes | None:
    return media_library.fetch_thumbnail(url)


class MediaLibraryDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        runner: TaskRunner | None = None,
        providers: list[MediaSearchProvider] | None = None,
        *,
        choose: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.user = ctx, user
        # the main window's runner, handed down (or found on the view that opened us)
        self.runner = runner or runner_for(parent)
        self.providers = providers if providers is not None else configured_providers()
        self.chosen: media_library.LibraryImage | None = None
        self.hits: list[MediaHit] = []
        self.setWindowTitle("Media library")
        self.setObjectName("media-library")
        outer = QVBoxLayout(self)
        self.tabs = named(QTabWidget(), "media-tabs", "Library or online search")
        outer.addWidget(self.tabs, 1)

        lib = QWidget()
        lv = QVBoxLayout(lib)
        self.library = named(QListWidget(), "media-library-list", "Images in the library")
        self.library.setViewMode(QListWidget.ViewMode.IconMode)
        self.library.setIconSize(THUMB)
        self.library.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.library.setSpacing(8)
        self.library.currentRowChanged.connect(self._show_selected)
        lv.addWidget(self.library, 1)
        self.empty_hint = named(
            muted("No images yet. Import one from your computer, or search online."),
            "media-empty",
            "The library is empty",
        )
        lv.addWidget(self.empty_hint)
        alt_row = QHBoxLayout()
        self.alt_edit = named(QLineEdit(), "media-alt", "Alt text of the selected image")
        self.alt_edit.setPlaceholderText("Alt text (required)")
        self.save_alt = named(QPushButton("Save alt text"), "media-save-alt", "Save alt text")
        self.save_alt.clicked.connect(self._save_alt)
        alt_label = QLabel("&Alt text")
        alt_label.setBuddy(self.alt_edit)
        alt_row.addWidget(alt_label)
        alt_row.addWidget(self.alt_edit, 1)
        alt_row.addWidget(self.save_alt)
        lv.addLayout(alt_row)
        self.import_button = named(
            QPushButton("Import image…"), "media-import", "Import an image file"
        )
        self.import_button.clicked.connect(self.import_file)
        lv.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.tabs.addTab(lib, "&Library")

        web = QWidget()
        wv = QVBoxLayout(web)
        row = QHBoxLayout()
        self.provider_combo = named(QComboBox(), "media-provider", "Search service")
        for p in self.providers:
            self.provider_combo.addItem(p.name)
        self.query = named(QLineEdit(), "media-query", "Search words")
        self.query.setPlaceholderText("e.g. kitchen safety")
        self.query.returnPressed.connect(self.search)
        self.search_button = named(QPushButton("Search"), "media-search", "Search images")
        self.search_button.clicked.connect(self.search)
        row.addWidget(self.provider_combo)
        row.addWidget(self.query, 1)
        row.addWidget(self.search_button)
        wv.addLayout(row)
        self.status = named(QLabel(), "media-search-status", "Search status")
        self.status.setWordWrap(True)
        wv.addWidget(self.status)
        self.results = named(QListWidget(), "media-results", "Search results")
        self.results.setViewMode(QListWidget.ViewMode.IconMode)
        self.results.setIconSize(THUMB)
        self.results.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.results.setSpacing(8)
        wv.addWidget(self.results, 1)
        self.add_button = named(
            QPushButton("Add to library…"), "media-add", "Add the selected result to the library"
        )
        self.add_button.clicked.connect(self.add_selected_hit)
        wv.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.tabs.addTab(web, "Search &online")
        if not self.providers:
            for w in (self.provider_combo, self.query, self.search_button, self.add_button):
                w.setEnabled(False)
            self.status.setText(
                "To search free image libraries, add a Pexels, Unsplash, Giphy or Google key "
                "in File → Settings… (Ctrl+,)."
            )

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("media-close")
        close.setAccessibleName("Close the media library")
        if choose:
            self.use_button = buttons.addButton(
                "Use this image", QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.use_button.setObjectName("media-use")
            self.use_button.setAccessibleName("Use the selected image")
        buttons.accepted.connect(self._accept_choice)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        fit_size(self, 900, 620, parent)
        self.refresh()

    # -- library -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.images = media_library.list_images(self.ctx, self.user)
        self.library.clear()
        for img in self.images:
            item = QListWidgetItem(_icon(img.path), img.alt or img.name)
            item.setToolTip(f"{img.alt}\n{img.attribution}".strip())
            item.setData(Qt.ItemDataRole.AccessibleTextRole, img.alt or img.name)
            self.library.addItem(item)
        if self.images:
            self.library.setCurrentRow(0)
        self.empty_hint.setVisible(not self.images)

    def _show_selected(self, row: int) -> None:
        img = self.images[row] if 0 <= row < len(self.images) else None
        self.alt_edit.setText(img.alt if img else "")

    def _save_alt(self) -> None:
        row = self.library.currentRow()
        if not 0 <= row < len(self.images):
            return
        try:
            media_library.set_alt(
                self.ctx, self.user, self.images[row].asset_id, self.alt_edit.text()
            )
        except UserError as err:
            QMessageBox.warning(self, "Alt text", str(err))
            return
        self.refresh()
        self.library.setCurrentRow(row)

    def _ask_alt(self, suggestion: str = "") -> str | None:
        alt, ok = QInputDialog.getText(
            self,
            "Describe the image",
            "Alt text (required): what does the image show, for someone who can't see it?",
            QLineEdit.EchoMode.Normal,
            suggestion,
        )
        return alt if ok else None

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import image", "", "Images (*.png *.jpg *.jpeg *.gif *.webp)"
        )
        if not path:
            return
        alt = self._ask_alt()
        if alt is None:
            return
        try:
            media_library.add_file(self.ctx, self.user, Path(path), alt)
        except UserError as err:
            QMessageBox.warning(self, "Cannot add this image", str(err))
            return
        self.refresh()

    def _accept_choice(self) -> None:
        row = self.library.currentRow()
        if 0 <= row < len(self.images):
            self.chosen = self.images[row]
            self.accept()

    # -- online search -----------------------------------------------------------------------
    def search(self) -> None:
        query = self.query.text().strip()
        if not query or not self.providers:
            return
        provider = self.providers[self.provider_combo.currentIndex()]
        self.status.setText(f"Searching {provider.name}…")
        self.search_button.setEnabled(False)

        def work(control: TaskControl) -> list[tuple[MediaHit, bytes | None]]:
            hits = provider.search(query, per_page=20)
            out = []
            for i, h in enumerate(hits):
                control.progress(i / max(1, len(hits)), "Loading previews")
                out.append((h, _fetch_thumb(h.thumb_url)))
            return out

        self.runner.run(
            f"Searching {provider.name}",
            work,
            on_success=self._show_hits,
            on_error=self._search_failed,
        )

    def _show_hits(self, result: Any) -> None:
        self.search_button.setEnabled(True)
        self.results.clear()
        self.hits = [h for h, _ in result]
        for hit, thumb in result:
            item = QListWidgetItem(_icon(thumb), hit.title or hit.id)
            item.setToolTip(hit.attribution)
            self.results.addItem(item)
        self.status.setText(f"{len(self.hits)} results" if self.hits else "No results.")

    def _search_failed(self, message: str) -> None:
        self.search_button.setEnabled(True)
        self.status.setText(message)

    def add_selected_hit(self) -> None:
        row = self.results.currentRow()
        if not 0 <= row < len(self.hits):
            self.status.setText("Select a result first.")
            return
        hit = self.hits[row]
        alt = self._ask_alt(hit.title)
        if alt is None:
            return
        try:
            media_library.require_alt(alt)
        except UserError as err:
            QMessageBox.warning(self, "Alt text", str(err))
            return
        self.status.setText("Downloading…")

        def work(_c: TaskControl) -> media_library.LibraryImage:
            return media_library.add_search_hit(self.ctx, self.user, hit, alt)

        def done(_img: object) -> None:
            self.status.setText("Added to the library.")
            self.refresh()

        self.runner.run("Adding image", work, on_success=done, on_error=self._search_failed)


__all__ = ["MediaLibraryDialog", "MediaSearchError"]
