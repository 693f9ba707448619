-- Organisation isolation, follow-ups (issue 10, item 2: every reference that crosses into
-- content is checked on insert and update):
--
-- 1. References inside JSON documents. The ids the spec's documents hold are checked like
--    foreign keys (the row must be one the writer can read): learning_paths.courses
--    [{course_id}], courses.target_skills and learning_paths.target_skills [{skill_id}],
--    modules.quiz [{skill_ids: [...]}] and content_assets.metadata {module_id}. An image
--    block's asset_id in modules.content may not name another organisation's asset (modules
--    are pushed before assets, so an id of no row yet is let through).
-- 2. A learning_events / ai_interactions row's module must be a module of its course (when
--    both are set).
-- 3. enrollments.enrolled_by names the enrollee (self-enrolment) or, written by a manager,
--    org admin or super admin, a manager or admin of the enrollee's organisation or the
--    creator of the course or path.
-- 4. public.remove_member(p_user): an org admin (their organisation; not themselves when they
--    are its last admin) or a super admin removes a member: the membership goes and the
--    profile leaves the organisation (org_id null, role learner), so access ends. Deleting an
--    org_members row through the API is a super admin's action only (it left access in place).
-- 5. Assets that stop being visible to learners (their course or path is unpublished, or a
--    published module stops using them) leave a 'hide' tombstone, so learners' next pull
--    drops them; a removed member's next pull drops the organisation's content.

-- shared ---------------------------------------------------------------------------------------
create function byteos.as_uuid(p text) returns uuid
language sql immutable set search_path = pg_catalog as
$$ select case when p ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
               then p::uuid end $$;

-- the ids a document holds at a JSON path (JSON nulls are no reference, like a null column)
create function byteos.json_ids(p_doc jsonb, p_path jsonpath) returns setof text
language sql immutable set search_path = pg_catalog as $$
  select case when jsonb_typeof(x) = 'string' then x #>> '{}' else x::text end
    from jsonb_path_query(coalesce(p_doc, 'null'::jsonb), p_path) x
   where jsonb_typeof(x) <> 'null'
$$;

-- does a row with this id exist at all (not filtered by row-level security)? Only for the
-- tables a 'not_foreign' JSON reference names (byteos.json_references, below).
create function byteos.row_exists(p_table text, p_id uuid) returns boolean
language plpgsql stable security definer set search_path = public, pg_temp as $$
declare
  found_it boolean;
begin
  if not exists (select 1 from byteos.json_references j
                  where j.ref_table = p_table and j.mode = 'not_foreign') then
    raise exception 'byteos.row_exists: % is not a not_foreign reference', p_table
      using errcode = '42501';
  end if;
  execute format('select exists (select 1 from public.%I where id = $1)', p_table)
    into found_it using p_id;
  return found_it;
end $$;
revoke all on function byteos.row_exists(text, uuid) from public, anon;
grant execute on function byteos.row_exists(text, uuid) to authenticated;

-- 1. references inside JSON ----------------------------------------------------------------------
-- Statement-level, over the statement's new rows, like byteos.check_references. Arguments: the
-- table's primary key, then (column, JSON path, referenced table, mode) quadruples; mode
-- 'readable': every id must name a row of the referenced table the writer can read (row-level
-- security decides); 'not_foreign': no id may name an existing row the writer cannot read. On
-- update only ids the old document did not hold are checked. API callers only.
create function byteos.check_json_references() returns trigger
language plpgsql security invoker set search_path = public, pg_temp as $$
declare
  pk text := tg_argv[0];
  col text;
  path text;
  ref_table text;
  mode text;
  fresh text;
  bad text;
