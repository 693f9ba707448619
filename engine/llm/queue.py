"""One queue for the heavy model work of the whole process.

On a 2-core laptop two heavy jobs at once (the tutor's answer and a course being generated,
or the embedding of a new course) do not each run at half speed: they fight for the same
cores and caches and both become many times slower (measured: 146 s to the tutor's first
token while a generation ran, against 7 s alone). So every heavy job — a local model's
generation or prompt reading, a batch of embeddings — holds the queue while it computes, and
only one holds it at a time.

Jobs have a priority: :data:`INTERACTIVE` (a learner waiting on Byte) goes before
:data:`BACKGROUND` (generation, fact-check, prefilling prompt states, indexing). A running
background job is not killed: it calls :meth:`ModelQueue.pause_point` between units of work
(a token, a batch of prompt, a batch of embeddings), which hands the queue to a waiting
interactive job and takes it back afterwards. A waiting job is told it waits (``on_wait``),
so the UI can say so instead of looking frozen.

Pure threading: no Qt, no model code here.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from engine.llm.base import GenerationCancelled

INTERACTIVE = 0
BACKGROUND = 10


@dataclass(frozen=True)
class Job:
    """Who is asking: set once by the caller (:func:`job`), read by every hold below it, so a
    provider or an embedder deep in a call needs no extra parameters."""

    priority: int = BACKGROUND
    on_wait: Callable[[str], None] | None = None
    cancelled: Callable[[], bool] | None = None
    name: str = ""  # what the UI calls this work ("Generating a course"); told to waiters


_JOB: contextvars.ContextVar[Job | None] = contextvars.ContextVar("byteos_model_job", default=None)
_DEFAULT_JOB = Job()


@contextlib.contextmanager
def job(
    priority: int = BACKGROUND,
    *,
    on_wait: Callable[[str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    name: str = "",
) -> Iterator[Job]:
    """Run the body as one kind of job (e.g. the tutor: ``job(INTERACTIVE, on_wait=...)``)."""
    current = Job(priority, on_wait, cancelled, name)
    token = _JOB.set(current)
    try:
        yield current
    finally:
        _JOB.reset(token)


def current_job() -> Job:
    return _JOB.get() or _DEFAULT_JOB


@dataclass(order=True)
class _Ticket:
    priority: int
    seq: int
    name: str = field(compare=False)


class ModelQueue:
    """A priority lock with cooperative hand-over; re-entrant for the thread holding it."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._waiting: list[_Ticket] = []
        self._holder: threading.Thread | None = None
        self._holder_ticket: _Ticket | None = None
        self._depth = 0
        self._seq = itertools.count()

    # -- state ----------------------------------------------------------------------------
    @property
    def busy_with(self) -> str | None:
        """The name of the job holding the queue, if any."""
        with self._cond:
            return self._holder_ticket.name if self._holder_ticket else None

    def waiting(self) -> list[str]:
        with self._cond:
            return [t.name for t in sorted(self._waiting)]

    def _first(self) -> _Ticket | None:
        return min(self._waiting) if self._waiting else None

    # -- holding --------------------------------------------------------------------------
    @contextlib.contextmanager
    def hold(self, name: str, spec: Job | None = None) -> Iterator[None]:
        """Hold the queue for a heavy job, as the current :func:`job` (or ``spec``) says: its
        priority, ``on_wait(holder)`` if it must wait, and ``cancelled``, polled while
        waiting (a cancelled wait raises :class:`Cancelled`)."""
        spec = spec or current_job()
        priority, on_wait, cancelled = spec.priority, spec.on_wait, spec.cancelled
        name = spec.name or name
        me = threading.current_thread()
        with self._cond:
            if self._holder is me:  # nested: the outer hold already owns it
                self._depth += 1
                reentrant = True
            else:
                reentrant = False
                self._acquire(_Ticket(priority, next(self._seq), name), on_wait, cancelled)
        try:
            yield
        finally:
            with self._cond:
                if reentrant:
                    self._depth -= 1
                else:
                    self._release()

    def _acquire(
        self,
        ticket: _Ticket,
        on_wait: Callable[[str], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        """(with the condition held)"""
        self._waiting.append(ticket)
        told = False
        try:
            while self._holder is not None or self._first() is not ticket:
                if cancelled is not None and cancelled():
                    raise Cancelled(f"{ticket.name}: stopped while waiting")
                if not told and on_wait is not None and self._holder_ticket is not None:
                    told = True
                    holder = self._holder_ticket.name
                    self._cond.release()  # never call out with the lock held
                    try:
                        on_wait(holder)
                    finally:
                        self._cond.acquire()
                    continue
                self._cond.wait(0.1)
        finally:
            self._waiting.remove(ticket)
        self._holder, self._holder_ticket, self._depth = threading.current_thread(), ticket, 0
        self._cond.notify_all()

    def _release(self) -> None:
        self._holder, self._holder_ticket, self._depth = None, None, 0
        self._cond.notify_all()

    # -- handing over ---------------------------------------------------------------------
    def should_yield(self) -> bool:
        """A job of higher priority than the holder's is waiting."""
        with self._cond:
            first, mine = self._first(), self._holder_ticket
            return first is not None and mine is not None and first.priority < mine.priority

    def pause_point(
        self,
        before: Callable[[], None] | None = None,
        after: Callable[[], None] | None = None,
    ) -> bool:
        """Called by the holder between units of work: if a higher-priority job waits, let it
        run (``before`` saves what the other job would overwrite, ``after`` restores it) and
        return True once the queue is back. Re-entrant holds never yield (the outer one may
        be mid-step)."""
        me = threading.current_thread()
        with self._cond:
            if self._holder is not me or self._depth or self._holder_ticket is None:
                return False
            first, mine = self._first(), self._holder_ticket
            if first is None or first.priority >= mine.priority:
                return False
        if before is not None:
            before()
        with self._cond:
            self._release()
            # queue up again behind the waiting job(s) of higher priority, ahead of equals
            self._acquire(_Ticket(mine.priority, -1, mine.name), None, None)
        if after is not None:
            after()
        return True


class Cancelled(GenerationCancelled):
    """A job was cancelled while it waited for the queue."""


DEFAULT_QUEUE = ModelQueue()
"""The process's queue: every provider and embedder uses it unless given another."""
