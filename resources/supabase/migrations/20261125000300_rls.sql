-- Row-level security for every table, from the roles of ECOSYSTEM.md:
--   a learner reads and writes only their own events, interactions, enrolments, twin and skills,
--     and reads only the published courses (and their modules) and paths of their organisation;
--   creators and org admins write their organisation's courses, modules, assets, skills, paths;
--   managers and org admins read their organisation's learner rows (analytics);
--   nobody reads or writes across organisations (super admins excepted).
-- Identity comes from the JWT as on Supabase: auth.uid() is the `sub` claim; the profile row
-- of that user gives the application role and the organisation (looked up by the helpers
-- below, security definer so they are not themselves subject to the policies).

create schema if not exists byteos;
grant usage on schema byteos to authenticated, anon, service_role;

create function byteos.my_org() returns uuid
language sql stable security definer set search_path = public, pg_temp as
$$ select org_id from public.profiles where id = auth.uid() $$;

create function byteos.my_role() returns text
language sql stable security definer set search_path = public, pg_temp as
$$ select role from public.profiles where id = auth.uid() $$;

create function byteos.is_super() returns boolean
language sql stable security definer set search_path = public, pg_temp as
$$ select coalesce(byteos.my_role() = 'super_admin', false) $$;

create function byteos.is_author() returns boolean
language sql stable security definer set search_path = public, pg_temp as
$$ select coalesce(byteos.my_role() in ('creator', 'org_admin', 'super_admin'), false) $$;

create function byteos.is_org_reader() returns boolean
language sql stable security definer set search_path = public, pg_temp as
$$ select coalesce(byteos.my_role() in ('manager', 'org_admin', 'super_admin'), false) $$;

create function byteos.in_my_org(p_user uuid) returns boolean
language sql stable security definer set search_path = public, pg_temp as
$$ select exists (select 1 from public.profiles p
                  where p.id = p_user and p.org_id = byteos.my_org()) $$;

-- In the policies below the helpers are wrapped in a sub-select, as Supabase advises, so
-- they run once per statement rather than once per row.
grant execute on all functions in schema byteos to authenticated, anon, service_role;

grant select, insert, update, delete on all tables in schema public to authenticated, service_role;
revoke update, delete on public.learning_events from authenticated;
revoke insert, update, delete on public.sync_tombstones from authenticated;
grant execute on function public.sync_pull(text, bigint, integer) to authenticated;

do $$
declare t text;
begin
  foreach t in array array[
    'organisations', 'profiles', 'org_members', 'learner_profiles', 'skills', 'learner_skills',
    'skill_gaps', 'courses', 'modules', 'content_assets', 'learning_paths', 'enrollments',
    'learning_events', 'ai_interactions', 'certifications', 'compliance_records',
    'sync_tombstones']
  loop
    execute format('alter table public.%I enable row level security', t);
  end loop;
end $$;

-- organisations ------------------------------------------------------------------------------
create policy org_read on public.organisations for select to authenticated
  using (id = (select byteos.my_org()) or (select byteos.is_super()));
