"""Studio's AI authoring use case: sources → draft course, with a fact-check to review.

Sources (files, a web page, pasted text, a typed prompt) are ingested and recorded as
``content_assets`` of type document; the generator works step by step with its state saved
after each step (so a cancelled run resumes); the result becomes a *draft* course the creator
edits before publishing, with the fact-check's flags kept in ``courses.settings``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.services import authoring, tutor
from app.services.accounts import CurrentUser
from app.services.authoring import ModuleDoc, TargetSkillRef
from app.services.context import AppContext
from app.services.errors import UserError
from engine.content import parse_blocks, parse_quiz
from engine.generation.factcheck import ClaimCheck, fact_check
from engine.generation.pipeline import Brief, CourseGenerator, GenerationState
from engine.generation.sources import Passage, PassageIndex, passages
from engine.ingest.document import Document, IngestError
from engine.ingest.html_source import ingest_html
from engine.ingest.limits import DEFAULT_LIMITS, size_mb
from engine.ingest.sources import ingest_file
from engine.ingest.text_source import decode_as, ingest_prompt, parse_markdown
from engine.llm.base import CancelToken, LLMProvider
from engine.llm.queue import BACKGROUND
from engine.llm.queue import job as model_job
from sync.store.models import ContentAsset

Progress = Callable[[float, str], None]


@dataclass
class Source:
    """One thing the course is built from."""

    label: str
    document: Document
    file: Path | None = None


def _no_progress(_fraction: float, _message: str) -> None:
    return None


def from_file(path: Path, progress: Progress = _no_progress, encoding: str | None = None) -> Source:
    """``encoding`` (text and web pages) overrides the detected one; ``progress`` is also
    the cancellation point (a ``TaskControl.progress`` raises once cancelled)."""
    try:
        return Source(path.name, ingest_file(path, progress, encoding=encoding), path)
    except IngestError as err:
        raise UserError(str(err)) from err


def from_text(text: str, title: str = "Pasted text", progress: Progress = _no_progress) -> Source:
    try:
        return Source(title, parse_markdown(text, title, "text", progress))
    except IngestError as err:
        raise UserError(str(err)) from err


def from_prompt(prompt: str) -> Source:
    try:
        return Source("Prompt", ingest_prompt(prompt))
    except IngestError as err:
        raise UserError(str(err)) from err


def from_url(url: str, progress: Progress = _no_progress, encoding: str | None = None) -> Source:
    """Fetch a web page (online only; fails fast and clearly when offline). The download is
    streamed and stops at the web-page size limit; ``progress`` is the cancellation point."""
    import httpx

    from engine.net.http import make_client

    if not url.startswith(("http://", "https://")):
        raise UserError("Enter a web address starting with http:// or https://.")
    cap = DEFAULT_LIMITS.html_max_bytes
    try:
        with (
            make_client(timeout=15.0, follow_redirects=True) as client,
            client.stream("GET", url, headers={"User-Agent": "ByteOS Studio"}) as r,
        ):
            if r.status_code >= 400:
                raise UserError(f"The page could not be fetched (HTTP {r.status_code}).")
            body = bytearray()
            for chunk in r.iter_bytes(64 * 1024):
                body += chunk
                if len(body) > cap:
                    raise UserError(
                        f"The page is larger than {size_mb(cap)}, the most ByteOS reads "
                        "from a web page."
                    )
                progress(0.0, f"Downloading {url} ({size_mb(len(body))})")
    except httpx.ConnectError as err:
        raise UserError(
            "You appear to be offline. Save the page as .html and add the file instead."
        ) from err
    except httpx.HTTPError as err:
        raise UserError(f"The page could not be fetched ({err}).") from err
    try:
        text, used = decode_as(bytes(body), url, encoding, max_bytes=cap)
        doc = replace(ingest_html(text, url=url, name=url, progress=progress), encoding=used)
    except IngestError as err:
        raise UserError(str(err)) from err
    return Source(url, doc)


@dataclass
class Job:
    """A generation in progress; ``path`` holds its state for resuming."""

    id: str
    path: Path
    state: GenerationState
    sources: list[Source] = field(default_factory=list)

    def save(self, state: GenerationState) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state.to_json()), encoding="utf-8")
        tmp.replace(self.path)


def jobs_dir(ctx: AppContext) -> Path:
    d = ctx.db.path.parent / "generation"
    d.mkdir(parents=True, exist_ok=True)
    return d


def new_job(ctx: AppContext, brief: Brief, sources: list[Source]) -> Job:
    if not brief.topic.strip():
        raise UserError("Describe the course you want (its topic).")
    if not 1 <= brief.modules <= 8:
        raise UserError("Choose between 1 and 8 modules.")
    if not sources:
        sources = [from_prompt(brief.topic)]
    job_id = str(uuid.uuid4())
    return Job(job_id, jobs_dir(ctx) / f"{job_id}.json", GenerationState(brief), sources)


def _index(sources: list[Source]) -> PassageIndex:
    items: list[Passage] = []
    for i, s in enumerate(sources):
        items.extend(passages(s.document, f"src{i}"))
    return PassageIndex(items, tutor.runtime().embedder)


def _llm() -> LLMProvider:
    chain = tutor.runtime().chain
    llm = chain.first_available()
    if llm is None:
        reasons = "; ".join(f"{n}: {r}" for n, _l, r in chain.describe() if r)
        raise UserError(f"No language model is available ({reasons}).")
    return llm


@dataclass
class Result:
    state: GenerationState
    checks: list[list[ClaimCheck]]  # per module


def run(job: Job, progress: Progress, cancel: CancelToken) -> Result:
    """Generate (or resume) the draft; then fact-check every module against the sources.

    A background job of the model queue: a learner's question to Byte goes first (the
    generation pauses between two tokens and carries on), and the dialog says it waits."""

    def waiting(holder: str) -> None:
        progress(job.state.steps_done / job.state.steps_total, f"Waiting: {holder}…")

    with model_job(
        BACKGROUND, name="Generating a course", on_wait=waiting, cancelled=lambda: cancel.cancelled
    ):
        index = _index(job.sources)
        state = CourseGenerator(_llm(), index).run(job.state, progress, cancel, job.save)
        progress(0.98, "Fact-checking against the sources…")
        checks = [fact_check(parse_blocks(m.blocks), index) for m in state.modules]
    return Result(state, checks)


def create_draft(ctx: AppContext, user: CurrentUser, job: Job, result: Result) -> str:
    """Turn the generated state into a draft course (never published by the AI)."""
    st = result.state
    doc = authoring.create_course(ctx, user, st.title or st.brief.topic[:120], if_taken="number")
    existing = {k.name.lower(): k for k in authoring.list_skills(ctx, user)}
    skill_ids = []
    for name in st.skills:
        k = existing.get(name.lower()) or authoring.create_skill(ctx, user, name)
        skill_ids.append(k.id)
    doc.description = st.description
    doc.difficulty = st.brief.difficulty
    doc.target_skills = [TargetSkillRef(sid, 0.8) for sid in skill_ids]
    doc.modules = []
    for m in st.modules:
        quiz = parse_quiz(m.quiz)
        tagged = [q.model_copy(update={"skill_ids": skill_ids[:1]}) for q in quiz]
        doc.modules.append(ModuleDoc(m.title, parse_blocks(m.blocks), tagged))
    doc = authoring.save_course(ctx, user, doc)
    asset_ids = [_record_source(ctx, user, s) for s in job.sources]
    flags = [
        {
            "module": doc.modules[i].id,
            "block_id": c.block_id,
            "claim": c.claim,
            "verdict": c.verdict,
            "reason": c.reason,
            "source": c.passage.cite() if c.passage else "",
            "passage": c.passage.text if c.passage else "",
        }
        for i, checks in enumerate(result.checks)
        for c in checks
        if c.verdict != "supported"
    ]
    authoring.set_course_settings(
        ctx,
        user,
        doc.id,
        {
            "generated": {
                "sources": asset_ids,
                "job": job.id,
                "citations": {doc.modules[i].id: m.citations for i, m in enumerate(st.modules)},
            },
            "fact_check": flags,
        },
    )
    job.path.unlink(missing_ok=True)
    return doc.id


def _record_source(ctx: AppContext, user: CurrentUser, s: Source) -> str:
    meta: dict[str, Any] = {
        "title": s.document.title,
        "kind": s.document.source,
        "words": s.document.word_count,
        "pages": s.document.pages,
    }
    storage = ctx.assets.put(s.file, s.file.suffix) if s.file is not None else None
    with ctx.db.transaction() as session:
        asset = ContentAsset(
            org_id=user.org_id,
            uploader_id=user.id,
            type="document",
            url=f"asset://{storage}" if storage else f"source:{s.label}",
            storage_path=storage,
            metadata_=meta,
        )
        session.add(asset)
        session.flush()
        return asset.id
