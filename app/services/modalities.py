"""Which modality to suggest (spec operation ``modality.recommend``).

The learner's events are folded into the twin's modality belief (a Beta posterior per
modality from completions, quiz gains, replays, drop-offs and explicit switches) and the
engine's Thompson-sampling dispatcher picks one, with its reason. The suggestion is only
shown: the learner's choice always wins.
"""

from __future__ import annotations

import random

from app.services import twin
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from engine.adaptive import learner_profile
from engine.adaptive.dispatcher import ModalityRecommendation, draw_seed, recommend
from engine.adaptive.events import Modality

LABELS: dict[str, str] = {
    "text": "Text",
    "video": "Video",
    "audio": "Audio",
    "mindmap": "ByteMind",
    "flashcards": "Flashcards",
    "feed": "ByteFeed",
    "game": "BytePlay",
}


def suggest(
    ctx: AppContext,
    user: CurrentUser,
    module_id: str,
    available: tuple[Modality, ...],
    current: Modality | None = None,
) -> ModalityRecommendation:
    with ctx.db.transaction() as s:
        events = twin.load_events(s, user.id)
    belief = learner_profile.rebuild(events).modality_belief
    # one draw per learner, module and evidence: reopening a module (which adds events but
    # no evidence) keeps the suggestion; a new outcome redraws it
    rng = random.Random(draw_seed(user.id, module_id, belief))
    return recommend(belief, rng=rng, available=available, current=current)
