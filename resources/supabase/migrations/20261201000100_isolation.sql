-- Organisation isolation, closing the holes of issue 10:
--
-- 1. Joining an organisation. A signed-up user could insert their own profile naming any
--    organisation. Now a profile created through the API has no organisation (and the role
--    learner); a user joins an organisation only
--      * by accepting an invitation (public.org_invitations, written by the organisation's
--        admins): public.accept_invitation(token), for the invited email address only; or
--      * with a confirmed email address of a domain the organisation lists in
--        organisations.settings -> 'allowed_email_domains': public.join_organisation(slug),
--        always as a learner.
--    Moving between organisations stays a super admin's action.
-- 2. References. Every foreign key from one public table into another is checked on insert
--    and on update when it changes: the referenced row must be one the writer can read
--    (row-level security decides), so nobody links a row to another organisation's content
--    and a learner links only to the published content of their own organisation. The checks
--    are triggers generated from the catalogue (byteos.install_reference_checks()), so a new
--    foreign key is covered by calling it again in the migration that adds it.
-- 3. An org admin adds as members only profiles of their organisation; a learner reads only
--    the content assets used by the organisation's published courses and paths.
-- 4. Anonymous callers touch no table, and the migration bookkeeping table is private.

-- 4. anonymous access and bookkeeping ---------------------------------------------------------
revoke all on all tables in schema public from anon;
do $$
begin
  if to_regclass('public.byteos_schema_migrations') is not null then
    revoke all on public.byteos_schema_migrations from anon, authenticated;
    alter table public.byteos_schema_migrations enable row level security;
  end if;
end $$;

-- the role and organisation guard must see who runs the statement: an API caller (roles
-- authenticated, anon) is checked; the server's own security definer functions (which run as
-- the table owner) and the service role are not
create or replace function byteos.guard_profile() returns trigger
language plpgsql security invoker set search_path = public, pg_temp as $$
declare
  me_role text := byteos.my_role();
begin
  if current_user not in ('authenticated', 'anon') or auth.uid() is null
     or (new.role is not distinct from old.role and new.org_id is not distinct from old.org_id) then
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

-- 1. joining an organisation ------------------------------------------------------------------
drop policy profile_self_insert on public.profiles;
create policy profile_self_insert on public.profiles for insert to authenticated
  with check ((id = (select auth.uid()) and role = 'learner' and org_id is null)
              or (select byteos.is_super()));

-- An invitation to one email address, for one role (never super admin), valid until expires_at
-- and usable once. Only the SHA-256 of its token is stored: the token itself is shown once, to
-- the admin who created it (public.create_invitation), who sends it to the invitee.
-- Server-only: not one of the synced tables.
create table public.org_invitations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organisations on delete cascade,
  email text not null check (email = lower(btrim(email)) and position('@' in email) > 1),
  role text not null default 'learner' check (role in ('org_admin', 'manager', 'creator', 'learner')),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  invited_by uuid references public.profiles on delete set null default auth.uid(),
  expires_at timestamptz not null default now() + interval '14 days',
  accepted_at timestamptz,
  accepted_by uuid references public.profiles on delete set null,
  created_at timestamptz not null default now()
);
create index org_invitations_org on public.org_invitations (org_id);
alter table public.org_invitations enable row level security;
revoke all on public.org_invitations from anon;
grant select, insert, update, delete on public.org_invitations to authenticated, service_role;

create policy invitation_admin_read on public.org_invitations for select to authenticated
  using ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin')
         or (select byteos.is_super()));
create policy invitation_admin_insert on public.org_invitations for insert to authenticated
  with check ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin'
               and invited_by = (select auth.uid()) and accepted_at is null)
              or (select byteos.is_super()));
create policy invitation_admin_update on public.org_invitations for update to authenticated
  using ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin')
         or (select byteos.is_super()))
  with check ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin')
              or (select byteos.is_super()));
create policy invitation_admin_delete on public.org_invitations for delete to authenticated
  using ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin')
         or (select byteos.is_super()));

create function byteos.token_hash(p_token text) returns text
language sql immutable set search_path = pg_catalog as
$$ select encode(sha256(convert_to(coalesce(p_token, ''), 'UTF8')), 'hex') $$;

-- For an org admin (their organisation) or a super admin (p_org_id): make an invitation and
-- return its id and token, once. Runs as the caller, so the policies above decide.
create function public.create_invitation(
  p_email text, p_role text default 'learner', p_org_id uuid default null,
  p_valid_days integer default 14)
