"""Slides drawn with Pillow: every kind renders at the asked size and shows its text."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops

from engine.content import parse_blocks
from engine.media.script import Slide, SlideItem, build_script
from engine.media.slides import SlideTheme, font, render_slide, wrap


def _ink(img: Image.Image, box: tuple[int, int, int, int], bg: str) -> float:
    """Fraction of pixels in ``box`` that differ from the background."""
    region = img.crop(box)
    diff = ImageChops.difference(region, Image.new("RGB", region.size, bg)).convert("L")
    hist = diff.histogram()
    return 1 - hist[0] / sum(hist)


def test_every_kind_renders(tmp_path: Path) -> None:
    pic = tmp_path / "pic.png"
    Image.new("RGB", (400, 300), "#CC2222").save(pic)
    blocks = parse_blocks([
        {"type": "heading", "text": "Spacing"},
        {"type": "paragraph", "text": "Spread study over days. " * 4},
        {"type": "list", "items": ["One", "Two"]},
        {"type": "callout", "style": "tip", "text": "Short sessions."},
        {"type": "code", "language": "python", "code": "for i in range(3):\n    print(i)"},
        {"type": "image", "src": "asset://x/pic.png", "alt": "A red box", "caption": "Red"},
    ])  # fmt: skip
    script = build_script("Why we forget", blocks, "Course")
    bg = SlideTheme().background
    for slide in script.slides:
        img = render_slide(slide, len(script.slides), (640, 360), image_path=lambda _s: pic)
        assert img.size == (640, 360) and img.mode == "RGB"
        if slide.kind != "title":
            assert _ink(img, (0, 70, 640, 330), bg) > 0.02, slide.kind  # the body has ink
    image_slide = render_slide(script.slides[-1], 6, (1280, 720), image_path=lambda _s: pic)
    assert image_slide.getpixel((640, 360)) == (204, 34, 34)  # the picture is in the middle


def test_missing_picture_draws_a_placeholder() -> None:
    slide = Slide(0, "image", "T", "n", image_src="asset://gone.png", caption="Gone")
    img = render_slide(slide, 1, image_path=lambda _s: None)
    assert img.size == (1280, 720)


def test_long_text_shrinks_to_fit() -> None:
    long = Slide(1, "content", "T", "n", items=tuple(SlideItem("word " * 80) for _ in range(5)))
    img = render_slide(long, 2)
    th = SlideTheme()
    assert _ink(img, (0, 650, 1280, 670), th.background) == 0  # nothing runs into the footer


def test_wrap_measures_pixels_and_splits_long_words() -> None:
    f = font("sans", 20)
    lines = wrap("a " * 50 + "x" * 200, f, 200)
    assert all(f.getlength(ln) <= 200 for ln in lines)
    assert "".join(lines).replace(" ", "") == "a" * 50 + "x" * 200
