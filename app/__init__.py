"""ByteOS Desktop application: Qt views (``shell``, ``studio``, ``learn``) over Qt-free services.

pydantic resolves parts of itself lazily on first use; if that first use happens after PySide6
has installed its import hook (shiboken's feature loader), the lazy import recurses and fails.
Loading the content schema here, before any view imports Qt, completes pydantic's imports.

PySide6 6.12.0 on Python 3.11 loses a reference to ``None``/``True``/``False`` on every void
call and emit; ``app.pyside_fixes`` makes them immortal (as Python 3.12 does) before anything
else runs, so no process of ours can run them out.
"""

import app.pyside_fixes  # noqa: F401  (see above; ctypes only, no Qt import)
import engine.content  # noqa: F401  (see above)
import sync.store.json_shapes  # noqa: F401
