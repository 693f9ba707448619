"""ByteOS Desktop application: Qt views (``shell``, ``studio``, ``learn``) over Qt-free services.

PySide6 6.12.0 on Python 3.11 loses a reference to ``None``/``True``/``False`` on every void
call and emit; ``app.pyside_fixes`` makes them immortal (as Python 3.12 does) before anything
else runs, so no process of ours can run them out.

Nothing else loads here: the window's frame is on screen before the content schema
(pydantic), the database (SQLAlchemy) or the services are imported (``app/shell/launch.py``).
"""

import app.pyside_fixes  # noqa: F401  (see above; ctypes only, no Qt import)
