"""Fine-tuning on the organisation's own data (issue 16).

Why a package of its own: the data set is built by pure logic (:mod:`engine.finetune.dataset`:
de-identification, deduplication, the chat JSONL format, its size) that is tested without a
database or a network, while the one adapter that talks to a provider
(:mod:`engine.finetune.together_jobs`, Together AI's fine-tuning API through its SDK) is kept
apart and imports the SDK only when called.
"""
