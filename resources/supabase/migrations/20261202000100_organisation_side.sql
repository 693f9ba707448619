-- The organisation side (issue 12): learning paths written by managers, assignments with due
-- dates, compliance records with an audit history, and certificates only the signer writes.
-- The desktop mirror gets the same columns and tables in sync/store/migrations 0005 (whose
-- docstring says why each is needed). In short:
--
-- 1. Schema.
--    * certifications.credential_jwt: the signed VC-JWT. A row is a *signed* certificate:
--      it must carry a compact JWS and a verification code (certifications_signed). There is
--      no "pending" row: pending signature is derived on the devices (a completed path with
--      issue_cert and no row), so a learner never writes this table. Revocation is the signed
--      list in certificate_issuers, never a column.
--    * compliance_records.path_id (the mandatory path a course requirement comes from; the
--      spec's course_id stays not null: a mandatory path is one record per required course)
--      and status_reason (required for 'exempt'). Late completion is status 'compliant' with
--      completed_at > required_by, and the overdue -> compliant step in the history.
--    * compliance_events: append-only history of every change of a compliance record (who,
--      when, from -> to, reason, the other fields that changed), written by a trigger here,
--      so no client can skip or forge it. Nobody writes it through the API.
--    * certificate_issuers: one row per organisation with its public key set (JWKS; a private
--      key part "d" is refused) and signed revocation list; every member reads it, only its
--      org admins write it.
-- 2. Who writes what (tests/sync/rls_policy.py has the whole matrix; test_rls_org.py the rest):
--    * learning_paths: creators, managers and org admins of the organisation.
--    * enrollments: a learner enrols themselves (no due date, enrolled_by themselves or
--      nobody) and cannot change the due date or "assigned by" of an assignment, nor delete
--      one; managers and org admins assign anyone of their organisation; creators assign
--      people of their organisation to their own courses and paths (and read those
--      assignments). An assignment (a row for someone else) names published content only.
--    * compliance_records: managers and org admins of the organisation insert (pending, or one
--      step from it: made and changed offline) and change them, through the status transitions of engine/org/compliance.py
--      (byteos.compliance_transitions); nobody marks their own record compliant or exempt;
--      a learner changes only reminder_sent_at on their own records (a reminder is shown once
--      across their devices); deleting is a super admin's (the history would block it anyway).
--      Completion is not a write of the learner's: completing the enrolment (which the
--      learner owns, with its events) makes the server mark the records of that course or
--      path compliant (late ones first overdue), here, with the learner as the actor.
--      Overdue follows from time: byteos.mark_overdue() (every 30 minutes by pg_cron where
--      the extension exists, as on Supabase; rpc/refresh_compliance for any member's device).
--    * certifications: only an org admin of the learner's organisation (the signer path:
--      their app holds the organisation's private key) inserts or updates, never for
--      themselves (nobody certifies themselves; a super admin or another admin does);
--      managers only read (the old org_reader_write let managers write them: too wide).
-- 3. Sync: managers and org admins pull their organisation's enrolments, compliance
--    records, history and certificates (everyone else their own), and their deletions.

-- 1. schema ------------------------------------------------------------------------------------
alter table public.certifications add column credential_jwt text;
alter table public.certifications add constraint certifications_signed check (
  credential_jwt is not null and credential_jwt ~ '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'
  and verification_code is not null) not valid;

alter table public.compliance_records
  add column path_id uuid references public.learning_paths,
  add column status_reason text;
alter table public.compliance_records add constraint compliance_records_exempt_reason
  check (status is distinct from 'exempt' or coalesce(length(btrim(status_reason)), 0) > 0);
create index compliance_records_user_course on public.compliance_records (user_id, course_id);
create index compliance_records_path on public.compliance_records (user_id, path_id)
  where path_id is not null;

-- the path documents' shapes, as engine/org/paths.py reads them (a path with no courses is
-- refused there, with the reason, before it is saved; drafts on the server may be empty)
alter table public.learning_paths add constraint learning_paths_courses_list
  check (jsonb_typeof(courses) = 'array');
