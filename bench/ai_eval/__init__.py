"""``bench.ai_eval``: how far a creator can publish from, and a learner can trust, the AI.

    .venv/bin/python -m bench.ai_eval [--quick] [--docs DIR] [--only coverage,tutor,...]

Runs the app's real paths against whichever language model is configured (the bundled
on-device model by default) and prints, per measure, its details; the last line is one JSON
object with ``coverage``, ``faithfulness``, ``quiz_validity``, ``factcheck_precision``,
``factcheck_recall``, ``citation_precision``, ``citation_recall``, ``followup_success``,
``hint_leak_rate``, ``seconds_per_step`` and the provider and model. The measures and the
data layout are described in ``bench/ai_eval_data/README.md``.
"""
