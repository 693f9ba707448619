"""White-label per organisation (issue 13): ``organisations.branding`` read and written.

The document (``logo_url``, ``primary_color``, ``secondary_color``, ``font``) is checked by
``engine.org.branding`` before it is stored: a colour that would fail WCAG AA where it is
used is refused with the measured ratio and the nearest colour that passes. Everything that
draws the organisation reads the same document: the app's theme for its members
(``app.shell.theme.apply_branding``, on sign-in), course templates
(``engine.templates.branded``), certificates (``certificates.org_branding``) and exported SCORM
packages (``scorm._branding``). The logo is a content asset: imported into the media library
like any picture (so it syncs as assets do), the document keeps its ``asset://`` URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from app.services.members import may_manage
from engine.accessibility import is_hex_colour
from engine.org.branding import (
    COLOUR_KEYS,
    BrandingError,
    ColourProblem,
    clean_branding,
    colour_problems,
)
from sync.store.json_shapes import Branding
from sync.store.models import Organisation


@dataclass(frozen=True)
class BrandingDoc:
    org_id: str
    org_name: str
    logo_url: str | None
    primary_color: str | None
    secondary_color: str | None
    font: str | None

    def as_document(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in (
                ("logo_url", self.logo_url),
                ("primary_color", self.primary_color),
                ("secondary_color", self.secondary_color),
                ("font", self.font),
            )
            if v
        }


def _org(user: CurrentUser, org_id: str | None) -> str:
    if not may_manage(user):
        raise UserError("Only an organisation admin changes the organisation's branding.")
    org = org_id or user.org_id
    if org is None:
        raise UserError("Choose the organisation to brand.")
    if user.role != "super_admin" and org != user.org_id:
        raise UserError("You brand your own organisation only.")
    return org


def document(ctx: AppContext, org_id: str | None) -> dict[str, Any]:
    """The organisation's stored branding document (``{}``: none, or no organisation)."""
    if org_id is None:
        return {}
    with ctx.db.transaction() as s:
        row = s.get(Organisation, org_id)
        return dict(row.branding or {}) if row is not None else {}


def for_user(ctx: AppContext, user: CurrentUser | None) -> dict[str, Any]:
    """The branding the app wears for ``user``: their organisation's (``{}`` for nobody)."""
    return document(ctx, user.org_id) if user is not None else {}


def load(ctx: AppContext, user: CurrentUser, org_id: str | None = None) -> BrandingDoc:
    org = _org(user, org_id)
    with ctx.db.transaction() as s:
        row = s.get(Organisation, org)
        if row is None:
            raise UserError("That organisation no longer exists on this device.")
        doc = Branding.model_validate(row.branding or {})
        return BrandingDoc(
            org, row.name, doc.logo_url, doc.primary_color, doc.secondary_color, doc.font
        )


def problems(key: str, colour: str) -> list[ColourProblem]:
    """Why ``colour`` cannot be the ``key`` colour (empty: it can), for the live preview."""
    if key not in COLOUR_KEYS:
        raise UserError(f"Unknown colour “{key}”.")
    return colour_problems(key, colour) if is_hex_colour(colour) else []


def save(
    ctx: AppContext,
    user: CurrentUser,
    primary_color: str | None,
    secondary_color: str | None,
    font: str | None,
    logo_url: str | None = None,
    org_id: str | None = None,
) -> BrandingDoc:
    """Store the branding; a colour that fails AA, or a value of the wrong shape, is refused
    with the reason and changes nothing. Keys this client does not know are kept."""
    org = _org(user, org_id)
    wanted = {
        "primary_color": primary_color,
        "secondary_color": secondary_color,
        "font": font,
        "logo_url": logo_url,
    }
    with ctx.db.transaction() as s:
        row = s.get(Organisation, org)
        if row is None:
            raise UserError("That organisation no longer exists on this device.")
        merged = {**(row.branding or {}), **wanted}
        try:
            row.branding = clean_branding(merged) or None
        except BrandingError as err:
            raise UserError(str(err)) from None
    return load(ctx, user, org)


def import_logo(ctx: AppContext, user: CurrentUser, source: Path) -> str:
    """Put a logo picture into the media library (alt text: the organisation's logo) and
    return its ``asset://`` URL, for :func:`save`. A file that is not an image changes
    nothing."""
    from app.services import authoring, media_library  # the media stack when a logo comes

    org = _org(user, None)
    image = authoring.store_image(ctx, user, source)
    with ctx.db.transaction() as s:
        row = s.get(Organisation, org)
        name = row.name if row is not None else "the organisation"
    media_library.set_alt(ctx, user, image.asset_id, f"Logo of {name}")
    return image.src


def logo_file(ctx: AppContext, url: str | None) -> Path | None:
    """The local file of the logo, or None (no logo, or not on this device yet)."""
    if not url or not url.startswith("asset://"):
        return None
    try:
        path = ctx.assets.path(url.removeprefix("asset://"))
    except ValueError:
        return None
    return path if path.is_file() else None