alter table public.learning_paths add constraint learning_paths_validity_days
  check (coalesce(jsonb_typeof(certification_config -> 'validity_days'), 'null') = 'null'
         or (jsonb_typeof(certification_config -> 'validity_days') = 'number'
             and (certification_config ->> 'validity_days')::numeric >= 1));

create table public.compliance_events (
  id uuid primary key default gen_random_uuid(),
  record_id uuid not null references public.compliance_records,
  org_id uuid not null references public.organisations,
  user_id uuid not null references public.profiles,
  changed_by uuid references public.profiles,
  changed_at timestamptz not null default now(),
  from_status text check (from_status in ('pending', 'compliant', 'overdue', 'exempt')),
  to_status text check (to_status in ('pending', 'compliant', 'overdue', 'exempt')),
  reason text,
  changes jsonb,
  sync_seq bigint not null default 0,
  field_clocks jsonb not null default '{}'
);
create index compliance_events_record on public.compliance_events (record_id, changed_at);

create table public.certificate_issuers (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null unique references public.organisations,
  key_set jsonb not null check (
    jsonb_typeof(key_set -> 'keys') = 'array'
    and not jsonb_path_exists(key_set, 'lax $.keys[*] ? (exists (@.d))')),
  revocation_list text check (
    revocation_list ~ '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'),
  updated_at timestamptz default now(),
  sync_seq bigint not null default 0,
  field_clocks jsonb not null default '{}'
);

do $$
declare t text;
begin
  foreach t in array array['compliance_events', 'certificate_issuers'] loop
    execute format('create trigger sync_stamp before insert or update on public.%I '
                   'for each row execute function public.sync_stamp()', t);
    execute format('create trigger sync_tombstone after delete on public.%I '
                   'for each row execute function public.sync_tombstone()', t);
    execute format('create index %I on public.%I (sync_seq)', t || '_sync_seq', t);
    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on public.%I from anon', t);
    execute format('grant select, insert, update, delete on public.%I to authenticated, service_role', t);
  end loop;
end $$;
revoke insert, update, delete on public.compliance_events from authenticated;

-- the allowed status changes, as engine/org/compliance.py TRANSITIONS (a test compares them)
create table byteos.compliance_transitions (
  from_status text not null,
  to_status text not null,
  primary key (from_status, to_status)
);
revoke all on byteos.compliance_transitions from public, anon, authenticated;
insert into byteos.compliance_transitions values
  ('pending', 'compliant'), ('pending', 'overdue'), ('pending', 'exempt'),
  ('overdue', 'compliant'), ('overdue', 'exempt'),
  ('exempt', 'pending');

-- helpers ----------------------------------------------------------------------------------------
create function byteos.transition_allowed(p_from text, p_to text) returns boolean
language sql stable security definer set search_path = public, pg_temp as $$
  select exists (select 1 from byteos.compliance_transitions t
                  where t.from_status = p_from and t.to_status = p_to)
$$;

create function byteos.is_assigner() returns boolean
language sql stable security definer set search_path = public, pg_temp as
$$ select coalesce(byteos.my_role() in ('manager', 'org_admin', 'super_admin'), false) $$;

-- the caller created this course or path (of their organisation)
create function byteos.is_my_content(p_course uuid, p_path uuid) returns boolean
language sql stable security definer set search_path = public, pg_temp as $$
  select exists (select 1 from public.courses c where c.id = p_course
                  and c.created_by = auth.uid() and c.org_id = byteos.my_org())
      or exists (select 1 from public.learning_paths p where p.id = p_path
                  and p.created_by = auth.uid() and p.org_id = byteos.my_org())
$$;

