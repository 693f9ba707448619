-- What offline-first sync needs on the server.
--
-- Change numbers. Every insert or update of a synced row stamps it with the next value of
-- sync_change_seq. A client pulls "rows of table T with sync_seq > my cursor for T". For that to
-- never skip a row, a row must not become visible with a number below one a reader has already
-- passed. Sequence numbers are handed out at write time, not commit time, so the stamp first
-- takes a transaction-scoped advisory lock keyed by the table: writers of one table commit in
-- the order of their numbers, and a reader that sees number n has seen every committed n' < n
-- of that table. (Writes to different tables stay concurrent.)
--
-- Deletions. A deleted row leaves a tombstone (same numbering, same lock) that pull returns.
-- A course or path that stops being published leaves a 'hide' tombstone for the readers who
-- can no longer see it (learners, managers), and republishing restamps its modules, so a
-- learner whose cursor passed them while they were drafts still receives them.

create sequence public.sync_change_seq;

create table public.sync_tombstones (
  sync_seq bigint primary key,
  table_name text not null,
  row_id uuid not null,
  kind text not null default 'delete' check (kind in ('delete', 'hide')),
  org_id uuid,
  user_id uuid,
  deleted_at timestamptz not null default now()
);
create index sync_tombstones_table_seq on public.sync_tombstones (table_name, sync_seq);

create function public.sync_stamp() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  perform pg_advisory_xact_lock(hashtext('byteos.sync.' || tg_table_name));
  new.sync_seq := nextval('public.sync_change_seq');
  return new;
end $$;

create function public.sync_tombstone() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  doc jsonb := to_jsonb(old);
  v_org uuid := (doc ->> 'org_id')::uuid;
  v_user uuid := (doc ->> 'user_id')::uuid;
begin
  if tg_table_name = 'profiles' then
    v_user := old.id;
  elsif tg_table_name = 'modules' then
    select c.org_id into v_org from public.courses c where c.id = (doc ->> 'course_id')::uuid;
  end if;
  perform pg_advisory_xact_lock(hashtext('byteos.sync.' || tg_table_name));
  insert into public.sync_tombstones (sync_seq, table_name, row_id, kind, org_id, user_id)
  values (nextval('public.sync_change_seq'), tg_table_name, old.id, 'delete', v_org, v_user);
  return old;
end $$;

create function public.sync_visibility() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if old.status = 'published' and new.status is distinct from 'published' then
    perform pg_advisory_xact_lock(hashtext('byteos.sync.' || tg_table_name));
    insert into public.sync_tombstones (sync_seq, table_name, row_id, kind, org_id)
    values (nextval('public.sync_change_seq'), tg_table_name, new.id, 'hide', new.org_id);
  elsif tg_table_name = 'courses' and new.status = 'published'
        and old.status is distinct from 'published' then
    update public.modules set sync_seq = 0 where course_id = new.id;
  end if;
  return new;
end $$;

do $$
declare t text;
begin
  foreach t in array array[
    'organisations', 'profiles', 'org_members', 'learner_profiles', 'skills', 'learner_skills',
    'skill_gaps', 'courses', 'modules', 'content_assets', 'learning_paths', 'enrollments',
    'learning_events', 'ai_interactions', 'certifications', 'compliance_records']
  loop
    execute format('create trigger sync_stamp before insert or update on public.%I '
                   'for each row execute function public.sync_stamp()', t);
    execute format('create trigger sync_tombstone after delete on public.%I '
                   'for each row execute function public.sync_tombstone()', t);
    execute format('create index %I on public.%I (sync_seq)', t || '_sync_seq', t);
  end loop;
end $$;

create trigger sync_visibility after update of status on public.courses
  for each row execute function public.sync_visibility();
create trigger sync_visibility after update of status on public.learning_paths
  for each row execute function public.sync_visibility();

-- Incremental pull: the caller's visible changes to one table after a cursor, rows and
-- tombstones merged in change order. Runs as the caller, so row-level security decides what
-- is returned. Learner-owned tables return the caller's own rows only (a manager's device does
-- not download the organisation's telemetry).
create function public.sync_pull(p_table text, p_since bigint, p_limit integer default 1000)
returns table (seq bigint, op text, row_data jsonb)
language plpgsql stable set search_path = public, pg_temp as $$
declare
  own_only constant text[] := array[
    'learner_profiles', 'learner_skills', 'skill_gaps', 'enrollments', 'learning_events',
    'ai_interactions', 'certifications', 'compliance_records'];
  synced constant text[] := array[
    'organisations', 'profiles', 'org_members', 'skills', 'courses', 'modules',
    'content_assets', 'learning_paths'] || own_only;
  filter text := '';
begin
  if not (p_table = any (synced)) then
    raise exception 'sync_pull: unknown table %', p_table using errcode = '22023';
  end if;
  if p_table = any (own_only) then
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
