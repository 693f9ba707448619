"""The Learn surface: dashboard ⇄ course player, and the skills view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QStackedWidget, QWidget

from app.learn.dashboard import Dashboard
from app.services import learning, practice
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.tasks import TaskRunner, shared_runner

if TYPE_CHECKING:  # imported when first opened: start-up shows the dashboard only
    from app.learn.course_player import CoursePlayer
    from app.learn.practice_view import PracticeView
    from app.learn.skills_view import SkillsView


class LearnView(QStackedWidget):
    def __init__(
        self,
        ctx: AppContext,
        user: CurrentUser,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.user = ctx, user
        self.runner = runner or shared_runner()  # the main window's, handed down
        self.setObjectName("learn-view")
        self.dashboard = Dashboard(ctx, user)
        self.dashboard.open_course.connect(self.open_course)
        self.dashboard.open_module.connect(self.open_course)
        self.dashboard.open_skills.connect(self.show_skills)
        self.dashboard.practise.connect(self.practise)
        self.dashboard.open_in_modality.connect(self.open_course)
        self.addWidget(self.dashboard)
        self.player: CoursePlayer | None = None
        self.skills: SkillsView | None = None
        self.practice: PracticeView | None = None

    def open_course(
        self, course_id: str, module_id: str | None = None, modality: str | None = None
    ) -> None:
        try:
            doc = learning.open_course(self.ctx, self.user, course_id)
            from app.services.path_progress import lock_for  # a path's completion order (issue 12)

            locked = lock_for(self.ctx, self.user, course_id)
            if locked:
                raise UserError(f"{locked}: this course follows them in your learning path.")
        except UserError as err:
            QMessageBox.warning(self, "Cannot open course", str(err))
            self.dashboard.refresh()
            return
        self.close_player()
        self.close_skills()
        self.close_practice()
        from app.learn.course_player import CoursePlayer

        self.player = CoursePlayer(
            self.ctx, self.user, doc, start_module_id=module_id, runner=self.runner
        )
        self.player.back_requested.connect(self.show_dashboard)
        self.addWidget(self.player)
        self.setCurrentWidget(self.player)
        if modality is not None:
            self.player.switch_modality(modality)

    def close_player(self) -> None:
        if self.player is not None:
            self.removeWidget(self.player)
            self.player.deleteLater()
            self.player = None

    def show_skills(self) -> None:
        self.close_player()
        if self.skills is None:
            from app.learn.skills_view import SkillsView

            self.skills = SkillsView(self.ctx, self.user)
            self.skills.back_requested.connect(self.show_dashboard)
            self.skills.practise_requested.connect(self.practise)
            self.addWidget(self.skills)
        else:
            self.skills.refresh()
        self.setCurrentWidget(self.skills)

    def practise(self, course_id: str, skill_id: str | None = None) -> None:
        """Open adaptive practice on a course's questions (those on ``skill_id``, if given)."""
        try:
            session = practice.start(self.ctx, self.user, course_id, skill_id or None)
        except UserError as err:
            QMessageBox.warning(self, "Cannot start practice", str(err))
            return
        self.close_player()
        self.close_skills()
        self.close_practice()
        from app.learn.practice_view import PracticeView

        self.practice = PracticeView(self.ctx, self.user, session)
        self.practice.back_requested.connect(self.show_dashboard)
        self.addWidget(self.practice)
        self.setCurrentWidget(self.practice)

    def close_practice(self) -> None:
        if self.practice is not None:
            self.removeWidget(self.practice)
            self.practice.deleteLater()
            self.practice = None

    def close_skills(self) -> None:
        if self.skills is not None:
            self.removeWidget(self.skills)
            self.skills.deleteLater()
            self.skills = None

    def show_dashboard(self) -> None:
        self.close_player()
        self.close_skills()
        self.close_practice()
        self.dashboard.refresh()
        self.setCurrentWidget(self.dashboard)

    def refresh(self) -> None:
        if self.currentWidget() is self.dashboard:
            self.dashboard.refresh()
