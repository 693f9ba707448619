"""Refit the shared weights the app ships (:mod:`engine.adaptive.kt_defaults`).

Fits the production ``logistic_kt`` model on every learner of the training file in
``../shared/data`` (relative to the repository) and prints the module's new text.

    .venv/bin/python -m bench.kt_fit_defaults > engine/adaptive/kt_defaults.py
"""

from __future__ import annotations

import sys

from bench.kt_eval import DATA_DIR, TRAIN_FILE, load_log
from engine.adaptive.knowledge_tracing import PRODUCTION_MODEL, LogisticKT


def main() -> int:
    logs = load_log(DATA_DIR / TRAIN_FILE)
    model = LogisticKT(PRODUCTION_MODEL)
    model.fit(list(logs.values()))
    print(f'"""Shared weights of ``{PRODUCTION_MODEL}`` for skills it was not trained on.')
    print()
    print(f"Fitted by ``bench/kt_fit_defaults.py`` on all {len(logs)} learners of {TRAIN_FILE}.")
    print("One weight per feature, in the order of ``LogisticKT(...).feature_names``.")
    print('"""')
    print()
    print("DEFAULT_SHARED_WEIGHTS: tuple[float, ...] = (")
    for name, w in zip(model.feature_names, model.weights.shared, strict=True):
        print(f"    {w:.6f},  # {name}")
    print(")")
    print(f"[kt_fit_defaults] fitted on {len(logs)} learners", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