returns jsonb
language plpgsql volatile security invoker set search_path = public, pg_temp as $$
declare
  v_token text := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
  v_row public.org_invitations;
begin
  insert into public.org_invitations (org_id, email, role, token_hash, expires_at)
  values (coalesce(p_org_id, byteos.my_org()), lower(btrim(p_email)), p_role,
          byteos.token_hash(v_token), now() + make_interval(days => least(greatest(p_valid_days, 1), 90)))
  returning * into v_row;
  return jsonb_build_object('id', v_row.id, 'org_id', v_row.org_id, 'email', v_row.email,
                            'role', v_row.role, 'expires_at', v_row.expires_at, 'token', v_token);
end $$;

-- The one place where a user is put into an organisation (not callable through the API).
create function byteos.join_org(p_user uuid, p_org uuid, p_role text) returns jsonb
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  v_profile public.profiles;
  v_name text;
begin
  select * into v_profile from public.profiles where id = p_user for update;
  if found and v_profile.org_id is not null and v_profile.org_id <> p_org then
    raise exception 'you already belong to another organisation' using errcode = '42501';
  end if;
  if not found then
    select coalesce(nullif(btrim(u.raw_user_meta_data ->> 'full_name'), ''), split_part(u.email, '@', 1))
      into v_name from auth.users u where u.id = p_user;
    insert into public.profiles (id, full_name, role, org_id) values (p_user, v_name, p_role, p_org);
  elsif v_profile.org_id is null then
    update public.profiles set org_id = p_org, role = p_role, updated_at = now() where id = p_user;
  else
    p_role := v_profile.role;  -- already a member: the role stays what the organisation set
  end if;
  insert into public.org_members (org_id, user_id, role)
  values (p_org, p_user, case p_role when 'org_admin' then 'admin' when 'super_admin' then 'admin'
                                     else p_role end)
  on conflict (org_id, user_id) do nothing;
  return jsonb_build_object('user_id', p_user, 'org_id', p_org, 'role', p_role);
end $$;
revoke all on function byteos.join_org(uuid, uuid, text) from public, anon, authenticated;

-- Accept an invitation: the caller (signed in with the invited email address) gets a profile
-- in the organisation with the invited role, and a membership. Used once; calling it again
-- as the same user answers the same. Errors: 42501 (not signed in, another email address,
-- already in another organisation), 22023 (unknown, used or expired token).
create function public.accept_invitation(token text) returns jsonb
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  v_uid uuid := auth.uid();
  v_email text := lower(btrim(auth.jwt() ->> 'email'));
  v_inv public.org_invitations;
  v_result jsonb;
begin
  if v_uid is null then
    raise exception 'sign in to accept an invitation' using errcode = '42501';
  end if;
  select * into v_inv from public.org_invitations i
   where i.token_hash = byteos.token_hash(accept_invitation.token) for update;
  if not found or v_inv.expires_at <= now()
     or (v_inv.accepted_at is not null and v_inv.accepted_by is distinct from v_uid) then
    raise exception 'this invitation is not valid (unknown, already used or expired)'
      using errcode = '22023';
  end if;
  if v_email is distinct from v_inv.email
     or not exists (select 1 from auth.users u where u.id = v_uid and lower(u.email) = v_inv.email) then
    raise exception 'this invitation is for another email address' using errcode = '42501';
  end if;
  if v_inv.accepted_at is not null then
    return jsonb_build_object('user_id', v_uid, 'org_id', v_inv.org_id,
                              'role', (select role from public.profiles where id = v_uid));
  end if;
  v_result := byteos.join_org(v_uid, v_inv.org_id, v_inv.role);
  update public.org_invitations set accepted_at = now(), accepted_by = v_uid where id = v_inv.id;
  return v_result;
end $$;

-- Join as a learner with a confirmed email address whose domain the organisation allows:
-- organisations.settings = {"allowed_email_domains": ["example.org", ...]}. The answer is the
-- same whether the organisation does not exist or does not allow the domain.
create function public.join_organisation(org_slug text) returns jsonb
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  v_uid uuid := auth.uid();
  v_email text;
  v_org uuid;
