"""ByteOS Desktop application: Qt views (``shell``, ``studio``, ``learn``) over Qt-free services.

pydantic resolves parts of itself lazily on first use; if that first use happens after PySide6
has installed its import hook (shiboken's feature loader), the lazy import recurses and fails.
Loading the content schema here, before any view imports Qt, completes pydantic's imports.
"""

import engine.content  # noqa: F401  (see above)
import sync.store.json_shapes  # noqa: F401