begin
  if current_user not in ('authenticated', 'anon') then
    return null;
  end if;
  for i in 0 .. (tg_nargs - 1) / 4 - 1 loop
    col := tg_argv[4 * i + 1];
    path := tg_argv[4 * i + 2];
    ref_table := tg_argv[4 * i + 3];
    mode := tg_argv[4 * i + 4];
    if tg_op = 'INSERT' then
      fresh := format('select j.v from new_rows n cross join lateral byteos.json_ids(n.%1$I, %2$L) j(v)',
                      col, path);
    else
      fresh := format(
        'select j.v from new_rows n left join old_rows o on o.%3$I = n.%3$I'
        ' cross join lateral byteos.json_ids(n.%1$I, %2$L) j(v)'
        ' where (o.%3$I is null or o.%1$I is distinct from n.%1$I)'
        ' and not exists (select 1 from byteos.json_ids(o.%1$I, %2$L) k(v) where k.v = j.v)',
        col, path, pk);
    end if;
    if mode = 'readable' then
      execute format(
        'select f.v from (%1$s) f(v) where not exists'
        ' (select 1 from public.%2$I r where r.id = byteos.as_uuid(f.v)) limit 1',
        fresh, ref_table) into bad;
    else
      execute format(
        'select f.v from (%1$s) f(v) where byteos.as_uuid(f.v) is not null'
        ' and not exists (select 1 from public.%2$I r where r.id = byteos.as_uuid(f.v))'
        ' and byteos.row_exists(%2$L, byteos.as_uuid(f.v)) limit 1',
        fresh, ref_table) into bad;
    end if;
    if bad is not null then
      raise exception '%.% names a % row you cannot use (%)', tg_table_name, col, ref_table, bad
        using errcode = '42501',
              detail = format('the ids at %s in %s.%s must name %s rows you can read',
                              path, tg_table_name, col, ref_table),
              hint = 'rows may only name rows of your organisation that you can read';
    end if;
  end loop;
  return null;
end $$;

-- The JSON references, in one place (tests/sync/rls_policy.py JSON_REFS says the same).
create table byteos.json_references (
  table_name text not null,
  column_name text not null,
  path text not null,
  ref_table text not null,
  mode text not null default 'readable' check (mode in ('readable', 'not_foreign')),
  primary key (table_name, column_name, path)
);
revoke all on byteos.json_references from public, anon, authenticated;
insert into byteos.json_references (table_name, column_name, path, ref_table, mode) values
  ('courses', 'target_skills', 'lax $[*].skill_id', 'skills', 'readable'),
  ('learning_paths', 'courses', 'lax $[*].course_id', 'courses', 'readable'),
  ('learning_paths', 'target_skills', 'lax $[*].skill_id', 'skills', 'readable'),
  ('modules', 'quiz', 'lax $[*].skill_ids[*]', 'skills', 'readable'),
  ('modules', 'content', 'lax $[*] ? (@.type == "image").asset_id', 'content_assets', 'not_foreign'),
  ('content_assets', 'metadata', 'lax $.module_id', 'modules', 'readable');

-- (Re)create the JSON checks from byteos.json_references. Call again after adding a row there.
create function byteos.install_json_reference_checks() returns void
language plpgsql set search_path = public, pg_temp as $$
declare
  r record;
begin
  for r in
    select j.table_name, 'id' as pk,
           string_agg(format('%L, %L, %L, %L', j.column_name, j.path, j.ref_table, j.mode), ', '
                      order by j.column_name, j.path) as args
      from byteos.json_references j group by j.table_name
  loop
    execute format('drop trigger if exists check_json_references_insert on public.%I', r.table_name);
    execute format('drop trigger if exists check_json_references_update on public.%I', r.table_name);
    execute format('create trigger check_json_references_insert after insert on public.%I '
                   'referencing new table as new_rows for each statement '
                   'execute function byteos.check_json_references(%L, %s)', r.table_name, r.pk, r.args);
    execute format('create trigger check_json_references_update after update on public.%I '
                   'referencing old table as old_rows new table as new_rows for each statement '
                   'execute function byteos.check_json_references(%L, %s)', r.table_name, r.pk, r.args);
  end loop;
end $$;
revoke all on function byteos.install_json_reference_checks() from public, anon, authenticated;
select byteos.install_json_reference_checks();

