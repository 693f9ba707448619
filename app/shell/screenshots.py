"""Screenshots of the real app for review: ``python -m app.shell.screenshots [OUT_DIR]``.

Opens the app as ``byteos`` does (Fusion and the theme, see ``app.shell.theme.apply``) on a
fresh temporary database with the demo content, and saves PNGs at 1024×700, 1280×820 and
1920×1080 of the Learn dashboard, the course player (first module open; and the video's
"making" progress), the Studio course editor, and every dialog the app shows — each dialog
drawn over the window at its own size and centred, as a window manager would place it.
Nothing is written to the user's database; the PNGs go to ``OUT_DIR`` (a new temporary
folder when omitted), never into the repository.

Run it under a display (``xvfb-run -a``), or offscreen with ``QT_QPA_PLATFORM=offscreen``;
``scripts/screenshots.sh`` does the former. The video is not rendered: its progress page is
shown with a stand-in job that reports progress and waits, so a screenshot run costs seconds
of CPU, not the minute a real render takes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SIZES: tuple[tuple[int, int], ...] = ((1024, 700), (1280, 820), (1920, 1080))


def _settle(app: Any, rounds: int = 4) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    for _ in range(rounds):
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def compose(window: Any, dialog: Any) -> Any:
    """The window with ``dialog`` drawn on top, centred and clipped to the window (a dialog
    larger than the window shows cut off, as it would be on a screen of that size)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPainter, QPen

    shot = window.grab()
    pic = dialog.grab()
    painter = QPainter(shot)
    painter.fillRect(shot.rect(), QColor(0, 0, 0, 60))  # the dimmed window behind a modal
    w, h = pic.width(), pic.height()
    at = QPoint(max(0, (shot.width() - w) // 2), max(0, (shot.height() - h) // 2))
    painter.drawPixmap(at, pic)
    painter.setPen(QPen(QColor("#8A93A6"), 1))  # the window-manager frame
    painter.drawRect(at.x(), at.y(), w - 1, h - 1)
    painter.end()
    return shot


@contextmanager
def _stand_in_video() -> Iterator[None]:
    """Make ``ensure_video`` a job that reports a step and waits to be cancelled."""
    from app.services import media_variants
    from app.tasks import Cancelled

    real = media_variants.ensure_video
    stop = threading.Event()

    def fake(_ctx: Any, _module_id: str, progress: Callable[[float, str], None]) -> Any:
        while not stop.is_set():  # progress() raises Cancelled once the view cancels
            progress(0.42, "Rendering slide 3 of 7")
            stop.wait(0.1)
        raise Cancelled()

    media_variants.ensure_video = fake  # type: ignore[assignment]
    try:
        yield
    finally:
        stop.set()
        media_variants.ensure_video = real  # type: ignore[assignment]


def dialogs(window: Any, ctx: Any, creator: Any) -> list[tuple[str, Callable[[], Any]]]:
    """Each dialog the app shows, built as the app builds it, by name."""
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox

    from app.services import authoring, publishing
    from app.shell.settings_dialog import SettingsDialog
    from app.shell.sign_in import CreateProfileDialog
    from app.shell.sync_status import ConflictsDialog, ConnectDialog
    from app.studio.generate_dialog import GenerateCourseDialog
    from app.studio.media_library import MediaLibraryDialog
    from app.studio.publish_checklist import PublishChecklistDialog
    from app.studio.template_gallery import TemplateGallery

    def checklist() -> Any:
        course = authoring.list_courses(ctx, creator)[0]
        doc = authoring.load_course(ctx, course.id)
        return PublishChecklistDialog(
            publishing.checklist(ctx, creator, doc), doc.title, changes=False, parent=window
        )

    def box(icon: QMessageBox.Icon, title: str, text: str, *buttons: Any) -> Callable[[], Any]:
        def make() -> QMessageBox:
            b = QMessageBox(icon, title, text, parent=window)
            if buttons:
                b.setStandardButtons(buttons[0])
            return b

        return make

    def input_dialog() -> QInputDialog:
        d = QInputDialog(window)  # as QInputDialog.getText builds it
        d.setWindowTitle("Describe the image")
        d.setLabelText(
            "Alt text (required): what does the image show, for someone who can't see it?"
        )
        d.setTextEchoMode(QLineEdit.EchoMode.Normal)
        return d

    def file_dialog() -> QFileDialog:
        d = QFileDialog(window, "Add a source", str(Path.home()))
        d.setNameFilter("Sources (*.pdf *.docx *.html *.htm *.md *.markdown *.txt)")
        d.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        return d

    yes_no = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    return [
        ("settings", lambda: SettingsDialog(window)),
        ("create-profile", lambda: CreateProfileDialog(ctx, window)),
        ("connect", lambda: ConnectDialog(window.sync, window)),
        ("conflicts", lambda: ConflictsDialog(window.sync, window)),
        ("generate", lambda: GenerateCourseDialog(ctx, creator, window.runner, parent=window)),
        (
            "media-library",
            lambda: MediaLibraryDialog(ctx, creator, window.runner, [], parent=window),
        ),
        ("template-gallery", lambda: TemplateGallery(None, parent=window)),
        ("publish-checklist", checklist),
        (
            "message-warning",
            box(QMessageBox.Icon.Warning, "Cannot save", "A course needs a title."),
        ),
        (
            "message-question",
            box(
                QMessageBox.Icon.Question,
                "Discard the changes?",
                "The draft changes to this course will be lost.",
                yes_no,
            ),
        ),
        (
            "message-information",
            box(QMessageBox.Icon.Information, "Sign in", "Create a profile first."),
        ),
        ("input", input_dialog),
        ("file", file_dialog),
    ]


def take(out: Path, sizes: tuple[tuple[int, int], ...] = SIZES) -> list[Path]:
    """Write every screenshot into ``out``; return the files written."""
    from PySide6.QtWidgets import QApplication

    import app  # noqa: F401  (pydantic before Qt, see app/__init__)
    from app.services import accounts, authoring, learning
    from app.services.context import AppContext
    from app.services.demo import load_demo
    from app.shell import theme
    from app.shell.main_window import MainWindow

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName("ByteOS")
    theme.apply(qapp)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="byteos-shots-db-") as tmp:
        ctx = AppContext.open(Path(tmp) / "byteos.db", Path(tmp) / "assets")
        load_demo(ctx)
        profiles = accounts.list_profiles(ctx.db)
        learner_p = next(p for p in profiles if p.role == "learner")
        creator_p = next(p for p in profiles if p.can_author)
        window = MainWindow(ctx)
        window.show()

        def save(pixmap: Any, name: str, size: tuple[int, int]) -> None:
            path = out / f"{name}-{size[0]}x{size[1]}.png"
            if not pixmap.save(str(path), "PNG"):
                raise OSError(f"could not write {path}")
            written.append(path)

        for size in sizes:
            window.resize(*size)
            learner = accounts.sign_in(ctx.db, learner_p.id)
            window.enter(learner)
            window.show_surface("learn")
            _settle(qapp)
            save(window.grab(), "learn-dashboard", size)
            learn = window.learn
            learn.open_course(learning.list_catalogue(ctx, learner)[0].id)
            _settle(qapp)
            save(window.grab(), "course-player", size)
            player = learn.player
            if player is not None and "video" in player.modality_buttons:
                with _stand_in_video():
                    player.switch_modality("video")
                    _settle(qapp, 8)
                    save(window.grab(), "course-player-video-progress", size)
                    player.switch_modality("text")
                    _settle(qapp)
            window.sign_out()
            _settle(qapp)

            creator = accounts.sign_in(ctx.db, creator_p.id)
            window.enter(creator)
            window.show_surface("studio")
            courses = authoring.list_courses(ctx, creator)
            if courses and window.studio is not None:
                window.studio.open_course(courses[0].id)
            _settle(qapp)
            save(window.grab(), "studio-editor", size)
            for name, make in dialogs(window, ctx, creator):
                dialog = make()
                dialog.show()
                _settle(qapp)
                save(compose(window, dialog), f"dialog-{name}", size)
                dialog.reject()
                dialog.deleteLater()
                _settle(qapp)
            window.sign_out()
            _settle(qapp)
        window.close()
        _settle(qapp)
        ctx.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.shell.screenshots")
    parser.add_argument("out", nargs="?", type=Path, help="folder for the PNGs (default: temp)")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="byteos-screenshots-"))
    for path in take(out):
        print(path)
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
