"""BytePlay (spec operation ``game.generate``): a timed challenge from the module's quiz
items and key terms, with score and lives.

The game is a pure state machine so its rules are testable without a window: ``answer``
and ``timeout`` return a new state; the Qt view only draws it and runs the clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from engine.content import Block, Choice, HeadingBlock, ListBlock, ParagraphBlock, Question
from engine.modalities.text_units import sentences, shorten

LIVES = 3
SECONDS_PER_ROUND = 20
BASE_POINTS = 100


@dataclass(frozen=True)
class Round:
    prompt: str
    choices: tuple[Choice, ...]
    question: Question | None  # the quiz item it came from (results count as quiz attempts)
    kind: str  # "quiz" | "term"

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.choices if c.correct)


@dataclass(frozen=True)
class GameState:
    rounds: tuple[Round, ...]
    index: int = 0
    score: int = 0
    lives: int = LIVES
    streak: int = 0
    results: tuple[bool, ...] = field(default=())

    @property
    def over(self) -> bool:
        return self.lives <= 0 or self.index >= len(self.rounds)

    @property
    def current(self) -> Round | None:
        return None if self.over else self.rounds[self.index]


def term_rounds(blocks: list[Block], rng: random.Random, limit: int = 4) -> list[Round]:
    """ "Which heading does this idea belong to?" rounds from the content's structure."""
    sections: list[tuple[str, list[str]]] = []
    for b in blocks:
        if isinstance(b, HeadingBlock):
            sections.append((b.text, []))
        elif sections and isinstance(b, ParagraphBlock):
            sections[-1][1].extend(sentences(b.text)[:1])
        elif sections and isinstance(b, ListBlock):
            sections[-1][1].extend(b.items[:2])
    sections = [(h, ideas) for h, ideas in sections if ideas]
    if len(sections) < 2:
        return []
    rounds: list[Round] = []
    for heading, ideas in sections:
        idea = rng.choice(ideas)
        others = [h for h, _ in sections if h != heading]
        options = [heading, *rng.sample(others, min(2, len(others)))]
        rng.shuffle(options)
        choices = tuple(
            Choice(id=f"opt{i}", text=shorten(o, 50), correct=o == heading)
            for i, o in enumerate(options)
        )
        rounds.append(
            Round(f"Which topic is this about?\n“{shorten(idea, 140)}”", choices, None, "term")
        )
    return rounds[:limit]


def new_game(blocks: list[Block], quiz: list[Question], *, seed: int = 0) -> GameState:
    rng = random.Random(seed)
    rounds = [Round(q.prompt, tuple(q.choices), q, "quiz") for q in quiz]
    rounds.extend(term_rounds(blocks, rng))
    rng.shuffle(rounds)
    return GameState(tuple(rounds))


def answer(state: GameState, selected: frozenset[str], seconds_left: float) -> GameState:
    rnd = state.current
    if rnd is None:
        return state
    correct = selected == rnd.correct_ids
    if correct:
        streak = state.streak + 1
        bonus = round(BASE_POINTS * max(0.0, seconds_left) / SECONDS_PER_ROUND)
        return replace(
            state,
            index=state.index + 1,
            score=state.score + BASE_POINTS + bonus + 25 * (streak - 1),
            streak=streak,
            results=(*state.results, True),
        )
    return replace(
        state,
        index=state.index + 1,
        lives=state.lives - 1,
        streak=0,
        results=(*state.results, False),
    )


def timeout(state: GameState) -> GameState:
    """Time ran out: the round counts as missed."""
    return answer(state, frozenset({"__timeout__"}), 0.0)
