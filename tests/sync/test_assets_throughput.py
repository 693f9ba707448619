"""Upload and download throughput of one large package against the stand-in (streamed both
ways, checksum-verified): the storage calls alone, and the whole sync of an imported SCORM
package. 8 MB by default (CI); the report's figures are for 100 MB:

    BYTEOS_ASSET_BENCH_MB=100 .venv/bin/python -m pytest -q -s tests/sync/test_assets_throughput.py
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

from app.services import authoring
from app.services.scorm_import import import_scorm
from sync.assets.keys import bucket_for, sha256_file
from sync.assets.storage_api import StorageApi
from sync.assets.upload import put_file
from sync.remote.client import Remote
from tests.engine.scorm.packages import storyline_files
from tests.sync.conftest import Device, Supabase

FLOOR_MB_S = 2.0


def test_a_large_package_streams_up_and_down(supabase: Supabase, tmp_path: Path) -> None:
    size = int(os.environ.get("BYTEOS_ASSET_BENCH_MB", "8")) << 20
    org = supabase.create_org("Throughput")
    creator = supabase.create_user("creator", org)
    source = tmp_path / "package.zip"
    with source.open("wb") as fh:
        for _ in range(size >> 20):
            fh.write(os.urandom(1 << 20))
    sha = sha256_file(source)
    key = f"{sha[:2]}/{sha}.zip"
    remote = Remote(supabase.url, supabase.anon_key, timeout=120)
    try:
        remote.sign_in(creator.email, creator.password)
        api = StorageApi(remote)
        started = time.perf_counter()
        assert put_file(api, bucket_for(org), key, source, sha)
        up = time.perf_counter() - started
        dest = tmp_path / "got.zip"
        started = time.perf_counter()
        api.download(bucket_for(org), key, dest)
        assert sha256_file(dest) == sha
        down = time.perf_counter() - started
    finally:
        remote.close()
    mb = size / (1 << 20)
    print(
        f"\n{mb:.0f} MB: upload {up:.2f} s ({mb / up:.0f} MB/s, streamed, checked, moved), "
        f"download {down:.2f} s ({mb / down:.0f} MB/s, incl. sha256 check)"
    )
    assert mb / up > FLOOR_MB_S and mb / down > FLOOR_MB_S


def test_a_large_scorm_package_travels_with_sync(
    supabase: Supabase, tmp_path: Path, devices: list[Device]
) -> None:
    """The whole path: import, the creator's sync (rows, hashing, upload), the learner's
    first sync (rows, download, verification)."""
    size = int(os.environ.get("BYTEOS_ASSET_BENCH_MB", "8")) << 20
    org = supabase.create_org("Throughput sync")
    creator = supabase.create_user("creator", org)
    learner = supabase.create_user("learner", org)
    files = {**storyline_files(), "scormcontent/media/video.bin": os.urandom(size)}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    package = tmp_path / "big.zip"
    package.write_bytes(buf.getvalue())
    studio = Device(tmp_path / "studio", supabase, creator)
    devices.append(studio)
    studio.sync()
    started = time.perf_counter()
    imported = import_scorm(studio.ctx, studio.user, package)
    took_import = time.perf_counter() - started
    authoring.set_status(studio.ctx, studio.user, imported.course_id, "published")
    started = time.perf_counter()
    studio.sync()
    up = time.perf_counter() - started
    laptop = Device(tmp_path / "laptop", supabase, learner)
    devices.append(laptop)
    started = time.perf_counter()
    laptop.sync()
    down = time.perf_counter() - started
    assert studio.service.last_assets is not None and studio.service.last_assets.uploaded == 1
    assert laptop.service.last_assets is not None and laptop.service.last_assets.downloaded == 1
    mb = package.stat().st_size / (1 << 20)
    print(
        f"\n{mb:.0f} MB package: import {took_import:.2f} s; creator sync {up:.2f} s "
        f"({mb / up:.0f} MB/s); learner's first sync {down:.2f} s ({mb / down:.0f} MB/s)"
    )
    assert mb / up > FLOOR_MB_S and mb / down > FLOOR_MB_S
