"""Fine-tuning on the organisation's own data (issue 16): consent, the data set, Together AI.

Why here: the admin's screen calls these use cases; they read the database (helpful tutor
exchanges, generated modules kept by their creators, the names to remove) and hand plain
values to :mod:`engine.finetune.dataset`, which does the work. Consent and the last job live
in ``organisations.settings["fine_tuning"]`` (``{"allowed": false}`` until an org admin
turns it on). They are kept with the organisation's row, which sync does not push yet (issue
13), so today they hold on the admin's device only. Nothing is built without consent, and the
file submitted is the exact file whose size and sample the admin was shown.

A generated module counts as *kept after editing* when its course was generated
(``courses.settings["generated"]``) and its creator published it; the generator does not yet
record the text it produced, so an unedited module cannot be told from an edited one (see
the report of issue 16).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.services import members
from app.services.accounts import CurrentUser
from app.services.context import AppContext
from app.services.errors import UserError
from engine.content import parse_blocks, plain_text
from engine.finetune.dataset import ConsentRequired, DataSet, Exchange, KeptModule, build
from sync.store.models import (
    AIInteraction,
    Course,
    LocalUser,
    Module,
    Organisation,
    OrgMember,
    Profile,
)

KEY = "fine_tuning"


@dataclass(frozen=True)
class FineTuneState:
    allowed: bool
    job_id: str | None
    status: str | None
    model_name: str | None


def _org(user: CurrentUser) -> str:
    if not members.may_manage(user) or user.org_id is None:
        raise UserError("Only an organisation admin manages fine-tuning.")
    return user.org_id


def _doc(ctx: AppContext, org: str) -> dict[str, Any]:
    with ctx.db.transaction() as s:
        row = s.get(Organisation, org)
        if row is None:
            raise UserError("That organisation no longer exists on this device.")
        return dict((row.settings or {}).get(KEY) or {})


def _update(ctx: AppContext, org: str, changes: dict[str, Any]) -> None:
    with ctx.db.transaction() as s:
        row = s.get(Organisation, org)
        if row is None:
            raise UserError("That organisation no longer exists on this device.")
        settings = dict(row.settings or {})
        settings[KEY] = {**dict(settings.get(KEY) or {}), **changes}
        row.settings = settings


def state(ctx: AppContext, user: CurrentUser) -> FineTuneState:
    d = _doc(ctx, _org(user))
    return FineTuneState(
        bool(d.get("allowed", False)), d.get("job_id"), d.get("status"), d.get("model")
    )


def set_allowed(ctx: AppContext, user: CurrentUser, allowed: bool) -> FineTuneState:
    _update(ctx, _org(user), {"allowed": bool(allowed)})
    return state(ctx, user)


def _names(s: Any, org: str) -> list[str]:
    rows = s.execute(
        select(Profile.full_name, LocalUser.email)
        .join(OrgMember, OrgMember.user_id == Profile.id)
        .outerjoin(LocalUser, LocalUser.id == Profile.id)
        .where(OrgMember.org_id == org)
    ).all()
    extra = s.execute(select(Profile.full_name).where(Profile.org_id == org)).all()
    names = [n for n, _e in rows if n] + [n for (n,) in extra if n]
    names += [e.split("@")[0].replace(".", " ") for _n, e in rows if e]
    return names


def _module_texts(s: Any, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = s.execute(select(Module.id, Module.content).where(Module.id.in_(ids))).all()
    return {mid: plain_text(parse_blocks(content)) for mid, content in rows}


def build_dataset(ctx: AppContext, user: CurrentUser) -> DataSet:
    """The data set as it would be sent; ``UserError`` without the organisation's consent."""
    org = _org(user)
    allowed = bool(_doc(ctx, org).get("allowed", False))
    with ctx.db.transaction() as s:
        rows = (
            s.execute(
                select(AIInteraction)
                .join(Course, Course.id == AIInteraction.course_id)
                .where(Course.org_id == org, AIInteraction.helpful.is_(True))
                .order_by(AIInteraction.created_at)
            )
            .scalars()
            .all()
        )
        used: dict[str, list[str]] = {}
        for r in rows:
            ctx_used = r.context_used if isinstance(r.context_used, dict) else {}
            mods = [m for m in ctx_used.get("modules") or [] if isinstance(m, dict)]
            cited = [m for m in mods if m.get("cited")] or mods[:2]
            used[r.id] = [str(m.get("module_id")) for m in cited if m.get("module_id")]
        texts = _module_texts(s, {m for ids in used.values() for m in ids})
        exchanges = [
            Exchange(
                r.user_message or "",
                r.ai_response or "",
                [texts[m] for m in used[r.id] if m in texts],
            )
            for r in rows
        ]
        kept: list[KeptModule] = []
        courses = s.scalars(
            select(Course).where(Course.org_id == org, Course.status == "published")
        ).all()
        for c in courses:
            if not (c.settings or {}).get("generated"):
                continue
            for m in s.scalars(
                select(Module).where(Module.course_id == c.id).order_by(Module.order_index)
            ):
                kept.append(KeptModule(c.title, m.title, plain_text(parse_blocks(m.content))))
        names = _names(s, org)
    try:
        return build(exchanges, kept, names=names, consent=allowed)
    except ConsentRequired as err:
        raise UserError(str(err)) from None


def export(ctx: AppContext, user: CurrentUser, data: DataSet, folder: Path | None = None) -> Path:
    """Write the data set (the JSONL the local LoRA path and Together both take) beside the
    database, or into ``folder``; returns the file."""
    _org(user)
    folder = folder or ctx.db.path.parent / "fine-tuning"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "train.jsonl"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data.data)
    tmp.replace(path)
    return path


def _api() -> Any:
    from engine.config import settings
    from engine.finetune.together_jobs import TogetherFineTuning
    from engine.llm.keys import api_key

    return TogetherFineTuning(api_key("together"), settings().together_base_url)


def submit_reason() -> str | None:
    """Why "Submit to Together AI" cannot be used now (no key, offline), else ``None``."""
    reason: str | None = _api().availability()
    return reason


def submit(ctx: AppContext, user: CurrentUser, path: Path, base_model: str | None = None) -> str:
    """Upload the file and create the job (online only; runs on the task runner)."""
    from engine.finetune.together_jobs import DEFAULT_BASE_MODEL, FineTuneError

    org = _org(user)
    if not _doc(ctx, org).get("allowed", False):
        raise UserError("Your organisation has not allowed fine-tuning on its data.")
    api = _api()
    try:
        job_id: str = api.create(api.upload(path), base_model or DEFAULT_BASE_MODEL)
    except FineTuneError as err:
        raise UserError(str(err)) from None
    _update(ctx, org, {"job_id": job_id, "status": "pending", "model": None})
    return job_id


def refresh(ctx: AppContext, user: CurrentUser) -> FineTuneState:
    """Ask Together AI for the job's status once; keep it (and the model name) with the org."""
    from engine.finetune.together_jobs import FineTuneError

    org = _org(user)
    job = _doc(ctx, org).get("job_id")
    if not job:
        raise UserError("No fine-tuning job has been submitted yet.")
    try:
        st = _api().status(job)
    except FineTuneError as err:
        raise UserError(str(err)) from None
    _update(ctx, org, {"status": st.status, "model": st.model_name})
    return state(ctx, user)


def use_model(user: CurrentUser, model_name: str) -> None:
    """Make the fine-tuned model the cloud tutor/generator model (setting ``together_model``)."""
    from app.services import managed_settings

    if not members.may_manage(user):
        raise UserError("Only an organisation admin manages fine-tuning.")
    managed_settings.save({"together_model": model_name})
