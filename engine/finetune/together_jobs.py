"""Together AI's fine-tuning API through its SDK: upload, create the job, poll, the model name.

Why an adapter apart from :mod:`engine.finetune.dataset`: it is the only part that talks to a
network. The SDK is imported when called, handed its HTTP client by the one factory
(``engine.net.http.make_client``: proxy, CAs, time-outs) and its key by the caller (from
``engine.llm.keys.api_key``, i.e. the one secrets helper). Before anything is sent, the API
host must accept a TCP connection within a fraction of a second, so offline is reported at
once with a clear message instead of after the SDK's time-outs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.llm.cloud import TogetherProvider, reachable

DEFAULT_BASE_MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"
DONE = frozenset({"completed"})
FAILED = frozenset({"error", "cancelled", "cancel_requested"})


class FineTuneError(RuntimeError):
    """A fine-tuning step failed; the message says which and why, for the admin."""


class Offline(FineTuneError):
    pass


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    status: str
    model_name: str | None
    message: str = ""

    @property
    def done(self) -> bool:
        return self.status in DONE

    @property
    def failed(self) -> bool:
        return self.status in FAILED


class TogetherFineTuning:
    def __init__(self, key: str | None, base_url: str | None = None, timeout_s: float = 60.0):
        self.key = key
        self.base_url = base_url or TogetherProvider.default_base_url
        self.timeout_s = timeout_s

    def availability(self) -> str | None:
        if not self.key:
            return "no Together AI API key configured (Settings, or byteos keyring set-key)"
        if not reachable(self.base_url):
            return "offline: Together AI cannot be reached"
        return None

    def _client(self) -> Any:
        reason = self.availability()
        if reason:
            raise Offline(reason) if reason.startswith("offline") else FineTuneError(reason)
        import together

        from engine.net.http import make_client

        return together.Together(
            api_key=self.key,
            base_url=self.base_url,
            timeout=self.timeout_s,
            max_retries=0,
            http_client=make_client(timeout=self.timeout_s, library="httpx"),
        )

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except FineTuneError:
            raise
        except Exception as err:  # SDK: status, decoding, connection
            status = getattr(err, "status_code", None)
            detail = f"HTTP {status}" if status is not None else f"{type(err).__name__}: {err}"
            raise FineTuneError(f"Together AI: {what} failed ({detail}).") from err

    def upload(self, path: Path) -> str:
        client = self._client()
        res = self._call("uploading the data set", lambda: client.files.upload(path))
        file_id = getattr(res, "id", None)
        if not isinstance(file_id, str) or not file_id:
            raise FineTuneError("Together AI: the upload gave no file id.")
        return file_id

    def create(self, file_id: str, model: str = DEFAULT_BASE_MODEL, suffix: str = "byteos") -> str:
        client = self._client()
        res = self._call(
            "creating the fine-tuning job",
            lambda: client.fine_tuning.create(
                training_file=file_id, model=model, lora=True, suffix=suffix
            ),
        )
        job_id = getattr(res, "id", None)
        if not isinstance(job_id, str) or not job_id:
            raise FineTuneError("Together AI: the job was created without an id.")
        return job_id

    def status(self, job_id: str) -> JobStatus:
        client = self._client()
        res = self._call("reading the job", lambda: client.fine_tuning.retrieve(job_id))
        status = str(getattr(res, "status", "") or "")  # a Literal of plain strings in the SDK
        name = getattr(res, "x_model_output_name", None)  # the JSON's "model_output_name"
        message = ""
        for event in getattr(res, "events", None) or []:
            text = getattr(event, "message", None)
            if text:
                message = str(text)
        if not status:
            raise FineTuneError("Together AI: the job's status is missing from the answer.")
        return JobStatus(job_id, status, name, message)

    def wait(
        self,
        job_id: str,
        *,
        interval_s: float = 30.0,
        max_polls: int = 2880,
        on_status: Callable[[JobStatus], None] | None = None,
    ) -> JobStatus:
        """Poll until the job completes (its model name) or fails (``FineTuneError``)."""
        for _ in range(max_polls):
            st = self.status(job_id)
            if on_status is not None:
                on_status(st)
            if st.done:
                if not st.model_name:
                    raise FineTuneError("Together AI: the job completed without a model name.")
                return st
            if st.failed:
                why = f": {st.message}" if st.message else "."
                raise FineTuneError(f"Together AI: the job ended as {st.status}{why}")
            time.sleep(interval_s)
        raise FineTuneError("Together AI: the job is still running; check again later.")
