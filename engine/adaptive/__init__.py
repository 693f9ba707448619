"""The adaptive engine: the Digital Learner Twin.

Everything here is a pure function (or a small online model) over plain dataclasses, so the
Learn app, the sync layer and the benchmarks can all drive it the same way. The pieces are:

* :mod:`engine.adaptive.events` — the learning-event vocabulary the twin is built from.
* :mod:`engine.adaptive.learner_profile` — folds events into the ``learner_profiles`` row.
* :mod:`engine.adaptive.knowledge_tracing` — per learner × skill mastery (BKT with
  forgetting, Elo, PFA/R-PFA, and the production model ``logistic_kt``: a regularised
  logistic model over prior successes and failures, recency-weighted rates and recent answers,
  ``kt_logistic``; chosen on ``bench.kt_eval``).
* :mod:`engine.adaptive.skill_gaps` — open / resolved gaps against a course's target skills.
* :mod:`engine.adaptive.difficulty` — next question in the 70–85 % success band.
* :mod:`engine.adaptive.spaced_repetition` — flashcards and FSRS scheduling.
* :mod:`engine.adaptive.dispatcher` — the Thompson-sampling modality recommender.
* :mod:`engine.adaptive.next_action` — the single next best action shown on the dashboard.
"""
