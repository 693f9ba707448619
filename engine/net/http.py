"""The one way ByteOS makes an HTTP client: time-outs, proxy and trusted CAs from settings.

Why one factory: sync, the cloud language models, the online voice and media search each
used to build their own client with their own time-outs, and none knew about a corporate
proxy or the extra certificate authority of a TLS-inspecting proxy, so sync broke behind
exactly the networks IT manages. Every client now comes from :func:`make_client`:

* **time-outs**: ``timeout`` for reading, ``connect`` (3 s) for connecting, so being offline
  is noticed in seconds;
* **proxy** (``proxy_mode``): ``system`` follows the OS / ``HTTPS_PROXY`` / ``NO_PROXY``
  (httpx's ``trust_env``, which reads the Windows registry and macOS system settings through
  ``urllib.request.getproxies``); ``none`` connects directly; ``explicit`` uses
  ``proxy_url``; ``pac`` uses the proxy a PAC file's simple ``return "PROXY host:port"``
  names (:func:`pac_proxy`), and otherwise the system's;
* **trust** (``ca_bundle``): the public CAs (certifi) plus the system's, plus IT's extra PEM
  bundle, as one ``ssl.SSLContext`` (:func:`ssl_context`).

httpx is imported inside the call (``engine`` imports nothing heavy at module level). The
OpenAI and Anthropic SDKs use the ``httpx2`` fork: ``library="httpx2"`` builds the same
client from it. The online voice (edge-tts) speaks aiohttp: :func:`aiohttp_options` gives its
``proxy`` and ``ssl`` context.
"""

from __future__ import annotations

import importlib
import re
import ssl
import threading
import time
from pathlib import Path
from typing import Any

from engine.config import Settings
from engine.config import settings as current_settings

CONNECT_TIMEOUT = 3.0
DEFAULT_TIMEOUT = 15.0


class NetworkSettingsError(ValueError):
    """A proxy or CA setting that cannot be used; the message says which and why."""


def ssl_context(config: Settings | None = None) -> ssl.SSLContext:
    """System CAs + certifi's + the ``ca_bundle`` of ``config`` (current settings by default)."""
    import certifi

    config = config or current_settings()
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=certifi.where())
    if config.ca_bundle is not None:
        path = Path(config.ca_bundle)
        try:
            context.load_verify_locations(cafile=str(path))
        except (OSError, ssl.SSLError) as err:
            raise NetworkSettingsError(
                f"The extra CA bundle {path} (setting ca_bundle) cannot be used: "
                f"{getattr(err, 'strerror', None) or err}."
            ) from None
    return context


def proxy_for(config: Settings | None = None) -> str | None:
    """The proxy URL every client uses, or ``None`` (direct, or the system's when
    ``proxy_mode`` is ``system``: see :func:`trust_env`)."""
    config = config or current_settings()
    if config.proxy_mode == "explicit":
        if not config.proxy_url:
            raise NetworkSettingsError("proxy_mode is explicit but no proxy_url is set.")
        return config.proxy_url
    if config.proxy_mode == "pac" and config.proxy_pac_url:
        return pac_proxy(config.proxy_pac_url)
    return None


def trust_env(config: Settings | None = None) -> bool:
    """Whether clients follow the environment and OS proxy settings."""
    config = config or current_settings()
    return config.proxy_mode in ("system", "pac")


_PAC_PROXY = re.compile(r'return\s*["\']\s*PROXY\s+([\w.\-]+:\d+)', re.IGNORECASE)
_PAC_TTL_S = 300.0
_pac_cache: dict[str, tuple[float, str | None]] = {}
_pac_lock = threading.Lock()


def pac_proxy(pac_url: str, timeout: float = 3.0) -> str | None:
    """The first ``PROXY host:port`` a PAC file returns, for the common PAC files that name
    one proxy for everything (fetched once per five minutes, not per client). A PAC file
    whose answer depends on the URL needs a JavaScript engine ByteOS does not ship: its first
    ``PROXY`` is used for every request, and with none (``DIRECT`` only, or the file cannot
    be fetched) the system proxy settings apply."""
    now = time.monotonic()
    with _pac_lock:
        hit = _pac_cache.get(pac_url)
        if hit is not None and now - hit[0] < _PAC_TTL_S:
            return hit[1]
    import httpx

    try:
        text = httpx.get(pac_url, timeout=timeout, trust_env=False).text
    except httpx.HTTPError:
        text = ""
    found = _PAC_PROXY.search(text)
    proxy = f"http://{found.group(1)}" if found else None
    with _pac_lock:
        _pac_cache[pac_url] = (now, proxy)
    return proxy


def make_client(
    config: Settings | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    connect: float = CONNECT_TIMEOUT,
    library: str = "httpx",
    **options: Any,
) -> Any:
    """An ``httpx.Client`` (or ``httpx2.Client``) with time-outs, proxy and CAs from
    ``config`` (the current settings by default). ``options`` go to the client as they are
    (``event_hooks``, ``follow_redirects``, ``base_url``...)."""
    http = importlib.import_module(library)
    config = config or current_settings()
    return http.Client(
        timeout=http.Timeout(timeout, connect=connect),
        proxy=proxy_for(config),
        verify=ssl_context(config),
        trust_env=trust_env(config),
        **options,
    )


def aiohttp_options(config: Settings | None = None) -> dict[str, Any]:
    """``proxy`` and ``ssl`` for an aiohttp request (edge-tts's websocket): the explicit
    proxy if there is one (aiohttp follows ``HTTPS_PROXY`` itself when ``trust_env``)."""
    config = config or current_settings()
    return {"proxy": proxy_for(config), "ssl": ssl_context(config)}
