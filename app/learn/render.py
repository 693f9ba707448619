"""Module content blocks rendered as HTML for the Text modality (Qt-free).

Every piece of authored text is escaped: course content is untrusted and must never inject
markup. Images resolve through the asset store to local files so they show offline.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from engine.content import (
    Block,
    CalloutBlock,
    CodeBlock,
    HeadingBlock,
    ImageBlock,
    ListBlock,
    ParagraphBlock,
)
from engine.templates import DEFAULT, Template

_CALLOUT_LABEL = {"info": "Note", "tip": "Tip", "warning": "Watch out"}


def block_html(
    block: Block,
    resolve_image: Callable[[str], str] | None = None,
    template: Template = DEFAULT,
) -> str:
    t = template
    if isinstance(block, HeadingBlock):
        level = block.level + 1  # h1 is the module title
        return f"<h{level}>{escape(block.text)}</h{level}>"
    if isinstance(block, ParagraphBlock):
        paras = (escape(p) for p in block.text.split("\n\n"))
        return "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paras)
    if isinstance(block, ListBlock):
        tag = "ol" if block.ordered else "ul"
        items = "".join(f"<li>{escape(i)}</li>" for i in block.items)
        return f"<{tag}>{items}</{tag}>"
    if isinstance(block, ImageBlock):
        src = resolve_image(block.src) if resolve_image else block.src
        caption = (
            f"<br><span style='color:{t.muted}'>{escape(block.caption)}</span>"
            if block.caption
            else ""
        )
        return (
            f"<p align='center'><img src='{escape(src, quote=True)}' "
            f"alt='{escape(block.alt, quote=True)}' width='560'>{caption}</p>"
        )
    if isinstance(block, CalloutBlock):
        label = _CALLOUT_LABEL[block.style]
        if t.callout_style == "bordered":
            box = f"border='1' style='border-color:{t.accent}; margin:8px 0'"
        else:
            box = f"style='background-color:{t.callout_bg}; margin:8px 0'"
        return (
            f"<table width='100%' cellpadding='12' cellspacing='0' {box}><tr><td>"
            f"<b style='color:{t.accent}'>{label}.</b> {escape(block.text)}</td></tr></table>"
        )
    if isinstance(block, CodeBlock):
        return f"<pre style='padding:10px'>{escape(block.code)}</pre>"
    raise TypeError(f"unknown block {block!r}")


def module_html(
    title: str,
    blocks: list[Block],
    resolve_image: Callable[[str], str] | None = None,
    template: Template = DEFAULT,
) -> str:
    body = "".join(block_html(b, resolve_image, template) for b in blocks)
    return f"<h1>{escape(title)}</h1>{body}"
