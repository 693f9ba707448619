"""Hybrid logical clocks: timestamps that order edits across devices despite clock skew.

A stamp is ``WWWWWWWWWWWWW.CCCCC.node``: wall-clock milliseconds, a counter and the device id,
fixed-width so that comparing the strings compares the stamps. ``tick`` never goes backwards
and ``observe`` moves the clock past every stamp seen from other devices, so an edit made
after seeing another device's edit is always later than it, even if this device's wall
clock runs hours behind (Kulkarni et al., 2014).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def _now_ms() -> int:
    return int(time.time() * 1000)


def parse(stamp: str) -> tuple[int, int, str]:
    wall, counter, node = stamp.split(".", 2)
    return int(wall), int(counter), node


def encode(wall: int, counter: int, node: str) -> str:
    return f"{wall:013d}.{counter:05d}.{node}"


class HybridClock:
    def __init__(
        self, node: str, last: str | None = None, now_ms: Callable[[], int] = _now_ms
    ) -> None:
        self.node = node
        self.now_ms = now_ms
        self._lock = threading.Lock()
        self._wall, self._counter = 0, 0
        if last:
            self._wall, self._counter, _ = parse(last)

    @property
    def last(self) -> str:
        return encode(self._wall, self._counter, self.node)

    def tick(self) -> str:
        with self._lock:
            now = self.now_ms()
            if now > self._wall:
                self._wall, self._counter = now, 0
            else:
                self._counter += 1
            return encode(self._wall, self._counter, self.node)

    def observe(self, stamp: str) -> None:
        if not stamp:
            return
        wall, counter, _ = parse(stamp)
        with self._lock:
            if (wall, counter) > (self._wall, self._counter):
                self._wall, self._counter = wall, counter
