"""App-test defaults: Byte's read-ahead waits for a test that asks for it.

The tutor sidebar starts reading the module on screen in the background 1.5 s after it
opens. On a loaded machine many tests last longer than that, and an extra task on the one
runner would change what they observe (the status bar, the running tasks) at random. Tests
of the read-ahead itself are marked ``read_ahead``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _read_ahead_only_when_asked(request: pytest.FixtureRequest) -> Iterator[None]:
    from app.learn.tutor_sidebar import TutorSidebar

    before = TutorSidebar.PREPARE_AFTER_MS
    if request.node.get_closest_marker("read_ahead") is None:
        TutorSidebar.PREPARE_AFTER_MS = 24 * 3600 * 1000
    else:
        TutorSidebar.PREPARE_AFTER_MS = 50
    yield
    TutorSidebar.PREPARE_AFTER_MS = before
