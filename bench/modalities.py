"""Time to produce each derived modality for a typical module (the demo's "Why we forget").

    .venv/bin/python -m bench.modalities

Text (HTML in the course template), ByteFeed cards, ByteMind graph + layout, BytePlay game,
Flashcards deck (FSRS cards); audio and video are measured by ``bench.modality_media``.
Median of 50 runs each; prints one JSON object on its last line.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from engine.adaptive.spaced_repetition import generate_flashcards
from engine.content import parse_blocks, parse_quiz
from engine.modalities.feed import feed_cards
from engine.modalities.game import new_game
from engine.modalities.mindmap import build_mindmap, radial_layout

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "demo_content.json"


def _median_ms(fn: Callable[[], object], runs: int = 50) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 3)


def main() -> None:
    from app.learn.render import module_html
    from engine.templates import template

    m = json.loads(DEMO.read_text(encoding="utf-8"))["courses"][0]["modules"][0]
    blocks, quiz = parse_blocks(m["content"]), parse_quiz(m["quiz"])
    now = datetime.now(UTC)
    result = {
        "module": m["title"],
        "blocks": len(blocks),
        "text_html_ms": _median_ms(
            lambda: module_html(m["title"], blocks, None, template("paper"))
        ),
        "feed_ms": _median_ms(lambda: feed_cards(m["title"], blocks, quiz)),
        "mindmap_ms": _median_ms(lambda: radial_layout(build_mindmap(m["title"], blocks))),
        "game_ms": _median_ms(lambda: new_game(blocks, quiz, seed=1)),
        "flashcards_ms": _median_ms(lambda: generate_flashcards("m", blocks, quiz, now=now)),
    }
    for k, v in result.items():
        print(f"{k:16s} {v}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
