"""The export cache: ONNX files and live precision records, one folder per model and weights.

A server that validates reduced paths on live inputs (``lopt.inference.live_check``) needs
the checkpoint's ONNX files. It exports them itself, in a background process at the lowest
CPU priority, into ``LOPT_CACHE_DIR/exports/<model>-<hash>``, where the hash covers the
model id, its revision and the bytes of its weight files: new weights get a new folder, so
a record can never vouch for weights it was not measured on. The live record
(``lopt_precision.json``) is written to the same folder, and read again at start-up.

Where the int8 file disagrees with float32, a second background process makes
``model-int8-mixed.onnx`` there from ``model.onnx`` and a few of the inputs just judged,
handed over through a pipe (never written to disk): it measures which multiplications int8
hurts most on them and keeps those in float32 (``lopt.inference.int8``).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import logging
import os
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lopt.config import Settings
from lopt.inference.int8 import quantize_mixed, recipe_path
from lopt.inference.onnx_backend import EXPORTED, ONNX_FILES
from lopt.inference.registry import LoadedModel

log = logging.getLogger(__name__)

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")
CHUNK = 1 << 22


def cache_root(settings: Settings) -> Path:
    """``LOPT_CACHE_DIR``, else ``$XDG_CACHE_HOME/lopt``, else ``~/.cache/lopt``."""
    if settings.cache_dir is not None:
        return settings.cache_dir
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "lopt"


def export_folder(loaded: LoadedModel, settings: Settings) -> Path | None:
    """Where this checkpoint's exports and live record live (None: its files are unknown)."""
    if loaded.folder is None:
        return None
    weights = sorted(
        p for p in loaded.folder.iterdir() if p.is_file() and p.suffix in WEIGHT_SUFFIXES
    )
    digest = hashlib.sha256(f"{loaded.model_id}\0{loaded.revision or ''}".encode())
    for path in weights:
        stat = path.stat()
        digest.update(path.name.encode())
        digest.update(_file_hash(str(path), stat.st_size, stat.st_mtime_ns).encode())
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", loaded.model_id.strip("./")).strip("-")[-60:]
    return cache_root(settings) / "exports" / f"{slug or 'model'}-{digest.hexdigest()[:16]}"


@functools.lru_cache(maxsize=16)
def _file_hash(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def has_exports(folder: Path) -> bool:
    return all((folder / ONNX_FILES[name]).is_file() for name in EXPORTED)


async def export_in_background(source: Path, target: Path, *, timeout_s: float) -> bool:
    """Export the checkpoint in ``source`` to ONNX files in ``target`` in a child process at
    the lowest CPU priority (one thread), so serving keeps the cores. Files appear in
    ``target`` only when complete. True when they are there."""
    if has_exports(target):
        return True
    target.mkdir(parents=True, exist_ok=True)
    if not await _child(["export", str(source), str(target)], None, timeout_s):
        return False
    return has_exports(target)


async def mixed_in_background(
    folder: Path, inputs: Sequence[np.ndarray], *, timeout_s: float
) -> Path | None:
    """Make ``model-int8-mixed.onnx`` in ``folder`` (which holds ``model.onnx``) from
    ``inputs`` (model inputs, C x H x W), in a child process at the lowest CPU priority;
    the inputs go through its stdin only. The file, or None where that failed."""
    target = folder / ONNX_FILES["onnx-int8-mixed"]
    buffer = io.BytesIO()
    np.save(buffer, np.stack(inputs).astype(np.float32), allow_pickle=False)
    if not await _child(["mixed", str(folder)], buffer.getvalue(), timeout_s):
        return None
    return target if target.is_file() else None


async def _child(arguments: list[str], stdin: bytes | None, timeout_s: float) -> bool:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lopt.inference.exports",
        *arguments,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        preexec_fn=_lowest_priority,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(stdin), timeout_s)
    except (TimeoutError, asyncio.CancelledError):
        process.kill()
        await process.wait()
        raise
    if process.returncode != 0:
        tail = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        log.warning("ONNX %s for %s failed: %s", arguments[0], arguments[1], tail[0][:300])
        return False
    return True


def _lowest_priority() -> None:  # runs in the child before exec
    os.nice(19)


def export_files(source: Path, target: Path) -> None:
    """Load ``source`` in float32 and write its ONNX files into ``target``, atomically."""
    import torch

    from lopt.inference.detectors import ImageDetector
    from lopt.inference.onnx_backend import export_onnx
    from lopt.inference.registry import load_model

    torch.set_num_threads(1)
    loaded = load_model(
        str(source),
        task="image",
        setting="export",
        device=torch.device("cpu"),
        dtype=torch.float32,
    )
    sample = torch.stack([ImageDetector(loaded).warm_up_input()] * 2)
    partial = target / f".partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        files = export_onnx(loaded.model, sample, partial)
        recipe = recipe_path(files["onnx-int8"])
        recipe.replace(target / recipe.name)
        for name in ("onnx-int8", "onnx"):  # model.onnx last: has_exports() checks both
            files[name].replace(target / files[name].name)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def mixed_file(folder: Path, inputs: np.ndarray) -> Path:
    """``model-int8-mixed.onnx`` (and its recipe) in ``folder``, from its ``model.onnx``."""
    target = folder / ONNX_FILES["onnx-int8-mixed"]
    partial = folder / f".partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        made = quantize_mixed(folder / ONNX_FILES["onnx"], partial / target.name, inputs)
        recipe_path(made).replace(recipe_path(target))
        made.replace(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


if __name__ == "__main__":  # the background processes
    if sys.argv[1] == "mixed":
        mixed_file(Path(sys.argv[2]), np.load(io.BytesIO(sys.stdin.buffer.read())))
    else:
        export_files(Path(sys.argv[2]), Path(sys.argv[3]))
