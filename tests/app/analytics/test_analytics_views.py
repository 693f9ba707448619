"""The analytics dashboard through its real widgets, on a seeded organisation: each chart
draws (and its table lists) the numbers an independent SQL count gives; a click on a bar or
a heat-map cell, or choosing a table row, lists exactly that many learners; the exports
write what the screen shows; every control is named and the keyboard reaches it."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QScrollBar, QTabBar, QWidget
from pytestqt.qtbot import QtBot

from app.services.accounts import CurrentUser
from app.studio.analytics.dashboard import AnalyticsView
from app.studio.analytics.heatmap import HeatMapWidget
from app.studio.analytics.palette import HEAT_BANDS, MIN_RATIO, SERIES, series, text_on
from engine.accessibility import contrast_ratio
from tests.app.analytics.conftest import NOW, Seeded, monday
from tests.app.test_widget_tree_a11y import problems


def open_view(qtbot: QtBot, seeded: Seeded, user: CurrentUser | None = None) -> AnalyticsView:
    view = AnalyticsView(seeded.ctx, user or seeded.manager, now=NOW)
    qtbot.addWidget(view)
    view.resize(1300, 900)
    qtbot.waitUntil(lambda: not view.loading and view.board is not None, timeout=15000)
    return view


def bar_values(view: AnalyticsView, tab: str, panel: str, index: int = 0) -> list[float]:
    bar_set = view.tab[tab].panels[panel].bar_sets[index]
    return [bar_set.at(i) for i in range(bar_set.count())]


def column(view: AnalyticsView, tab: str, panel: str, col: int) -> list[str]:
    t = view.tab[tab].panels[panel].table
    return [t.item(r, col).text() for r in range(t.rowCount())]


def test_completions_chart_and_table_show_the_sql_counts(qtbot: QtBot, seeded: Seeded) -> None:
    view = open_view(qtbot, seeded)
    assert "this device" in view.source.text()
    rows = seeded.sql(
        "select completed_at from enrollments where course_id is not null and completed_at is"
        " not null and user_id in (select id from profiles where org_id = ?)",
        (seeded.world.org_id,),
    )
    start = NOW.date() - timedelta(weeks=12) + timedelta(days=1)
    counted = Counter(monday(a) for (a,) in rows if date.fromisoformat(a[:10]) >= start)
    weeks = view.board.results["completions"].weeks  # type: ignore[union-attr]
    assert bar_values(view, "completions", "completions") == [float(counted[w]) for w, _ in weeks]
    assert column(view, "completions", "completions", 1) == [str(counted[w]) for w, _ in weeks]
    # click the busiest week: the learners who completed then
    busiest = max(range(len(weeks)), key=lambda i: counted[weeks[i][0]])
    panel = view.tab["completions"].panels["completions"]
    panel.bar_sets[0].clicked.emit(busiest)
    assert panel.drill_list.count() == counted[weeks[busiest][0]] > 0
    # hovering says the value
    panel.bar_sets[0].hovered.emit(True, busiest)
    assert f": {counted[weeks[busiest][0]]}" in panel.hover_line.text()


def test_the_funnel_draws_started_finished_stopped_per_module(qtbot: QtBot, seeded: Seeded) -> None:
    view = open_view(qtbot, seeded)
    course = seeded.world.course_ids[0]
    mods = [
        m
        for (m,) in seeded.sql(
            "select id from modules where course_id = ? order by order_index", (course,)
        )
    ]
    start = (NOW.date() - timedelta(weeks=12) + timedelta(days=1)).isoformat()
    started = [
        seeded.sql(
            "select count(distinct user_id) from learning_events where module_id = ? and"
            " event_type = 'module_start' and substr(created_at, 1, 10) >= ?",
            (m, start),
        )[0][0]
        for m in mods
    ]
    assert bar_values(view, "funnel", "funnel", 0) == [float(n) for n in started]
    assert column(view, "funnel", "funnel", 1) == [str(n) for n in started]
    stopped = bar_values(view, "funnel", "funnel", 2)
    panel = view.tab["funnel"].panels["funnel"]
    worst = max(range(len(stopped)), key=lambda i: stopped[i])
    panel.bar_sets[2].clicked.emit(worst)
    assert panel.drill_list.count() == int(stopped[worst]) > 0
    assert "Stopped" in panel.drill_title.text()
    # keyboard: choosing a table row lists everyone who started that module
    panel.table.setFocus()
    panel.table.selectRow(0)
    assert panel.drill_list.count() == started[0]


def test_the_heat_map_ranks_skills_and_a_cell_lists_the_learners(
    qtbot: QtBot, seeded: Seeded
) -> None:
    view = open_view(qtbot, seeded)
    panel = view.tab["skills"].panels["skills"]
    heat = panel.view
    assert isinstance(heat, HeatMapWidget) and heat.heat is not None
    top = heat.heat.skills[0]
    [(n,)] = seeded.sql(
        "select count(*) from (select user_id from learner_skills where skill_id = ? union"
        " select user_id from skill_gaps where skill_id = ? and resolved_at is null)"
        " where user_id in (select id from profiles where org_id = ?)",
        (top.skill_id, top.skill_id, seeded.world.org_id),
    )
    assert column(view, "skills", "skills", 1)[0] == str(n) == str(top.assessed)
    heat.setFocus()
    qtbot.keyClick(heat, Qt.Key.Key_Right)
    assert heat.current == (0, 1)
    qtbot.keyClick(heat, Qt.Key.Key_Left)
    qtbot.keyClick(heat, Qt.Key.Key_Return)
    assert panel.drill_list.count() == n
    assert heat.describe(0, 0).startswith(heat.heat.learners[0][1])


def test_compliance_engagement_modality_and_tutor_match_sql(qtbot: QtBot, seeded: Seeded) -> None:
    view = open_view(qtbot, seeded)
    w = seeded.world
    [(total,)] = seeded.sql("select count(*) from compliance_records where org_id = ?", (w.org_id,))
    stacked = sum(sum(bar_values(view, "compliance", "compliance", i)) for i in range(5))
    assert stacked == total
    assert int(column(view, "compliance", "compliance", 6)[0]) == total  # one course has records
    overdue = view.tab["compliance"].overdue  # type: ignore[attr-defined]
    assert overdue.rowCount() == len(view.board.results["compliance"].overdue) > 0  # type: ignore[union-attr]
    start = (NOW.date() - timedelta(weeks=12) + timedelta(days=1)).isoformat()
    [(active,)] = seeded.sql(
        "select count(distinct user_id) from learning_events where substr(created_at, 1, 10)"
        " >= ? and user_id in (select id from profiles where org_id = ?)",
        (start, w.org_id),
    )
    assert max(bar_values(view, "engagement", "engagement")) <= active
    e = view.board.results["engagement"]  # type: ignore[union-attr]
    assert bar_values(view, "engagement", "engagement") == [
        float(x.active_learners) for x in e.weeks
    ]
    rows = dict(
        seeded.sql(
            "select modality, count(*) from learning_events where event_type = 'quiz_attempt'"
            " and json_extract(payload, '$.attempt_no') = 1 and substr(created_at, 1, 10) >= ?"
            " and user_id in (select id from profiles where org_id = ?) group by modality",
            (start, w.org_id),
        )
    )
    modalities = view.board.results["modalities"].outcomes  # type: ignore[union-attr]
    assert [int(x) for x in column(view, "modalities", "modalities", 1)] == [
        rows[o.modality] for o in modalities
    ]
    questions = [
        seeded.sql(
            "select count(*) from ai_interactions where course_id = ?"
            " and interaction_type = 'question'",
            (c,),
        )[0][0]
        for c in w.course_ids
    ]
    assert bar_values(view, "tutor", "tutor") == [float(q) for q in questions]
    view.tab["tutor"].panels["tutor"].bar_sets[0].clicked.emit(0)
    [(askers,)] = seeded.sql(
        "select count(distinct user_id) from ai_interactions where course_id = ? and"
        " interaction_type = 'question'",
        (w.course_ids[0],),
    )
    assert view.tab["tutor"].panels["tutor"].drill_list.count() == askers


def test_a_creator_sees_own_courses_and_no_compliance(qtbot: QtBot, seeded: Seeded) -> None:
    view = open_view(qtbot, seeded, seeded.user(seeded.world.creator_id))
    owned = {
        t
        for (t,) in seeded.sql(
            "select title from courses where created_by = ?", (seeded.world.creator_id,)
        )
    }
    courses = {
        r[0] for r in view.board.results["completions"].rate_table().rows if r[1] == "Course"
    }  # type: ignore[union-attr]
    assert courses == owned
    assert "Only managers and organisation admins" in view.tab["compliance"].note.text()
    assert view.scope_box.count() == 1 + len(owned) + 1  # all, own courses, own path


def test_filters_refuse_a_backwards_range_and_narrow_to_a_course(
    qtbot: QtBot, seeded: Seeded
) -> None:
    view = open_view(qtbot, seeded)
    view.start.setDate(view.end.date().addDays(3))
    view.refresh()
    assert "starts after it ends" in view.message.text()
    view.start.setDate(view.end.date().addDays(-84))
    view.scope_box.setCurrentIndex(view.scope_box.findData(f"course:{seeded.world.course_ids[1]}"))
    view.refresh()
    qtbot.waitUntil(lambda: not view.loading, timeout=15000)
    assert view.message.text() == ""
    assert [r.key for r in view.board.results["completions"].rates] == [  # type: ignore[union-attr]
        f"course:{seeded.world.course_ids[1]}"
    ]


def test_exports_write_the_tables_and_a_pdf(qtbot: QtBot, seeded: Seeded, tmp_path: Path) -> None:
    from app.studio.analytics.export import write_csv, write_pdf

    view = open_view(qtbot, seeded)
    assert write_csv(view.board, tmp_path / "a.csv") == "Saved a.csv."  # type: ignore[arg-type]
    text = (tmp_path / "a.csv").read_text(encoding="utf-8")
    assert "Drop-off funnel: Data protection basics" in text and "Source: this device" in text
    assert write_pdf(view, tmp_path / "a.pdf") == "Saved a.pdf."
    assert (tmp_path / "a.pdf").read_bytes()[:5] == b"%PDF-"
    assert write_csv(view.board, tmp_path / "missing" / "a.csv").startswith("The CSV could not")  # type: ignore[arg-type]


def _viewport(w: QWidget) -> bool:
    parent = w.parentWidget()
    return isinstance(parent, QAbstractScrollArea) and parent.viewport() is w


def test_every_control_is_named_and_colours_pass_aa(qtbot: QtBot, seeded: Seeded) -> None:
    view = open_view(qtbot, seeded)
    unnamed = [
        f"{type(w).__name__}#{w.objectName()} in {type(w.parentWidget()).__name__}"
        for w in view.findChildren(QWidget)
        if w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and w.isVisibleTo(view)
        and not w.accessibleName()
        and not w.objectName().startswith("qt_")  # Qt's own parts (a date edit's line edit)
        and not isinstance(w, QScrollBar | QTabBar)
        and not _viewport(w)
    ]
    assert unnamed == []
    assert problems(view) == []  # the app-wide checks: no literal '&', no nameless button
    for colour in SERIES:
        assert contrast_ratio(colour, "#FFFFFF") >= MIN_RATIO
    for _, colour, _ in HEAT_BANDS:
        assert contrast_ratio(text_on(colour), colour) >= MIN_RATIO
    assert series("#FFEE00")[0] == SERIES[0]  # an unreadable brand colour is not used
    assert series("#0B5394")[0] == "#0B5394"


def test_organisation_menu_opens_analytics_for_a_manager(qtbot: QtBot, seeded: Seeded) -> None:
    from app.shell.main_window import MainWindow

    w = MainWindow(seeded.ctx)
    qtbot.addWidget(w)
    w.enter(seeded.manager)
    action = w.org_actions["analytics"]  # type: ignore[attr-defined]
    assert action.isVisible() and action.text() == "A&nalytics…"
    action.trigger()
    dialog = w.org_dialog  # type: ignore[attr-defined]
    assert dialog.objectName() == "analytics-dialog"
    view = dialog.view
    assert view.runner is w.runner  # the app's one runner loads it
    qtbot.waitUntil(lambda: view.board is not None, timeout=15000)
    dialog.close()
    w.enter(seeded.user(seeded.world.learner_ids[0]))
    assert not w.org_actions["analytics"].isVisible()  # type: ignore[attr-defined]
