"""The search providers and their API shapes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from engine.llm.keys import secret

CONNECT_TIMEOUT = 3.0  # offline is detected fast: no route or DNS fails well within this
READ_TIMEOUT = 10.0


class MediaSearchError(RuntimeError):
    """A search failed; the message says why (offline, key refused, rate limited...)."""


@dataclass(frozen=True)
class MediaHit:
    provider: str
    id: str
    title: str  # usable as a first draft of the alt text (the creator must confirm it)
    thumb_url: str
    full_url: str
    width: int
    height: int
    author: str
    page_url: str
    attribution: str


class MediaSearchProvider(Protocol):
    name: str

    def search(self, query: str, *, page: int = 1, per_page: int = 20) -> list[MediaHit]: ...


Getter = Callable[[str, dict[str, Any], dict[str, str]], Any]


def http_get_json(url: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
    """GET and decode JSON with short timeouts; maps every failure to ``MediaSearchError``."""
    import httpx

    from engine.net.http import NetworkSettingsError, make_client

    try:
        with make_client(timeout=READ_TIMEOUT, connect=CONNECT_TIMEOUT) as client:
            r = client.get(url, params=params, headers=headers)
    except NetworkSettingsError as err:
        raise MediaSearchError(str(err)) from err
    except httpx.ConnectError as err:
        raise MediaSearchError(
            "You appear to be offline: the search service can't be reached."
        ) from err
    except httpx.TimeoutException as err:
        raise MediaSearchError("The search service did not answer in time.") from err
    except httpx.HTTPError as err:
        raise MediaSearchError(f"The search failed ({err}).") from err
    if r.status_code in (401, 403):
        raise MediaSearchError("The search service refused the API key; check it in Settings.")
    if r.status_code == 429:
        raise MediaSearchError("Too many searches for now (rate limit); try again later.")
    if r.status_code >= 400:
        raise MediaSearchError(f"The search service answered with an error ({r.status_code}).")
    try:
        return r.json()
    except ValueError as err:
        raise MediaSearchError("The search service sent a reply that isn't JSON.") from err


def _expect(cond: bool) -> None:
    if not cond:
        raise MediaSearchError("The search service sent a reply in an unexpected shape.")


@dataclass
class PexelsProvider:
    api_key: str
    base_url: str = "https://api.pexels.com"
    get: Getter = http_get_json
    name: str = "Pexels"

    def search(self, query: str, *, page: int = 1, per_page: int = 20) -> list[MediaHit]:
        data = self.get(
            f"{self.base_url}/v1/search",
            {"query": query, "page": page, "per_page": per_page},
            {"Authorization": self.api_key},
        )
        _expect(isinstance(data, dict) and isinstance(data.get("photos"), list))
        hits = []
        for p in data["photos"]:
            try:
                src = p["src"]
                hits.append(
                    MediaHit(
                        "pexels",
                        str(p["id"]),
                        str(p.get("alt") or ""),
                        src["medium"],
                        src["original"],
                        int(p["width"]),
                        int(p["height"]),
                        str(p.get("photographer") or ""),
                        str(p.get("url") or ""),
                        f"Photo by {p.get('photographer') or 'unknown'} on Pexels",
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue  # one malformed item must not hide the others
        return hits


@dataclass
class UnsplashProvider:
    access_key: str
    base_url: str = "https://api.unsplash.com"
    get: Getter = http_get_json
    name: str = "Unsplash"

    def search(self, query: str, *, page: int = 1, per_page: int = 20) -> list[MediaHit]:
        data = self.get(
            f"{self.base_url}/search/photos",
            {"query": query, "page": page, "per_page": per_page},
            {"Authorization": f"Client-ID {self.access_key}", "Accept-Version": "v1"},
        )
        _expect(isinstance(data, dict) and isinstance(data.get("results"), list))
        hits = []
        for p in data["results"]:
            try:
                user = str((p.get("user") or {}).get("name") or "")
                hits.append(
                    MediaHit(
                        "unsplash",
                        str(p["id"]),
                        str(p.get("alt_description") or p.get("description") or ""),
                        p["urls"]["small"],
                        p["urls"]["regular"],
                        int(p["width"]),
                        int(p["height"]),
                        user,
                        str((p.get("links") or {}).get("html") or ""),
                        f"Photo by {user or 'unknown'} on Unsplash",
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
        return hits


@dataclass
class GiphyProvider:
    api_key: str
    base_url: str = "https://api.giphy.com"
    get: Getter = http_get_json
    name: str = "Giphy"

    def search(self, query: str, *, page: int = 1, per_page: int = 20) -> list[MediaHit]:
        data = self.get(
            f"{self.base_url}/v1/gifs/search",
            {
                "api_key": self.api_key,
                "q": query,
                "limit": per_page,
                "offset": (page - 1) * per_page,
                "rating": "g",
            },
            {},
        )
        _expect(isinstance(data, dict) and isinstance(data.get("data"), list))
        hits = []
        for g in data["data"]:
            try:
                orig = g["images"]["original"]
                thumb = (g["images"].get("fixed_width_small") or orig)["url"]
                hits.append(
                    MediaHit(
                        "giphy",
                        str(g["id"]),
                        str(g.get("title") or ""),
                        thumb,
                        orig["url"],
                        int(orig["width"]),
                        int(orig["height"]),
                        str(g.get("username") or ""),
                        str(g.get("url") or ""),
                        "Powered by GIPHY",
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
        return hits


@dataclass
class GoogleImageProvider:
    api_key: str
    engine_id: str
    base_url: str = "https://www.googleapis.com"
    get: Getter = http_get_json
    name: str = "Web images"

    def search(self, query: str, *, page: int = 1, per_page: int = 10) -> list[MediaHit]:
        data = self.get(
            f"{self.base_url}/customsearch/v1",
            {
                "key": self.api_key,
                "cx": self.engine_id,
                "q": query,
                "searchType": "image",
                "num": min(10, per_page),
                "start": 1 + (page - 1) * min(10, per_page),
                "safe": "active",
            },
            {},
        )
        _expect(isinstance(data, dict))
        hits = []
        for it in data.get("items") or []:
            try:
                img = it["image"]
                hits.append(
                    MediaHit(
                        "google",
                        str(it["link"]),
                        str(it.get("title") or ""),
                        img["thumbnailLink"],
                        it["link"],
                        int(img["width"]),
                        int(img["height"]),
                        str(it.get("displayLink") or ""),
                        str(img.get("contextLink") or ""),
                        f"Image from {it.get('displayLink') or 'the web'}; check its licence",
                    )
                )
            except (KeyError, TypeError, ValueError):
                continue
        return hits


def configured_providers(*, use_keyring: bool = True) -> list[MediaSearchProvider]:
    """The providers with a key (spec env names: PEXELS_API_KEY, UNSPLASH_ACCESS_KEY,
    GIPHY_API_KEY, GOOGLE_SEARCH_API_KEY + GOOGLE_SEARCH_ENGINE_ID)."""
    out: list[MediaSearchProvider] = []
    if k := secret("PEXELS_API_KEY", use_keyring=use_keyring):
        out.append(PexelsProvider(k))
    if k := secret("UNSPLASH_ACCESS_KEY", use_keyring=use_keyring):
        out.append(UnsplashProvider(k))
    if k := secret("GIPHY_API_KEY", use_keyring=use_keyring):
        out.append(GiphyProvider(k))
    key = secret("GOOGLE_SEARCH_API_KEY", use_keyring=use_keyring)
    cx = secret("GOOGLE_SEARCH_ENGINE_ID", use_keyring=use_keyring)
    if key and cx:
        out.append(GoogleImageProvider(key, cx))
    return out
