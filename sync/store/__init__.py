"""The local SQLite mirror of the canonical ByteOS schema."""
