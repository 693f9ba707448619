"""ByteOS engine: pure learning logic (no Qt, no SQL, no network at import).

Inputs and outputs are plain dataclasses or pydantic models so every algorithm can be
tested without a window or a database.
"""
