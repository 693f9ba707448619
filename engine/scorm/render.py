"""The SCO pages: every module's blocks and quiz as self-contained HTML, and the CSS.

Authored text is escaped (course content is untrusted), and the colon of a ``://`` in text is
written as ``&#58;`` so that a web address *mentioned* in a paragraph is shown as it is but
never looks like a reference to the network to the package check (a package must play
offline). The quiz markup is static; ``runtime/scorm12.js`` grades it from the answer key in
the page's ``byteos-sco`` JSON, reveals the explanation after a right answer or on "Show the
answer", and talks to the LMS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from engine.accessibility import contrast_ratio
from engine.content import (
    Block,
    CalloutBlock,
    CodeBlock,
    HeadingBlock,
    ImageBlock,
    ListBlock,
    ParagraphBlock,
    Question,
)
from engine.scorm.model import ScormCourse, ScormModule
from engine.templates import Template, template

RUNTIME_PATH = "shared/scorm12.js"
CSS_PATH = "shared/course.css"
_CALLOUT_LABEL = {"info": "Note", "tip": "Tip", "warning": "Watch out"}
_MONO = "'DejaVu Sans Mono', 'Noto Sans Mono', monospace"


def text(value: str) -> str:
    """Escaped text, with ``://`` defused (see the module docstring)."""
    return escape(value, quote=True).replace("://", "&#58;//")


@dataclass(frozen=True)
class Sco:
    """One launchable page: its file, title and the modules it plays."""

    href: str
    title: str
    module_indexes: tuple[int, ...]


def _block(block: Block, image_paths: Mapping[str, str]) -> str:
    if isinstance(block, HeadingBlock):
        level = min(block.level + 1, 5)  # h1 is the module title
        return f"<h{level}>{text(block.text)}</h{level}>"
    if isinstance(block, ParagraphBlock):
        paras = (text(p).replace("\n", "<br>") for p in block.text.split("\n\n"))
        return "".join(f"<p>{p}</p>" for p in paras)
    if isinstance(block, ListBlock):
        tag = "ol" if block.ordered else "ul"
        return f"<{tag}>" + "".join(f"<li>{text(i)}</li>" for i in block.items) + f"</{tag}>"
    if isinstance(block, ImageBlock):
        caption = f"<figcaption>{text(block.caption)}</figcaption>" if block.caption else ""
        src = escape(image_paths[block.src], quote=True)
        return f'<figure><img src="{src}" alt="{text(block.alt)}">{caption}</figure>'
    if isinstance(block, CalloutBlock):
        label = _CALLOUT_LABEL[block.style]
        return (
            f'<aside class="callout callout-{block.style}" role="note">'
            f"<strong>{label}.</strong> {text(block.text)}</aside>"
        )
    if isinstance(block, CodeBlock):
        lang = f' data-language="{text(block.language)}"' if block.language else ""
        return f"<pre{lang}><code>{text(block.code)}</code></pre>"
    raise TypeError(f"unknown block {block!r}")


def _question(q: Question, index: int, number: int) -> str:
    multi = q.type == "multiple"
    kind = "checkbox" if multi else "radio"
    hint = "Choose all that apply." if multi else "Choose one answer."
    choices = "".join(
        f'<label class="choice"><input type="{kind}" name="q{index}" value="{i}"> '
        f"<span>{text(c.text)}</span></label>"
        for i, c in enumerate(q.choices)
    )
    explanation = (
        f'<div class="explanation" hidden><strong>Why:</strong> {text(q.explanation)}</div>'
        if q.explanation.strip()
        else '<div class="explanation" hidden></div>'
    )
    return (
        f'<fieldset class="q" data-q="{index}"><legend>{number}. {text(q.prompt)}</legend>'
        f'<p class="hint">{hint}</p>{choices}<div class="actions">'
        '<button type="button" data-act="check">Check answer</button> '
        '<button type="button" data-act="reveal" class="secondary">Show the answer</button>'
        '</div><p class="feedback" aria-live="polite"></p>'
        f"{explanation}</fieldset>"
    )


