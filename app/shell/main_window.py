"""The main window: sign-in, then Learn and (for authors) Studio as two surfaces of one app."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QImage, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.shell.window_parts import LaunchPreview, TaskStatus
from app.tasks import TaskControl, TaskHandle, TaskRunner

if TYPE_CHECKING:  # the services, sync and views load in attach(): the window paints first
    from app.learn.learn_view import LearnView
    from app.services.accounts import CurrentUser
    from app.services.context import AppContext
    from app.shell.sign_in import SignInPage
    from app.shell.sync_status import ConflictsDialog, ConnectDialog

log = logging.getLogger(__name__)


BANNER_STYLE = (
    "QLabel#database-banner { background: #FFF4CE; color: #5C4400; "
    "border-bottom: 1px solid #E0C860; padding: 6px 16px; }"
)
RETRY_MS = 15_000
QUIT_WAIT_MS = 5_000


class MainWindow(QMainWindow):
    pending_changed = Signal()
    """The unsaved-events queue changed (emitted from whichever thread wrote)."""

    def __init__(
        self,
        ctx: AppContext | None,
        runner: TaskRunner | None = None,
        *,
        preview: QImage | None = None,
    ) -> None:
        """``ctx`` None builds only the window's frame (menus, and the ``preview`` image of
        the workspace or an empty page) so that it can be on screen before the database and
        services load; :meth:`attach` then makes it the working window."""
        super().__init__()
        # the one runner of the app: every view is handed it, the status bar shows its work
        # and quitting cancels and waits for all of it
        self.runner = runner or TaskRunner(self)
        self.user: CurrentUser | None = None
        self.attached = False
        self.resume_user_id: str | None = None  # set on close: who the next start reopens
        self.launch_image: QImage | None = None
        self.setWindowTitle("ByteOS")
        self.setObjectName("main-window")
        self.resize(1280, 820)
        self.setMinimumSize(900, 600)

        self.stack = QStackedWidget()
        self.stack.setObjectName("workspace")
        self.preview: LaunchPreview | None = None
        if ctx is None:
            self.preview = LaunchPreview(preview)
            self.stack.addWidget(self.preview)
        # what could not be saved, and a read-only database, are said here: never a modal
        self.db_banner = QLabel()
        self.db_banner.setObjectName("database-banner")
        self.db_banner.setWordWrap(True)
        self.db_banner.setStyleSheet(BANNER_STYLE)
        self.db_banner.setAccessibleName("Database warning")
        self.db_banner.hide()
        central = QWidget()
        central_lay = QVBoxLayout(central)
        central_lay.setContentsMargins(0, 0, 0, 0)
        central_lay.setSpacing(0)
        central_lay.addWidget(self.db_banner)
        central_lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.workspace: QWidget | None = None
        self.learn: LearnView | None = None
        self.studio: QWidget | None = None
        self.nav_learn: QPushButton | None = None
        self.nav_studio: QPushButton | None = None
        self._menus()
        self.statusBar().showMessage("Starting…")  # there from the first frame: no jump
        if ctx is not None:
            self.attach(ctx)

    def attach(self, ctx: AppContext, user: CurrentUser | None = None) -> None:
        """Make the window work on ``ctx``: sign-in page, sync, the unsaved-events queue.
        With ``user``, open their workspace at once (reopening after a restart)."""
        from app.services import pending
        from app.shell import write_failures
        from app.shell.role_menus import apply_role
        from app.shell.sign_in import SignInPage
        from app.shell.sync_status import SyncController, SyncStatusWidget

        self.ctx = ctx
        self.sign_in: SignInPage = SignInPage(ctx)
        self.sign_in.signed_in.connect(self.enter)
        self.stack.addWidget(self.sign_in)
        self.sync = SyncController(ctx, self.runner)
        self.sync.synced.connect(self._after_sync)
        self.sync_status = SyncStatusWidget(self.sync)
        self.sync_status.connect_requested.connect(self.connect_sync)
        self.sync_status.conflicts_requested.connect(self.show_conflicts)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.task_status = TaskStatus(self.runner)
        self.statusBar().addPermanentWidget(self.task_status)
        self.statusBar().showMessage(
            f"Read-only · database {ctx.db.path}"
            if ctx.db.read_only
            else f"Offline-ready · database {ctx.db.path}"
        )
        apply_role(self, None)  # role-specific menus: app/shell/role_menus.py
        self.pending = pending.queue_for(ctx.db.path)
        self.pending_changed.connect(self.update_database_banner)
        self._unsubscribe = self.pending.subscribe(self.pending_changed.emit)
        self.retry_timer = QTimer(self)
        self.retry_timer.setInterval(RETRY_MS)
        self.retry_timer.timeout.connect(self.retry_pending)
        self.retry_timer.start()
        self.write_problem = ""  # a write refused by the disk outside learning events
        self._uninstall_hook = write_failures.install(self.show_write_problem)
        self.update_database_banner()
        self._first_retry = QTimer(self)  # events an earlier run could not save
        self._first_retry.setSingleShot(True)
        self._first_retry.timeout.connect(self.retry_pending)
        self._first_retry.start(0)
        # a policy file IT got wrong is said at start, never ignored (read once the window
        # is live: the settings load costs some 60 ms)
        QTimer.singleShot(0, self._report_policy_problems)
        self.attached = True
        if user is not None:
            self.enter(user)
        else:
            self.stack.setCurrentWidget(self.sign_in)
        self._drop_preview()

    def _drop_preview(self) -> None:
        if self.preview is not None:
            self.stack.removeWidget(self.preview)
            self.preview.deleteLater()
            self.preview = None

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.demo_action = QAction("Load &demo content", self)
        self.demo_action.triggered.connect(self.load_demo_content)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        account = self.menuBar().addMenu("&Account")
        self.sign_out_action = QAction("&Sign out", self)
        self.sign_out_action.setEnabled(False)
        self.sign_out_action.triggered.connect(self.sign_out)
        account.addAction(self.sign_out_action)
        sync_menu = self.menuBar().addMenu("S&ync")
        self.sync_action = QAction("&Sync now", self)
        self.sync_action.setShortcut(QKeySequence("F5"))
        self.sync_action.triggered.connect(lambda: self.sync.sync_now())
        self.connect_action = QAction("&Connect to Supabase…", self)
        self.connect_action.triggered.connect(self.connect_sync)
        self.conflicts_action = QAction("Review &conflicts…", self)
        self.conflicts_action.triggered.connect(self.show_conflicts)
        for a in (self.sync_action, self.connect_action, self.conflicts_action):
            sync_menu.addAction(a)
        view = self.menuBar().addMenu("&View")
        self.learn_action = QAction("&Learn", self)
        self.learn_action.setShortcut(QKeySequence("Ctrl+1"))
        self.learn_action.triggered.connect(lambda: self.show_surface("learn"))
        self.studio_action = QAction("&Studio", self)
        self.studio_action.setShortcut(QKeySequence("Ctrl+2"))
        self.studio_action.triggered.connect(lambda: self.show_surface("studio"))
        view.addAction(self.learn_action)
        view.addAction(self.studio_action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About ByteOS", self)
        about.triggered.connect(
            lambda: QMessageBox.about(
                self,
                "About ByteOS",
                "ByteOS — the operating system for learning.\nLearns with you, for you.",
            )
        )
        help_menu.addAction(about)
        policies = QAction("About / &Policies…", self)
        policies.triggered.connect(self.show_policies)
        help_menu.addAction(policies)
        verify = QAction("&Verify a certificate…", self)
        verify.triggered.connect(self.verify_certificate)
        help_menu.addAction(verify)

    def _report_policy_problems(self) -> None:
        from app.shell.policies_page import report_at_start

        report_at_start(self)

    def show_policies(self) -> QWidget:
        """Every effective setting and where it came from (app/shell/policies_page.py)."""
        from app.shell.policies_page import open_policies

        return open_policies(self)

    def verify_certificate(self) -> QWidget:
        """Check a certificate offline (the crypto and QR stack load only now)."""
        from app.learn.certificates_view import open_verify_dialog
        from app.services.certificates import CertificateStore

        return open_verify_dialog(CertificateStore.default(self.ctx.db.path, self.ctx.db), self)

    # -- session -----------------------------------------------------------------------------
    def enter(self, user: CurrentUser) -> None:
        """Build the workspace for ``user``; the role decides which surfaces exist."""
        from app.learn.learn_view import LearnView
        from app.shell.role_menus import apply_role

        self.leave_workspace()
        self.user = user
        ws = QWidget()
        ws.setObjectName("page")
        lay = QVBoxLayout(ws)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        top = QWidget()
        top.setObjectName("topbar")
        top_lay = QHBoxLayout(top)
        top_lay.setContentsMargins(16, 0, 16, 0)
        brand = QLabel("<b>Byte</b>OS")
        brand.setStyleSheet("font-size: 14pt;")
        brand.setAccessibleName("ByteOS")
        top_lay.addWidget(brand)
        top_lay.addSpacing(24)
        group = QButtonGroup(top)
        self.nav_learn = self._nav_button("Learn", "nav-learn", group)
        top_lay.addWidget(self.nav_learn)
        surfaces = QStackedWidget()
        surfaces.setObjectName("surfaces")
        self.learn = LearnView(self.ctx, user, runner=self.runner)
        surfaces.addWidget(self.learn)
        if user.can_author:
            from app.studio.studio_view import StudioView

            self.nav_studio = self._nav_button("Studio", "nav-studio", group)
            top_lay.addWidget(self.nav_studio)
            self.studio = StudioView(self.ctx, user, runner=self.runner)
            surfaces.addWidget(self.studio)
        top_lay.addStretch(1)
        who = QLabel(f"{user.full_name} · {user.role_label}")
        who.setObjectName("current-user")
        who.setProperty("role", "muted")
        top_lay.addWidget(who)
        sign_out = QPushButton("Sign out")
        sign_out.setObjectName("sign-out")
        sign_out.setAccessibleName("Sign out")
        sign_out.clicked.connect(self.sign_out)
        top_lay.addWidget(sign_out)
        lay.addWidget(top)
        lay.addWidget(surfaces, 1)
        self.surfaces = surfaces
        self.workspace = ws
        self.stack.addWidget(ws)
        self.stack.setCurrentWidget(ws)
        self.sign_out_action.setEnabled(True)
        self.studio_action.setEnabled(self.studio is not None)
        self.show_surface("studio" if user.can_author else "learn")
        self.setWindowTitle(f"ByteOS — {user.full_name}")
        apply_role(self, user)
        self.sync.start_background()

    def _nav_button(self, text: str, name: str, group: QButtonGroup) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setProperty("role", "nav")
        b.setCheckable(True)
        b.setAccessibleName(f"Open {text}")
        b.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        b.clicked.connect(lambda: self.show_surface(text.lower()))
        group.addButton(b)
        return b

    def _studio_may_leave(self) -> bool:
        """Ask Studio about unsaved edits before they would be thrown away."""
        confirm = getattr(self.studio, "confirm_leave", None)
        return bool(confirm()) if callable(confirm) else True

    def show_surface(self, name: str) -> None:
        if self.write_problem:  # said once; a new screen starts with a clean slate
            self.show_write_problem("")
        if self.learn is None:
            return
        target: QWidget | None = self.studio if name == "studio" else self.learn
        if target is None:
            return
        leaving_studio = self.studio is not None and self.surfaces.currentWidget() is self.studio
        if leaving_studio and target is not self.studio and not self._studio_may_leave():
            if self.nav_studio is not None:
                self.nav_studio.setChecked(True)
            return
        self.surfaces.setCurrentWidget(target)
        refresh = getattr(target, "refresh", None)
        if callable(refresh):
            refresh()
        if self.nav_learn is not None:
            self.nav_learn.setChecked(name == "learn")
        if self.nav_studio is not None:
            self.nav_studio.setChecked(name == "studio")

    def leave_workspace(self) -> None:
        if self.workspace is not None:
            self.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
        self.workspace = self.learn = self.studio = None
        self.nav_learn = self.nav_studio = None

    def sign_out(self) -> None:
        if not self._studio_may_leave():
            return
        from app.shell.role_menus import apply_role

        self.leave_workspace()
        self.user = None
        self.sync.stop_background()
        self.sign_out_action.setEnabled(False)
        apply_role(self, None)
        self.sign_in.refresh()
        self.stack.setCurrentWidget(self.sign_in)
        self.setWindowTitle("ByteOS")

    # -- long work -----------------------------------------------------------------------
    def load_demo_content(self) -> TaskHandle:
        from app.services.demo import load_demo

        def work(control: TaskControl) -> bool:
            control.progress(0.1, "Loading demo content…")
            result = load_demo(self.ctx)
            control.progress(1.0, "Demo content ready")
            return result.created

        def done(created: object) -> None:
            self.statusBar().showMessage(
                "Demo content loaded." if created else "Demo content is already here.", 5000
            )
            self.sign_in.refresh()
            if self.learn is not None:
                self.learn.refresh()

        return self.runner.run(
            "Demo content",
            work,
            on_success=done,
            on_error=lambda msg: QMessageBox.warning(self, "Demo content", msg),
        )

    # -- what could not be saved ---------------------------------------------------------------
    def retry_pending(self) -> int:
        """Save queued events now, if the database can be written; returns how many."""
        from app.services import learning

        if self.ctx.db.read_only or not len(self.pending):
            return 0
        saved = learning.save_pending(self.ctx)
        if saved and not len(self.pending):
            self.statusBar().showMessage("Your unsaved progress has now been saved.", 8000)
            if self.learn is not None:
                self.learn.refresh()
        return saved

    def show_write_problem(self, message: str) -> None:
        self.write_problem = message
        self.update_database_banner()

    def update_database_banner(self) -> None:
        parts = []
        if self.ctx.db.read_only:
            parts.append(
                self.ctx.db.read_only_reason
                + " New learning events are kept beside it when its folder can be written, "
                "otherwise in memory, and are saved once ByteOS can write the database."
            )
        message = self.pending.message()
        if message:
            parts.append(message)
        if self.write_problem:
            parts.append(self.write_problem)
        player = getattr(self.learn, "player", None)
        if not message and player is not None:
            player.show_save_problem("")  # what it said was not saved is saved now
        self.db_banner.setText(" ".join(parts))
        self.db_banner.setVisible(bool(parts))

    # -- sync --------------------------------------------------------------------------------
    def connect_sync(self) -> ConnectDialog:
        from app.shell.sync_status import ConnectDialog

        dialog = ConnectDialog(self.sync, self)
        dialog.open()
        return dialog

    def show_conflicts(self) -> ConflictsDialog:
        from app.shell.sync_status import ConflictsDialog

        dialog = ConflictsDialog(self.sync, self)
        dialog.open()
        return dialog

    def _after_sync(self, _report: object) -> None:
        """New rows may have arrived: refresh what is on screen (never mid-edit in Studio)."""
        self.sign_in.refresh()
        if self.learn is not None and self.surfaces.currentWidget() is self.learn:
            self.learn.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.attached:  # closed while starting (or the database could not open)
            super().closeEvent(event)
            return
        if not self._studio_may_leave():
            event.ignore()
            return
        self.sync.stop_background()
        # cancel every task (the player's, Byte's, Studio's...) and wait, bounded: a task
        # that ignores Cancel runs on a daemon thread and cannot keep the app from exiting
        if not self.runner.shutdown(QUIT_WAIT_MS):
            log.warning("quitting with %d task(s) still running", len(self.runner.running))
        self.retry_timer.stop()
        self._uninstall_hook()
        self.retry_pending()  # a last try; what is still unsaved goes to the journal
        if len(self.pending) and not self.pending.persist():
            log.error("%d learning events could not be saved anywhere", len(self.pending))
        self._unsubscribe()
        self._keep_launch_image()
        super().closeEvent(event)

    def _keep_launch_image(self) -> None:
        """What the next start reopens and paints first (``app/shell/launch_snapshot.py``):
        who is signed in and, for a learner (whose workspace opens on the Learn dashboard),
        an image of that dashboard as it is now. Authors reopen on Studio, whose first page
        depends on more than this window knows, so they get no image, only the frame."""
        self.resume_user_id = self.user.id if self.user is not None else None
        self.launch_image = None
        if self.user is None or self.learn is None or self.user.can_author:
            return
        if not self.isVisible():
            return
        try:
            self.learn.show_dashboard()
            # cards added to a shown layout are shown by a queued call, then laid out:
            # deliver both before the grab, or the image has no cards
            QCoreApplication.sendPostedEvents()
            QCoreApplication.sendPostedEvents()
            self.launch_image = self.stack.grab().toImage()
        except Exception:  # a cache: never in the way of quitting
            log.exception("could not keep the launch image")
