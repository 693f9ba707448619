"""Byte's ``tutor.query``: resolve, retrieve, decide, prompt, stream, guard, cite.

1. Keep the course's index in step (only changed modules are re-embedded).
2. Resolve a follow-up against the conversation (:mod:`engine.tutor.conversation`): a
   question that refers back is searched together with the question it follows.
3. Retrieve the most similar chunks. In hint and explanation modes the current module's own
   chunks are always included (the learner is asking about what is on screen).
4. If nothing relevant was found, answer honestly that the course does not cover it — this
   needs no model at all, so it is instant and cannot be talked into inventing.
5. Otherwise choose the *anchor* module (the one the question is about: the module on screen
   when it is about as relevant as the best, else the best), put it in full into the
   material, add other modules' excerpts only when they are nearly as relevant, and stream
   from the provider chain — continuing the conversation when there is one, so a follow-up
   re-reads nothing. In hint mode (and whenever quiz questions are protected) every sentence
   passes the answer guard first.
6. Parse ``[M<n>]`` citations, and return the answer with what was used (``context_used``)
   and the turn to continue from.

:meth:`Tutor.prepare` reads the fixed beginning of the prompt about one module ahead of
time (rules and the module's text), so the first question about it starts in about a second.
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
from engine.retrieval.chunking import ModuleText, chunk_module
from engine.retrieval.index import Hit, VectorIndex
from engine.tutor import conversation
from engine.tutor.conversation import Turn
from engine.tutor.grounding import ground
from engine.tutor.memory import LearnerContext, learner_notes
from engine.tutor.prompts import (
    NOT_COVERED,
    Excerpt,
    Mode,
    conversation_messages,
    default_question,
    first_turn,
    next_turn,
    prefix_messages,
)
from engine.tutor.safety import REDACTED, AnswerGuard, StreamingGuard

TOP_K = 3
HINT_TOKENS = 120
EXTRA_EXCERPTS = 2
NEARLY_AS_RELEVANT = 0.85  # another module's excerpt joins the anchor's at this share of its score
ON_SCREEN_PREFERRED = 0.95  # the module on screen anchors if its best excerpt is this close
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
    history: Sequence[Turn] = ()  # the conversation so far (earlier turns, oldest first)


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
    follow_up: bool = False  # resolved against the previous turn
    turn: Turn | None = None  # what a follow-up continues from
    unsupported: int = 0  # sentences marked as not from the course

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
            "follow_up": self.follow_up,
            "unsupported_sentences": self.unsupported,
            "prompt_tokens": self.stats.prompt_tokens,
            "cached_prompt_tokens": int(
                max(
                    self.stats.extra.get("cached_prompt_tokens", 0.0),
                    self.stats.extra.get("state_loaded_tokens", 0.0),
                )
            ),
        }


def _says_not_covered(text: str) -> bool:
    """The answer *is* "not covered" (said first), not a stray phrase after a real answer."""
    first = text.strip().split("\n", 1)[0][:160].lower()
    return "doesn't cover" in first or "does not cover" in first or not text.strip()


@dataclass
class _Plan:
    question: str
    hits: list[Hit]
    follow_up: bool
    anchor: str | None  # module id
    retrieval_ms: float
    topic: str = ""  # what was searched for


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
        self._vocab: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}

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

    def _module_hits(
        self, req: TutorRequest, question: str, module_id: str | None = None
    ) -> list[Hit]:
        wanted = module_id or req.module_id
        vec = self.index.embedder.embed([question])[0]
        return [
            h
            for h in self.index.search_vector(vec, req.course_id, k=len(self.index))
            if h.chunk.module_id == wanted
        ][:2]

    def vocabulary(self, req: TutorRequest) -> frozenset[str]:
        """Every word the course uses (cached while its modules are unchanged)."""
        key = tuple(m.module_id + ":" + m.title + str(len(m.blocks)) for m in req.modules)
        cached = self._vocab.get(req.course_id)
        if cached is None or cached[0] != key:
            texts = [req.course_title]
            for m in req.modules:
                texts.append(m.title)
                texts.extend(c.heading + "\n" + c.text for c in chunk_module(m))
            cached = (key, conversation.vocabulary(texts))
            self._vocab[req.course_id] = cached
        return cached[1]

    def plan(self, req: TutorRequest) -> _Plan:
        """Resolve, retrieve and choose the anchor module (no language model involved)."""
        module_title = next((m.title for m in req.modules if m.module_id == req.module_id), None)
        question = req.question.strip() or default_question(req.mode, module_title)
        t0 = time.perf_counter()
        res = conversation.resolve(question, req.history, self.vocabulary(req))
        hits = self.retrieve(req, res.retrieval_query)
        if res.follow_up and res.previous is not None and conversation.subject_words(question):
            # "What is retrieval practice and how do I do it?" points back only at itself:
            # with a subject of its own that the previous turn's modules do not answer, it
            # starts afresh (and its own module's prompt was read ahead of time)
            alone = self.retrieve(req, question)
            if alone and not {h.chunk.module_id for h in alone} & set(res.previous.module_ids):
                res = conversation.Resolution(False, question, res.previous)
                hits = alone
        if not hits and res.follow_up and res.previous and res.previous.module_ids:
            hits = self._module_hits(req, res.retrieval_query, res.previous.module_ids[0])
        anchor: str | None = None
        if hits:
            best = hits[0]
            here = [h for h in hits if h.chunk.module_id == req.module_id]
            previous = (
                res.previous.module_ids[0]
                if res.follow_up and res.previous and res.previous.module_ids
                else None
            )
            if previous and any(h.chunk.module_id == previous for h in hits):
                anchor = previous
            elif here and here[0].score >= best.score * ON_SCREEN_PREFERRED:
                anchor = req.module_id
            else:
                anchor = best.chunk.module_id
        elapsed = (time.perf_counter() - t0) * 1000
        return _Plan(question, hits, res.follow_up, anchor, elapsed, res.retrieval_query)

    def _anchor_excerpts(self, req: TutorRequest, module_id: str) -> list[Excerpt]:
        module = next((m for m in req.modules if m.module_id == module_id), None)
        if module is None:
            return []
        return [
            Excerpt(c.order_index + 1, c.module_title, c.heading, c.text)
            for c in chunk_module(module)
        ]

    def prefix(self, req: TutorRequest, module_id: str) -> list[ChatMessage]:
        """The fixed beginning of a first question's prompt about ``module_id``."""
        return prefix_messages(
            course_title=req.course_title,
            anchor=self._anchor_excerpts(req, module_id),
            learner_notes=learner_notes(req.learner, history=False),
        )

    def prepare(
        self, req: TutorRequest, module_ids: Sequence[str], cancel: CancelToken | None = None
    ) -> int:
        """Read the prompt beginnings of these modules ahead of time (on-device model only);
        returns how many were newly read."""
        cancel = cancel or CancelToken()
        done = 0
        for mid in module_ids:
            cancel.check()
            if self.chain.prepare(self.prefix(req, mid), cancel):
                done += 1
        return done

    def _messages(
        self, req: TutorRequest, plan: _Plan, quiz: Sequence[tuple[str, Sequence[str]]]
    ) -> tuple[list[ChatMessage], str, tuple[str, ...]]:
        """The prompt, the new user message as sent, and the modules in the material."""
        assert plan.anchor is not None
        notes = learner_notes(req.learner, history=False)
        chain = _live_chain(req.history)
        in_context: list[str] = []
        for t in chain:
            in_context.extend(m for m in t.module_ids if m not in in_context)
        continuing = bool(chain) and (plan.follow_up or plan.anchor in in_context)
        best_anchor = max(
            (h.score for h in plan.hits if h.chunk.module_id == plan.anchor), default=0.0
        )
        floor = best_anchor * NEARLY_AS_RELEVANT
        if continuing:
            new_modules = [] if plan.anchor in in_context else [plan.anchor]
            extra = [
                Excerpt.of(h)
                for h in plan.hits
                if h.chunk.module_id not in in_context
                and h.chunk.module_id not in new_modules
                and h.score >= floor
            ][:EXTRA_EXCERPTS]
            added = [e for m in new_modules for e in self._anchor_excerpts(req, m)]
            user = next_turn(mode=req.mode, question=plan.question, extra=added + extra, quiz=quiz)
            modules = tuple(
                dict.fromkeys(
                    [
                        *new_modules,
                        *(h.chunk.module_id for h in plan.hits if Excerpt.of(h) in extra),
                    ]
                )
            )
            return (
                conversation_messages(learner_notes=notes, history=chain, user_message=user),
                user,
                modules,
            )
        extra_hits = [
            h for h in plan.hits if h.chunk.module_id != plan.anchor and h.score >= floor
        ][:EXTRA_EXCERPTS]
        user = first_turn(
            course_title=req.course_title,
            mode=req.mode,
            question=plan.question,
            anchor=self._anchor_excerpts(req, plan.anchor),
            extra=[Excerpt.of(h) for h in extra_hits],
            quiz=quiz,
        )
        modules = tuple(dict.fromkeys([plan.anchor, *(h.chunk.module_id for h in extra_hits)]))
        return (
            conversation_messages(learner_notes=notes, history=(), user_message=user),
            user,
            modules,
        )

    def answer(
        self,
        req: TutorRequest,
        cancel: CancelToken | None = None,
        on_text: Callable[[str], None] | None = None,
        on_model: Callable[[str], None] | None = None,
    ) -> TutorAnswer:
        cancel = cancel or CancelToken()
        plan = self.plan(req)
        hits, question, retrieval_ms = plan.hits, plan.question, plan.retrieval_ms
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
                follow_up=plan.follow_up,
                turn=Turn(question, text, req.mode, (), False, topic=plan.topic),
            )

        guard = AnswerGuard(req.protected)
        streaming = StreamingGuard(guard) if guard.active else None
        quiz = [
            (q.prompt, [c.text for c in q.choices]) for q in req.protected if req.mode is Mode.HINT
        ][:3]
        messages, sent, in_material = self._messages(req, plan, quiz)
        continued = len(messages) > 2  # earlier turns come first
        result = ChainResult()
        shown: list[str] = []
        raw: list[str] = []

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
            raw.append(piece)
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
        # the modules the model had in front of it: this turn's material and the conversation's
        context_modules: list[str] = []
        if continued:  # a later turn: what came before counts
            for t in _live_chain(req.history):
                context_modules.extend(m for m in t.module_ids if m not in context_modules)
        context_modules.extend(m for m in in_material if m not in context_modules)
        by_id = {m.module_id: m for m in req.modules}
        known = {numbers[m] for m in context_modules if m in numbers}
        text, _unknown = _drop_unknown_citations(text, known)
        grounding = None
        if covered:  # cite what the model forgot to, mark what the course does not say
            grounding = ground(
                text,
                {
                    numbers[m]: " ".join(
                        f"{c.module_title} {c.heading} {c.text}" for c in chunk_module(by_id[m])
                    )
                    for m in context_modules
                    if m in by_id
                },
            )
            text = grounding.text
        cited_numbers = {int(n) for n in _CITE.findall(text)}
        scores: dict[str, float] = {}
        for h in hits:
            scores.setdefault(h.chunk.module_id, h.score)
        citations: list[Citation] = []
        for mid in context_modules:
            if mid not in by_id:
                continue
            number = numbers[mid]
            citations.append(
                Citation(
                    mid, number, by_id[mid].title, scores.get(mid, 0.0), number in cited_numbers
                )
            )
        if covered and citations and not any(c.cited for c in citations):
            top = citations[0]  # the model forgot to cite: the anchor module is what it used
            citations[0] = Citation(top.module_id, top.number, top.title, top.score, True)
        if not covered:
            citations = [
                Citation(c.module_id, c.number, c.title, c.score, False) for c in citations
            ]
        answer_for_model = "".join(raw).strip() if not redactions else text
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
            follow_up=plan.follow_up,
            unsupported=grounding.unsupported if grounding else 0,
            turn=Turn(
                question,
                answer_for_model,
                req.mode,
                tuple(context_modules),  # the conversation's anchor module first
                covered,
                sent,
                plan.topic,
                opens=not continued,
            ),
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
            *messages[:-1],
            ChatMessage(
                "user",
                messages[-1].content
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


def _live_chain(history: Sequence[Turn]) -> list[Turn]:
    """The turns the model's context continues: from the last first turn (the one that sent
    the anchor material) on, if that is at most :data:`conversation.MAX_TURNS` turns ago."""
    kept = conversation.recent(history, limit=conversation.MAX_TURNS + 1)
    starts = [i for i, t in enumerate(kept) if t.opens]
    if not starts:
        return []
    chain = kept[starts[-1] :]
    return chain if len(chain) <= conversation.MAX_TURNS else []


def _drop_unknown_citations(text: str, known: set[int]) -> tuple[str, int]:
    """Remove ``[M<n>]`` marks naming a module the model was not shown (it cannot have read
    it there); returns the text and how many were removed."""
    dropped = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal dropped
        if int(m.group(1)) in known:
            return m.group(0)
        dropped += 1
        return ""

    out = _CITE.sub(sub, text)
    return (re.sub(r"[ \t]+([.,;:!?])", r"\1", out) if dropped else out), dropped