def media_paths(prefix: str, module: ScormModule) -> list[tuple[str, str | None]]:
    """Package paths of the module's media and captions, e.g. ``media/m01-audio.mp3``."""
    return [
        (
            f"media/{prefix}-{m.kind}{m.suffix.lower()}",
            f"media/{prefix}-{m.kind}.vtt" if m.captions else None,
        )
        for m in module.media
    ]


def _media(module: ScormModule, prefix: str, lang: str) -> str:
    out = []
    for m, (path, vtt) in zip(module.media, media_paths(prefix, module), strict=True):
        label = "Listen to this module" if m.kind == "audio" else "Watch this module"
        track = (
            f'<track kind="captions" src="{vtt}" srclang="{text(lang)}" label="Captions" default>'
            if vtt
            else ""
        )
        out.append(
            f'<figure class="media"><figcaption>{label}</figcaption>'
            f'<{m.kind} controls preload="metadata" src="{path}">{track}</{m.kind}></figure>'
        )
    return "".join(out)


def _module(
    module: ScormModule,
    position: int,
    first_q: int,
    paths: Mapping[str, str],
    media: str = "",
) -> str:
    body = media + "".join(_block(b, paths) for b in module.blocks)
    if module.quiz:
        questions = "".join(_question(q, first_q + n, n + 1) for n, q in enumerate(module.quiz))
        after_reading = '<button type="button" data-act="quiz">Continue to the quiz</button>'
        quiz = (
            f'<div class="quiz" hidden><h2>Check your understanding</h2>{questions}'
            '<p class="result" role="status"></p>'
            '<button type="button" data-act="retake" hidden>Try the quiz again</button></div>'
        )
    else:
        after_reading = '<button type="button" data-act="complete">Complete this module</button>'
        quiz = ""
    return (
        f'<section class="module" data-m="{position}" hidden>'
        f"<h1>{text(module.title)}</h1>"
        f'<div class="read">{body}<div class="actions">{after_reading}</div></div>'
        f'{quiz}<p class="done" role="status" hidden>This module is complete.</p></section>'
    )


def sco_config(course: ScormCourse, sco: Sco, id_prefix: str) -> dict[str, object]:
    """What the runtime needs: answer keys, where each module's questions are, the mastery."""
    modules: list[dict[str, object]] = []
    questions: list[dict[str, object]] = []
    for index in sco.module_indexes:
        module = course.modules[index]
        start = len(questions)
        for q in module.quiz:
            n = len(questions) + 1
            questions.append(
                {
                    "id": f"{id_prefix}q{n}",
                    "key": [i for i, c in enumerate(q.choices) if c.correct],
                    "n": len(q.choices),
                    "multi": q.type == "multiple",
                }
            )
        modules.append({"title": module.title, "q": [start, len(questions)]})
    return {
        "v": 1,
        "title": sco.title,
        "mastery": course.mastery_score,
        "modules": modules,
        "questions": questions,
    }


