-- Organisation administration (issue 13): members' roles, the last admin, the settings and
-- branding documents.
--
-- 1. profiles.role and org_members.role are kept in step by the server: a change of either
--    (an admin's device pushes the profile; a direct org_members update through the API)
--    changes the other, in the same transaction, so every device pulls one consistent answer.
--    Member role 'admin' <-> profile role 'org_admin' (a super admin's profile stays
--    super_admin whatever their membership says).
-- 2. Nobody changes their own membership role (profiles already had guard_profile): a
--    manager cannot make themselves admin through org_members either.
-- 3. The last admin of an organisation cannot be demoted or taken out of it, not even by two
--    admins demoting each other at the same moment (the organisation row is locked, then
--    the remaining admins are counted on a fresh snapshot). Super admins, and the service
--    role (no auth.uid()), are exempt: they repair organisations.
-- 4. organisations.branding and organisations.settings keep the shape the clients write
--    (sync/store/json_shapes.py Branding, OrgSettings): colours are #RRGGBB, a name is not
--    empty.
-- Removing a member stays public.remove_member (20261201000200): a profile pushed out of the
-- organisation could not be read back by the admin who pushed it (profile_read), so an
-- admin's device calls the function when online (app/services/members.remove_on_server).

-- 1. roles in step ----------------------------------------------------------------------------
create function byteos.member_role_of(p_profile_role text) returns text
language sql immutable set search_path = public, pg_temp as $$
  select case when p_profile_role in ('org_admin', 'super_admin') then 'admin'
              else p_profile_role end
$$;

create function byteos.profile_role_of(p_member_role text, p_current text) returns text
language sql immutable set search_path = public, pg_temp as $$
  select case when p_current = 'super_admin' then 'super_admin'
              when p_member_role = 'admin' then 'org_admin'
              else p_member_role end
$$;

create function byteos.profile_role_to_member() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if new.org_id is not null and new.role is distinct from old.role then
    update public.org_members m set role = byteos.member_role_of(new.role)
     where m.user_id = new.id and m.org_id = new.org_id
       and m.role is distinct from byteos.member_role_of(new.role);
  end if;
  return null;
end $$;
revoke all on function byteos.profile_role_to_member() from public, anon, authenticated;
create trigger role_in_step after update of role on public.profiles
  for each row execute function byteos.profile_role_to_member();

create function byteos.member_role_to_profile() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if new.role is distinct from old.role then
    update public.profiles p set role = byteos.profile_role_of(new.role, p.role), updated_at = now()
     where p.id = new.user_id and p.org_id = new.org_id
       and p.role is distinct from byteos.profile_role_of(new.role, p.role);
  end if;
  return null;
end $$;
revoke all on function byteos.member_role_to_profile() from public, anon, authenticated;
create trigger role_in_step after update of role on public.org_members
  for each row execute function byteos.member_role_to_profile();

-- 2. nobody changes their own membership role ---------------------------------------------------
create function byteos.guard_member() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if auth.uid() is null or pg_trigger_depth() > 1 or new.role is not distinct from old.role then
    return new;  -- the service role, or the profile trigger keeping the two in step
  end if;
  if byteos.is_super()
     or (byteos.my_role() = 'org_admin' and old.user_id <> auth.uid()
         and old.org_id = byteos.my_org() and new.org_id = old.org_id) then
    return new;
  end if;
  raise exception 'changing your own role, or a role outside your organisation, is not allowed'
    using errcode = '42501';
end $$;
revoke all on function byteos.guard_member() from public, anon, authenticated;
create trigger guard_member before update on public.org_members
  for each row execute function byteos.guard_member();

-- 3. the last admin stays -----------------------------------------------------------------------
-- Named to run after guard_profile (triggers fire in name order).
create function byteos.keep_an_admin() returns trigger
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  v_org uuid := old.org_id;
begin
  if auth.uid() is null or byteos.is_super() or old.role is distinct from 'org_admin'
     or v_org is null then
    if tg_op = 'DELETE' then return old; end if;
    return new;
  end if;
  if tg_op = 'UPDATE' and new.role = 'org_admin' and new.org_id is not distinct from v_org then
    return new;
  end if;
  -- one change of admins at a time per organisation; the count below then sees the other's
  perform 1 from public.organisations o where o.id = v_org for update;
  if not exists (select 1 from public.profiles p
                  where p.org_id = v_org and p.role = 'org_admin' and p.id <> old.id) then
    raise exception 'the last admin of an organisation cannot be demoted or removed: make someone else an admin first'
      using errcode = '42501';
  end if;
  if tg_op = 'DELETE' then return old; end if;
  return new;
end $$;
revoke all on function byteos.keep_an_admin() from public, anon, authenticated;
create trigger keep_an_admin before update of role, org_id or delete on public.profiles
  for each row execute function byteos.keep_an_admin();

-- 4. the settings and branding documents --------------------------------------------------------
create function byteos.guard_organisation() returns trigger
language plpgsql set search_path = public, pg_temp as $$
declare
  k text;
begin
  if btrim(coalesce(new.name, '')) = '' then
    raise exception 'an organisation needs a name' using errcode = '23514';
  end if;
  if new.branding is not null then
    if jsonb_typeof(new.branding) <> 'object' then
      raise exception 'branding must be an object' using errcode = '23514';
    end if;
    foreach k in array array['primary_color', 'secondary_color'] loop
      if new.branding ? k and jsonb_typeof(new.branding -> k) <> 'null'
         and coalesce(new.branding ->> k, '') !~ '^#[0-9A-Fa-f]{6}$' then
        raise exception 'branding.% must be a #RRGGBB colour', k using errcode = '23514';
      end if;
    end loop;
  end if;
  if new.settings is not null then
    if jsonb_typeof(new.settings) <> 'object' then
      raise exception 'settings must be an object' using errcode = '23514';
    end if;
    foreach k in array array['default_language', 'timezone'] loop
      if new.settings ? k and jsonb_typeof(new.settings -> k) not in ('string', 'null') then
        raise exception 'settings.% must be text', k using errcode = '23514';
      end if;
    end loop;
  end if;
  return new;
end $$;
create trigger guard_organisation before insert or update of name, branding, settings
  on public.organisations for each row execute function byteos.guard_organisation();

