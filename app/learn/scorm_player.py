"""Learn's SCORM player: an imported SCO plays offline in an embedded Chromium.

* **Local origin.** Packages are served by :class:`_PackageHandler` under the custom scheme
  ``byteos-scorm://pkg-<sha>/…`` (one origin per package), from the package's unpacked
  folder only: a path that leaves the folder, a link, or a missing file gets "not found".
  The host page (``engine.scorm.player_host``) and its two scripts are served from the
  reserved ``/__byteos__/`` folder.
* **No network.** Each page has a :class:`_Guard` (``QWebEngineUrlRequestInterceptor``)
  that blocks every request other than its own package's origin: http(s), file, other
  packages, qrc; what it blocked is listed in :attr:`ScormPlayer.blocked`.
* **The API.** ``window.API`` is JavaScript (``engine/scorm/runtime/lms_api12.js``) that
  answers the SCO at once from a cache and sends what the SCO sets and commits through
  ``QWebChannel`` to :class:`_Bridge`, which hands it to the Qt-free
  ``app.services.scorm_attempts.ScormSession`` (the design, and why, is written there and
  in the script). Closing the player ends the session on the Python side too, from the
  values Python already holds, so a SCO that never calls ``LMSFinish`` loses nothing.

Chromium refuses to run as root with its sandbox on; when the app runs as root (containers,
CI) the sandbox is turned off for this process, as Chromium itself requires.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import os
import weakref
from pathlib import Path

if hasattr(os, "geteuid") and os.geteuid() == 0:  # pragma: no branch - depends on the host
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

import shiboken6
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QFile,
    QIODevice,
    QObject,
    Qt,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.learn.modalities.base import ModalityHost, ModalityView
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import DatabaseError, UserError
from app.services.scorm_attempts import Recorder, ScoLaunch, ScormSession, sco_for
from engine.scorm.cmi import timespan_secs
from engine.scorm.player_host import HOST_DIR, host_page, lms_script

log = logging.getLogger(__name__)

SCHEME = b"byteos-scorm"


def _register_scheme() -> None:
    """Must run before the first web engine profile exists (Qt ignores it later)."""
    if QWebEngineUrlScheme.schemeByName(SCHEME).name() == SCHEME:
        return
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    scheme.setFlags(
        QWebEngineUrlScheme.Flag.SecureScheme
        | QWebEngineUrlScheme.Flag.CorsEnabled
        | QWebEngineUrlScheme.Flag.FetchApiAllowed
    )
    QWebEngineUrlScheme.registerScheme(scheme)


_register_scheme()


def _qwebchannel_js() -> bytes:
    f = QFile(":/qtwebchannel/qwebchannel.js")
    if not f.open(QIODevice.OpenModeFlag.ReadOnly):
        return b""
    try:
        return bytes(f.readAll().data())
    finally:
        f.close()


class _PackageHandler(QWebEngineUrlSchemeHandler):
    """Serves each registered package's files, and each session's host page."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folders: dict[str, Path] = {}
        self.pages: dict[str, bytes] = {}  # session id → host page
        self.scripts = {"qwebchannel.js": _qwebchannel_js(), "lms_api12.js": lms_script()}

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        url = job.requestUrl()
        folder = self.folders.get(url.host())
        path = url.path().lstrip("/")
        data: bytes | None = None
        if folder is None:
            data = None
        elif path == f"{HOST_DIR}/host.html":
            data, mime = self.pages.get(url.query().removeprefix("session=")), "text/html"
        elif path.startswith(f"{HOST_DIR}/"):
            data, mime = self.scripts.get(path.removeprefix(f"{HOST_DIR}/")), "text/javascript"
        else:
            target = self._file(folder, path)
            if target is not None:  # streamed from disk: packages carry large media
                device = QFile(str(target), job)
                if device.open(QIODevice.OpenModeFlag.ReadOnly):
                    job.reply(self._mime(target).encode(), device)
                    return
        if data is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        buffer = QBuffer(job)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(mime.encode(), buffer)

    @staticmethod
    def _file(folder: Path, path: str) -> Path | None:
        """The package's file at ``path``, or None (missing, a link, outside the folder)."""
        target = folder.joinpath(*[p for p in path.split("/") if p])
        try:
            if target.is_symlink() or folder.resolve() not in target.resolve().parents:
                return None
            return target if target.is_file() else None
        except OSError:
            return None

    @staticmethod
    def _mime(target: Path) -> str:
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix.lower() in (".js", ".css", ".json", ".txt"):
            mime += ";charset=utf-8"
        return mime


