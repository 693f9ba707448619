"""Heavy libraries load on first use only: importing the tutor must not slow app start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("llama_cpp", "torch", "sentence_transformers", "transformers", "openai", "anthropic",
         "together", "numpy")  # fmt: skip


def test_importing_the_tutor_stack_loads_no_heavy_library() -> None:
    code = (
        "import sys, app, engine.llm, engine.llm.local, engine.llm.cloud, engine.llm.chain, "
        "engine.tutor.prompts, engine.tutor.nudges, engine.tutor.memory, app.services.tutor; "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"
