"""Byte's ``tutor.query``: retrieve, decide, prompt, stream, guard, cite.

1. Keep the course's index in step (only changed modules are re-embedded).
2. Retrieve the most similar chunks. In hint and explanation modes the current module's own
   chunks are always included (the learner is asking about what is on screen).
3. If nothing relevant was found, answer honestly that the course does not cover it — this
   needs no model at all, so it is instant and cannot be talked into inventing.
4. Otherwise build the fenced prompt and stream from the provider chain; in hint mode (and
   whenever quiz questions are protected) every sentence passes the answer guard first.
5. Parse ``[M<n>]`` citations, and return the answer with what was used (``context_used``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from engine.content import Question
from engine.llm.base import CancelToken, ChatMessage, GenerationSettings, GenerationStats
from engine.llm.chain import ChainResult, ProviderChain
from engine.retrieval.chunking import ModuleText
from engine.retrieval.index import Hit, VectorIndex
from engine.tutor.memory import LearnerContext, learner_notes
from engine.tutor.prompts import NOT_COVERED, Mode, build_messages, default_question
from engine.tutor.safety import REDACTED, AnswerGuard, StreamingGuard

TOP_K = 3
HINT_TOKENS = 120
_CITE = re.compile(r"\[\s*M\s*(\d{1,3})\s*\]")


@dataclass(frozen=True)
class TutorRequest:
    course_id: str
    course_title: str
    modules: Sequence[ModuleText]
    question: str
    mode: Mode = Mode.QUESTION
    module_id: str | None = None  # the module on screen
    learner: LearnerContext = field(default_factory=LearnerContext)
    protected: Sequence[Question] = ()  # quiz questions whose answers must not leak


@dataclass(frozen=True)
class Citation:
    module_id: str
    number: int  # 1-based position in the course
    title: str
    score: float
    cited: bool  # the answer names it (else it was only retrieved)


@dataclass
class TutorAnswer:
    text: str
    mode: Mode
    question: str
    covered: bool
    citations: list[Citation]
    provider: str  # "local", "openai", … or "none" when no model was needed
    model_label: str
    redactions: int = 0
    stats: GenerationStats = field(default_factory=GenerationStats)
    skipped: dict[str, str] = field(default_factory=dict)
    retrieval_ms: float = 0.0
    best_score: float = 0.0

    @property
    def cited_modules(self) -> list[Citation]:
        return [c for c in self.citations if c.cited]

    def context_used(self, embedder: str) -> dict[str, Any]:
        """What ``ai_interactions.context_used`` records for this answer."""
        return {
            "mode": str(self.mode),
            "covered": self.covered,
            "modules": [
                {
                    "module_id": c.module_id,
                    "number": c.number,
                    "title": c.title,
                    "score": round(c.score, 4),
                    "cited": c.cited,
                }
                for c in self.citations
            ],
            "provider": self.provider,
            "model": self.model_label,
            "embedder": embedder,
            "redactions": self.redactions,
            "tokens": self.stats.completion_tokens,
            "first_token_s": (
                round(self.stats.first_token_s, 3) if self.stats.first_token_s else None
            ),
        }


def _says_not_covered(text: str) -> bool:
    """The answer *is* "not covered" (said first), not a stray phrase after a real answer."""
    first = text.strip().split("\n", 1)[0][:160].lower()
    return "doesn't cover" in first or "does not cover" in first or not text.strip()


class Tutor:
    def __init__(
        self,
        chain: ProviderChain,
        index: VectorIndex,
        settings: GenerationSettings | None = None,
        *,
        top_k: int = TOP_K,
    ) -> None:
        self.chain = chain
        self.index = index
        self.settings = settings or GenerationSettings()
        self.top_k = top_k

    def retrieve(self, req: TutorRequest, question: str) -> list[Hit]:
        self.index.sync_course(req.course_id, req.modules)
        threshold = self.index.embedder.relevance_threshold
        hits = self.index.search(question, req.course_id, k=self.top_k * 3)
        relevant = [h for h in hits if h.score >= threshold]
        if req.mode is not Mode.QUESTION and req.module_id:
            here = [h for h in hits if h.chunk.module_id == req.module_id]
            if not here:  # the module on screen, even if the wording matched elsewhere
                here = self._module_hits(req, question)
            relevant = here[:2] + [h for h in relevant if h not in here[:2]]
        return relevant[: self.top_k]

    def _module_hits(self, req: TutorRequest, question: str) -> list[Hit]:
        vec = self.index.embedder.embed([question])[0]
        return [
            h
            for h in self.index.search_vector(vec, req.course_id, k=len(self.index))
            if h.chunk.module_id == req.module_id
        ][:2]

    def answer(
        self,
        req: TutorRequest,
        cancel: CancelToken | None = None,
        on_text: Callable[[str], None] | None = None,
        on_model: Callable[[str], None] | None = None,
    ) -> TutorAnswer:
        cancel = cancel or CancelToken()
        module_title = next((m.title for m in req.modules if m.module_id == req.module_id), None)
        question = req.question.strip() or default_question(req.mode, module_title)
        t0 = time.perf_counter()
        hits = self.retrieve(req, question)
        retrieval_ms = (time.perf_counter() - t0) * 1000
        best = max((h.score for h in hits), default=0.0)
        numbers = {m.module_id: m.order_index + 1 for m in req.modules}

        if not hits:
            text = self._not_covered(req)
            if on_text is not None:
                on_text(text)
            return TutorAnswer(
                text=text,
                mode=req.mode,
                question=question,
                covered=False,
                citations=[],
                provider="none",
                model_label="Byte (no model needed)",
                retrieval_ms=retrieval_ms,
                best_score=best,
            )

        guard = AnswerGuard(req.protected)
        streaming = StreamingGuard(guard) if guard.active else None
        quiz = [
            (q.prompt, [c.text for c in q.choices]) for q in req.protected if req.mode is Mode.HINT
        ][:3]
        messages = build_messages(
            course_title=req.course_title,
            mode=req.mode,
            question=question,
            hits=hits,
            learner_notes=learner_notes(req.learner),
            quiz=quiz,
        )
        result = ChainResult()
        shown: list[str] = []

        def emit(piece: str) -> None:
            if piece:
                shown.append(piece)
                if on_text is not None:
                    on_text(piece)

        settings = self.settings
        if req.mode is Mode.HINT:  # a hint is a nudge, not a lecture
            settings = replace(settings, max_tokens=min(settings.max_tokens, HINT_TOKENS))
        for piece in self.chain.stream(
            messages,
            settings,
            cancel,
            result,
            on_provider=(lambda p: on_model(p.label)) if on_model is not None else None,
        ):
            emit(streaming.feed(piece) if streaming is not None else piece)
        if streaming is not None:
            emit(streaming.finish())
        text = "".join(shown).strip()
        redactions = streaming.redactions if streaming is not None else 0
        if redactions:
            text, extra = guard.redact(text)  # belt and braces over the whole text
            redactions += extra
            if len(text.replace(REDACTED, "").strip()) < 20:
                # Nearly all of it gave the answer away: ask once more, more strictly, and
                # guard that too; if it still leaks, fall back to a fixed Socratic prompt.
                retry = self._retry_hint(messages, guard, cancel)
                if retry:
                    emit("\n\n" + retry)
                    text = (text + "\n\n" + retry).strip()
                else:
                    redactions += 1
                    fallback = self._socratic_fallback(hits)
                    emit("\n\n" + fallback)
                    text = (text + "\n\n" + fallback).strip()
        if req.mode is Mode.HINT and "?" not in text and not _says_not_covered(text):
            # Socratic: a hint ends by handing the thinking back to the learner
            c = hits[0].chunk
            nudge = (
                f"Now over to you: which option fits what [M{c.order_index + 1}] says — "
                "and why not the others?"
            )
            emit("\n\n" + nudge)
            text = (text + "\n\n" + nudge).strip()

        covered = not _says_not_covered(text)
        cited_numbers = {int(n) for n in _CITE.findall(text)}
        citations: list[Citation] = []
        seen: set[str] = set()
        for h in hits:
            mid = h.chunk.module_id
            if mid in seen:
                continue
            seen.add(mid)
            number = numbers.get(mid, h.chunk.order_index + 1)
            citations.append(
                Citation(mid, number, h.chunk.module_title, h.score, number in cited_numbers)
            )
        if covered and citations and not any(c.cited for c in citations):
            top = citations[0]  # the model forgot to cite: the best source is what it used
            citations[0] = Citation(top.module_id, top.number, top.title, top.score, True)
        if not covered:
            citations = [
                Citation(c.module_id, c.number, c.title, c.score, False) for c in citations
            ]
        provider = result.provider
        return TutorAnswer(
            text=text,
            mode=req.mode,
            question=question,
            covered=covered,
            citations=citations,
            provider=provider.name if provider else "none",
            model_label=provider.label if provider else "",
            redactions=redactions,
            stats=result.stats,
            skipped=result.skipped,
            retrieval_ms=retrieval_ms,
            best_score=best,
        )

    @staticmethod
    def _not_covered(req: TutorRequest) -> str:
        titles = [m.title for m in sorted(req.modules, key=lambda m: m.order_index)]
        listing = "; ".join(f"{i}. {t}" for i, t in enumerate(titles[:8], start=1))
        more = f" This course covers: {listing}." if titles else ""
        return (
            f"{NOT_COVERED} I only answer from “{req.course_title}”, so I won't guess."
            f"{more} Try asking about one of those."
        )

    def _retry_hint(
        self,
        messages: list[ChatMessage],
        guard: AnswerGuard,
        cancel: CancelToken,
    ) -> str:
        """One stricter retry of a hint; '' if it still gives the answer away."""
        strict = [
            messages[0],
            ChatMessage(
                "user",
                messages[1].content
                + "\n\nYour first hint gave the answer away. Reply with ONE short question "
                "only, which makes the learner think but does not contain the answer.",
            ),
        ]
        settings = replace(self.settings, max_tokens=min(60, self.settings.max_tokens))
        pieces = list(self.chain.stream(strict, settings, cancel, ChainResult()))
        text = "".join(pieces).strip()
        clean, n = guard.redact(text)
        return "" if n or len(clean) < 15 else clean

    @staticmethod
    def _socratic_fallback(hits: Sequence[Hit]) -> str:
        c = hits[0].chunk
        part = f"about “{c.heading}”" if c.heading else "that explains its main idea"
        return (
            f"Here's a nudge instead: reread the part of [M{c.order_index + 1}] "
            f"“{c.module_title}” {part}. "
            "Which option fits what it says — and why do the others not?"
        )
