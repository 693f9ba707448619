"""Drawing a :class:`~engine.media.script.Slide` to an image with Pillow (16:9).

Layout is computed here (wrapped lines, font sizes shrunk until the text fits), so a slide
always shows all of its text. Fonts are DejaVu (Debian ``fonts-dejavu-core``, which the app
already installs for Qt) with Pillow's built-in font as a last resort.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from engine.media.script import Slide
from engine.templates import Template

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
_FONT_FILES = {
    "sans": ("DejaVuSans.ttf", "Arial.ttf", "arial.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf"),
    "mono": ("DejaVuSansMono.ttf", "Courier New.ttf", "cour.ttf"),
}


@dataclass(frozen=True)
class SlideTheme:
    background: str = "#F7F8FC"
    band: str = "#1F3A93"
    band_text: str = "#FFFFFF"
    text: str = "#1B1F2A"
    muted: str = "#5A6275"
    accent: str = "#2E6BE6"
    code_bg: str = "#1E2330"
    code_text: str = "#E6E9F2"
    callout: tuple[tuple[str, str], ...] = (
        ("info", "#E6F0FF"),
        ("tip", "#E3F6EA"),
        ("warning", "#FFF1DC"),
    )


def theme_for(t: Template) -> SlideTheme:
    """Slides in a course template's colours (its slide colours, accent and callout tint)."""
    return SlideTheme(
        background=t.slide_background,
        band=t.accent if t.slide_background != t.accent else t.text,
        band_text=t.slide_background,
        text=t.slide_foreground,
        muted=t.muted,
        accent=t.accent,
        code_bg=t.code_bg,
        code_text=t.text,
        callout=(("info", t.callout_bg), ("tip", t.callout_bg), ("warning", t.callout_bg)),
    )