-- An assignment (a row for someone else) names published content only: the learner's device
-- could not receive a draft, and a row naming one would stop their pull until it is published.
create function byteos.check_assigned_content() returns trigger
language plpgsql security invoker set search_path = public, pg_temp as $$
begin
  if current_user not in ('authenticated', 'anon') or new.user_id = auth.uid()
     or (tg_op = 'UPDATE' and new.course_id is not distinct from old.course_id
         and new.path_id is not distinct from old.path_id) then
    return new;
  end if;
  if not byteos.is_published(new.course_id, new.path_id) then
    raise exception '%: publish the course or path before assigning it', tg_table_name
      using errcode = '42501',
            hint = 'learners receive published courses and paths only';
  end if;
  return new;
end $$;
revoke all on function byteos.check_assigned_content() from public, anon, authenticated;

create function byteos.is_published(p_course uuid, p_path uuid) returns boolean
language sql stable security definer set search_path = public, pg_temp as $$
  select (p_course is null or exists (select 1 from public.courses c
                                       where c.id = p_course and c.status = 'published'))
     and (p_path is null or exists (select 1 from public.learning_paths p
                                     where p.id = p_path and p.status = 'published'))
$$;

grant execute on function byteos.is_assigner(), byteos.is_my_content(uuid, uuid),
  byteos.is_published(uuid, uuid),
  byteos.transition_allowed(text, text) to authenticated;

create trigger check_assigned_content before insert or update on public.enrollments
  for each row execute function byteos.check_assigned_content();
create trigger check_assigned_content before insert or update on public.compliance_records
  for each row execute function byteos.check_assigned_content();

-- 2. learning paths: managers write them too ---------------------------------------------------------
drop policy path_author_write on public.learning_paths;
create policy path_writer on public.learning_paths for all to authenticated
  using ((((select byteos.is_author()) or (select byteos.my_role()) = 'manager')
          and org_id = (select byteos.my_org())) or (select byteos.is_super()))
  with check ((((select byteos.is_author()) or (select byteos.my_role()) = 'manager')
               and org_id = (select byteos.my_org())) or (select byteos.is_super()));

-- 2. enrolments: creators assign their own content; learners keep assignments as assigned ------------
create policy creator_assign_read on public.enrollments for select to authenticated
  using ((select byteos.my_role()) = 'creator' and byteos.in_my_org(user_id)
         and byteos.is_my_content(course_id, path_id));
create policy creator_assign_insert on public.enrollments for insert to authenticated
  with check ((select byteos.my_role()) = 'creator' and byteos.in_my_org(user_id)
              and byteos.is_my_content(course_id, path_id));
create policy creator_assign_update on public.enrollments for update to authenticated
  using ((select byteos.my_role()) = 'creator' and byteos.in_my_org(user_id)
         and byteos.is_my_content(course_id, path_id))
  with check ((select byteos.my_role()) = 'creator' and byteos.in_my_org(user_id)
              and byteos.is_my_content(course_id, path_id));

-- Due dates and "assigned by" are the assigner's: a learner (or a creator, outside their own
-- content) enrols without a due date, never changes one, never rewrites who assigned them,
-- and does not delete an assignment. API callers only.
create function byteos.guard_enrollment() returns trigger
language plpgsql security invoker set search_path = public, pg_temp as $$
declare
  v_assigner boolean;
begin
  if current_user not in ('authenticated', 'anon') then
    return coalesce(new, old);
  end if;
  if tg_op = 'DELETE' then
    if old.enrolled_by is not null and old.enrolled_by <> old.user_id
       and not byteos.is_assigner() and not byteos.is_my_content(old.course_id, old.path_id) then
      raise exception 'this enrolment was assigned to you: only a manager can remove it'
        using errcode = '42501';
    end if;
    return old;
  end if;
  v_assigner := byteos.is_assigner() or byteos.is_my_content(new.course_id, new.path_id);
  if v_assigner then
    return new;
  end if;
  if tg_op = 'INSERT' and new.due_date is not null then
    raise exception 'only a manager, an admin or the content''s creator sets a due date'
      using errcode = '42501', hint = 'enrol yourself without a due date';
  end if;
  if tg_op = 'UPDATE' and (new.due_date is distinct from old.due_date
       or (new.enrolled_by is distinct from old.enrolled_by and old.enrolled_by is not null
           and old.enrolled_by <> old.user_id)) then
    raise exception 'the due date and who assigned this are set by whoever assigned it'
      using errcode = '42501';
  end if;
  return new;
