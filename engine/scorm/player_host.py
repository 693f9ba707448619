"""The page the player loads first: it holds ``window.API`` and the SCO in a frame.

The SCO's API search walks ``window.parent`` and finds the API here, as in any LMS. The
session's values and the data-model rules travel inside the page (a JSON script element),
so the API can answer the SCO's first synchronous calls before anything reaches Python.
"""

from __future__ import annotations

import html
import json
from importlib import resources

from engine.scorm.cmi import rules_json

HOST_DIR = "__byteos__"  # the reserved folder the host page and its scripts are served from


def lms_script() -> bytes:
    return resources.files("engine.scorm").joinpath("runtime/lms_api12.js").read_bytes()


def host_page(title: str, launch: str, values: dict[str, str]) -> bytes:
    """The host page for one session; ``launch`` is the SCO's path in the package (with
    the item's parameters)."""
    boot = json.dumps(
        {"rules": json.loads(rules_json()), "values": values, "launch": "/" + launch},
        ensure_ascii=False,
    ).replace("</", "<\\/")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
html, body {{ margin: 0; height: 100%; background: #ffffff; }}
iframe {{ border: 0; width: 100%; height: 100%; display: block; }}
#byteos-offline {{ font: 14px sans-serif; padding: 8px 12px; background: #fff4e5;
  color: #5c3a00; margin: 0; }}
</style>
<script id="byteos-boot" type="application/json">{boot}</script>
<script src="/{HOST_DIR}/qwebchannel.js"></script>
</head><body>
<p id="byteos-offline" hidden>Progress cannot be tracked here: the player's link is missing.</p>
<iframe id="sco" title="{html.escape(title, quote=True)}"></iframe>
<script src="/{HOST_DIR}/lms_api12.js"></script>
</body></html>
"""
    return page.encode("utf-8")
