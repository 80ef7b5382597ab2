"""Pick the device and weight precision the models run with."""

from __future__ import annotations

import contextlib
from pathlib import Path

import torch

from lopt.errors import ModelLoadError

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The CPU's feature flags (Linux; empty where they cannot be read)."""
    try:
        text = cpuinfo.read_text(errors="ignore")
    except OSError:
        return set()
    flags: set[str] = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[-1].split())
    return flags


def pick_device(requested: str) -> torch.device:
    """``auto`` prefers CUDA, then Apple's MPS, then the CPU; an explicit choice must exist."""
    cuda, mps = torch.cuda.is_available(), _mps_available()
    if requested == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if requested == "cuda" and not cuda:
        raise ModelLoadError("LOPT_DEVICE=cuda but no CUDA GPU is visible; use auto or cpu.")
    if requested == "mps" and not mps:
        raise ModelLoadError("LOPT_DEVICE=mps but Apple's MPS is not available; use auto or cpu.")
    return torch.device(requested)


def pick_dtype(requested: str, device: torch.device) -> torch.dtype:
    """``auto`` is float16 on CUDA and float32 elsewhere (exact, and what CPUs run fastest
    without native bfloat16 support)."""
    if requested == "auto":
        return torch.float16 if device.type == "cuda" else torch.float32
    if requested == "float16" and device.type == "cpu":
        raise ModelLoadError(
            "LOPT_DTYPE=float16 is not supported on the CPU; use bfloat16 or float32."
        )
    return DTYPES[requested]


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def configure_threads(num_threads: int) -> int:
    """Set torch's threads for one forward pass; 0 keeps torch's default (one per core).

    Inter-op parallelism is set to one thread: Lopt runs one forward pass at a time in
    its inference thread, and on a small CPU extra pools only compete for the same
    cores. Returns the intra-op thread count in effect.
    """
    if num_threads > 0:
        torch.set_num_threads(num_threads)
    # Only settable before the first parallel op; after that the current pool stays.
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)
    return torch.get_num_threads()