end $$;
revoke all on function byteos.guard_enrollment() from public, anon, authenticated;
create trigger guard_enrollment before insert or update or delete on public.enrollments
  for each row execute function byteos.guard_enrollment();

-- enrolled_by (as in 20261201000200, plus: a creator may name themselves on an assignment of
-- their own course or path)
create or replace function byteos.check_enrolled_by() returns trigger
language plpgsql security invoker set search_path = public, pg_temp as $$
declare
  v_role text := byteos.my_role();
  bad record;
begin
  if current_user not in ('authenticated', 'anon') then
    return null;
  end if;
  execute format(
    'select n.id, n.enrolled_by from new_rows n %s'
    ' left join public.profiles enrollee on enrollee.id = n.user_id'
    ' left join public.profiles named on named.id = n.enrolled_by'
    ' where n.enrolled_by is not null %s'
    '   and n.enrolled_by <> n.user_id'
    '   and not (($1 in (''manager'', ''org_admin'', ''super_admin'') and ('
    '        (named.id = auth.uid() and $1 = ''super_admin'')'
    '     or (named.org_id = enrollee.org_id and ('
    '            named.role in (''manager'', ''org_admin'')'
    '         or exists (select 1 from public.courses c where c.id = n.course_id'
    '                     and c.created_by = named.id and c.org_id = enrollee.org_id)'
    '         or exists (select 1 from public.learning_paths p where p.id = n.path_id'
    '                     and p.created_by = named.id and p.org_id = enrollee.org_id)))))'
    '     or ($1 = ''creator'' and named.id = auth.uid() and named.org_id = enrollee.org_id'
    '         and byteos.is_my_content(n.course_id, n.path_id)))'
    ' limit 1',
    case when tg_op = 'UPDATE' then 'left join old_rows o on o.id = n.id' else '' end,
    case when tg_op = 'UPDATE'
         then 'and (o.id is null or o.enrolled_by is distinct from n.enrolled_by)' else '' end)
    into bad using coalesce(v_role, '');
  if bad.id is not null then
    raise exception 'enrollments.enrolled_by names someone who cannot have enrolled this learner (%)',
                    bad.enrolled_by
      using errcode = '42501',
            hint = 'name the learner (self-enrolment), or, as a manager or admin, a manager or '
                   'admin of their organisation or the course''s or path''s creator';
  end if;
  return null;
end $$;

-- 2. compliance records ------------------------------------------------------------------------------
drop policy compliance_write on public.compliance_records;
create policy compliance_assigner_insert on public.compliance_records for insert to authenticated
  with check (((select byteos.is_org_reader()) and org_id = (select byteos.my_org())
               and byteos.in_my_org(user_id)) or (select byteos.is_super()));
create policy compliance_assigner_update on public.compliance_records for update to authenticated
  using (((select byteos.is_org_reader()) and org_id = (select byteos.my_org()))
         or (select byteos.is_super()))
  with check (((select byteos.is_org_reader()) and org_id = (select byteos.my_org())
               and byteos.in_my_org(user_id)) or (select byteos.is_super()));
-- the learner's own: only reminder_sent_at (byteos.guard_compliance)
create policy compliance_own_update on public.compliance_records for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy compliance_super_delete on public.compliance_records for delete to authenticated
  using ((select byteos.is_super()));

create function byteos.guard_compliance() returns trigger
language plpgsql security invoker set search_path = public, pg_temp as $$
declare
  v_kept constant text[] := '{reminder_sent_at,sync_seq,field_clocks}';
  v_role text := byteos.my_role();
