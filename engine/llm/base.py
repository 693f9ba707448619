"""The one interface every language model sits behind, and the errors it raises.

A provider turns a list of chat messages into a stream of text pieces. It must:

* stream (yield pieces as they come, so the UI can show the answer growing),
* honour a :class:`CancelToken` between pieces (and, where it can, while the prompt is read),
* give up after :attr:`GenerationSettings.timeout_s` if the caller sets one (by default
  there is no wall-clock limit: a slow machine gets a slow answer, not a thrown-away one),
* say quickly, without generating, whether it can be used at all (:meth:`availability`).

Errors are plain exceptions with messages a learner can read; nothing here logs a key.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class GenerationSettings:
    max_tokens: int = 320
    temperature: float = 0.2
    top_p: float = 0.9
    timeout_s: float | None = None
    seed: int = 7
    stop: tuple[str, ...] = ()
    # a JSON Schema the answer must satisfy; the local model is constrained to it by a
    # llama.cpp grammar (cloud answers are validated and repaired by the caller)
    json_schema: str | None = None


class LLMError(Exception):
    """Anything that went wrong producing text; the message is fit to show."""


class ProviderUnavailable(LLMError):
    """The provider cannot be used now (no key, offline, model not installed)."""


class ProviderFailed(LLMError):
    """The provider was tried and failed (HTTP error, crash, bad response)."""


class GenerationTimeout(LLMError):
    """No complete answer within the time allowed."""


class GenerationCancelled(LLMError):
    """The learner pressed Stop."""


class NoProviderAvailable(LLMError):
    """Every configured provider was unavailable or failed; ``reasons`` says why, per provider."""

    def __init__(self, reasons: dict[str, str]) -> None:
        self.reasons = dict(reasons)
        detail = "; ".join(f"{k}: {v}" for k, v in reasons.items()) or "none is configured"
        super().__init__(f"No language model is available ({detail}).")


class CancelToken:
    """Set once to stop a generation. Can also follow another flag (e.g. a task's cancel)."""

    def __init__(self, also: Callable[[], bool] | None = None) -> None:
        self._event = threading.Event()
        self._also = also

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set() or (self._also is not None and self._also())

    def check(self) -> None:
        if self.cancelled:
            raise GenerationCancelled("Stopped.")


class Deadline:
    """A monotonic deadline (``None``: none); :meth:`check` raises :class:`GenerationTimeout`
    once passed."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds if seconds else float("inf")

    @property
    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise GenerationTimeout(f"No complete answer within {self.seconds or 0:.0f} s.")


@dataclass
class GenerationStats:
    """Filled in by a provider while it streams (for the UI and the benchmarks)."""

    provider: str = ""
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    first_token_s: float | None = None
    total_s: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


class LLMProvider(ABC):
    """A language model: local (llama.cpp) or a cloud API."""

    #: short machine name: ``local``, ``together``, ``openai``, ``anthropic``
    name: str = ""

    @property
    @abstractmethod
    def model(self) -> str:
        """The model identifier this provider answers with."""

    @property
    def label(self) -> str:
        """What the UI shows as "answered by"."""
        return self.model

    @property
    def is_local(self) -> bool:
        return False

    @abstractmethod
    def availability(self) -> str | None:
        """``None`` if usable now, else a short reason. Must be fast (no generation)."""

    def prepare(self, messages: list[ChatMessage], cancel: CancelToken | None = None) -> bool:
        """Read a prompt's fixed beginning ahead of time, if that makes later prompts that
        start with it faster (a local model); returns whether work was done."""
        return False

    @abstractmethod
    def stream(
        self,
        messages: list[ChatMessage],
        settings: GenerationSettings,
        cancel: CancelToken,
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        """Yield pieces of the answer. Raises :class:`LLMError` subclasses."""

    def __repr__(self) -> str:  # never show keys
        return f"<{type(self).__name__} {self.name} {self.model}>"
