"""ByteOS Desktop application: Qt views (``shell``, ``studio``, ``learn``) over Qt-free services."""