-- 2. a module of the row's course -----------------------------------------------------------------
-- For every writer (it is the data's consistency, not a permission): the module named must
-- belong to the course named. Looked up as the owner, so a course unpublished since does not
-- hide its modules from the check. On update only rows whose course or module changed.
create function byteos.check_module_in_course() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  bad record;
begin
  if tg_op = 'INSERT' then
    execute format(
      'select n.module_id, n.course_id from new_rows n join public.modules m on m.id = n.module_id'
      ' where n.course_id is not null and m.course_id <> n.course_id limit 1') into bad;
  else
    execute format(
      'select n.module_id, n.course_id from new_rows n join public.modules m on m.id = n.module_id'
      ' left join old_rows o on o.id = n.id'
      ' where n.course_id is not null and m.course_id <> n.course_id'
      ' and (o.id is null or o.course_id is distinct from n.course_id'
      '      or o.module_id is distinct from n.module_id) limit 1') into bad;
  end if;
  if bad.module_id is not null then
    raise exception '%.module_id % is not a module of course %', tg_table_name, bad.module_id,
                    bad.course_id
      using errcode = '23514', hint = 'name the module''s own course (or no course)';
  end if;
  return null;
end $$;
revoke all on function byteos.check_module_in_course() from public, anon, authenticated;

do $$
declare t text;
begin
  foreach t in array array['learning_events', 'ai_interactions'] loop
    execute format('create trigger check_module_in_course_insert after insert on public.%I '
                   'referencing new table as new_rows for each statement '
                   'execute function byteos.check_module_in_course()', t);
    execute format('create trigger check_module_in_course_update after update on public.%I '
                   'referencing old table as old_rows new table as new_rows for each statement '
                   'execute function byteos.check_module_in_course()', t);
  end loop;
end $$;

-- 3. who enrolled someone ---------------------------------------------------------------------------
-- enrolled_by (checked on insert, and on update when it changes; API callers only) names
--   * the enrollee themselves (self-enrolment), or
--   * when a manager, org admin or super admin writes: a manager or org admin of the enrollee's
--     organisation, or the creator of the enrolment's course or path (of that organisation),
--     or the super admin writing it.
-- So a learner (or creator) may only name themselves, on their own enrolments, or nobody.
create function byteos.check_enrolled_by() returns trigger
language plpgsql security invoker set search_path = public, pg_temp as $$
declare
  v_role text := byteos.my_role();
  bad record;
begin
  if current_user not in ('authenticated', 'anon') then
    return null;
  end if;
  -- runs as the caller: the named person, the enrollee and the course or path are looked up
  -- through row-level security, so someone of another organisation is never found
  execute format(
    'select n.id, n.enrolled_by from new_rows n %s'
    ' left join public.profiles enrollee on enrollee.id = n.user_id'
    ' left join public.profiles named on named.id = n.enrolled_by'
    ' where n.enrolled_by is not null %s'
    '   and n.enrolled_by <> n.user_id'
    '   and not ($1 in (''manager'', ''org_admin'', ''super_admin'') and ('
    '        (named.id = auth.uid() and $1 = ''super_admin'')'
    '     or (named.org_id = enrollee.org_id and ('
    '            named.role in (''manager'', ''org_admin'')'
    '         or exists (select 1 from public.courses c where c.id = n.course_id'
    '                     and c.created_by = named.id and c.org_id = enrollee.org_id)'
    '         or exists (select 1 from public.learning_paths p where p.id = n.path_id'
    '                     and p.created_by = named.id and p.org_id = enrollee.org_id)))))'
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
revoke all on function byteos.check_enrolled_by() from public, anon, authenticated;

create trigger check_enrolled_by_insert after insert on public.enrollments
  referencing new table as new_rows for each statement
  execute function byteos.check_enrolled_by();
create trigger check_enrolled_by_update after update on public.enrollments
  referencing old table as old_rows new table as new_rows for each statement
  execute function byteos.check_enrolled_by();

-- 5. assets that learners can no longer see ------------------------------------------------------------
-- Is the asset used by a published course or path of the organisation (asset_published, for
-- a given organisation rather than the caller's)?
-- (leaving out p_except, a course being deleted)
create function byteos.asset_published_in(p_org uuid, p_id uuid, p_url text, p_meta jsonb,
                                          p_except uuid default null)
returns boolean
language sql stable security definer set search_path = public, pg_temp as $$
  select exists (
           select 1 from public.modules m join public.courses c on c.id = m.course_id
            where c.org_id = p_org and c.status = 'published' and c.id is distinct from p_except
              and (m.content @> jsonb_build_array(jsonb_build_object('asset_id', p_id::text))
                   or m.content @> jsonb_build_array(jsonb_build_object('src', p_url))
                   or m.id::text = p_meta ->> 'module_id'))
      or exists (select 1 from public.courses c
                  where c.org_id = p_org and c.status = 'published' and c.thumbnail_url = p_url
                    and c.id is distinct from p_except)
      or exists (select 1 from public.learning_paths p
                  where p.org_id = p_org and p.status = 'published' and p.thumbnail_url = p_url)
$$;
revoke all on function byteos.asset_published_in(uuid, uuid, text, jsonb, uuid) from public, anon, authenticated;

-- A 'hide' tombstone (read by those who cannot read drafts: learners) for each asset of the
-- organisation that the given thumbnail url, module content or module id used and no
-- published course or path uses any more.
create function byteos.hide_unused_assets(p_org uuid, p_url text, p_content jsonb, p_module uuid,
                                          p_except uuid default null)
returns void
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  a record;
begin
  for a in
    select x.id from public.content_assets x
     where x.org_id = p_org
       and ((p_url is not null and x.url = p_url)
            or (p_content is not null
                and (p_content @> jsonb_build_array(jsonb_build_object('asset_id', x.id::text))
                     or p_content @> jsonb_build_array(jsonb_build_object('src', x.url))))
            or (p_module is not null and x.metadata ->> 'module_id' = p_module::text))
       and not byteos.asset_published_in(p_org, x.id, x.url, x.metadata, p_except)
  loop
    perform pg_advisory_xact_lock(hashtext('byteos.sync.content_assets'));
    insert into public.sync_tombstones (sync_seq, table_name, row_id, kind, org_id)
    values (nextval('public.sync_change_seq'), 'content_assets', a.id, 'hide', p_org);
  end loop;
end $$;
revoke all on function byteos.hide_unused_assets(uuid, text, jsonb, uuid, uuid) from public, anon, authenticated;

create function byteos.hide_assets_trigger() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  m record;
  v_org uuid;
  v_except uuid;
begin
  if tg_table_name in ('courses', 'learning_paths') then
    if old.status is distinct from 'published'
       or (tg_op = 'UPDATE' and new.status = 'published'
           and new.thumbnail_url is not distinct from old.thumbnail_url
           and new.org_id is not distinct from old.org_id) then
      if tg_op = 'DELETE' then
        return old;  -- a before trigger: null would cancel the delete
      end if;
      return null;
    end if;
    -- a course's delete runs before (its modules are still there, it still counts as
    -- published, so it is left out); the rest after the change
    v_except := case when tg_op = 'DELETE' and tg_table_name = 'courses' then old.id end;
    perform byteos.hide_unused_assets(old.org_id, old.thumbnail_url, null, null, v_except);
    if tg_table_name = 'courses' then
      for m in select x.id, x.content from public.modules x where x.course_id = old.id loop
        perform byteos.hide_unused_assets(old.org_id, null, m.content, m.id, v_except);
      end loop;
    end if;
    if tg_op = 'DELETE' then
      return old;
    end if;
  else  -- modules: what the old version of a published course's module used
    select c.org_id into v_org from public.courses c
     where c.id = old.course_id and c.status = 'published';
    if v_org is null or (tg_op = 'UPDATE' and new.content is not distinct from old.content
                         and new.course_id is not distinct from old.course_id) then
      return null;
    end if;
    perform byteos.hide_unused_assets(v_org, null, old.content,
                                      case when tg_op = 'DELETE' or new.course_id <> old.course_id
                                           then old.id end);
  end if;
  return null;
end $$;
revoke all on function byteos.hide_assets_trigger() from public, anon, authenticated;

create trigger hide_assets after update of status, thumbnail_url, org_id on public.courses
  for each row execute function byteos.hide_assets_trigger();
create trigger hide_assets_delete before delete on public.courses
  for each row execute function byteos.hide_assets_trigger();
create trigger hide_assets after update of status, thumbnail_url, org_id or delete
  on public.learning_paths for each row execute function byteos.hide_assets_trigger();
create trigger hide_assets after update of content, course_id or delete on public.modules
  for each row execute function byteos.hide_assets_trigger();

-- a path's thumbnail asset becomes visible to learners when the path is published: restamp it,
-- as publishing a course does for its assets
create function byteos.restamp_path_assets_trigger() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if new.status = 'published' and new.thumbnail_url is not null
     and (tg_op = 'INSERT' or old.status is distinct from 'published'
          or old.thumbnail_url is distinct from new.thumbnail_url) then
    update public.content_assets a set sync_seq = 0
     where a.org_id = new.org_id and a.url = new.thumbnail_url;
  end if;
  return null;
end $$;
revoke all on function byteos.restamp_path_assets_trigger() from public, anon, authenticated;
create trigger restamp_assets after insert or update of status, thumbnail_url on public.learning_paths
  for each row execute function byteos.restamp_path_assets_trigger();

-- 4. removing a member -------------------------------------------------------------------------------
-- A deleted membership's tombstone was readable only by the member (user_id set): colleagues'
-- devices kept the row. It now also leaves one for the organisation.
create or replace function public.sync_tombstone() returns trigger
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
  if tg_table_name = 'org_members' then
    insert into public.sync_tombstones (sync_seq, table_name, row_id, kind, org_id, user_id)
    values (nextval('public.sync_change_seq'), tg_table_name, old.id, 'delete', v_org, null);
  end if;
  return old;
end $$;

-- org admins manage members with remove_member (below); a bare delete of a membership would
-- leave the profile in the organisation
drop policy member_admin_write on public.org_members;
create policy member_admin_insert on public.org_members for insert to authenticated
  with check ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin'
               and byteos.in_my_org(user_id))
              or (select byteos.is_super()));