create policy org_admin_update on public.organisations for update to authenticated
  using ((id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin') or (select byteos.is_super()))
  with check ((id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin') or (select byteos.is_super()));
create policy org_super_insert on public.organisations for insert to authenticated
  with check ((select byteos.is_super()));
create policy org_super_delete on public.organisations for delete to authenticated
  using ((select byteos.is_super()));

-- profiles: colleagues' names are readable inside the organisation --------------------------
create policy profile_read on public.profiles for select to authenticated
  using (id = (select auth.uid()) or org_id = (select byteos.my_org()) or (select byteos.is_super()));
create policy profile_self_insert on public.profiles for insert to authenticated
  with check ((id = (select auth.uid()) and role = 'learner') or (select byteos.is_super()));
create policy profile_self_update on public.profiles for update to authenticated
  using (id = (select auth.uid())) with check (id = (select auth.uid()));
create policy profile_admin_update on public.profiles for update to authenticated
  using ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin') or (select byteos.is_super()))
  with check (org_id = (select byteos.my_org()) or (select byteos.is_super()));

-- Nobody promotes themselves or moves to another organisation through the API: a role or
-- organisation changes only by an org admin (inside the organisation, never to super admin)
-- or a super admin. (A policy cannot compare old and new values; a trigger can.)
create function byteos.guard_profile() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  me_role text := byteos.my_role();
begin
  if auth.uid() is null or (new.role is not distinct from old.role
                            and new.org_id is not distinct from old.org_id) then
    return new;
  end if;
  if me_role = 'super_admin'
     or (me_role = 'org_admin' and old.id <> auth.uid() and old.org_id = byteos.my_org()
         and new.org_id is not distinct from old.org_id and new.role <> 'super_admin') then
    return new;
  end if;
  raise exception 'changing a role or an organisation is not allowed here'
    using errcode = '42501';
end $$;
create trigger guard_profile before update on public.profiles
  for each row execute function byteos.guard_profile();

-- org_members --------------------------------------------------------------------------------
create policy member_read on public.org_members for select to authenticated
  using (org_id = (select byteos.my_org()) or (select byteos.is_super()));
create policy member_admin_write on public.org_members for all to authenticated
  using ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin') or (select byteos.is_super()))
  with check ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin') or (select byteos.is_super()));

-- learner-owned rows -------------------------------------------------------------------------
do $$
declare t text;
begin
  foreach t in array array['learner_profiles', 'learner_skills', 'skill_gaps', 'enrollments',
                           'learning_events', 'ai_interactions', 'certifications']
  loop
    execute format(
      'create policy own_or_org_reader_read on public.%I for select to authenticated using ('
      ' user_id = (select auth.uid()) or ((select byteos.is_org_reader()) and byteos.in_my_org(user_id))'
      ' or (select byteos.is_super()))', t);
  end loop;
  foreach t in array array['learner_profiles', 'learner_skills', 'skill_gaps', 'enrollments',
                           'ai_interactions']
  loop
    execute format(
      'create policy own_update on public.%I for update to authenticated'
      ' using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()))', t);
    execute format(
      'create policy own_delete on public.%I for delete to authenticated'
      ' using (user_id = (select auth.uid()))', t);
  end loop;
  foreach t in array array['learner_profiles', 'learner_skills', 'skill_gaps'] loop
    execute format(
      'create policy own_insert on public.%I for insert to authenticated'
      ' with check (user_id = (select auth.uid()))', t);
  end loop;
end $$;

-- rows that name a course may only name one the writer can see (no cross-organisation links)
create policy own_insert on public.learning_events for insert to authenticated
  with check (user_id = (select auth.uid())
              and (course_id is null or exists (select 1 from public.courses c where c.id = course_id)));
create policy own_insert on public.ai_interactions for insert to authenticated
  with check (user_id = (select auth.uid())
              and (course_id is null or exists (select 1 from public.courses c where c.id = course_id)));
create policy own_insert on public.enrollments for insert to authenticated
  with check ((user_id = (select auth.uid())
               or ((select byteos.is_org_reader()) and byteos.in_my_org(user_id)))
              and (course_id is null or exists (select 1 from public.courses c where c.id = course_id)));
create policy org_reader_update on public.enrollments for update to authenticated
  using ((select byteos.is_org_reader()) and byteos.in_my_org(user_id))
  with check ((select byteos.is_org_reader()) and byteos.in_my_org(user_id));

create policy org_reader_write on public.certifications for all to authenticated
  using (((select byteos.is_org_reader()) and byteos.in_my_org(user_id)) or (select byteos.is_super()))
  with check (((select byteos.is_org_reader()) and byteos.in_my_org(user_id)) or (select byteos.is_super()));

create policy compliance_read on public.compliance_records for select to authenticated
  using (user_id = (select auth.uid()) or ((select byteos.is_org_reader()) and org_id = (select byteos.my_org()))
         or (select byteos.is_super()));
create policy compliance_write on public.compliance_records for all to authenticated
  using (((select byteos.is_org_reader()) and org_id = (select byteos.my_org())) or (select byteos.is_super()))
  with check (((select byteos.is_org_reader()) and org_id = (select byteos.my_org())
               and byteos.in_my_org(user_id)) or (select byteos.is_super()));

-- skills: global (org_id null) or the organisation's ----------------------------------------
create policy skill_read on public.skills for select to authenticated
  using (org_id is null or org_id = (select byteos.my_org()) or (select byteos.is_super()));
create policy skill_author_write on public.skills for all to authenticated
  using (((select byteos.is_author()) and org_id = (select byteos.my_org())) or (select byteos.is_super()))
  with check (((select byteos.is_author()) and org_id = (select byteos.my_org())) or (select byteos.is_super()));

-- content --------------------------------------------------------------------------------------
create policy course_read on public.courses for select to authenticated
  using ((org_id = (select byteos.my_org())
          and (status = 'published' or (select byteos.is_author()) or (select byteos.my_role()) = 'manager'))
         or (select byteos.is_super()));
create policy course_author_write on public.courses for all to authenticated
  using (((select byteos.is_author()) and org_id = (select byteos.my_org())) or (select byteos.is_super()))
  with check (((select byteos.is_author()) and org_id = (select byteos.my_org())) or (select byteos.is_super()));

create policy module_read on public.modules for select to authenticated
  using (exists (select 1 from public.courses c where c.id = course_id));
create policy module_author_write on public.modules for all to authenticated
  using ((select byteos.is_author()) and exists (
           select 1 from public.courses c where c.id = course_id
           and (c.org_id = (select byteos.my_org()) or (select byteos.is_super()))))
  with check ((select byteos.is_author()) and exists (
           select 1 from public.courses c where c.id = course_id
           and (c.org_id = (select byteos.my_org()) or (select byteos.is_super()))));

create policy asset_read on public.content_assets for select to authenticated
  using (org_id = (select byteos.my_org()) or (select byteos.is_super()));
create policy asset_author_write on public.content_assets for all to authenticated
  using (((select byteos.is_author()) and org_id = (select byteos.my_org())) or (select byteos.is_super()))
  with check (((select byteos.is_author()) and org_id = (select byteos.my_org())) or (select byteos.is_super()));

create policy path_read on public.learning_paths for select to authenticated
  using ((org_id = (select byteos.my_org())
          and (status = 'published' or (select byteos.is_author()) or (select byteos.my_role()) = 'manager'))
         or (select byteos.is_super()));
create policy path_author_write on public.learning_paths for all to authenticated
  using (((select byteos.is_author()) and org_id = (select byteos.my_org())) or (select byteos.is_super()))
  with check (((select byteos.is_author()) and org_id = (select byteos.my_org())) or (select byteos.is_super()));

-- tombstones: a learner-owned row's only to its owner; an organisation's to its members, and a
-- 'hide' (unpublished) only to those who cannot read drafts ----------------------------------
create policy tombstone_read on public.sync_tombstones for select to authenticated
  using ((select byteos.is_super())
         or (user_id is not null and user_id = (select auth.uid()))
         or (user_id is null and org_id = (select byteos.my_org())
             and (kind = 'delete'
                  or not ((select byteos.is_author()) or (select byteos.my_role()) = 'manager'))));
