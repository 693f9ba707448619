"""A local HTTP server that speaks the parts of Together AI's fine-tuning API the SDK calls.

Paths and shapes are those of ``together`` 3.1.1: ``POST /v1/files`` answers 302 with a
``Location`` to PUT the file to and an ``X-Together-File-Id``; then ``POST
/v1/files/{id}/preprocess``; ``GET /v1/fine-tunes/models/limits``; ``POST
/v1/fine-tunes/estimate-price``; ``POST /v1/fine-tunes``; ``GET /v1/fine-tunes/{id}``.
``outcome`` picks the job's end: ``completed``, ``error``, or ``garbage`` (a bad answer).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FILE_ID = "file-0123abcd"
JOB_ID = "ft-4567efgh"
MODEL_NAME = "byteos-org/Meta-Llama-3.1-8B-Instruct-Reference-byteos-4567efgh"


class TogetherFineTuneServer:
    def __init__(self, outcome: str = "completed", polls_before_end: int = 1) -> None:
        self.outcome = outcome
        self.polls_before_end = polls_before_end
        self.polls = 0
        self.uploaded = b""
        self.requests: list[tuple[str, str]] = []
        self.created: dict[str, Any] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def _body(self) -> bytes:
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def _json(self, obj: Any, status: int = 200) -> None:
                data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = self._body()
                server.requests.append(("POST", self.path))
                if self.path == "/v1/files":
                    self.send_response(302)
                    self.send_header("Location", f"{server.url}/upload/{FILE_ID}")
                    self.send_header("X-Together-File-Id", FILE_ID)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.path == f"/v1/files/{FILE_ID}/preprocess":
                    self._json(
                        {
                            "id": FILE_ID,
                            "bytes": len(server.uploaded),
                            "created_at": 1764670000,
                            "filename": "train.jsonl",
                            "FileType": "jsonl",
                            "object": "file",
                            "purpose": "fine-tune",
                            "processing_status": "COMPLETED",
                        }
                    )
                elif self.path == "/v1/fine-tunes/estimate-price":
                    self._json(
                        {
                            "estimation_available": False,
                            "unavailable_reason": "train_file_not_validated",
                        }
                    )
                elif self.path == "/v1/fine-tunes":
                    server.created = json.loads(body or b"{}")
                    self._json(server._job("pending"))
                else:
                    self._json({"error": {"message": "not found"}}, 404)

            def do_PUT(self) -> None:
                server.requests.append(("PUT", self.path))
                server.uploaded = self._body()
                self._json({})

            def do_GET(self) -> None:
                server.requests.append(("GET", self.path))
                if self.path.startswith("/v1/fine-tunes/models/limits"):
                    self._json(_LIMITS)
                elif self.path == f"/v1/fine-tunes/{JOB_ID}":
                    server.polls += 1
                    if server.polls <= server.polls_before_end:
                        self._json(server._job("running"))
                    elif server.outcome == "garbage":
                        self._json(b"<html>Bad gateway</html>", 200)
                    else:
                        self._json(server._job(server.outcome))
                else:
                    self._json({"error": {"message": "not found"}}, 404)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _job(self, status: str) -> dict[str, Any]:
        job: dict[str, Any] = {
            "id": JOB_ID,
            "status": status,
            "user_id": "user-1",
            "created_at": "2026-12-02T10:00:00Z",
            "updated_at": "2026-12-02T10:05:00Z",
            "model": self.created.get("model"),
            "training_file": FILE_ID,
            "model_output_name": MODEL_NAME if status == "completed" else None,
            "adapter_output_name": None,
            "events": [],
        }
        if status == "error":
            job["events"] = [
                {
                    "object": "fine-tune-event",
                    "created_at": "2026-12-02T10:05:00Z",
                    "level": "error",
                    "message": "Training file has too few examples",
                    "type": "job_error",
                }
            ]
        return job

    def __enter__(self) -> TogetherFineTuneServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


_LIMITS = {
    "model_name": "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
    "default_gradient_accumulation_steps": 1,
    "lora_training": {
        "default_rank": 8,
        "max_batch_size": 32,
        "max_batch_size_dpo": 16,
        "max_rank": 64,
        "min_batch_size": 8,
        "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"],
    },
    "full_training": {"max_batch_size": 16, "max_batch_size_dpo": 8, "min_batch_size": 8},
    "max_learning_rate": 1.0,
    "max_num_checkpoints": 10,
    "max_num_epochs": 20,
    "max_num_evals": 10,
    "max_seq_length_dpo": 8192,
    "max_seq_length_sft": 8192,
    "merge_output_lora": False,
    "min_learning_rate": 0.0,
    "min_max_seq_length": 512,
    "supports_full_training": True,
    "supports_reasoning": False,
    "supports_tools": False,
    "supports_vision": False,
}
