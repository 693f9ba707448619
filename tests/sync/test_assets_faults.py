"""Asset files under faults, as the rows are tested (tests/sync/test_sync_faults.py): an
upload cut mid-body or mid-request never leaves a visible object and goes again at the next
sync; a lost answer or a second device with the same file does not duplicate; a damaged or
half-downloaded file is detected by its checksum and never used."""

from __future__ import annotations

import socket
from pathlib import Path

from app.services import asset_files, authoring
from sync.assets.keys import bucket_for, sha256_file
from sync.remote.client import Remote
from tests.sync.conftest import Device, Supabase
from tests.sync.fault_proxy import FaultProxy, Planned
from tests.sync.test_assets_policies import image_course, png

UPLOAD = "/storage/v1/object/org-"


def objects(supabase: Supabase, org: str) -> list[str]:
    return [
        r[0]
        for r in supabase.sql(
            "select name from storage.objects where bucket_id = %s order by name",
            (bucket_for(org),),
        )
    ]


def half_upload(supabase: Supabase, token: str, bucket: str, key: str, body: bytes) -> None:
    """Send an upload whose connection is cut halfway through the body."""
    head = (
        f"POST /storage/v1/object/{bucket}/{key} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\napikey: {supabase.anon_key}\r\n"
        f"Content-Type: image/png\r\nContent-Length: {len(body)}\r\nx-upsert: true\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", supabase.standin.port), timeout=5) as sock:
        sock.sendall(head + body[: len(body) // 2])
        sock.shutdown(socket.SHUT_WR)
        sock.recv(1024)


def test_cut_mid_upload_never_shows_and_goes_again(
    supabase: Supabase, tmp_path: Path, devices: list[Device], proxy: FaultProxy
) -> None:
    org = supabase.create_org("Cut uploads")
    creator = supabase.create_user("creator", org)
    studio = Device(tmp_path / "studio", supabase, creator, url=proxy.url)
    devices.append(studio)
    studio.sync()
    _, asset_id, key = image_course(studio, png(tmp_path / "p.png", 3), publish=True)
    data = studio.ctx.assets.path(key).read_bytes()
    remote = Remote(supabase.url, supabase.anon_key)
    try:
        token = remote.sign_in(creator.email, creator.password).access_token
    finally:
        remote.close()
    # the connection drops halfway through the body: the server stores nothing
    half_upload(supabase, token, bucket_for(org), key, data)
    assert objects(supabase, org) == []
    # the device's upload request is cut: the rows sync, the file waits
    proxy.reset(planned=[Planned("cut", "POST", UPLOAD)])
    studio.sync()
    report = studio.service.last_assets
    assert report is not None and report.uploaded == 0 and report.problems
    assert objects(supabase, org) == []
    assert supabase.sql("select count(*) from content_assets where id = %s", (asset_id,)) == [(1,)]
    # the next sync uploads it whole, and leaves nothing in flight behind
    proxy.reset()
    studio.sync()
    assert studio.service.last_assets is not None
    assert studio.service.last_assets.uploaded == 1
    assert objects(supabase, org) == [key]
    blob = supabase.standin.storage.blob_of(bucket_for(org), key)
    assert blob.read_bytes() == data


def test_lost_answers_and_second_uploads_do_not_duplicate(
    supabase: Supabase, tmp_path: Path, devices: list[Device], proxy: FaultProxy
) -> None:
    org = supabase.create_org("Dup uploads")
    creator = supabase.create_user("creator", org)
    manager = supabase.create_user("manager", org)
    studio = Device(tmp_path / "studio", supabase, creator, url=proxy.url)
    devices.append(studio)
    studio.sync()
    image_course(studio, png(tmp_path / "a.png", 4), publish=True)
    _, _, key_b = image_course(studio, png(tmp_path / "b.png", 5), publish=True)
    # the server stores the first upload but its answer is lost; the server moves the
    # second into place but that answer is lost too
    proxy.reset(planned=[Planned("drop", "POST", UPLOAD), Planned("drop", "POST", "/object/move")])
    studio.sync()
    assert proxy.counts["drop"] == 1 and studio.service.last_assets is not None
    assert studio.service.last_assets.problems
    studio.sync()  # sends again what it did not hear back about
    assert proxy.counts["drop"] == 2
    studio.sync()
    studio.sync()
    done = objects(supabase, org)
    assert len(done) == 2 and all(not k.startswith(".uploads") for k in done), done
    # nothing left to do: a further sync sends no file
    before = supabase.standin.storage.requests
    studio.sync()
    assert studio.service.last_assets is not None
    assert studio.service.last_assets.uploaded == 0
    assert supabase.standin.storage.requests == before
    # a manager's device holding the same picture (another asset row, same file) skips it
    office = Device(tmp_path / "office", supabase, manager)
    devices.append(office)
    office.sync()
    authoring.store_image(office.ctx, office.user, png(tmp_path / "b-again.png", 5))
    office.sync()
    report = office.service.last_assets
    assert report is not None and report.uploaded == 0 and report.already_there >= 1, report
    assert len(objects(supabase, org)) == 2 and key_b in objects(supabase, org)


def test_damaged_and_half_downloads_are_detected_and_never_used(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    org = supabase.create_org("Corrupt downloads")
    creator = supabase.create_user("creator", org)
    learner = supabase.create_user("learner", org)
    studio = Device(tmp_path / "studio", supabase, creator)
    devices.append(studio)
    studio.sync()
    _, _, key = image_course(studio, png(tmp_path / "c.png", 6), publish=True)
    studio.sync()
    good = studio.ctx.assets.path(key).read_bytes()
    blob = supabase.standin.storage.blob_of(bucket_for(org), key)
    blob.write_bytes(good[:-5] + b"XXXXX")  # the storage backend damaged it
    laptop = Device(tmp_path / "laptop", supabase, learner)
    devices.append(laptop)
    laptop.sync()
    report = laptop.service.last_assets
    assert report is not None and report.downloaded == 0
    assert any("damaged" in p for p in report.problems), report
    local = laptop.ctx.assets.path(key)
    assert not local.exists() and list(local.parent.glob("*")) == []
    # on demand (the learner opens the picture): refused the same way, nothing used
    asset_files._failed.clear()
    assert asset_files.local_file(laptop.ctx, f"asset://{key}") is None
    assert not local.exists()
    # a download cut halfway left its first half: the next sync resumes and verifies it
    blob.write_bytes(good)
    side = local.with_name(local.name + ".download")
    side.write_bytes(good[: len(good) // 2])
    laptop.sync()
    assert laptop.service.last_assets is not None
    assert laptop.service.last_assets.downloaded == 1
    assert local.read_bytes() == good and not side.exists()
    assert sha256_file(local) == key.split("/")[1].split(".")[0]