begin
  if current_user not in ('authenticated', 'anon') then
    return new;  -- the server's own functions (completion, overdue) and the service role
  end if;
  if tg_op = 'INSERT' then
    -- pending, or one step from pending: a record made and changed offline arrives as one
    -- insert (its history entry is then null -> that status, with the reason)
    if (new.status is null or not (new.status = 'pending'
                                   or byteos.transition_allowed('pending', new.status)))
       and v_role is distinct from 'super_admin' then
      raise exception 'a compliance record starts as pending (not %)', coalesce(new.status, 'null')
        using errcode = '42501', hint = 'create it pending, then change it';
    end if;
  end if;
  if ((tg_op = 'INSERT' or new.status is distinct from old.status)
      and new.status in ('compliant', 'exempt') and auth.uid() = new.user_id) then
    raise exception 'you cannot mark your own compliance record %', new.status
      using errcode = '42501',
            hint = 'completing the course makes it compliant; a manager can exempt you';
  end if;
  if tg_op = 'INSERT' then
    return new;
  end if;
  if auth.uid() = old.user_id and new.status is distinct from old.status
     and new.status in ('compliant', 'exempt') then
    raise exception 'you cannot mark your own compliance record %', new.status
      using errcode = '42501';
  end if;
  if not byteos.is_assigner()
     and (to_jsonb(new) - v_kept) is distinct from (to_jsonb(old) - v_kept) then
    raise exception 'only a manager or an admin changes a compliance record'
      using errcode = '42501', hint = 'a learner records only when they were reminded';
  end if;
  if new.status is distinct from old.status
     and not byteos.transition_allowed(old.status, new.status) then
    raise exception 'a % compliance record cannot become %', old.status, new.status
      using errcode = '42501';
  end if;
  return new;
end $$;
revoke all on function byteos.guard_compliance() from public, anon, authenticated;
create trigger guard_compliance before insert or update on public.compliance_records
  for each row execute function byteos.guard_compliance();

-- every change of a record, as the history: who (the API caller; none for the server's
-- time-driven changes), when (the server's clock: a device's can be wrong), from -> to, why
create function byteos.compliance_history() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  v_changes jsonb;
  v_by uuid := case when coalesce(current_setting('byteos.system_change', true), '') = 'on'
                    then null else auth.uid() end;
begin
  select jsonb_object_agg(o.key, jsonb_build_array(o.value, n.value)) into v_changes
    from jsonb_each(case when tg_op = 'UPDATE' then to_jsonb(old) else '{}'::jsonb end) o
    join jsonb_each(to_jsonb(new)) n using (key)
   where o.value is distinct from n.value
     and o.key not in ('sync_seq', 'field_clocks', 'status', 'status_reason');
  if tg_op = 'UPDATE' and v_changes is null and new.status is not distinct from old.status
     and new.status_reason is not distinct from old.status_reason then
    return null;  -- a restamp, or a write of the same values
  end if;
  insert into public.compliance_events
    (record_id, org_id, user_id, changed_by, from_status, to_status, reason, changes)
  values (new.id, new.org_id, new.user_id, v_by,
          case when tg_op = 'UPDATE' then old.status end, new.status,
          case when tg_op = 'INSERT' or new.status is distinct from old.status
                    or new.status_reason is distinct from old.status_reason
               then new.status_reason end,
          v_changes);
  return null;
end $$;
revoke all on function byteos.compliance_history() from public, anon, authenticated;
create trigger compliance_history after insert or update on public.compliance_records
  for each row execute function byteos.compliance_history();

