"""A write the disk refused, anywhere in the app, reaches the person as the window's banner.

Why a hook and not one ``try`` per button: Studio's editors, dialogs and every later screen
write through services, and a full or read-only disk raises ``DatabaseError`` from any of
them. Learning events are queued and retried by ``app.services.pending``; for every other
write the edit is still on screen (editors keep it until it is saved), so what the person
needs is to know, without a modal, that it was not saved and why. A slot that lets a
``DatabaseError`` escape is reported here; any other exception goes to the previous hook.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType

from sync.store.database import DatabaseError

log = logging.getLogger(__name__)

Hook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def install(report: Callable[[str], None]) -> Callable[[], None]:
    """Send unhandled database errors to ``report``; returns a function that uninstalls."""
    previous: Hook = sys.excepthook

    def hook(kind: type[BaseException], err: BaseException, tb: TracebackType | None) -> None:
        if isinstance(err, DatabaseError):
            log.warning("a write was refused: %s", err)
            report(
                f"Your last change was not saved: {err}. It is still on screen: save it again "
                "once the disk has room or can be written."
            )
            return
        previous(kind, err, tb)

    sys.excepthook = hook

    def uninstall() -> None:
        if sys.excepthook is hook:
            sys.excepthook = previous

    return uninstall
