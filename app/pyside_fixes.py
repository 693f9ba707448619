"""A work-around for a reference-counting bug of PySide6 6.12.0 on Python 3.11.

The binding returns ``None``, ``True`` and ``False`` without taking a reference to them, as
if they were immortal (which they are only from Python 3.12, PEP 683): every call of a void
Qt method from Python (``setText``, ``processEvents``, ``start``...) takes one reference from
``None``, every ``Signal.emit`` one from ``True``. ``None`` has about 66,000 references in
this app, ``True`` about 14,500; a session (or one pytest process) that makes that many calls
aborts with "none_dealloc: deallocating None" / "bool_dealloc", wherever the count runs out.

:func:`install` does what Python 3.12 does: it gives these three singletons a reference
count so large that no amount of lost references brings it to zero. They are never freed
anyway, so nothing else changes. It runs once, at import, on Python < 3.12 only; remove this
module once the pinned PySide6 no longer loses references (``losses()`` then shows zeros).
"""

from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 40  # ~10^12 lost references; 3.12's immortal count is of the same order
_installed = False


def losses() -> dict[str, int]:
    """References one void call and one emit take from None and True (0 when fixed)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    n0, t0 = sys.getrefcount(None), sys.getrefcount(True)
    probe.setObjectName("probe")
    n1 = sys.getrefcount(None)
    probe.ping.emit()
    t1 = sys.getrefcount(True)
    return {"None": n0 - n1, "True": t0 - t1}


def install() -> bool:
    """Make None, True and False effectively immortal (Python < 3.12). Idempotent."""
    global _installed
    if _installed or sys.version_info >= (3, 12):
        return _installed
    for obj in (None, True, False):
        # ob_refcnt is the first field of every object; the GIL is held here
        ctypes.c_ssize_t.from_address(id(obj)).value += _BOOST
    _installed = True
    return True


install()
