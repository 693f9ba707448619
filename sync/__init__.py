"""ByteOS sync: owns every byte of storage (the local SQLite mirror) and, later, the remote."""