class _Guard(QWebEngineUrlRequestInterceptor):
    """Lets the page reach its own package and nothing else."""

    def __init__(self, host: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.blocked: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        if url.scheme() == SCHEME.decode() and url.host() == self.host:
            return
        if url.scheme() in ("data", "blob", "about"):
            return
        self.blocked.append(url.toString())
        info.block(True)


_profile: QWebEngineProfile | None = None
_handler: _PackageHandler | None = None
_players: weakref.WeakSet[ScormPlayer] = weakref.WeakSet()


def _release_pages() -> None:
    """At quit, before the profile goes: every open player's session ends, its page is freed."""
    for player in list(_players):
        if shiboken6.isValid(player):
            player.dispose()


def _shared_profile() -> tuple[QWebEngineProfile, _PackageHandler]:
    """One off-the-record profile for every SCORM page (nothing written to disk by
    Chromium: the learner's data lives in our database)."""
    global _profile, _handler
    if _profile is None or _handler is None:
        app = QCoreApplication.instance()
        _profile = QWebEngineProfile(app)  # outlives every page
        if app is not None:
            app.aboutToQuit.connect(_release_pages)
        _handler = _PackageHandler(_profile)
        _profile.installUrlSchemeHandler(SCHEME, _handler)
    return _profile, _handler


class _Bridge(QObject):
    """The one object the page's API talks to."""

    message = Signal(dict)

    def __init__(self, session: ScormSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session

    @Slot(str)
    def push(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            log.warning("SCORM bridge: not JSON: %.80s", text)
            return
        try:
            self.session.handle(message)
        except UserError as err:  # NotSaved: the event is queued, not lost; say so
            log.warning("SCORM commit not saved: %s", err)
            self.message.emit({"op": "error", "text": str(err)})
            return
        except DatabaseError as err:  # the attempt itself could not be written
            log.warning("SCORM attempt not saved: %s", err)
            self.message.emit({"op": "error", "text": f"Your progress could not be saved: {err}"})
            return
        self.message.emit(message)


class ScormPlayer(QWidget):
    """One SCO of an imported course, playing; ``record`` records events (the course
    player's, so its progress bar follows)."""

    committed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        launch: ScoLaunch,
        record: Recorder | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scorm-player")
        self.launch = launch
        self.session = ScormSession(ctx, user, launch, record)
        profile, self.handler = _shared_profile()
        self.handler.folders[launch.host] = launch.folder
        self.handler.pages[self.session.id] = host_page(
            launch.title or launch.identifier, launch.launch, self.session.values
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        values = self.session.values
        if values.get("cmi.core.entry") == "resume" or values.get("cmi.core.lesson_location"):
            minutes = round(timespan_secs(values.get("cmi.core.total_time", "")) / 60)
            spent = f"{minutes} min" if minutes else "under a minute"
            note = f"Welcome back: the lesson resumes where you left off ({spent} so far)."
        else:
            note = "Your progress is saved as you go."
        if launch.version != "1.2":
            note = (
                f"This SCORM {launch.version} lesson plays here, but only SCORM 1.2 lessons "
                "record progress in ByteOS so far."
            )
        self.status = QLabel(f"{note} Plays offline: this lesson has no access to the internet.")
        self.status.setContentsMargins(8, 4, 8, 4)
        self.status.setObjectName("scorm-status")
        self.status.setProperty("role", "muted")
        self.status.setAccessibleName("SCORM lesson status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.view = QWebEngineView(self)
        self.view.setObjectName("scorm-view")
        self.view.setAccessibleName(f"SCORM lesson: {launch.title or launch.identifier}")
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.page = QWebEnginePage(profile, self.view)
        self.guard = _Guard(launch.host, self.page)
        self.page.setUrlRequestInterceptor(self.guard)
        settings = self.page.settings()
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, False)
        settings.setAttribute(
            QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, False
        )
        settings.setAttribute(QWebEngineSettings.WebAttribute.PluginsEnabled, False)
        self.channel = QWebChannel(self.page)
        self.bridge = _Bridge(self.session, self.channel)
        self.bridge.message.connect(self._on_message)
        self.channel.registerObject("byteos", self.bridge)
        self.page.setWebChannel(self.channel)
        self.page.renderProcessTerminated.connect(lambda *_: self.close_session())
        self.view.setPage(self.page)
        if launch.scorm_type == "asset":  # a plain page: done once it is shown
            self.page.loadFinished.connect(lambda ok: ok and self.session.view_asset())
        layout.addWidget(self.view, 1)
        self.view.load(self.host_url)
        _players.add(self)

    @property
    def host_url(self) -> QUrl:
        return QUrl(
            f"{SCHEME.decode()}://{self.launch.host}/{HOST_DIR}/host.html?session={self.session.id}"
        )

    @property
    def blocked(self) -> list[str]:
        return self.guard.blocked

    def _on_message(self, message: dict[str, object]) -> None:
        op = message.get("op")
        if op == "error":
            self.status.setText(str(message.get("text")))
        elif op in ("commit", "finish"):
            status = self.session.values.get("cmi.core.lesson_status", "")
            self.status.setText(
                f"Progress saved ({status}). Plays offline: no access to the internet."
            )
            self.committed.emit()

    def close_session(self) -> None:
        """End the session (as ``LMSFinish``) if the SCO left it open."""
        try:
            self.session.end()
        except (UserError, DatabaseError) as err:
            log.warning("SCORM session end not saved: %s", err)
        self.handler.pages.pop(self.session.id, None)

    def dispose(self) -> None:
        """End the session and free the page now (Chromium wants every page gone before
        its profile, which lives until the app quits)."""
        self.close_session()
        view = self.view
        if shiboken6.isValid(view):
            shiboken6.delete(view)  # and its page, a child (a view left pageless makes one)

    def closeEvent(self, event: object) -> None:
        self.dispose()
        super().closeEvent(event)  # type: ignore[arg-type]


class ScormModuleView(ModalityView):
    """The course player's text page for a module that is an imported SCO."""

    name = "text"
    label = "Text"

    def __init__(self, host: ModalityHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.setObjectName("modality-scorm")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.player: ScormPlayer | None = None
        self._start()

    def _start(self) -> None:
        host, module = self.host, self.host.module
        try:
            launch = sco_for(host.ctx, host.course.id, module.id or "", module.title)
        except UserError as err:
            note = QLabel(str(err))
            note.setWordWrap(True)
            note.setAccessibleName("SCORM lesson unavailable")
            self.box.addWidget(note)
            return
        self.player = ScormPlayer(host.ctx, host.user, launch, host.record, self)
        self.box.addWidget(self.player)

    def activate(self) -> None:
        """Back from another modality: a new session, resumed where the last one ended."""
        if self.player is not None and self.player.session.state == "finished":
            self.player.setParent(None)
            self.player.deleteLater()
            self._start()

    def deactivate(self) -> None:
        if self.player is not None:
            self.player.close_session()