-- A hybrid-logical-clock stamp (sync/hlc.py's format) later than every stamp of a row, for the
-- fields the server itself changes: a device that edited the same record offline then sees
-- a change on both sides and the merge decides by clock (sync/merge.py), instead of taking
-- the server's change for no change at all.
create function byteos.hlc_stamp(p_clocks jsonb) returns text
language sql volatile set search_path = pg_catalog as $$
  with top as (select max(e.v) as v from jsonb_each_text(coalesce(p_clocks, '{}')) e(k, v)
                where e.v ~ '^[0-9]{13}\.[0-9]{5}\.'),
       now_ms as (select (extract(epoch from clock_timestamp()) * 1000)::bigint as ms)
  select case when top.v is null or split_part(top.v, '.', 1)::bigint < now_ms.ms
              then lpad(now_ms.ms::text, 13, '0') || '.00000.server'
              else split_part(top.v, '.', 1) || '.'
                   || lpad((split_part(top.v, '.', 2)::int + 1)::text, 5, '0') || '.server'
         end
    from top, now_ms
$$;

create function byteos.stamped(p_clocks jsonb, variadic p_fields text[]) returns jsonb
language sql volatile set search_path = pg_catalog as $$
  select coalesce(p_clocks, '{}') || (select jsonb_object_agg(f, byteos.hlc_stamp(p_clocks))
                                        from unnest(p_fields) f)
$$;

-- Time: pending records past their due date become overdue (p_org null: every organisation).
create function byteos.mark_overdue(p_org uuid, p_now timestamptz) returns integer
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  n integer;
begin
  perform set_config('byteos.system_change', 'on', true);
  update public.compliance_records
     set status = 'overdue', status_reason = 'the due date passed',
         field_clocks = byteos.stamped(field_clocks, 'status', 'status_reason')
   where status = 'pending' and required_by <= p_now and (p_org is null or org_id = p_org);
  get diagnostics n = row_count;
  perform set_config('byteos.system_change', '', true);
  return n;
end $$;
revoke all on function byteos.mark_overdue(uuid, timestamptz) from public, anon, authenticated;

-- Any member's device may ask for it (it only stores what time already says).
create function public.refresh_compliance() returns integer
language plpgsql volatile security definer set search_path = public, pg_temp as $$
begin
  if auth.uid() is null or byteos.my_org() is null then
    raise exception 'sign in as a member of an organisation' using errcode = '42501';
  end if;
  return byteos.mark_overdue(byteos.my_org(), now());
end $$;
revoke all on function public.refresh_compliance() from public, anon;
grant execute on function public.refresh_compliance() to authenticated;

do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_cron') then
    perform cron.schedule('byteos-compliance-overdue', '*/30 * * * *',
                          'select byteos.mark_overdue(null, now())');
  end if;
end $$;

-- Completion: an enrolment completed (by its learner, or by a manager) makes that learner's
-- pending or overdue records of the course (or path) compliant; a late one is first stored
-- overdue (by time, no actor), so the history shows the lateness.
create function byteos.enrollment_compliance() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if new.completed_at is null or (tg_op = 'UPDATE' and old.completed_at is not null) then
    return null;
  end if;
  perform set_config('byteos.system_change', 'on', true);
  update public.compliance_records r
     set status = 'overdue', status_reason = 'the due date passed',
         field_clocks = byteos.stamped(r.field_clocks, 'status', 'status_reason')
   where r.user_id = new.user_id and r.status = 'pending' and r.required_by < new.completed_at
     and (r.course_id = new.course_id or r.path_id = new.path_id);
  perform set_config('byteos.system_change', '', true);
  update public.compliance_records r
     set status = 'compliant', completed_at = new.completed_at,
         field_clocks = byteos.stamped(r.field_clocks, 'status', 'status_reason', 'completed_at'),
         status_reason = case
           when r.required_by is null or new.completed_at <= r.required_by then 'completed'
           when new.completed_at - r.required_by < interval '1 day' then 'completed after the due date'
           when new.completed_at - r.required_by < interval '2 days'
             then 'completed 1 day after the due date'
           else 'completed ' || extract(day from new.completed_at - r.required_by)::int
                || ' days after the due date' end
   where r.user_id = new.user_id and r.status in ('pending', 'overdue')
     and (r.course_id = new.course_id or r.path_id = new.path_id);
  return null;
end $$;
revoke all on function byteos.enrollment_compliance() from public, anon, authenticated;
create trigger enrollment_compliance after insert or update of completed_at on public.enrollments
  for each row execute function byteos.enrollment_compliance();

-- compliance history: read like the records, written by the trigger only
create policy compliance_event_read on public.compliance_events for select to authenticated
  using (user_id = (select auth.uid())
         or ((select byteos.is_org_reader()) and org_id = (select byteos.my_org()))
         or (select byteos.is_super()));

-- 2. certifications: the signer path only --------------------------------------------------------------
drop policy org_reader_write on public.certifications;
create policy cert_signer_insert on public.certifications for insert to authenticated
  with check (user_id <> (select auth.uid())
              and (((select byteos.my_role()) = 'org_admin' and byteos.in_my_org(user_id))
                   or (select byteos.is_super())));
create policy cert_signer_update on public.certifications for update to authenticated
  using (user_id <> (select auth.uid())
         and (((select byteos.my_role()) = 'org_admin' and byteos.in_my_org(user_id))
              or (select byteos.is_super())))
  with check (user_id <> (select auth.uid())
              and (((select byteos.my_role()) = 'org_admin' and byteos.in_my_org(user_id))
                   or (select byteos.is_super())));
create policy cert_super_delete on public.certifications for delete to authenticated
  using ((select byteos.is_super()));

-- 2. the organisation's key set and revocation list ---------------------------------------------------
create policy issuer_read on public.certificate_issuers for select to authenticated
  using (org_id = (select byteos.my_org()) or (select byteos.is_super()));
create policy issuer_signer_insert on public.certificate_issuers for insert to authenticated
  with check ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin')
              or (select byteos.is_super()));