begin
  if v_uid is null then
    raise exception 'sign in to join an organisation' using errcode = '42501';
  end if;
  select lower(u.email) into v_email from auth.users u
   where u.id = v_uid and u.email_confirmed_at is not null;
  if v_email is null then
    raise exception 'confirm your email address first' using errcode = '42501';
  end if;
  select o.id into v_org from public.organisations o
   where o.slug = org_slug
     and jsonb_typeof(o.settings -> 'allowed_email_domains') = 'array'
     and exists (select 1 from jsonb_array_elements_text(o.settings -> 'allowed_email_domains') d
                 where lower(btrim(d)) = split_part(v_email, '@', 2));
  if v_org is null then
    raise exception 'this organisation does not accept sign-ups from your email domain'
      using errcode = '42501';
  end if;
  return byteos.join_org(v_uid, v_org, 'learner');
end $$;

revoke all on function public.accept_invitation(text) from public, anon;
revoke all on function public.join_organisation(text) from public, anon;
revoke all on function public.create_invitation(text, text, uuid, integer) from public, anon;
grant execute on function public.accept_invitation(text) to authenticated;
grant execute on function public.join_organisation(text) to authenticated;
grant execute on function public.create_invitation(text, text, uuid, integer) to authenticated;

-- 3. members are profiles of the organisation ----------------------------------------------------
drop policy member_admin_write on public.org_members;
create policy member_admin_write on public.org_members for all to authenticated
  using ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin')
         or (select byteos.is_super()))
  with check ((org_id = (select byteos.my_org()) and (select byteos.my_role()) = 'org_admin'
               and byteos.in_my_org(user_id))
              or (select byteos.is_super()));

-- 3. content assets: authors and managers read the organisation's; learners only those a
-- published course or path of the organisation uses (an image block's asset_id or src, a
-- thumbnail, generated media of one of its modules) -----------------------------------------------
create function byteos.asset_published(p_id uuid, p_url text, p_meta jsonb) returns boolean
language sql stable security definer set search_path = public, pg_temp as $$
  select exists (
           select 1 from public.modules m join public.courses c on c.id = m.course_id
            where c.org_id = byteos.my_org() and c.status = 'published'
              and (m.content @> jsonb_build_array(jsonb_build_object('asset_id', p_id::text))
                   or m.content @> jsonb_build_array(jsonb_build_object('src', p_url))
                   or m.id::text = p_meta ->> 'module_id'))
      or exists (select 1 from public.courses c
                  where c.org_id = byteos.my_org() and c.status = 'published'
                    and c.thumbnail_url = p_url)
      or exists (select 1 from public.learning_paths p
                  where p.org_id = byteos.my_org() and p.status = 'published'
                    and p.thumbnail_url = p_url)
$$;
grant execute on function byteos.asset_published(uuid, text, jsonb) to authenticated;

drop policy asset_read on public.content_assets;
create policy asset_read on public.content_assets for select to authenticated
  using ((org_id = (select byteos.my_org())
          and ((select byteos.is_author()) or (select byteos.my_role()) = 'manager'
               or byteos.asset_published(id, url, metadata)))
         or (select byteos.is_super()));

create index modules_content_gin on public.modules using gin (content jsonb_path_ops);

-- an asset that becomes visible to learners (its course is published, or a published course's
-- module starts using it) is restamped, so learners whose cursor passed it still receive it
create function byteos.restamp_course_assets(p_course uuid) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
  update public.content_assets a set sync_seq = 0
    from public.courses c
   where c.id = p_course and a.org_id = c.org_id
     and (a.url = c.thumbnail_url
          or exists (select 1 from public.modules m where m.course_id = c.id
                      and (m.content @> jsonb_build_array(jsonb_build_object('asset_id', a.id::text))
                           or m.content @> jsonb_build_array(jsonb_build_object('src', a.url))
                           or m.id::text = a.metadata ->> 'module_id')))
$$;
revoke all on function byteos.restamp_course_assets(uuid) from public, anon, authenticated;

create function byteos.restamp_assets_trigger() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if tg_table_name = 'courses' then
    if new.status = 'published' and (tg_op = 'INSERT' or old.status is distinct from 'published'
                                     or old.thumbnail_url is distinct from new.thumbnail_url) then
      perform byteos.restamp_course_assets(new.id);
    end if;
  elsif exists (select 1 from public.courses c where c.id = new.course_id and c.status = 'published') then
    perform byteos.restamp_course_assets(new.course_id);
  end if;
  return null;
