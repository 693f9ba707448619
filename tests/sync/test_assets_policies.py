"""Storage policies on asset files, asked of PostgreSQL with each user's JWT (through the
stand-in's storage routes): members read their organisation's published assets, writers
also drafts; only creators, managers and admins write; nobody reads another organisation's
bucket."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import authoring
from engine.content import parse_blocks
from sync.assets.keys import bucket_for, sha256_file
from sync.assets.storage_api import NotFound, StorageApi
from sync.remote.client import Refused, Remote
from tests.sync.conftest import Account, Device, Supabase


def png(path: Path, seed: int = 0) -> Path:
    """A real (tiny) PNG; ``seed`` makes its bytes, and so its checksum, differ."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + bytes([seed % 256, 80, 160]) * 4 for _ in range(4))
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(data)
    return path


def image_course(device: Device, picture: Path, publish: bool) -> tuple[str, str, str]:
    """A course whose module shows ``picture``: (course id, asset id, storage path)."""
    image = authoring.import_image(device.ctx, device.user, picture)
    doc = authoring.create_course(device.ctx, device.user, f"Pictures {picture.stem}")
    block = {"type": "image", "asset_id": image.asset_id, "src": image.src, "alt": "A picture"}
    doc.modules = [authoring.ModuleDoc("Look", parse_blocks([block]))]
    doc = authoring.save_course(device.ctx, device.user, doc)
    if publish:
        authoring.set_status(device.ctx, device.user, doc.id, "published")
    return doc.id, image.asset_id, image.src.removeprefix("asset://")


@pytest.fixture
def remotes() -> Iterator[list[Remote]]:
    made: list[Remote] = []
    yield made
    for r in made:
        r.close()


def api_of(supabase: Supabase, who: Account, remotes: list[Remote]) -> StorageApi:
    remote = Remote(supabase.url, supabase.anon_key)
    remotes.append(remote)
    remote.sign_in(who.email, who.password)
    return StorageApi(remote)


def test_read_and_write_follow_role_organisation_and_publication(
    supabase: Supabase, tmp_path: Path, devices: list[Device], remotes: list[Remote]
) -> None:
    org_a, org_b = supabase.create_org("Assets A"), supabase.create_org("Assets B")
    creator_a = supabase.create_user("creator", org_a)
    learner_a = supabase.create_user("learner", org_a)
    learner_b = supabase.create_user("learner", org_b)
    admin_b = supabase.create_user("org_admin", org_b)
    studio = Device(tmp_path / "studio", supabase, creator_a)
    devices.append(studio)
    studio.sync()
    _, _, published_key = image_course(studio, png(tmp_path / "pub.png", 1), publish=True)
    _, _, draft_key = image_course(studio, png(tmp_path / "draft.png", 2), publish=False)
    studio.sync()
    assert studio.service.last_assets is not None
    assert studio.service.last_assets.uploaded == 2, studio.service.last_assets
    bucket = bucket_for(org_a)

    # the organisation's learner: the published picture, not the draft one
    learner = api_of(supabase, learner_a, remotes)
    got = tmp_path / "got.png"
    learner.download(bucket, published_key, got)
    assert sha256_file(got) == published_key.split("/")[1].split(".")[0]
    assert learner.info(bucket, draft_key) is None
    with pytest.raises(NotFound):
        learner.download(bucket, draft_key, tmp_path / "draft-got.png")
    # ...and the creator reads the draft
    creator = api_of(supabase, creator_a, remotes)
    info = creator.info(bucket, draft_key)
    assert info is not None and info.sha256 == draft_key.split("/")[1].split(".")[0]

    # another organisation's learner and even its admin read nothing of bucket A
    for outsider in (learner_b, admin_b):
        api = api_of(supabase, outsider, remotes)
        assert api.info(bucket, published_key) is None
        with pytest.raises(NotFound):
            api.download(bucket, published_key, tmp_path / "stolen.png")
        assert api.list(bucket, published_key.split("/")[0]) == []

    # a learner cannot upload, to their own organisation's bucket or any other
    before = supabase.sql("select count(*) from storage.objects where bucket_id = %s", (bucket,))
    for target in (bucket, bucket_for(org_b)):
        with pytest.raises(Refused) as refused:
            learner.upload(target, "ab/evil.png", got, sha256="0" * 64)
        assert refused.value.code == "403"
    # nor move or delete what is there
    with pytest.raises(Refused):
        learner.move(bucket, published_key, "ab/moved.png")
    learner.remove(bucket, [published_key])
    # an admin of org B cannot write into org A's bucket
    with pytest.raises(Refused):
        api_of(supabase, admin_b, remotes).upload(bucket, "ab/x.png", got, sha256="0" * 64)
    after = supabase.sql("select count(*) from storage.objects where bucket_id = %s", (bucket,))
    assert before == after == [(2,)]
    # every organisation has its private bucket
    assert supabase.sql(
        "select count(*) from storage.buckets where id in (%s, %s) and not public",
        (bucket, bucket_for(org_b)),
    ) == [(2,)]
