-- Analytics on the server (issue 13): one aggregate function per dashboard view, so a
-- manager's laptop never downloads millions of events to draw a chart.
--
-- * Every function is `security invoker`: it runs as the caller, under row-level security,
--   so it aggregates exactly the rows the caller may read (a manager or org admin: their
--   organisation's learners, `own_or_org_reader_read`; anyone else: their own rows). On top
--   of that each function keeps to one organisation (p_org, default the caller's own), so a
--   super admin's dashboard is one organisation too. A manager naming another organisation
--   gets nothing back: the policies, not the parameter, decide.
-- * The figures are the desktop's (app/services/analytics_*.py over the local mirror) with
--   the same definitions: weeks start on Monday, 00:00 UTC (engine/analytics/weeks.py); the
--   funnel's "stopped here" is the learner's furthest module, left unfinished or finished
--   without the course's last one (engine/analytics/funnel.py); a quiz outcome is a first
--   attempt with a `correct` answer, credited to the modality it was studied in
--   (engine/analytics/modality.py); due soon is a pending record due within p_soon_days.
--   tests/sync/test_analytics_sql.py holds the two sides to the same numbers.
-- * Creators: row-level security lets a creator read only their own events, so these
--   functions give a creator their own activity only; widening that (a creator reading the
--   events of their own courses) is a policy decision of its own, not made here.
-- * The functions have no `set search_path`, on purpose: a function with a SET clause is
--   never inlined, and inlined into the caller's query it is planned with the caller's
--   actual dates and courses (the funnel and tutor queries took half the time). Every name
--   in them is schema-qualified (public., byteos., or pg_catalog's built-ins), so a
--   caller's search_path cannot redirect them; and they run as the caller anyway.
-- * Indexes for the aggregates over 1,000,000 events (bench/analytics.py measures them).
-- * The read policy of the learner-owned tables, same meaning, faster form. It called
--   byteos.in_my_org(user_id) once per row (a security definer function is never inlined,
--   so each call is a query of its own): a manager counting 1,000,000 events waited more
--   than a minute. It now asks whether user_id is among the organisation's people, a set
--   computed once per statement (byteos.my_org_people(), a hashed sub-plan): 0.7 s for the
--   same count. Who may read what is unchanged: in_my_org(u) is exactly "u is a profile of
--   my organisation"; the RLS tests (tests/sync/test_rls_*.py) hold the matrix.

create function byteos.my_org_people() returns setof uuid
language sql stable security definer set search_path = public, pg_temp as
$$ select p.id from public.profiles p where p.org_id = byteos.my_org() $$;
revoke all on function byteos.my_org_people() from public, anon;
grant execute on function byteos.my_org_people() to authenticated, service_role;

do $$
declare t text;
begin
  foreach t in array array['learner_profiles', 'learner_skills', 'skill_gaps', 'enrollments',
                           'learning_events', 'ai_interactions']
  loop
    execute format('drop policy own_or_org_reader_read on public.%I', t);
    execute format(
      'create policy own_or_org_reader_read on public.%I for select to authenticated using ('
      ' user_id = (select auth.uid())'
      ' or ((select byteos.is_org_reader()) and user_id in (select byteos.my_org_people()))'
      ' or (select byteos.is_super()))', t);
  end loop;
end $$;

create index if not exists learning_events_course_module
  on public.learning_events (course_id, module_id, user_id, event_type);
create index if not exists learning_events_created on public.learning_events (created_at);
create index if not exists enrollments_course on public.enrollments (course_id, status);
create index if not exists ai_interactions_course on public.ai_interactions (course_id, interaction_type);
create index if not exists profiles_org_role on public.profiles (org_id, role);

-- A daily rollup of learning_events: one row per learner, day, course and modality with the
-- counts the engagement and modality views add up. A learner's day of study is many events
-- (a module's start, its quiz answers, its completion...), so the rollup is a fraction of
-- the events' size and the two views that read every event of the range read it instead.
-- Kept by a trigger on every insert (learning_events is append-only), filled here from the
-- events already stored; readable as the events are (own rows; managers and admins their
-- organisation's), written only by the trigger. In the byteos schema: the API (PostgREST
-- serves public) reaches it only through the functions below.
create table byteos.analytics_daily (
  org_id uuid,
  user_id uuid not null,
  day date not null,
  course_id uuid,
  modality text,
  events integer not null default 0,
  seconds bigint not null default 0,
  first_attempts integer not null default 0,
  correct integer not null default 0,
  completions integer not null default 0,
  drop_offs integer not null default 0,
  signals integer not null default 0,  -- quiz answers, completions and drop-offs
  constraint analytics_daily_key unique nulls not distinct (user_id, day, course_id, modality)
);
create index analytics_daily_org_day on byteos.analytics_daily (org_id, day);
alter table byteos.analytics_daily enable row level security;
revoke all on byteos.analytics_daily from anon, authenticated;
grant select on byteos.analytics_daily to authenticated;
grant select, insert, update, delete on byteos.analytics_daily to service_role;
create policy analytics_daily_read on byteos.analytics_daily for select to authenticated
  using (user_id = (select auth.uid())
         or ((select byteos.is_org_reader()) and org_id = (select byteos.my_org()))
         or (select byteos.is_super()));

-- the counts one event adds (the same definitions as the desktop's, see the header)
create function byteos.daily_counts(e public.learning_events)
returns table (first_attempts integer, correct integer, completions integer, drop_offs integer,
               signals integer)
language sql immutable as $$
  select (q and ok is not null)::int, (q and coalesce(ok, false))::int,
         (e.event_type = 'module_complete')::int, (e.event_type = 'drop_off')::int,
         (e.event_type in ('quiz_attempt', 'module_complete', 'drop_off'))::int
    from (select e.event_type = 'quiz_attempt'
                 and coalesce((e.payload ->> 'attempt_no')::int, 1) = 1 as q,
                 (e.payload ->> 'correct')::boolean as ok) x
$$;

create function byteos.roll_up_event() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  insert into byteos.analytics_daily as d (org_id, user_id, day, course_id, modality, events,
    seconds, first_attempts, correct, completions, drop_offs, signals)
  select (select p.org_id from public.profiles p where p.id = new.user_id), new.user_id,
         (coalesce(new.created_at, now()) at time zone 'UTC')::date, new.course_id,
         new.modality, 1, coalesce(new.duration_secs, 0), c.first_attempts, c.correct,
         c.completions, c.drop_offs, c.signals
    from byteos.daily_counts(new) c
  on conflict on constraint analytics_daily_key do update set
    events = d.events + 1, seconds = d.seconds + excluded.seconds,
    first_attempts = d.first_attempts + excluded.first_attempts,
    correct = d.correct + excluded.correct, completions = d.completions + excluded.completions,
    drop_offs = d.drop_offs + excluded.drop_offs, signals = d.signals + excluded.signals;
  return null;
end $$;
revoke all on function byteos.roll_up_event() from public, anon, authenticated;
create trigger roll_up_event after insert on public.learning_events
  for each row execute function byteos.roll_up_event();

-- (Re)build the rollup from the events: here for the events already stored, and for the
-- service role after a bulk load that bypassed triggers.
create function byteos.rebuild_analytics_daily() returns bigint
language sql volatile security definer set search_path = public, pg_temp as $$
  delete from byteos.analytics_daily;
  insert into byteos.analytics_daily (org_id, user_id, day, course_id, modality, events, seconds,
    first_attempts, correct, completions, drop_offs, signals)
  select p.org_id, e.user_id, (e.created_at at time zone 'UTC')::date, e.course_id, e.modality,
         count(*), coalesce(sum(e.duration_secs), 0), sum(c.first_attempts), sum(c.correct),
         sum(c.completions), sum(c.drop_offs), sum(c.signals)
    from public.learning_events e
    left join public.profiles p on p.id = e.user_id
    cross join lateral byteos.daily_counts(e) c
   where e.created_at is not null
   group by 1, 2, 3, 4, 5;
  select count(*) from byteos.analytics_daily;
$$;
revoke all on function byteos.rebuild_analytics_daily() from public, anon, authenticated;
grant execute on function byteos.rebuild_analytics_daily() to service_role;
select byteos.rebuild_analytics_daily();

-- The people a dashboard counts (a manager's or admin's default needs no such filter:
-- row-level security already keeps to their organisation, so each function asks for this
-- set only for another organisation, a role, or a super admin, whose rows span them all): the organisation's profiles (of one role, if given), as the
-- caller can see them. No `set search_path` here, on purpose: a function with a SET clause
-- is never inlined, and inlined this becomes a hashed sub-plan of each query; every name in
-- it is schema-qualified, so the caller's search_path cannot redirect it.
create function public.analytics_people(p_org uuid default null, p_role text default null)
returns table (user_id uuid)
language sql stable security invoker as $$
  select p.id from public.profiles p
   where p.org_id = coalesce(p_org, byteos.my_org())
     and (p_role is null or p.role = p_role)
$$;

-- Completions per week (course completions; path rows are the rates' business).
create function public.analytics_completions(
  p_from timestamptz, p_to timestamptz, p_courses uuid[] default null,
  p_role text default null, p_org uuid default null)
returns table (week date, completions bigint)
language sql stable security invoker as $$
  select (date_trunc('week', e.completed_at at time zone 'UTC'))::date, count(*)
    from public.enrollments e
   where e.course_id is not null
     and e.completed_at >= p_from and e.completed_at < p_to
     and (p_courses is null or e.course_id = any (p_courses))
     and (p_org is null and p_role is null and not (select byteos.is_super())
          or e.user_id in (select user_id from public.analytics_people(p_org, p_role)))
   group by 1 order by 1
$$;

-- Completion rate per course and per path (a path's own enrolment row has no course).
create function public.analytics_completion_rates(
  p_courses uuid[] default null, p_role text default null, p_org uuid default null)
returns table (kind text, id uuid, enrolled bigint, completed bigint)
language sql stable security invoker as $$
  select case when e.course_id is null then 'path' else 'course' end,
         coalesce(e.course_id, e.path_id), count(*), count(*) filter (where e.status = 'completed')
    from public.enrollments e
   where (p_courses is null or e.course_id = any (p_courses) or e.course_id is null)
     and (p_org is null and p_role is null and not (select byteos.is_super())
          or e.user_id in (select user_id from public.analytics_people(p_org, p_role)))
   group by 1, 2
$$;

-- The drop-off funnel of one course.
create function public.analytics_funnel(
  p_course uuid, p_from timestamptz, p_to timestamptz, p_role text default null,
  p_org uuid default null)
returns table (module_id uuid, started bigint, finished bigint, stopped bigint, drop_offs bigint)
language sql stable security invoker as $$
  with touched as (
    select e.user_id, e.module_id, coalesce(m.order_index, 0) as oi,
           bool_or(e.event_type = 'module_start') as started,
           bool_or(e.event_type = 'module_complete') as done,
           count(*) filter (where e.event_type = 'drop_off') as drops
      from public.learning_events e
      join public.modules m on m.id = e.module_id
     where e.course_id = p_course and e.created_at >= p_from and e.created_at < p_to
       and (p_org is null and p_role is null and not (select byteos.is_super())
          or e.user_id in (select user_id from public.analytics_people(p_org, p_role)))
     group by e.user_id, e.module_id, m.order_index),
  furthest as (select user_id, max(oi) as oi from touched group by user_id),
  last_module as (select max(coalesce(order_index, 0)) as oi from public.modules
                   where course_id = p_course)
  select t.module_id,
         count(*) filter (where t.started),
         count(*) filter (where t.done),
         count(*) filter (where t.oi = f.oi and (not t.done or t.oi < l.oi)),
         coalesce(sum(t.drops), 0)::bigint
    from touched t join furthest f on f.user_id = t.user_id cross join last_module l
   group by t.module_id
$$;

-- Engagement: distinct active learners and seconds of activity per week.
create function public.analytics_engagement(
  p_from timestamptz, p_to timestamptz, p_courses uuid[] default null,
  p_role text default null, p_org uuid default null)
returns table (week date, active_learners bigint, seconds bigint)
language sql stable security invoker as $$
  -- from the daily rollup; per learner and week first, then per week (a hash aggregate, not
  -- a sorted distinct count). The range is whole UTC days, as the dashboard's is.
  select w, count(*), coalesce(sum(secs), 0)::bigint
    from (select (date_trunc('week', d.day))::date as w, d.user_id, sum(d.seconds) as secs
            from byteos.analytics_daily d
           where d.day >= (p_from at time zone 'UTC')::date and d.day < (p_to at time zone 'UTC')::date
             and (p_courses is null or d.course_id = any (p_courses))
             and (p_org is null and p_role is null and not (select byteos.is_super())
                  or d.user_id in (select user_id from public.analytics_people(p_org, p_role)))
           group by 1, 2) per_learner
   group by w order by w
$$;

-- Modality effectiveness: first quiz attempts (and the right ones), completions, drop-offs
-- (from the daily rollup, which counts them as engine/analytics/modality.py defines them).
create function public.analytics_modalities(
  p_from timestamptz, p_to timestamptz, p_courses uuid[] default null,
  p_role text default null, p_org uuid default null)
returns table (modality text, first_attempts bigint, correct bigint, completions bigint,
               drop_offs bigint, learners bigint)
language sql stable security invoker as $$
  select modality, sum(a)::bigint, sum(c)::bigint, sum(x)::bigint, sum(y)::bigint, count(*)
    from (select d.modality, d.user_id, sum(d.first_attempts) as a, sum(d.correct) as c,
                 sum(d.completions) as x, sum(d.drop_offs) as y
            from byteos.analytics_daily d
           where d.modality is not null
             and d.day >= (p_from at time zone 'UTC')::date and d.day < (p_to at time zone 'UTC')::date
             and (p_courses is null or d.course_id = any (p_courses))
             and (p_org is null and p_role is null and not (select byteos.is_super())
                  or d.user_id in (select user_id from public.analytics_people(p_org, p_role)))
           group by 1, 2
          having sum(d.signals) > 0) per_learner
   group by modality
$$;

-- AI tutor use per course: questions, askers, helpful among rated, "not covered" answers.
create function public.analytics_tutor(
  p_from timestamptz, p_to timestamptz, p_courses uuid[] default null,
  p_role text default null, p_org uuid default null)
returns table (course_id uuid, questions bigint, learners bigint, helpful bigint, rated bigint,
               not_covered bigint)
language sql stable security invoker as $$
  with asked as (
    select a.course_id, count(*) as questions, count(distinct a.user_id) as learners,
           count(*) filter (where a.helpful) as helpful, count(a.helpful) as rated
      from public.ai_interactions a
     where a.interaction_type in ('question', 'hint_request', 'explanation')
       and a.created_at >= p_from and a.created_at < p_to
       and a.course_id is not null and (p_courses is null or a.course_id = any (p_courses))
       and (p_org is null and p_role is null and not (select byteos.is_super())
          or a.user_id in (select user_id from public.analytics_people(p_org, p_role)))
     group by a.course_id),
  uncovered as (
    select e.course_id, count(*) as n
      from public.learning_events e
     where e.event_type = 'ai_tutor_query' and (e.payload ->> 'covered')::boolean is false
       and e.created_at >= p_from and e.created_at < p_to
       and e.course_id is not null and (p_courses is null or e.course_id = any (p_courses))
       and (p_org is null and p_role is null and not (select byteos.is_super())
          or e.user_id in (select user_id from public.analytics_people(p_org, p_role)))
     group by e.course_id)
  select coalesce(a.course_id, u.course_id), coalesce(a.questions, 0), coalesce(a.learners, 0),
         coalesce(a.helpful, 0), coalesce(a.rated, 0), coalesce(u.n, 0)
    from asked a full join uncovered u on u.course_id = a.course_id
$$;

-- Skill gaps per skill: a learner's gap is their open gap's score, else 1 - proficiency.
create function public.analytics_skill_gaps(
  p_skills uuid[] default null, p_role text default null, p_org uuid default null,
  p_wide double precision default 0.5)
returns table (skill_id uuid, assessed bigint, wide bigint, mean_gap double precision)
language sql stable security invoker as $$
  with people as (select user_id from public.analytics_people(p_org, p_role)),
  gaps as (
    select g.user_id, g.skill_id, max(g.gap_score) as gap from public.skill_gaps g
     where g.resolved_at is null and g.gap_score is not null
       and g.user_id in (select user_id from people)
     group by g.user_id, g.skill_id),
  cells as (
    select coalesce(g.user_id, l.user_id) as user_id, coalesce(g.skill_id, l.skill_id) as skill_id,
           coalesce(g.gap, 1 - l.proficiency_level) as gap
      from gaps g
      full join (select ls.user_id, ls.skill_id, ls.proficiency_level from public.learner_skills ls
                  where ls.proficiency_level is not null
                    and ls.user_id in (select user_id from people)) l
        on l.user_id = g.user_id and l.skill_id = g.skill_id)
  select skill_id, count(*), count(*) filter (where gap >= p_wide), avg(gap)
    from cells
   where p_skills is null or skill_id = any (p_skills)
   group by skill_id
   order by avg(gap) desc, count(*) filter (where gap >= p_wide) desc
$$;

-- Compliance per course: stored statuses with time applied (pending or overdue past the due
-- date: overdue; pending due within p_soon_days: due soon).
create function public.analytics_compliance(
  p_now timestamptz, p_soon_days integer default 14, p_courses uuid[] default null,
  p_role text default null, p_org uuid default null)
returns table (course_id uuid, overdue bigint, due_soon bigint, pending bigint,
               compliant bigint, exempt bigint)
language sql stable security invoker as $$
  with b as (
    select r.course_id,
           case when r.status in ('pending', 'overdue') and r.required_by < p_now then 'overdue'
                when r.status = 'pending'
                     and r.required_by <= p_now + make_interval(days => p_soon_days) then 'due_soon'
                else coalesce(r.status, 'pending') end as bucket
      from public.compliance_records r
     where r.org_id = coalesce(p_org, byteos.my_org())
       and (p_courses is null or r.course_id = any (p_courses))
       and (p_org is null and p_role is null and not (select byteos.is_super())
          or r.user_id in (select user_id from public.analytics_people(p_org, p_role))))
  select course_id,
         count(*) filter (where bucket = 'overdue'), count(*) filter (where bucket = 'due_soon'),
         count(*) filter (where bucket = 'pending'), count(*) filter (where bucket = 'compliant'),
         count(*) filter (where bucket = 'exempt')
    from b group by course_id
$$;

revoke all on function public.analytics_people(uuid, text) from public, anon;
revoke all on function
  public.analytics_completions(timestamptz, timestamptz, uuid[], text, uuid),
  public.analytics_completion_rates(uuid[], text, uuid),
  public.analytics_funnel(uuid, timestamptz, timestamptz, text, uuid),
  public.analytics_engagement(timestamptz, timestamptz, uuid[], text, uuid),
  public.analytics_modalities(timestamptz, timestamptz, uuid[], text, uuid),
  public.analytics_tutor(timestamptz, timestamptz, uuid[], text, uuid),
  public.analytics_skill_gaps(uuid[], text, uuid, double precision),
  public.analytics_compliance(timestamptz, integer, uuid[], text, uuid)
  from public, anon;
grant execute on function
  public.analytics_people(uuid, text),
  public.analytics_completions(timestamptz, timestamptz, uuid[], text, uuid),
  public.analytics_completion_rates(uuid[], text, uuid),
  public.analytics_funnel(uuid, timestamptz, timestamptz, text, uuid),
  public.analytics_engagement(timestamptz, timestamptz, uuid[], text, uuid),
  public.analytics_modalities(timestamptz, timestamptz, uuid[], text, uuid),
  public.analytics_tutor(timestamptz, timestamptz, uuid[], text, uuid),
  public.analytics_skill_gaps(uuid[], text, uuid, double precision),
  public.analytics_compliance(timestamptz, integer, uuid[], text, uuid)
  to authenticated, service_role;