end $$;
create trigger restamp_assets after insert or update of status, thumbnail_url on public.courses
  for each row execute function byteos.restamp_assets_trigger();
create trigger restamp_assets after insert or update of content, course_id on public.modules
  for each row execute function byteos.restamp_assets_trigger();

-- 2. references stay inside what the writer can read ----------------------------------------------
-- Statement-level, over the statement's new rows (one anti-join per foreign key per statement,
-- so a batch of a thousand events costs a few lookups, not thousands). Arguments: the table's
-- primary key, then (column, referenced table, referenced column) triples. Runs as the caller,
-- so the lookup of the referenced rows is filtered by row-level security. A reference that an
-- update does not change is not checked again (it was checked when written, and a course
-- unpublished since must not block a learner's progress on it). Statements run by the
-- server's own security definer functions and by the service role are not checked.
create function byteos.check_references() returns trigger
language plpgsql security invoker set search_path = public, pg_temp as $$
declare
  pk text := tg_argv[0];
  col text;
  ref_table text;
  bad text;
begin
  if current_user not in ('authenticated', 'anon') then
    return null;
  end if;
  for i in 0 .. (tg_nargs - 1) / 3 - 1 loop
    col := tg_argv[3 * i + 1];
    ref_table := tg_argv[3 * i + 2];
    if tg_op = 'INSERT' then
      execute format(
        'select n.%1$I::text from new_rows n where n.%1$I is not null'
        ' and not exists (select 1 from public.%2$I r where r.%3$I = n.%1$I) limit 1',
        col, ref_table, tg_argv[3 * i + 3]) into bad;
    else
      execute format(
        'select n.%1$I::text from new_rows n left join old_rows o on o.%4$I = n.%4$I'
        ' where n.%1$I is not null and (o.%4$I is null or o.%1$I is distinct from n.%1$I)'
        ' and not exists (select 1 from public.%2$I r where r.%3$I = n.%1$I) limit 1',
        col, ref_table, tg_argv[3 * i + 3], pk) into bad;
    end if;
    if bad is not null then
      raise exception '%.% names a % row you cannot use (%)', tg_table_name, col, ref_table, bad
        using errcode = '42501',
              hint = 'rows may only name rows of your organisation that you can read';
    end if;
  end loop;
  return null;
end $$;

-- (Re)create the checks of every public table that has a foreign key into another public
-- table, from the catalogue. Call again after adding a table or a foreign key.
create function byteos.install_reference_checks() returns void
language plpgsql set search_path = public, pg_temp as $$
declare
  r record;
begin
  for r in
    select k.relname as tname,
           (select a.attname from pg_constraint p
              join pg_attribute a on a.attrelid = p.conrelid and a.attnum = p.conkey[1]
             where p.conrelid = k.oid and p.contype = 'p') as pk,
           string_agg(format('%L, %L, %L', a.attname, rk.relname, ra.attname), ', '
                      order by a.attnum) as args,
           bool_and(array_length(c.conkey, 1) = 1) as simple
      from pg_constraint c
      join pg_class k on k.oid = c.conrelid
      join pg_namespace n on n.oid = k.relnamespace
      join pg_class rk on rk.oid = c.confrelid
      join pg_namespace rn on rn.oid = rk.relnamespace
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      join pg_attribute ra on ra.attrelid = c.confrelid and ra.attnum = c.confkey[1]
     where c.contype = 'f' and n.nspname = 'public' and rn.nspname = 'public'
     group by k.oid, k.relname
  loop
    if not r.simple or r.pk is null then
      raise exception 'install_reference_checks: % needs a one-column primary key and '
                      'one-column foreign keys', r.tname;
    end if;
    execute format('drop trigger if exists check_references_insert on public.%I', r.tname);
    execute format('drop trigger if exists check_references_update on public.%I', r.tname);
    execute format('create trigger check_references_insert after insert on public.%I '
                   'referencing new table as new_rows for each statement '
                   'execute function byteos.check_references(%L, %s)', r.tname, r.pk, r.args);
    execute format('create trigger check_references_update after update on public.%I '
                   'referencing old table as old_rows new table as new_rows for each statement '
                   'execute function byteos.check_references(%L, %s)', r.tname, r.pk, r.args);
  end loop;
end $$;
revoke all on function byteos.install_reference_checks() from public, anon, authenticated;

select byteos.install_reference_checks();
