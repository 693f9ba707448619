"""Providers in order of preference, with fallback: the first that can answer does.

A provider that is unavailable (no key, offline, model not installed) is skipped at once; one
that fails *before its first piece of text* is skipped too and the next is tried. Once text
has reached the learner, a failure is reported rather than silently restarting the answer
with another model. Cancellation and time-outs are never "fallen back" from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from engine.llm.base import (
    CancelToken,
    ChatMessage,
    GenerationCancelled,
    GenerationSettings,
    GenerationStats,
    GenerationTimeout,
    LLMError,
    LLMProvider,
    NoProviderAvailable,
    ProviderFailed,
    ProviderUnavailable,
)

DEFAULT_ORDER = ("local", "together", "openai", "anthropic")


@dataclass
class ChainResult:
    """What the chain did: who answered and who was passed over, and why."""

    provider: LLMProvider | None = None
    stats: GenerationStats = field(default_factory=GenerationStats)
    skipped: dict[str, str] = field(default_factory=dict)


class ProviderChain:
    def __init__(self, providers: list[LLMProvider]) -> None:
        self.providers = list(providers)

    def describe(self) -> list[tuple[str, str, str | None]]:
        """(name, label, reason it is unavailable or None) for each provider, in order."""
        return [(p.name, p.label, p.availability()) for p in self.providers]

    def first_available(self) -> LLMProvider | None:
        return next((p for p in self.providers if p.availability() is None), None)

    def prepare(self, messages: list[ChatMessage], cancel: CancelToken | None = None) -> bool:
        """Let the provider that would answer read this prompt beginning ahead of time (only
        the on-device model gains from it); False if there was nothing to do."""
        provider = self.first_available()
        return provider.prepare(messages, cancel) if provider is not None else False

    def stream(
        self,
        messages: list[ChatMessage],
        settings: GenerationSettings,
        cancel: CancelToken,
        result: ChainResult | None = None,
        on_provider: Callable[[LLMProvider], None] | None = None,
    ) -> Iterator[str]:
        result = result if result is not None else ChainResult()
        for provider in self.providers:
            cancel.check()
            reason = provider.availability()
            if reason:
                result.skipped[provider.name] = reason
                continue
            stats = GenerationStats(provider=provider.name, model=provider.model)
            started = False
            try:
                for piece in provider.stream(messages, settings, cancel, stats):
                    if not started:
                        started = True
                        result.provider, result.stats = provider, stats
                        if on_provider is not None:
                            on_provider(provider)
                    yield piece
            except (GenerationCancelled, GenerationTimeout):
                raise
            except (ProviderUnavailable, ProviderFailed, LLMError) as err:
                if started:
                    raise
                result.skipped[provider.name] = str(err)
                continue
            if not started:  # answered with nothing at all: still counts as an answer
                result.provider, result.stats = provider, stats
                if on_provider is not None:
                    on_provider(provider)
            return
        raise NoProviderAvailable(result.skipped)


def provider_order(env: dict[str, str] | None = None) -> tuple[str, ...]:
    """The allowed providers in order: the ``llm_providers`` setting (a policy such as
    ``["local"]``, or ``BYTEOS_LLM_PROVIDERS``; default local first). Given ``env``, only
    that mapping's ``BYTEOS_LLM_PROVIDERS`` is read, leniently (unknown names dropped), as
    earlier versions did."""
    if env is None:
        from engine.config import settings

        return tuple(settings().llm_providers) or DEFAULT_ORDER
    raw = env.get("BYTEOS_LLM_PROVIDERS", "")
    names = tuple(n.strip().lower() for n in raw.split(",") if n.strip())
    known = [n for n in names if n in DEFAULT_ORDER]
    return tuple(dict.fromkeys(known)) or DEFAULT_ORDER
