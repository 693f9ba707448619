"""The analytics services against a seeded organisation: every figure equals an independent
count over the same database (plain ``sqlite3``, weeks computed in Python), the scope
follows the role, and bad filters are refused with the reason."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest

from app.services import analytics_activity as activity
from app.services import analytics_outcomes as outcomes
from app.services.analytics import Filters
from app.services.analytics_drill import learners_behind
from app.services.errors import UserError
from tests.app.analytics.conftest import NOW, Seeded, monday

ORG_LEARNERS = "select id from profiles where org_id = ?"


def test_completions_per_week_and_rates_equal_independent_counts(seeded: Seeded) -> None:
    w = seeded.world
    r = activity.completions(seeded.ctx, seeded.manager, Filters(), NOW)
    rows = seeded.sql(
        f"select completed_at from enrollments where course_id is not null and completed_at"
        f" is not null and user_id in ({ORG_LEARNERS})",
        (w.org_id,),
    )
    start = NOW.date() - timedelta(weeks=12) + timedelta(days=1)
    expected = Counter(
        monday(at) for (at,) in rows if start <= date.fromisoformat(at[:10]) <= NOW.date()
    )
    got = {wk: n for wk, n in r.weeks if n}
    assert got == dict(expected) and r.total == sum(expected.values()) > 0
    assert len(r.weeks) == 13 and all(wk.weekday() == 0 for wk, _ in r.weeks)
    for rate in r.rates:
        kind, _, ident = rate.key.partition(":")
        col = "course_id" if kind == "course" else "path_id"
        extra = "" if kind == "course" else " and course_id is null"
        [(n, done)] = seeded.sql(
            f"select count(*), coalesce(sum(status = 'completed'), 0) from enrollments"
            f" where {col} = ?{extra} and user_id in ({ORG_LEARNERS})",
            (ident, w.org_id),
        )
        assert (rate.enrolled, rate.completed) == (n, done), rate.title
    assert [x.kind for x in r.rates].count("Path") == 1
    # the other organisation's completion is never counted
    assert "Theirs" not in {x.title for x in r.rates}


def _funnel_expected(seeded: Seeded, course: str) -> dict[str, tuple[int, int, int, int]]:
    mods = [
        m
        for (m,) in seeded.sql(
            "select id from modules where course_id = ? order by order_index", (course,)
        )
    ]
    start = (NOW - timedelta(weeks=12) + timedelta(days=1)).date().isoformat()
    events = seeded.sql(
        "select user_id, module_id, event_type from learning_events where course_id = ?"
        " and substr(created_at, 1, 10) >= ?",
        (course, start),
    )
    started, done, drops = defaultdict(set), defaultdict(set), Counter()
    reached: dict[str, int] = {}
    for user, mid, kind in events:
        reached[user] = max(reached.get(user, -1), mods.index(mid))
        if kind == "module_start":
            started[mid].add(user)
        elif kind == "module_complete":
            done[mid].add(user)
        elif kind == "drop_off":
            drops[mid] += 1
    stopped = Counter()
    for user, i in reached.items():
        if user not in done[mods[i]] or i < len(mods) - 1:
            stopped[mods[i]] += 1
    return {m: (len(started[m]), len(done[m]), stopped[m], drops[m]) for m in mods}


def test_funnel_counts_and_where_they_stopped_equal_an_independent_fold(seeded: Seeded) -> None:
    w = seeded.world
    for course in w.course_ids:
        f = activity.funnel(seeded.ctx, seeded.manager, Filters(course_id=course), NOW)
        got = {
            s.module_id: (s.counts.started, s.counts.finished, s.counts.stopped, s.counts.drop_offs)
            for s in f.funnel.stages
        }
        assert got == _funnel_expected(seeded, course)
    f = activity.funnel(seeded.ctx, seeded.manager, Filters(course_id=w.course_ids[0]), NOW)
    worst = f.funnel.biggest_drop
    assert worst is not None and worst.counts.stopped > 0
    drill = learners_behind(
        seeded.ctx, seeded.manager, Filters(course_id=w.course_ids[0]), NOW,
        ("module", worst.module_id), "stopped",
    )  # fmt: skip
    assert len(drill.people) == worst.counts.stopped


def test_engagement_modality_and_tutor_equal_independent_counts(seeded: Seeded) -> None:
    w = seeded.world
    ev = seeded.sql(
        f"select user_id, created_at, duration_secs, event_type, modality, payload, course_id"
        f" from learning_events where user_id in ({ORG_LEARNERS})",
        (w.org_id,),
    )
    start = NOW.date() - timedelta(weeks=12) + timedelta(days=1)
    in_range = [e for e in ev if date.fromisoformat(e[1][:10]) >= start]
    active: dict[date, set[str]] = defaultdict(set)
    for user, at, *_ in in_range:
        active[monday(at)].add(user)
    e = activity.engagement(seeded.ctx, seeded.manager, Filters(), NOW)
    assert {wk.start: wk.active_learners for wk in e.weeks if wk.active_learners} == {
        k: len(v) for k, v in active.items()
    }
    [(streaking,)] = seeded.sql(
        "select count(*) from learner_profiles lp join profiles p on p.id = lp.user_id"
        " where p.org_id = ?",
        (w.org_id,),
    )
    assert sum(n for _, n in e.streaks) == streaking
    first: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for *_, kind, modality, payload, _course in in_range:
        body = json.loads(payload or "{}")
        if kind == "quiz_attempt" and body.get("attempt_no", 1) == 1 and "correct" in body:
            first[modality] += 1
            right[modality] += bool(body["correct"])
    m = outcomes.modalities(seeded.ctx, seeded.manager, Filters(), NOW)
    assert {o.modality: (o.counts.first_attempts, o.counts.correct) for o in m.outcomes} == {
        k: (first[k], right[k]) for k in first
    }
    t = outcomes.tutor_use(seeded.ctx, seeded.manager, Filters(), NOW)
    for c in t.courses:
        [(n, helpful, rated)] = seeded.sql(
            "select count(*), coalesce(sum(helpful = 1), 0), count(helpful) from ai_interactions"
            " where course_id = ? and interaction_type = 'question'",
            (c.course_id,),
        )
        uncovered = sum(
            1
            for *_, kind, _m, payload, course in in_range
            if kind == "ai_tutor_query" and course == c.course_id
            and json.loads(payload)["covered"] is False
        )  # fmt: skip
        assert (c.questions, c.helpful.hits, c.helpful.total, c.not_covered) == (
            n, helpful, rated, uncovered,
        )  # fmt: skip
    assert sum(tp.times for tp in t.topics) == sum(c.not_covered for c in t.courses) > 0


def test_skill_gaps_rank_the_mean_gap_as_computed_independently(seeded: Seeded) -> None:
    w = seeded.world
    levels = {
        (u, s): p
        for u, s, p in seeded.sql("select user_id, skill_id, proficiency_level from learner_skills")
    }
    gaps = {
        (u, s): g
        for u, s, g in seeded.sql(
            "select user_id, skill_id, max(gap_score) from skill_gaps where resolved_at is null"
            " group by user_id, skill_id"
        )
    }
    org = {u for (u,) in seeded.sql(ORG_LEARNERS, (w.org_id,))}
    per_skill: dict[str, list[float]] = defaultdict(list)
    for key in set(levels) | set(gaps):
        if key[0] in org:
            per_skill[key[1]].append(gaps.get(key, 1 - levels.get(key, 1.0)))
    r = outcomes.skill_gaps(seeded.ctx, seeded.manager, Filters(), NOW)
    assert {x.skill_id: round(x.mean_gap, 6) for x in r.heat.skills} == {
        s: round(sum(v) / len(v), 6) for s, v in per_skill.items()
    }
    means = [x.mean_gap for x in r.heat.skills]
    assert means == sorted(means, reverse=True)
    top = r.heat.skills[0]
    drill = learners_behind(seeded.ctx, seeded.manager, Filters(), NOW, ("skill", top.skill_id))
    assert len(drill.people) == top.assessed


def test_compliance_buckets_add_up_to_the_organisations_records(seeded: Seeded) -> None:
    w = seeded.world
    r = outcomes.compliance(seeded.ctx, seeded.manager, Filters(), NOW)
    [(total,)] = seeded.sql("select count(*) from compliance_records where org_id = ?", (w.org_id,))
    assert (
        sum(t.total for _, _, t in r.per_course)
        == total
        == sum(t.total for _, _, t in r.per_person)
    )
    late = seeded.sql(
        "select count(*) from compliance_records c where org_id = ? and required_by < ?"
        " and status in ('pending', 'overdue') and not exists (select 1 from enrollments e"
        " where e.user_id = c.user_id and e.course_id = c.course_id and e.status = 'completed')",
        (w.org_id, NOW.isoformat()),
    )
    assert len(r.overdue) == late[0][0] > 0
    course = r.per_course[0]
    drill = learners_behind(
        seeded.ctx, seeded.manager, Filters(), NOW, ("course", course[0]), "overdue"
    )
    assert len(drill.people) == course[2].count("overdue")
    creator = seeded.user(w.creator_id)
    with pytest.raises(UserError, match="Only managers and organisation admins"):
        outcomes.compliance(seeded.ctx, creator, Filters(), NOW)


def test_scope_follows_the_role_and_bad_filters_are_refused(seeded: Seeded) -> None:
    w = seeded.world
    creator = seeded.user(w.creator_id)
    mine = activity.completions(seeded.ctx, creator, Filters(), NOW)
    owned = {
        t for (t,) in seeded.sql("select title from courses where created_by = ?", (w.creator_id,))
    }
    assert {x.title for x in mine.rates if x.kind == "Course"} == owned
    theirs = next(c for c in w.course_ids if c not in {x.key[7:] for x in mine.rates})
    with pytest.raises(UserError, match="your own courses only"):
        activity.funnel(seeded.ctx, creator, Filters(course_id=theirs), NOW)
    learner = seeded.user(w.learner_ids[0])
    with pytest.raises(UserError, match="Analytics are for managers"):
        activity.completions(seeded.ctx, learner, Filters(), NOW)
    [(foreign,)] = seeded.sql("select id from courses where org_id = ?", (w.other_org_id,))
    with pytest.raises(UserError, match="not one of your organisation's"):
        activity.completions(seeded.ctx, seeded.manager, Filters(course_id=foreign), NOW)
    with pytest.raises(UserError, match="starts after it ends"):
        activity.engagement(
            seeded.ctx, seeded.manager, Filters(start=date(2026, 12, 1), end=date(2026, 11, 1)), NOW
        )
    with pytest.raises(UserError, match="Unknown role"):
        activity.engagement(seeded.ctx, seeded.manager, Filters(role="wizard"), NOW)
    # the role filter: managers have no events, so nobody is active among them
    only = activity.engagement(seeded.ctx, seeded.manager, Filters(role="manager"), NOW)
    assert sum(wk.active_learners for wk in only.weeks) == 0
    with pytest.raises(UserError, match="Nothing to show"):
        learners_behind(seeded.ctx, seeded.manager, Filters(), NOW, ("nonsense", "x"))


def test_the_source_says_this_device_and_when_it_last_synced(seeded: Seeded) -> None:
    from sync.outbox import write_state

    m = seeded.manager
    assert not activity.completions(seeded.ctx, m, Filters(), NOW).meta.synced
    synced = NOW - timedelta(hours=3)
    with seeded.ctx.db.transaction() as s:
        write_state(s, "account.id", m.id)
        write_state(s, f"last_sync:{m.id}", synced.isoformat())
    try:
        meta = activity.completions(seeded.ctx, m, Filters(), NOW).meta
        assert (meta.source, meta.as_of, meta.synced) == ("this device", synced, True)
        assert meta.line().startswith("Source: this device, last synced ")
        # another account signed in on this device: its sync says nothing of this mirror's age
        other = seeded.user(seeded.world.admin_id)
        assert not activity.completions(seeded.ctx, other, Filters(), NOW).meta.synced
    finally:
        with seeded.ctx.db.transaction() as s:
            write_state(s, "account.id", None)