@lru_cache(maxsize=64)
def font(kind: str, size: int) -> Font:
    for folder in _FONT_DIRS:
        for name in _FONT_FILES[kind]:
            path = folder / name
            if path.exists():
                return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def wrap(text: str, fnt: Font, width: float) -> list[str]:
    """Greedy word wrap measured in pixels (a word longer than the line is split)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            trial = f"{line} {word}" if line else word
            if fnt.getlength(trial) <= width:
                line = trial
                continue
            if line:
                lines.append(line)
            line = word
            while len(line) > 1 and fnt.getlength(line) > width:  # a word wider than a line
                cut = len(line) - 1
                while cut > 1 and fnt.getlength(line[:cut]) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def _line_height(fnt: Font) -> int:
    box = fnt.getbbox("Ag")
    return int((box[3] - box[1]) * 1.45)


def render_slide(
    slide: Slide,
    total: int,
    size: tuple[int, int] = (1280, 720),
    theme: SlideTheme | None = None,
    image_path: Callable[[str], Path | None] | None = None,
    footer: str = "",
) -> Image.Image:
    """The slide as an RGB image of ``size``; ``image_path`` resolves an image block's src."""
    th = theme or SlideTheme()
    w, h = size
    s = w / 1280  # everything is laid out for 1280×720 and scaled
    img = Image.new("RGB", size, th.background)
    d = ImageDraw.Draw(img)
    margin = int(64 * s)

    if slide.kind == "title":
        d.rectangle([0, 0, w, h], fill=th.band)
        d.rectangle(
            [margin, int(h * 0.62), margin + int(120 * s), int(h * 0.62) + int(8 * s)],
            fill="#8FB3FF",
        )
        size_px = int(64 * s)
        while True:
            f = font("bold", size_px)
            lines = wrap(slide.title, f, w - 2 * margin)
            if len(lines) * _line_height(f) <= h * 0.45 or size_px <= 24:
                break
            size_px -= 4
        y = int(h * 0.58) - len(lines) * _line_height(f)
        for ln in lines:
            d.text((margin, y), ln, font=f, fill=th.band_text)
            y += _line_height(f)
        if slide.subtitle:
            d.text(
                (margin, int(h * 0.68)),
                slide.subtitle,
                font=font("sans", int(30 * s)),
                fill="#C9D6F5",
            )
        return img

    band_h = int(110 * s)
    d.rectangle([0, 0, w, band_h], fill=th.band)
    title_font = font("bold", int(40 * s))
    title = wrap(slide.title, title_font, w - 2 * margin)[0]
    d.text((margin, band_h // 2), title, font=title_font, fill=th.band_text, anchor="lm")
    foot_font = font("sans", int(20 * s))
    foot_y = h - int(36 * s)
    if footer:
        d.text((margin, foot_y), footer, font=foot_font, fill=th.muted, anchor="lm")
    d.text(
        (w - margin, foot_y),
        f"{slide.index + 1} / {total}",
        font=foot_font,
        fill=th.muted,
        anchor="rm",
    )
    top, bottom = band_h + int(40 * s), h - int(70 * s)
    box_w = w - 2 * margin

    if slide.kind == "code":
        d.rounded_rectangle([margin, top, w - margin, bottom], radius=int(14 * s), fill=th.code_bg)
        pad = int(28 * s)
        code_lines = slide.code.expandtabs(4).split("\n")
        size_px = int(28 * s)
        while size_px > 12:
            f = font("mono", size_px)
            longest = max((f.getlength(ln) for ln in code_lines), default=0)
            if (
                len(code_lines) * _line_height(f) <= bottom - top - 2 * pad
                and longest <= box_w - 2 * pad
            ):
                break
            size_px -= 2
        f = font("mono", size_px)
        y = top + pad
        for ln in code_lines:
            if y + _line_height(f) > bottom - pad:
                break
            d.text((margin + pad, y), ln, font=f, fill=th.code_text)
            y += _line_height(f)
        if slide.language:
            d.text(
                (w - margin - pad, top + pad),
                slide.language,
                font=font("sans", int(20 * s)),
                fill="#8F9BB3",
                anchor="ra",
            )
        return img

    if slide.kind == "image":
        cap_font = font("sans", int(26 * s))
        cap_lines = wrap(slide.caption, cap_font, box_w)[:2] if slide.caption else []
        cap_h = len(cap_lines) * _line_height(cap_font)
        area = (margin, top, w - margin, bottom - cap_h - int(12 * s))
        path = image_path(slide.image_src) if image_path else None
        shown = False
        if path is not None and path.exists():
            try:
                with Image.open(path) as raw:
                    pic = raw.convert("RGB")
                    pic.thumbnail((area[2] - area[0], area[3] - area[1]))
                    x = area[0] + (area[2] - area[0] - pic.width) // 2
                    y = area[1] + (area[3] - area[1] - pic.height) // 2
                    img.paste(pic, (x, y))
                    shown = True
            except OSError:
                shown = False
        if not shown:
            d.rounded_rectangle(area, radius=int(14 * s), outline=th.muted, width=2)
            d.text(
                ((area[0] + area[2]) // 2, (area[1] + area[3]) // 2),
                "Image",
                font=font("sans", int(30 * s)),
                fill=th.muted,
                anchor="mm",
            )
        y = bottom - cap_h
        for ln in cap_lines:
            d.text((w // 2, y), ln, font=cap_font, fill=th.muted, anchor="ma")
            y += _line_height(cap_font)
        return img

    # content and callout slides: paragraphs and bullets, shrunk to fit
    items = slide.items
    pad = int(36 * s)
    if slide.kind == "callout":
        inner = (margin + int(44 * s), top + pad, w - margin - pad, bottom - pad)
    else:
        inner = (margin, top, w - margin, bottom)
    indent = int(40 * s)
    size_px = int(34 * s) if slide.kind == "callout" else int(30 * s)
    while True:
        f = font("sans", size_px)
        lh = _line_height(f)
        laid: list[tuple[str, list[str]]] = []
        height = 0
        for item in items:
            width = inner[2] - inner[0] - (indent if item.bullet else 0)
            lines = wrap(item.text, f, width)
            laid.append((item.bullet, lines))
            height += len(lines) * lh + int(lh * 0.5)
        if height <= inner[3] - inner[1] or size_px <= 14:
            break
        size_px -= 2
    if slide.kind == "callout":  # a tinted box with an accent bar, as tall as its text
        fill = dict(th.callout).get(slide.style, dict(th.callout)["info"])
        box_bottom = min(bottom, inner[1] + height - int(lh * 0.5) + pad + int(6 * s))
        d.rounded_rectangle([margin, top, w - margin, box_bottom], radius=int(18 * s), fill=fill)
        d.rectangle([margin, top, margin + int(10 * s), box_bottom], fill=th.accent)
    y = inner[1]
    for bullet, lines in laid:
        x = inner[0]
        if bullet:
            d.text((x, y), bullet, font=f, fill=th.accent)
            x += indent
        for ln in lines:
            d.text((x, y), ln, font=f, fill=th.text)
            y += lh
        y += int(lh * 0.5)
    return img
