-- Asset files travel with sync: one private Supabase Storage bucket per organisation,
-- named 'org-<organisation id>', the object key being the asset's content_assets.storage_path
-- (content-addressed: '<2 hex>/<sha256><suffix>'). Objects under '.uploads/' are uploads in
-- flight: the client writes there first and moves the object to its key once it is whole,
-- so a cut upload never shows at an asset's key.
--
-- Who may do what (storage.objects, as Supabase's storage-api asks PostgreSQL with the
-- caller's JWT):
-- * read: members of the organisation read the objects of the assets they can read as rows
--   (content_assets' row-level security: learners only assets of published content,
--   creators, managers and admins also drafts); creators, managers and admins also read
--   the uploads in flight they must move. Nobody reads another organisation's bucket: the
--   bucket is checked against the caller's own organisation, super admins included.
-- * write (upload, move, delete): creators, managers and admins of that organisation only.

-- 1. buckets: one per organisation, made with it ----------------------------------------------
create function byteos.asset_bucket(p_org uuid) returns text
language sql immutable as $$ select 'org-' || p_org::text $$;
grant execute on function byteos.asset_bucket(uuid) to authenticated, service_role;

create function byteos.make_asset_bucket() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  insert into storage.buckets (id, name, public)
  values (byteos.asset_bucket(new.id), byteos.asset_bucket(new.id), false)
  on conflict (id) do nothing;
  return null;
end $$;
revoke all on function byteos.make_asset_bucket() from public, anon, authenticated;
create trigger make_asset_bucket after insert on public.organisations
  for each row execute function byteos.make_asset_bucket();

insert into storage.buckets (id, name, public)
select byteos.asset_bucket(o.id), byteos.asset_bucket(o.id), false from public.organisations o
on conflict (id) do nothing;

-- 2. object policies ----------------------------------------------------------------------------
create function byteos.asset_writer() returns boolean
language sql stable security definer set search_path = public, pg_temp as $$
  select coalesce(byteos.my_role() in ('creator', 'manager', 'org_admin', 'super_admin'), false)
$$;
grant execute on function byteos.asset_writer() to authenticated;

create policy byteos_asset_read on storage.objects for select to authenticated
  using (byteos.my_org() is not null
         and bucket_id = byteos.asset_bucket(byteos.my_org())
         and ((select byteos.asset_writer())
              -- runs as the caller: content_assets' row-level security decides
              or exists (select 1 from public.content_assets a
                           where a.org_id = byteos.my_org() and a.storage_path = objects.name)));

create policy byteos_asset_insert on storage.objects for insert to authenticated
  with check (byteos.my_org() is not null
              and bucket_id = byteos.asset_bucket(byteos.my_org())
              and (select byteos.asset_writer()));

create policy byteos_asset_update on storage.objects for update to authenticated
  using (byteos.my_org() is not null
         and bucket_id = byteos.asset_bucket(byteos.my_org())
         and (select byteos.asset_writer()))
  with check (byteos.my_org() is not null
              and bucket_id = byteos.asset_bucket(byteos.my_org())
              and (select byteos.asset_writer()));

create policy byteos_asset_delete on storage.objects for delete to authenticated
  using (byteos.my_org() is not null
         and bucket_id = byteos.asset_bucket(byteos.my_org())
         and (select byteos.asset_writer()));

-- 3. a SCORM package belongs to its course ---------------------------------------------------------
-- An imported or exported package is used by no module block: its row names its course
-- (metadata.course_id, courses.settings.scorm.asset_id, courses.scorm_url). Without this a
-- learner could not read the package of a published SCORM course, row or file.
create or replace function byteos.asset_published(p_id uuid, p_url text, p_meta jsonb) returns boolean
language sql stable security definer set search_path = public, pg_temp as $$
  select byteos.asset_published_in(byteos.my_org(), p_id, p_url, p_meta)
$$;

create or replace function byteos.asset_published_in(p_org uuid, p_id uuid, p_url text, p_meta jsonb,
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
                  where c.org_id = p_org and c.status = 'published'
                    and c.id is distinct from p_except
                    and (c.thumbnail_url = p_url or c.scorm_url = p_url
                         or c.id::text = p_meta ->> 'course_id'
                         or c.settings -> 'scorm' ->> 'asset_id' = p_id::text))
      or exists (select 1 from public.learning_paths p
                  where p.org_id = p_org and p.status = 'published' and p.thumbnail_url = p_url)
$$;

create or replace function byteos.restamp_course_assets(p_course uuid) returns void
language sql volatile security definer set search_path = public, pg_temp as $$
  update public.content_assets a set sync_seq = 0
    from public.courses c
   where c.id = p_course and a.org_id = c.org_id
     and (a.url = c.thumbnail_url or a.url = c.scorm_url
          or a.metadata ->> 'course_id' = c.id::text
          or c.settings -> 'scorm' ->> 'asset_id' = a.id::text
          or exists (select 1 from public.modules m where m.course_id = c.id
                      and (m.content @> jsonb_build_array(jsonb_build_object('asset_id', a.id::text))
                           or m.content @> jsonb_build_array(jsonb_build_object('src', a.url))
                           or m.id::text = a.metadata ->> 'module_id')))
$$;
