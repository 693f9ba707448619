"""The organisation's media library: images imported by creators or saved from an online
search, stored as ``content_assets`` with their files in the asset store. Alt text is
required for every image (WCAG 2.1 AA), so it is asked for when an image joins the library."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.services import authoring
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from engine.media_search.providers import MediaHit, MediaSearchError
from sync.store.models import ContentAsset

MAX_DOWNLOAD_BYTES = authoring.MAX_IMAGE_BYTES


@dataclass(frozen=True)
class LibraryImage:
    asset_id: str
    src: str
    path: Path
    alt: str
    name: str
    attribution: str


def require_alt(alt: str) -> str:
    alt = " ".join(alt.split())
    if not alt:
        raise UserError("Describe the image in its alt text: people who can't see it rely on it.")
    return alt


def list_images(ctx: AppContext, user: CurrentUser) -> list[LibraryImage]:
    with ctx.db.transaction() as s:
        rows = s.scalars(
            select(ContentAsset)
            .where(ContentAsset.type == "image", ContentAsset.org_id == user.org_id)
            .order_by(ContentAsset.created_at.desc())
        ).all()
        out = []
        for a in rows:
            meta = a.metadata_ or {}
            try:
                path = ctx.assets.path(a.storage_path or "")
            except ValueError:
                continue
            if not path.exists():
                continue
            out.append(
                LibraryImage(
                    a.id,
                    a.url,
                    path,
                    str(meta.get("alt") or ""),
                    str(meta.get("original_name") or path.name),
                    str(meta.get("attribution") or ""),
                )
            )
        return out


def add_file(ctx: AppContext, user: CurrentUser, source: Path, alt: str) -> LibraryImage:
    """Import a picture file into the library with its (required) alt text."""
    alt = require_alt(alt)
    image = authoring.import_image(ctx, user, source)
    set_alt(ctx, user, image.asset_id, alt)
    return next(i for i in list_images(ctx, user) if i.asset_id == image.asset_id)


def set_alt(ctx: AppContext, user: CurrentUser, asset_id: str, alt: str, **extra: str) -> None:
    alt = require_alt(alt)
    with ctx.db.transaction() as s:
        asset = s.get(ContentAsset, asset_id)
        if asset is None or asset.org_id != user.org_id:
            raise UserError("That image is no longer in your library.")
        asset.metadata_ = {**(asset.metadata_ or {}), "alt": alt, **extra}


def download(url: str, dest: Path) -> None:
    """Fetch an image with a size cap; failures become ``MediaSearchError``."""
    import httpx

    from engine.net.http import make_client

    try:
        with (
            make_client(timeout=20.0, follow_redirects=True) as client,
            client.stream("GET", url) as r,
        ):
            if r.status_code >= 400:
                raise MediaSearchError(f"The image could not be downloaded ({r.status_code}).")
            size = 0
            with dest.open("wb") as fh:
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > MAX_DOWNLOAD_BYTES:
                        raise MediaSearchError("The image is too large to add to the library.")
                    fh.write(chunk)
    except httpx.ConnectError as err:
        raise MediaSearchError("You appear to be offline: the image can't be downloaded.") from err
    except httpx.HTTPError as err:
        raise MediaSearchError(f"The image could not be downloaded ({err}).") from err


def fetch_thumbnail(url: str) -> bytes | None:
    """A search result's small preview (under 2 MB), or None when it cannot be had: the
    dialog then shows the result without a picture."""
    import httpx

    from engine.net.http import make_client

    try:
        with make_client(timeout=8.0, follow_redirects=True) as client:
            r = client.get(url)
    except (httpx.HTTPError, ValueError):
        return None
    return r.content if r.status_code == 200 and len(r.content) < 2_000_000 else None


def add_search_hit(ctx: AppContext, user: CurrentUser, hit: MediaHit, alt: str) -> LibraryImage:
    """Download a search result into the library, keeping its source and attribution."""
    alt = require_alt(alt)
    with tempfile.TemporaryDirectory(prefix="byteos-media-") as tmp:
        dest = Path(tmp) / f"{hit.provider}-{abs(hash(hit.id))}"
        download(hit.full_url, dest)
        image = authoring.import_image(ctx, user, dest)
    set_alt(
        ctx,
        user,
        image.asset_id,
        alt,
        source=hit.provider,
        attribution=hit.attribution,
        page_url=hit.page_url,
        original_name=hit.title or hit.id,
    )
    return next(i for i in list_images(ctx, user) if i.asset_id == image.asset_id)
