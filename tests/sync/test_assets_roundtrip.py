"""Files travel with sync, end to end: a creator adds a picture and imports a SCORM package
while offline, syncs; a learner's fresh device pulls, gets both files ahead of time
(checksum-verified), and opens both with the network gone."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from app.services import asset_files, authoring, scorm_attempts
from app.services.paths import thumbnail_file
from app.services.scorm_import import import_scorm
from sync.assets.keys import bucket_for
from sync.store.models import ContentAsset, Module
from tests.engine.scorm.packages import storyline_files, zip_of
from tests.sync.conftest import Device, Supabase
from tests.sync.fault_proxy import FaultProxy
from tests.sync.test_assets_policies import image_course, png


def test_picture_and_scorm_package_reach_a_learner_offline(
    supabase: Supabase, tmp_path: Path, devices: list[Device], proxy: FaultProxy
) -> None:
    org = supabase.create_org("Round trip files")
    creator = supabase.create_user("creator", org)
    learner = supabase.create_user("learner", org)
    studio = Device(tmp_path / "studio", supabase, creator, url=proxy.url)
    devices.append(studio)
    studio.sync()

    proxy.go_offline()  # the creator works on a plane
    course_id, image_id, image_key = image_course(studio, png(tmp_path / "pic.png", 9), True)
    package = tmp_path / "safety.zip"
    package.write_bytes(zip_of(storyline_files()))
    imported = import_scorm(studio.ctx, studio.user, package)
    authoring.set_status(studio.ctx, studio.user, imported.course_id, "published")
    with studio.ctx.db.transaction() as s:
        scorm_key = s.get(ContentAsset, imported.asset_id).storage_path  # type: ignore[union-attr]
        sco_module = s.scalars(
            select(Module.id).where(Module.course_id == imported.course_id)
        ).first()
    assert scorm_key and sco_module
    proxy.go_online()
    studio.sync()
    assert studio.service.last_assets is not None
    assert studio.service.last_assets.uploaded == 2, studio.service.last_assets
    names = {
        r[0]
        for r in supabase.sql(
            "select name from storage.objects where bucket_id = %s", (bucket_for(org),)
        )
    }
    assert names == {image_key, scorm_key}

    laptop = Device(tmp_path / "laptop", supabase, learner, url=proxy.url)
    devices.append(laptop)
    laptop.sync()
    report = laptop.service.last_assets
    assert report is not None and report.downloaded == 2 and not report.problems, report

    proxy.go_offline()  # the learner takes the laptop home
    asset_files._failed.clear()
    picture = asset_files.local_file(laptop.ctx, f"asset://{image_key}", download=False)
    assert picture is not None
    assert picture.read_bytes() == studio.ctx.assets.path(image_key).read_bytes()
    assert thumbnail_file(laptop.ctx, f"asset://{image_key}") == picture
    with laptop.ctx.db.transaction() as s:
        assert s.get(ContentAsset, image_id) is not None
    launch = scorm_attempts.sco_for(laptop.ctx, imported.course_id, sco_module, "Safety")
    page = launch.folder.joinpath(*launch.launch.split("?")[0].split("/"))
    assert page.is_file() and b"Workplace Safety Basics" in page.read_bytes()
    assert course_id != imported.course_id
    # a file gone missing while offline: None, quickly, and at once the second time
    kept = picture.read_bytes()
    picture.unlink()
    started = time.monotonic()
    assert asset_files.local_file(laptop.ctx, f"asset://{image_key}") is None
    assert time.monotonic() - started < 3.0
    started = time.monotonic()
    assert thumbnail_file(laptop.ctx, f"asset://{image_key}") is None
    assert time.monotonic() - started < 0.2
    picture.write_bytes(kept)

    # a second device of the learner with no room for files ahead of time: the picture and
    # the package come on demand, as the learner opens them (verified, then unpacked)
    proxy.go_online()
    tablet = Device(tmp_path / "tablet", supabase, learner, url=proxy.url)
    devices.append(tablet)
    tablet.service.prefetch_budget = 0
    tablet.sync()
    report = tablet.service.last_assets
    assert report is not None and report.downloaded == 0 and report.over_budget == 2, report
    assert not tablet.ctx.assets.path(image_key).exists()
    assert not tablet.ctx.assets.path(scorm_key).exists()
    shown = thumbnail_file(tablet.ctx, f"asset://{image_key}")
    assert shown is not None and shown.read_bytes() == picture.read_bytes()
    launch = scorm_attempts.sco_for(tablet.ctx, imported.course_id, sco_module, "Safety")
    assert launch.folder.joinpath(*launch.launch.split("?")[0].split("/")).is_file()
    assert tablet.ctx.assets.path(scorm_key).read_bytes() == package.read_bytes()
