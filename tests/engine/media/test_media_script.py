"""The narration script: slides and what is said over each, derived from the blocks."""

from __future__ import annotations

from engine.content import Block, parse_blocks
from engine.media.script import MAX_SLIDE_ITEMS, build_script, script_hash, speakable


def _blocks(*raw: dict[str, object]) -> list[Block]:
    return parse_blocks(list(raw))


def test_title_section_callout_code_and_image_slides() -> None:
    blocks = _blocks(
        {"type": "heading", "text": "Spacing", "level": 2},
        {"type": "paragraph", "text": "Spread study over days"},
        {"type": "list", "items": ["Review tomorrow", "Review next week"], "ordered": True},
        {"type": "callout", "style": "warning", "text": "Cramming fades fast."},
        {"type": "code", "language": "python", "code": "print('hi')"},
        {"type": "image", "src": "asset://ab/cd.png", "alt": "A curve", "caption": "Forgetting"},
    )
    script = build_script("Why we forget", blocks, "Learning How to Learn")
    kinds = [s.kind for s in script.slides]
    assert kinds == ["title", "content", "callout", "code", "image"]
    title, content, callout, code, image = script.slides
    assert title.title == "Why we forget" and title.subtitle == "Learning How to Learn"
    assert "Learning How to Learn" in title.narration
    assert content.title == "Spacing"
    assert content.narration.startswith("Spacing. Spread study over days.")
    assert [i.bullet for i in content.items] == ["", "1.", "2."]
    assert callout.narration == "Warning: Cramming fades fast." and callout.style == "warning"
    assert "print" not in code.narration and "python" in code.narration  # code is not read out
    assert code.code == "print('hi')"
    assert image.image_src == "asset://ab/cd.png" and image.narration == "A curve. Forgetting."
    assert [s.index for s in script.slides] == list(range(5))
    assert script.word_count == len(script.text.split())


def test_long_sections_continue_on_new_slides() -> None:
    items = [f"Point number {n} about spacing" for n in range(MAX_SLIDE_ITEMS * 2 + 1)]
    script = build_script(
        "M", _blocks({"type": "heading", "text": "S"}, {"type": "list", "items": items})
    )
    content = [s for s in script.slides if s.kind == "content"]
    assert len(content) == 3
    assert all(len(s.items) <= MAX_SLIDE_ITEMS for s in content)
    assert all(s.title == "S" for s in content)
    assert content[0].narration.startswith("S.")  # the heading is said once
    assert not content[1].narration.startswith("S.")


def test_heading_without_body_is_still_said() -> None:
    script = build_script("M", _blocks({"type": "heading", "text": "Only a heading"}))
    assert script.slides[-1].narration == "Only a heading."


def test_speakable_strips_markup_and_closes_sentences() -> None:
    assert speakable("  **Bold**   `code`  words ") == "Bold code words."
    assert speakable("Already done!") == "Already done!"


def test_hash_follows_content_not_block_ids() -> None:
    raw = {"type": "paragraph", "text": "Same words"}
    a = build_script("M", _blocks(raw))
    b = build_script("M", _blocks({**raw, "id": "another-id"}))
    c = build_script("M", _blocks({**raw, "text": "Other words"}))
    assert script_hash(a) == script_hash(b)
    assert script_hash(a) != script_hash(c)
    assert script_hash(a, "audio") != script_hash(a, "video")
