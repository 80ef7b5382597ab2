"""Reduced-precision inference paths, and the agreement check that decides whether to use one.

float32 is the reference. A reduced path (bfloat16 weights, dynamic int8 linear layers,
ONNX Runtime in float32 or int8) is only trusted as far as it agrees with float32 on real
inputs: ``compare_paths`` reports the share of inputs that get the same answer (verdict
level and label) and the largest difference in fake probability. ``lopt export --check
FOLDER`` stores those
numbers next to the checkpoint (``lopt_precision.json``); a server measures them on the
inputs it judges (``lopt.inference.live_check``) and keeps its record in the export cache
(``LOPT_CACHE_DIR``). ``LOPT_PRECISION=auto`` picks a reduced path only when a record shows
at least ``LOPT_MIN_AGREEMENT`` agreement and a speed-up.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import torch

from lopt.config import Settings
from lopt.errors import ModelLoadError
from lopt.inference.device import cpu_flags
from lopt.inference.exports import export_folder
from lopt.inference.onnx_backend import ONNX_FILES, load_onnx
from lopt.inference.registry import LoadedModel

if TYPE_CHECKING:
    from lopt.inference.detectors import Detector, Scores

Precision = Literal["auto", "exact", "bfloat16", "int8", "onnx", "onnx-int8", "onnx-int8-mixed"]
REDUCED: tuple[str, ...] = ("bfloat16", "int8", "onnx", "onnx-int8", "onnx-int8-mixed")
RECORD_FILE = "lopt_precision.json"
CPU_ONLY = {"int8", "onnx", "onnx-int8", "onnx-int8-mixed"}
AUTO_CANDIDATES = REDUCED
MIN_SPEEDUP = 1.05  # a path measured no faster than float32 is not worth any error
NEAR_FASTEST = 0.9

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Agreement:
    """How a reduced path compares with float32 on the same inputs."""

    precision: str
    samples: int
    agreement: float  # share of inputs with the same verdict level and label
    max_probability_difference: float  # largest |fake probability - float32's|
    speedup: float | None = None  # forward passes per second over float32's, where measured
    source: str = "export_check"  # "export_check" (lopt export --check) or "live" (served inputs)
    detail: str = ""  # how the path was made, where that varies (int8 files: ``int8.describe``)

    def passes(self, min_agreement: float) -> bool:
        faster = self.speedup is None or self.speedup > MIN_SPEEDUP
        return self.samples > 0 and self.agreement >= min_agreement and faster


def cpu_supports_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX), on Linux."""
    return bool(cpu_flags(cpuinfo) & {"avx512_bf16", "amx_bf16"})


def read_record(folder: Path | None) -> dict[str, Agreement]:
    """The agreement measured for each reduced path of the checkpoint in ``folder``."""
    path = folder / RECORD_FILE if folder is not None else None
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
        source = data.get("source", "export_check")
        return {
            item["precision"]: Agreement(**{"source": source, **item}) for item in data["paths"]
        }
    except (ValueError, KeyError, TypeError) as error:
        log.warning("Ignoring unreadable %s: %s", path, error)
        return {}


def write_record(
    folder: Path, results: Sequence[Agreement], data: str, source: str = "export_check"
) -> Path:
    """Write ``lopt_precision.json`` atomically (a reader never sees half a record)."""
    path = folder / RECORD_FILE
    payload = {
        "reference": "float32",
        "source": source,
        "data": data,
        "paths": [{**asdict(result), "source": source} for result in results],
    }
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(payload, indent=2) + "\n")
    partial.replace(path)
    return path


def usable_record(folders: Sequence[Path | None]) -> dict[str, tuple[Agreement, Path | None]]:
    """Each path's agreement and the folder with its files, from the records in ``folders``
    (later folders win: the live record in the export cache over the checkpoint's own); an
    ONNX path counts only where its file is beside the record."""
    found: dict[str, tuple[Agreement, Path | None]] = {}
    for folder in folders:
        for name, result in read_record(folder).items():
            if name in ONNX_FILES and (folder is None or not (folder / ONNX_FILES[name]).is_file()):
                continue
            found[name] = (result, folder)
    return found


def choose_precision(
    requested: str,
    device: torch.device,
    record: dict[str, Agreement],
    *,
    min_agreement: float,
    bf16_capable: bool,
) -> str:
    """Resolve ``auto``; refuse CPU-only paths on a GPU.

    ``auto`` on a CPU takes, of bfloat16 (only where the CPU has native bfloat16), int8
    and the ONNX files present, those whose recorded agreement with float32 is at least
    ``min_agreement`` and that were measured faster than float32; of these, the one
    closest to float32 (smallest probability gap) among those within 10% of the fastest.
    With no such record it stays exact. On a GPU the weight
    dtype (``LOPT_DTYPE``) already chooses half precision, so ``auto`` is exact there.
    """
    if requested == "auto":
        if device.type != "cpu":
            return "exact"
        passing = [
            record[name]
            for name in AUTO_CANDIDATES
            if name in record
            and record[name].passes(min_agreement)
            and (name != "bfloat16" or bf16_capable)
        ]
        if not passing:
            return "exact"
        fastest = max(result.speedup or 0.0 for result in passing)
        # Within 10% of the fastest, speed is noise: take the path closest to float32.
        close = [r for r in passing if (r.speedup or 0.0) >= NEAR_FASTEST * fastest]
        return min(close, key=lambda result: result.max_probability_difference).precision
    if requested in CPU_ONLY and device.type != "cpu":
        raise ModelLoadError(
            f"LOPT_PRECISION={requested} runs on the CPU only; the model is on {device}. "
            "Use LOPT_PRECISION=auto or exact (LOPT_DTYPE picks half precision on a GPU)."
        )
    return requested


