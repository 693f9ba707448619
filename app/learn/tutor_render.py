"""The Byte conversation as HTML (Qt-free, so it is tested without a window).

Model output is untrusted text: it is escaped first, then a tiny, safe subset of Markdown
(``**bold**``, ``- `` bullets, line breaks) is applied, and ``[M2]`` citations become links
(``module:<id>``) that the sidebar turns into "open that module".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from app.shell.theme import ACCENT, BORDER, INFO_BG, MUTED

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CITE = re.compile(r"\[\s*M\s*(\d{1,3})\s*\]")

KIND_LABELS = {
    "question": "",
    "hint_request": "Hint",
    "explanation": "Explain",
}


@dataclass
class Exchange:
    question: str
    answer: str = ""
    kind: str = "question"
    citations: Sequence[Mapping[str, object]] = field(default_factory=list)
    model_label: str = ""
    interaction_id: str | None = None
    helpful: bool | None = None
    pending: bool = False
    stopped: bool = False
    error: str = ""


def answer_html(text: str, module_ids: Mapping[int, str]) -> str:
    out: list[str] = []
    in_list = False
    for raw in text.splitlines():
        line = raw.strip()
        bullet = line.startswith(("- ", "* ", "• "))
        if bullet and not in_list:
            out.append("<ul style='margin-top:2px; margin-bottom:2px'>")
            in_list = True
        if not bullet and in_list:
            out.append("</ul>")
            in_list = False
        body = _inline(line[2:] if bullet else line, module_ids)
        if bullet:
            out.append(f"<li>{body}</li>")
        elif body:
            out.append(f"{body}<br>")
        else:
            out.append("<br>")
    if in_list:
        out.append("</ul>")
    html = "".join(out)
    while html.endswith("<br>"):
        html = html[:-4]
    return html


def _inline(text: str, module_ids: Mapping[int, str]) -> str:
    safe = escape(text)
    safe = _BOLD.sub(r"<b>\1</b>", safe)

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        mid = module_ids.get(n)
        if mid is None:
            return m.group(0)
        return f"<a href='module:{escape(mid)}' style='color:{ACCENT}'>[M{n}]</a>"

    return _CITE.sub(link, safe)


def conversation_html(exchanges: Sequence[Exchange], module_ids: Mapping[int, str]) -> str:
    if not exchanges:
        return (
            f"<p style='color:{MUTED}'>Hi, I'm <b>Byte</b>. Ask me anything about this "
            "course — I answer from its modules and show you where. Stuck on the quiz? "
            "Press <b>Hint</b> and I'll nudge you without giving the answer away.</p>"
        )
    parts: list[str] = []
    for ex in exchanges:
        label = KIND_LABELS.get(ex.kind, "")
        tag = f"<span style='color:{MUTED}'>[{label}]</span> " if label else ""
        parts.append(f"<p style='margin-bottom:2px'><b>You</b>: {tag}{escape(ex.question)}</p>")
        body = answer_html(ex.answer, module_ids) if ex.answer else ""
        if ex.pending and not ex.answer:
            body = f"<i style='color:{MUTED}'>Byte is thinking…</i>"
        if ex.error:
            body += f"<br><i style='color:{MUTED}'>{escape(ex.error)}</i>"
        if ex.stopped:
            body += f" <i style='color:{MUTED}'>(stopped)</i>"
        parts.append(
            f"<table width='100%' cellpadding='8' style='background:{INFO_BG}; "
            f"border:1px solid {BORDER}; margin-bottom:4px'><tr><td>"
            f"<b>Byte</b>: {body}</td></tr></table>"
        )
        sources = [c for c in ex.citations if c.get("module_id")]
        meta: list[str] = []
        if sources:
            links = ", ".join(
                f"<a href='module:{escape(str(c['module_id']))}' style='color:{ACCENT}'>"
                f"M{c.get('number', '?')} · {escape(str(c.get('title', '')))}</a>"
                for c in sources
            )
            meta.append(f"Sources: {links}")
        if ex.model_label:
            meta.append(f"Answered by {escape(ex.model_label)}")
        if ex.helpful is not None:
            meta.append("You found this helpful" if ex.helpful else "You marked this unhelpful")
        if meta:
            parts.append(
                f"<p style='color:{MUTED}; font-size:9pt; margin-top:0'>"
                + "<br>".join(meta)
                + "</p>"
            )
    return "".join(parts)
