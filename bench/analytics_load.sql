-- bench/analytics.py: 10,000 learners and 1,000,000 learning events in one organisation
-- (psycopg parameters: org, manager, learners, events; a doubled percent sign is a literal one).
set session_replication_role = replica;  -- a bulk load: no sync triggers, no FK checks
insert into organisations (id, name, slug) values (%(org)s, 'Bench org', 'bench-' || left(%(org)s::text, 8));
insert into auth.users (id, email) values (%(manager)s, 'bench-manager@example.org');
insert into profiles (id, full_name, role, org_id) values (%(manager)s, 'Bench Manager', 'manager', %(org)s);
insert into profiles (id, full_name, role, org_id)
  select gen_random_uuid(), 'Learner ' || i, 'learner', %(org)s from generate_series(1, %(learners)s) i;
insert into courses (id, org_id, created_by, title, status)
  select gen_random_uuid(), %(org)s, %(manager)s, 'Course ' || i, 'published' from generate_series(1, 20) i;
insert into modules (id, course_id, title, content, order_index)
  select gen_random_uuid(), c.id, 'Module ' || m, '[]'::jsonb, m
    from courses c cross join generate_series(0, 7) m where c.org_id = %(org)s;
create temporary table bench_people as
  select id, row_number() over (order by id) as n from profiles where org_id = %(org)s and role = 'learner';
create temporary table bench_modules as
  select m.id, m.course_id, row_number() over (order by m.course_id, m.order_index) as n
    from modules m join courses c on c.id = m.course_id where c.org_id = %(org)s;
-- Event i belongs to learner k = i mod learners, as their j-th event (j = i div learners).
-- A learner studies in sessions of 15 events: one day, one module, one modality each, as a
-- real session is (a module's start, its answers, its completion...), on ~7 days of 12 weeks.
insert into learning_events (user_id, course_id, module_id, event_type, payload, modality,
                             duration_secs, created_at)
  select p.id, bm.course_id, bm.id,
         (array['module_start','module_complete','quiz_attempt','quiz_attempt','video_play',
                'drop_off','ai_tutor_query','modality_switch'])[1 + (i %% 8)],
         jsonb_build_object('correct', (i %% 3) <> 0, 'attempt_no', 1 + (i %% 5 = 0)::int,
                            'covered', (i %% 4) <> 0),
         (array['text','video','audio','flashcards','game'])[1 + ((k + j / 15) %% 5)],
         30 + (i %% 600),
         date_trunc('day', now()) - make_interval(days => ((k + (j / 15) * 11) %% 84)::int)
           + make_interval(secs => ((j %% 15) * 300 + k %% 3600)::int)
    from (select i, i %% %(learners)s as k, i / %(learners)s as j
            from generate_series(1, %(events)s) i) g
    join bench_people p on p.n = 1 + g.k
    join bench_modules bm on bm.n = 1 + ((g.k * 3 + g.j / 15) %% 160);
insert into enrollments (user_id, course_id, status, progress_pct, completed_at)
  select p.id, c.id, case when (p.n + c.n) %% 3 = 0 then 'completed' else 'in_progress' end,
         case when (p.n + c.n) %% 3 = 0 then 100 else 40 end,
         case when (p.n + c.n) %% 3 = 0 then now() - make_interval(days => ((p.n + c.n) %% 80)::int) end
    from bench_people p
    cross join (select id, row_number() over (order by id) as n from courses where org_id = %(org)s) c
   where (p.n + c.n) %% 4 <> 0;
insert into ai_interactions (user_id, course_id, interaction_type, user_message, helpful, created_at)
  select p.id, (select id from courses where org_id = %(org)s order by id limit 1 offset (p.n %% 20)),
         'question', 'Question ' || (p.n %% 50), (p.n %% 3 = 0), now() - interval '3 days'
    from bench_people p;
insert into skills (id, name, slug, org_id)
  select gen_random_uuid(), 'Skill ' || i, 'bench-skill-' || i || '-' || left(%(org)s::text, 8), %(org)s
    from generate_series(1, 30) i;
insert into learner_skills (user_id, skill_id, proficiency_level)
  select p.id, s.id, ((p.n * 7 + length(s.name)) %% 100) / 100.0
    from bench_people p cross join (select id, name, slug from skills where org_id = %(org)s) s
   where (p.n + length(s.slug)) %% 3 = 0;
insert into compliance_records (org_id, user_id, course_id, required_by, status)
  select %(org)s, p.id, (select id from courses where org_id = %(org)s order by id limit 1),
         now() + make_interval(days => (p.n %% 60)::int - 30), 'pending'
    from bench_people p;
set session_replication_role = origin;
select byteos.rebuild_analytics_daily();  -- the load bypassed the rollup's trigger
analyze;