create policy member_admin_update on public.org_members for update to authenticated
  using ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin')
         or (select byteos.is_super()))
  with check ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin'
               and byteos.in_my_org(user_id))
              or (select byteos.is_super()));
create policy member_super_delete on public.org_members for delete to authenticated
  using ((select byteos.is_super()));

-- Remove p_user from the organisation: an org admin from their own (never a super admin, and
-- not themselves when no other org admin is left), a super admin from the user's organisation.
-- The memberships go, the profile leaves the organisation (org_id null; role learner, a super
-- admin stays one), so every policy that reads "my organisation" stops matching at once. The
-- removed user's devices get 'hide' tombstones (for them only) for the organisation's
-- courses, paths and assets, so their next pull archives and drops them.
-- Errors: 42501 (not allowed, not a member of your organisation, last admin), 22023 (no
-- such user, for super admins).
create function public.remove_member(p_user uuid) returns jsonb
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  v_uid uuid := auth.uid();
  v_role text := byteos.my_role();
  v_my_org uuid := byteos.my_org();
  v_target public.profiles;
  v_org uuid;
  r record;
begin
  if v_uid is null or v_role is null or v_role not in ('org_admin', 'super_admin') then
    raise exception 'only an organisation admin removes members' using errcode = '42501';
  end if;
  if v_role = 'org_admin' then
    v_org := v_my_org;
  else
    select org_id into v_org from public.profiles where id = p_user;
    if v_org is null then
      select m.org_id into v_org from public.org_members m where m.user_id = p_user limit 1;
    end if;
  end if;
  if v_org is null then
    raise exception 'this user is not a member of an organisation' using errcode = '22023';
  end if;
  -- one removal at a time per organisation, so two admins cannot remove each other
  perform 1 from public.organisations o where o.id = v_org for update;
  select * into v_target from public.profiles where id = p_user for update;
  if v_role = 'org_admin' and not (
       (found and v_target.org_id is not distinct from v_org)
       or exists (select 1 from public.org_members m where m.org_id = v_org and m.user_id = p_user)) then
    raise exception 'this user is not a member of your organisation' using errcode = '42501';
  end if;
  if v_role = 'org_admin' and v_target.role = 'super_admin' then
    raise exception 'a super admin cannot be removed by an organisation admin' using errcode = '42501';
  end if;
  if p_user = v_uid and v_role = 'org_admin'
     and not exists (select 1 from public.profiles p where p.org_id = v_org
                      and p.role = 'org_admin' and p.id <> p_user) then
    raise exception 'you are the last admin of this organisation: make someone else an admin first'
      using errcode = '42501';
  end if;

  delete from public.org_members m where m.org_id = v_org and m.user_id = p_user;
  if v_target.org_id = v_org then
    update public.profiles
       set org_id = null,
           role = case when role = 'super_admin' then role else 'learner' end,
           updated_at = now()
     where id = p_user;
    -- what the removed user's devices hold of the organisation goes on their next pull
    for r in
      select 'courses' as t, c.id from public.courses c where c.org_id = v_org
      union all select 'learning_paths', p.id from public.learning_paths p where p.org_id = v_org
      union all select 'content_assets', a.id from public.content_assets a where a.org_id = v_org
      order by 1
    loop
      perform pg_advisory_xact_lock(hashtext('byteos.sync.' || r.t));
      insert into public.sync_tombstones (sync_seq, table_name, row_id, kind, org_id, user_id)
      values (nextval('public.sync_change_seq'), r.t, r.id, 'hide', v_org, p_user);
    end loop;
  end if;
  return jsonb_build_object('user_id', p_user, 'org_id', v_org, 'removed', true);
end $$;
revoke all on function public.remove_member(uuid) from public, anon;
grant execute on function public.remove_member(uuid) to authenticated;
