"""The media library: import with required alt text, and an online search (against a local
server speaking Pexels' API) whose result is downloaded into the library."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.services import media_library
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.studio.media_library import MediaLibraryDialog
from engine.media_search.providers import PexelsProvider
from tests.engine.ingest.conftest import png_bytes

PNG = png_bytes(320, 200)


@pytest.fixture
def pexels() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_a: Any) -> None:
            return

        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path.startswith("/v1/search"):
                body = json.dumps(
                    {
                        "photos": [
                            {
                                "id": 7,
                                "width": 320,
                                "height": 200,
                                "photographer": "Cy",
                                "alt": "Blue square",
                                "url": f"{base}/photo/7",
                                "src": {
                                    "original": f"{base}/img/7.png",
                                    "medium": f"{base}/img/7.png",
                                },
                            }
                        ]
                    }
                ).encode()
                kind = "application/json"
            elif self.path.startswith("/img/"):
                body, kind = PNG, "image/png"
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_alt_text_is_required(ctx: AppContext, creator: CurrentUser, tmp_path: Path) -> None:
    f = tmp_path / "blue.png"
    f.write_bytes(PNG)
    with pytest.raises(UserError, match="alt text"):
        media_library.add_file(ctx, creator, f, "   ")
    img = media_library.add_file(ctx, creator, f, "A blue rectangle")
    assert [i.alt for i in media_library.list_images(ctx, creator)] == ["A blue rectangle"]
    assert img.path.read_bytes() == PNG


def test_search_and_add_through_the_dialog(
    qtbot: QtBot,
    ctx: AppContext,
    creator: CurrentUser,
    pexels: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dlg = MediaLibraryDialog(ctx, creator, providers=[PexelsProvider("key", base_url=pexels)])
    qtbot.addWidget(dlg)
    assert dlg.library.count() == 0
    dlg.query.setText("blue")
    dlg.search()
    qtbot.waitUntil(lambda: dlg.results.count() == 1, timeout=10_000)
    assert dlg.status.text() == "1 results"
    assert not dlg.results.item(0).icon().isNull()  # the preview was downloaded
    dlg.results.setCurrentRow(0)
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *a, **k: ("A plain blue square", True))
    )
    dlg.add_selected_hit()
    qtbot.waitUntil(lambda: dlg.library.count() == 1, timeout=10_000)
    [img] = media_library.list_images(ctx, creator)
    assert img.alt == "A plain blue square" and "Cy" in img.attribution
    assert img.path.read_bytes() == PNG


def test_offline_search_says_so(qtbot: QtBot, ctx: AppContext, creator: CurrentUser) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    dlg = MediaLibraryDialog(ctx, creator, providers=[PexelsProvider("key", base_url=dead)])
    qtbot.addWidget(dlg)
    dlg.query.setText("blue")
    dlg.search()
    qtbot.waitUntil(lambda: "offline" in dlg.status.text(), timeout=10_000)
    assert dlg.search_button.isEnabled()


def test_no_keys_explains_how_to_search(
    qtbot: QtBot, ctx: AppContext, creator: CurrentUser
) -> None:
    dlg = MediaLibraryDialog(ctx, creator, providers=[])
    qtbot.addWidget(dlg)
    assert "Settings" in dlg.status.text() and not dlg.search_button.isEnabled()


def test_image_block_from_library(
    qtbot: QtBot,
    ctx: AppContext,
    creator: CurrentUser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.studio.module_editor import ImageForm

    f = tmp_path / "blue.png"
    f.write_bytes(PNG)
    img = media_library.add_file(ctx, creator, f, "A blue rectangle")

    def choose_first(dialog: MediaLibraryDialog) -> int:
        dialog.library.setCurrentRow(0)
        dialog._accept_choice()
        return 1

    monkeypatch.setattr(MediaLibraryDialog, "exec", choose_first)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: None))
    form = ImageForm(ctx, creator)
    qtbot.addWidget(form)
    block: dict[str, Any] = {"type": "image", "src": "", "alt": "", "caption": ""}
    form.block = block
    assert form.choose_from_library()
    assert block["src"] == img.src and block["asset_id"] == img.asset_id
    assert form.alt_edit.text() == "A blue rectangle"