def apply_precision(
    loaded: LoadedModel,
    requested: str,
    *,
    min_agreement: float = 0.99,
    num_threads: int = 0,
    bf16_capable: bool | None = None,
    keep_reference: bool = False,
    cache_folder: Path | None = None,
) -> LoadedModel:
    """``loaded`` running on the chosen path (the float32 model itself for ``exact``);
    ``keep_reference`` keeps the float32 torch model beside a reduced one (for heatmaps and
    spot checks). ``auto`` also reads the record in ``cache_folder`` (the export cache)."""
    capable = cpu_supports_bf16() if bf16_capable is None else bf16_capable
    usable = usable_record([loaded.folder, cache_folder])
    precision = choose_precision(
        requested,
        loaded.device,
        {name: result for name, (result, _) in usable.items()},
        min_agreement=min_agreement,
        bf16_capable=capable,
    )
    if loaded.task != "image" and precision not in ("exact", "bfloat16"):
        if requested == "auto":
            precision = "exact"  # int8 and ONNX paths exist for image models only
        else:
            raise ModelLoadError(
                f"LOPT_PRECISION={precision} is for image models; video models run exact or "
                "bfloat16."
            )
    if precision == "exact":
        return replace(loaded, precision="exact")
    evidence = usable[precision][0] if requested == "auto" else None
    log.info("%s runs with precision %s", loaded.model_id, precision)
    reference = None
    if keep_reference:  # only the bfloat16 conversion changes the model in place
        reference = copy.deepcopy(loaded.model) if precision == "bfloat16" else loaded.model
    if precision == "bfloat16":
        model = loaded.model.to(torch.bfloat16)
        return replace(
            loaded,
            model=model,
            dtype=torch.bfloat16,
            precision=precision,
            reference_model=reference,
            precision_evidence=evidence,
        )
    if precision == "int8":
        return replace(
            loaded,
            model=quantize_linear_int8(loaded.model),
            dtype=torch.float32,
            precision="int8",
            reference_model=reference,
            precision_evidence=evidence,
        )
    folder = usable[precision][1] if precision in usable else loaded.folder
    model = load_onnx(folder, precision, loaded.model_id, num_threads)
    return replace(
        loaded,
        model=model,
        dtype=torch.float32,
        precision=precision,
        reference_model=reference,
        precision_evidence=evidence,
    )


def apply_configured_precision(loaded: LoadedModel, settings: Settings) -> LoadedModel:
    """``apply_precision`` with ``LOPT_PRECISION``, ``LOPT_MIN_AGREEMENT``, ``LOPT_NUM_THREADS``
    and the export cache's live record; the float32 model stays beside a reduced one where
    heatmaps or live spot checks need it."""
    image = loaded.task == "image"
    live = settings.precision == "auto" and settings.shadow_samples > 0
    return apply_precision(
        loaded,
        settings.precision,
        min_agreement=settings.min_agreement,
        num_threads=settings.num_threads,
        keep_reference=image and (settings.heatmaps or live),
        cache_folder=export_folder(loaded, settings) if image and live else None,
    )


def quantize_linear_int8(model: torch.nn.Module) -> torch.nn.Module:
    """Linear layers' weights to int8, activations quantised per batch (CPU, no calibration)."""
    import warnings

    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notices
        quantized: torch.nn.Module = quantize_dynamic(  # type: ignore[no-untyped-call]
            model.float(), {torch.nn.Linear}, dtype=torch.qint8
        )
    return quantized.eval()


def same_answer(a: Scores, b: Scores) -> bool:
    """What a user is told is the same: the verdict level and the likelier label. (A model
    that cannot tell, scoring near 0.5, keeps its level under rounding but flips its label.)"""
    return a.verdict == b.verdict and a.label == b.label


def compare_paths(
    reference: Detector,
    candidate: Detector,
    inputs: Iterable[torch.Tensor],
    *,
    precision: str,
    batch_size: int = 16,
) -> Agreement:
    """Run both detectors on the same preprocessed inputs and compare their verdicts.

    Both are timed on every batch after the first (which pays for warm-up), giving the
    candidate's speed-up over the reference on this machine.
    """
    batch: list[torch.Tensor] = []
    same, total, worst = 0, 0, 0.0
    seconds = [0.0, 0.0]
    timed = 0

    def flush() -> None:
        nonlocal same, total, worst, timed
        stacked = torch.stack(batch)
        started = time.perf_counter()
        expected = reference.predict(stacked)
        middle = time.perf_counter()
        got = candidate.predict(stacked)
        if total > 0:
            seconds[0] += middle - started
            seconds[1] += time.perf_counter() - middle
            timed += 1
        for a, b in zip(expected, got, strict=True):
            same += same_answer(reference.decide(float(a)), candidate.decide(float(b)))
        worst = max(worst, float(np.max(np.abs(expected - got))))
        total += len(batch)
        batch.clear()

    for tensor in inputs:
        batch.append(tensor)
        if len(batch) == batch_size:
            flush()
    if batch:
        flush()
    return Agreement(
        precision=precision,
        samples=total,
        agreement=same / total if total else 0.0,
        max_probability_difference=round(worst, 6),
        speedup=round(seconds[0] / seconds[1], 3) if timed and seconds[1] > 0 else None,
    )
