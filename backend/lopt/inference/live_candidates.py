"""The reduced paths live checks compare with float32, each made from the float32 model.

Torch int8 and bfloat16 are made in this process; ONNX float32 and int8 are exported, and
``onnx-int8-mixed`` is made from judged inputs, by child processes at the lowest CPU
priority (``exports``). Each is a ``LoadedModel`` like the float32 one, with another model.
Failures are logged and leave a path out: serving goes on in float32 without it.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from dataclasses import replace
from pathlib import Path

import torch

from lopt.config import Settings
from lopt.inference.exports import export_in_background, mixed_in_background
from lopt.inference.onnx_backend import EXPORTED, ONNX_FILES, OnnxClassifier
from lopt.inference.precision import quantize_linear_int8
from lopt.inference.registry import LoadedModel

log = logging.getLogger(__name__)


def torch_candidates(float32: LoadedModel, *, bf16: bool) -> list[tuple[str, LoadedModel]]:
    """Int8 (linear layers, where the model has any) and, on CPUs with native bfloat16,
    bfloat16: copies, so the float32 model stays as it is."""
    model = float32.model
    made = []
    if any(isinstance(m, torch.nn.Linear) for m in model.modules()):
        int8 = quantize_linear_int8(copy.deepcopy(model))
        made.append(("int8", replace(float32, model=int8)))
    if bf16:
        half = copy.deepcopy(model).to(torch.bfloat16)
        made.append(("bfloat16", replace(float32, model=half, dtype=torch.bfloat16)))
    return made


async def onnx_candidates(
    float32: LoadedModel, folder: Path, settings: Settings
) -> list[tuple[str, LoadedModel]]:
    """ONNX float32 and int8, exported into ``folder`` (the export cache) by a child process;
    none where the checkpoint has no folder, the export fails or takes too long."""
    if float32.folder is None:
        return []
    try:
        made = await export_in_background(
            float32.folder, folder, timeout_s=settings.shadow_export_timeout_s
        )
        if not made:
            return []
        paths = []
        for name in EXPORTED:  # the mixed file comes later, from live inputs
            session = await asyncio.to_thread(
                OnnxClassifier, folder / ONNX_FILES[name], settings.num_threads
            )
            paths.append((name, replace(float32, model=session)))
        return paths
    except TimeoutError:
        log.warning("The ONNX export for live checks took too long; checking torch paths only")
    except OSError as error:
        log.warning("No ONNX export for live checks (%s); checking torch paths only", error)
    return []


async def mixed_candidate(
    float32: LoadedModel, folder: Path, inputs: list[torch.Tensor], settings: Settings
) -> LoadedModel | None:
    """``onnx-int8-mixed``, made in ``folder`` by a child process from ``inputs`` (sent
    through a pipe, never written to disk); None where that fails or takes too long."""
    try:
        made = await mixed_in_background(
            folder,
            [tensor.numpy() for tensor in inputs],
            timeout_s=settings.shadow_export_timeout_s,
        )
        if made is None:
            return None
        session = await asyncio.to_thread(OnnxClassifier, made, settings.num_threads)
        return replace(float32, model=session)
    except TimeoutError:
        log.warning("Making the mixed int8 file took too long; it is not checked")
    except Exception as error:  # a background extra: serving goes on without it
        log.warning("No mixed int8 file for live checks (%s)", error)
    return None
