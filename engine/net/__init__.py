"""Network adapters shared by every provider: the one HTTP client factory (:mod:`.http`).

Kept apart from the pure engine packages: this is I/O wiring, chosen by settings."""