def sco_page(
    course: ScormCourse,
    sco: Sco,
    config: Mapping[str, object],
    image_paths: Mapping[str, str],
    logo_path: str | None,
) -> str:
    parts: list[str] = []
    first_q = 0
    for position, index in enumerate(sco.module_indexes):
        module = course.modules[index]
        media = _media(module, f"m{index + 1:02d}", course.language)
        parts.append(_module(module, position, first_q, image_paths, media))
        first_q += len(module.quiz)
    nav = (
        '<nav class="modnav" aria-label="Modules">'
        '<button type="button" data-act="prev" class="secondary">Previous module</button>'
        '<span class="where" aria-live="polite"></span>'
        '<button type="button" data-act="next">Next module</button></nav>'
        if len(sco.module_indexes) > 1
        else ""
    )
    brand = course.branding
    logo = (
        f'<img class="logo" src="{logo_path}" alt="{text(brand.org_name or "Logo")}">'
        if logo_path
        else ""
    )
    org = f'<span class="org">{text(brand.org_name)}</span>' if brand.org_name else ""
    payload = json.dumps(config, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")
    return (
        f'<!DOCTYPE html>\n<html lang="{text(course.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{text(sco.title)}</title>"
        f'<link rel="stylesheet" href="{CSS_PATH}">'
        f'<script type="application/json" id="byteos-sco">{payload}</script>'
        f'<script src="{RUNTIME_PATH}" defer></script></head><body>'
        f'<header class="brand">{logo}{org}<span class="course">{text(course.title)}</span>'
        "</header>"
        '<p id="lms-note" class="note" role="status" hidden></p>'
        f"<main>{''.join(parts)}{nav}</main></body></html>\n"
    )


def _on(bg: str) -> str:
    """Black or white text, whichever reads better on ``bg``."""
    return (
        "#FFFFFF" if contrast_ratio("#FFFFFF", bg) >= contrast_ratio("#111111", bg) else "#111111"
    )


def stylesheet(course: ScormCourse) -> str:
    t: Template = template(course.template_id)
    bar = course.branding.primary_color or t.accent
    button = t.accent
    focus = course.branding.secondary_color or t.accent
    h2_deco = {
        "plain": "",
        "underline": f"border-bottom: 2px solid {t.accent};",
        "band": f"background: {t.callout_bg}; padding: 4px 8px;",
    }[t.heading_style]
    callout = (
        f"border: 1px solid {t.accent}; background: transparent;"
        if t.callout_style == "bordered"
        else f"background: {t.callout_bg};"
    )
    return f"""html {{ background: {t.background}; }}
body {{ margin: 0; color: {t.text}; background: {t.background}; font-family: {t.body_font};
  font-size: {t.body_pt:.1f}pt; line-height: {t.line_height}%; }}
header.brand {{ display: flex; align-items: center; gap: 12px; padding: 10px 24px;
  background: {bar}; color: {_on(bar)}; }}
header.brand .logo {{ height: 32px; }}
header.brand .org {{ font-weight: bold; }}
header.brand .course {{ margin-left: auto; }}
main {{ max-width: 760px; margin: 0 auto; padding: 16px 24px 48px; }}
h1, h2, h3, h4, h5 {{ color: {t.accent}; font-family: {t.heading_font}; line-height: 1.25; }}
h2 {{ {h2_deco} }}
figure {{ margin: 16px 0; text-align: center; }}
figure img, figure video {{ max-width: 100%; height: auto; }}
figure.media audio {{ width: 100%; }}
figcaption {{ color: {t.muted}; font-size: 90%; }}
.callout {{ {callout} padding: 12px 16px; margin: 12px 0; border-radius: 6px; }}
.callout strong {{ color: {t.accent}; }}
pre {{ background: {t.code_bg}; padding: 10px 12px; overflow-x: auto; font-family: {_MONO}; }}
button {{ font: inherit; padding: 8px 16px; margin: 4px 4px 4px 0; border-radius: 6px;
  border: 2px solid {button}; background: {button}; color: {_on(button)}; cursor: pointer; }}
button.secondary {{ background: transparent; color: {t.text}; }}
button:focus-visible, input:focus-visible {{ outline: 3px solid {focus}; outline-offset: 2px; }}
fieldset.q {{ border: 1px solid {t.muted}; border-radius: 6px; margin: 16px 0; padding: 12px; }}
fieldset.q legend {{ font-weight: bold; padding: 0 4px; }}
.hint {{ color: {t.muted}; margin: 4px 0 8px; font-size: 90%; }}
label.choice {{ display: block; padding: 4px 0; }}
label.choice.key span {{ font-weight: bold; text-decoration: underline; }}
.feedback {{ font-weight: bold; min-height: 1em; }}
.explanation {{ background: {t.callout_bg}; padding: 8px 12px; border-radius: 6px; }}
.note {{ background: {t.callout_bg}; color: {t.text}; margin: 0; padding: 8px 24px; }}
.result, .done {{ font-weight: bold; }}
nav.modnav {{ display: flex; align-items: center; gap: 12px; margin-top: 24px; }}
nav.modnav .where {{ flex: 1; text-align: center; color: {t.muted}; }}
[hidden] {{ display: none !important; }}
"""


def image_names(modules: Sequence[ScormModule], suffix_of: Mapping[str, str]) -> dict[str, str]:
    """``src`` → package path, numbered in order of first use (the same image once)."""
    names: dict[str, str] = {}
    for module in modules:
        for block in module.blocks:
            if isinstance(block, ImageBlock) and block.src not in names:
                names[block.src] = f"media/image{len(names) + 1:03d}{suffix_of[block.src]}"
    return names
