"""The seven modalities in switcher order, each loaded when first shown (lazy imports keep
start-up fast: media players and graph code load only for the learners who use them)."""

from __future__ import annotations

import importlib

from app.learn.modalities.base import ModalityView

# canonical name, switcher label, module, class
MODALITIES: tuple[tuple[str, str, str, str], ...] = (
    ("text", "Text", "app.learn.modalities.text_view", "TextView"),
    ("video", "Video", "app.learn.modalities.video_view", "VideoView"),
    ("audio", "Audio", "app.learn.modalities.audio_view", "AudioView"),
    ("mindmap", "ByteMind", "app.learn.modalities.mindmap_view", "MindMapView"),
    ("flashcards", "Flashcards", "app.learn.modalities.flashcards_view", "FlashcardsView"),
    ("feed", "ByteFeed", "app.learn.modalities.feed_view", "FeedView"),
    ("game", "BytePlay", "app.learn.modalities.game_view", "GameView"),
)
NAMES: tuple[str, ...] = tuple(m[0] for m in MODALITIES)
LABELS: dict[str, str] = {m[0]: m[1] for m in MODALITIES}


def view_class(name: str) -> type[ModalityView]:
    _, _, module, cls = next(m for m in MODALITIES if m[0] == name)
    view = getattr(importlib.import_module(module), cls)
    assert issubclass(view, ModalityView)
    return view
