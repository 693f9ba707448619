"""ByteFeed: a module as a vertical feed of one-idea cards, with a question every few cards.

Learning in small bites: each card holds one idea (a sentence pair, a list item, a callout),
labelled with the heading it sits under, and every ``question_every`` cards a quiz question
checks the last few ideas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
from engine.modalities.text_units import sentences

CardKind = Literal["idea", "tip", "image", "code", "question"]


@dataclass(frozen=True)
class FeedCard:
    kind: CardKind
    topic: str
    text: str
    question: Question | None = None
    image_src: str | None = None


def feed_cards(
    title: str, blocks: list[Block], quiz: list[Question], *, question_every: int = 4
) -> list[FeedCard]:
    ideas: list[FeedCard] = []
    topic = title
    for b in blocks:
        if isinstance(b, HeadingBlock):
            topic = b.text
        elif isinstance(b, ParagraphBlock):
            sents = sentences(b.text)
            for i in range(0, len(sents), 2):  # two sentences make one bite
                ideas.append(FeedCard("idea", topic, " ".join(sents[i : i + 2])))
        elif isinstance(b, ListBlock):
            ideas.extend(FeedCard("idea", topic, item) for item in b.items)
        elif isinstance(b, CalloutBlock):
            ideas.append(FeedCard("tip", topic, b.text))
        elif isinstance(b, ImageBlock):
            ideas.append(FeedCard("image", topic, b.caption or b.alt, image_src=b.src))
        elif isinstance(b, CodeBlock):
            ideas.append(FeedCard("code", topic, b.code))
    cards: list[FeedCard] = []
    questions = iter(quiz)
    for i, card in enumerate(ideas, start=1):
        cards.append(card)
        if i % question_every == 0:
            q = next(questions, None)
            if q is not None:
                cards.append(FeedCard("question", topic, q.prompt, question=q))
    cards.extend(FeedCard("question", title, q.prompt, question=q) for q in questions)
    return cards
