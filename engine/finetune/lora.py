"""The on-device path: a LoRA adapter (GGUF) for the local llama.cpp model.

Why only loading here: training an adapter on a 2-core laptop CPU is too slow to offer (see
the issue 16 report for the estimate); the data set is exported as the same chat JSONL that
LoRA trainers take, and an adapter trained elsewhere and converted to GGUF
(llama.cpp's ``convert_lora_to_gguf.py``) is loaded with the model (``Llama(lora_path=...)``).
The file is checked before llama.cpp sees it, so a wrong file gets a clear message rather
than a native error.
"""

from __future__ import annotations

from pathlib import Path

from engine.llm.bundled import gguf_version


class LoraAdapterError(ValueError):
    """The adapter file cannot be used; the message says why."""


def check_adapter(path: Path) -> Path:
    """``path`` if it is a GGUF file (llama.cpp's format, version 2 or 3), else an error."""
    if not path.is_file():
        raise LoraAdapterError(f"There is no LoRA adapter file at {path}.")
    version = gguf_version(path)
    if version is None:
        raise LoraAdapterError(
            f"{path.name} is not a GGUF LoRA adapter (convert it with llama.cpp's "
            "convert_lora_to_gguf.py)."
        )
    if version not in (2, 3):
        raise LoraAdapterError(f"{path.name} is GGUF version {version}; llama.cpp reads 2 and 3.")
    return path