create policy issuer_signer_update on public.certificate_issuers for update to authenticated
  using ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin')
         or (select byteos.is_super()))
  with check ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin')
              or (select byteos.is_super()));
create policy issuer_super_delete on public.certificate_issuers for delete to authenticated
  using ((select byteos.is_super()));

-- 3. sync: managers and admins pull their organisation's managed rows --------------------------------
create or replace function public.sync_pull(p_table text, p_since bigint, p_limit integer default 1000)
returns table (seq bigint, op text, row_data jsonb)
language plpgsql stable set search_path = public, pg_temp as $$
declare
  own_only constant text[] := array[
    'learner_profiles', 'learner_skills', 'skill_gaps', 'enrollments', 'learning_events',
    'ai_interactions', 'certifications', 'compliance_records', 'compliance_events'];
  org_managed constant text[] := array[
    'enrollments', 'certifications', 'compliance_records', 'compliance_events'];
  synced constant text[] := array[
    'organisations', 'profiles', 'org_members', 'skills', 'courses', 'modules',
    'content_assets', 'learning_paths', 'certificate_issuers'] || own_only;
  filter text := '';
begin
  if not (p_table = any (synced)) then
    raise exception 'sync_pull: unknown table %', p_table using errcode = '22023';
  end if;
  if p_table = any (org_managed) and byteos.is_org_reader() then
    filter := ' and (t.user_id = auth.uid() or byteos.in_my_org(t.user_id))';
  elsif p_table = any (own_only) then
    filter := ' and t.user_id = auth.uid()';
  end if;
  return query execute format(
    'select * from ('
    '  select t.sync_seq, %L::text, to_jsonb(t) from public.%I t where t.sync_seq > $1 %s'
    '  union all'
    '  select s.sync_seq, s.kind, jsonb_build_object(%L, s.row_id) from public.sync_tombstones s'
    '   where s.table_name = $2 and s.sync_seq > $1'
    ') u order by 1 limit $3',
    'upsert', p_table, filter, 'id')
  using p_since, p_table, least(greatest(p_limit, 1), 5000);
end $$;

drop policy tombstone_read on public.sync_tombstones;
create policy tombstone_read on public.sync_tombstones for select to authenticated
  using ((select byteos.is_super())
         or (user_id is not null and user_id = (select auth.uid()))
         or (user_id is not null and (select byteos.is_org_reader())
             and table_name in ('enrollments', 'certifications', 'compliance_records',
                                'compliance_events')
             and byteos.in_my_org(user_id))
         or (user_id is null and org_id = (select byteos.my_org())
             and (kind = 'delete'
                  or not ((select byteos.is_author()) or (select byteos.my_role()) = 'manager'))));

-- the new foreign keys are checked like every other
select byteos.install_reference_checks();
