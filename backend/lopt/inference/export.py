"""``lopt export``: a checkpoint folder with ONNX files and its precision record.

The output folder holds a copy of the checkpoint, ``model.onnx``, ``model-int8.onnx``
and, when images are given, ``lopt_precision.json``: each reduced path's agreement with
float32 on those images. Point ``LOPT_IMAGE_MODEL`` at the folder to serve it.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from lopt.errors import ModelLoadError
from lopt.inference.detectors import ImageDetector
from lopt.inference.onnx_backend import ONNX_FILES, export_onnx
from lopt.inference.precision import RECORD_FILE, REDUCED, apply_precision, compare_paths
from lopt.inference.precision import write_record as save_record
from lopt.inference.registry import LoadedModel, load_model
from lopt.media.images import load_image

CPU = torch.device("cpu")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}


def load_float32(model_id: str) -> LoadedModel:
    return load_model(model_id, task="image", setting="MODEL", device=CPU, dtype=torch.float32)


def find_images(data: Path, limit: int) -> list[Path]:
    """Up to ``limit`` image files under ``data``, spread evenly over the sorted list."""
    paths = sorted(p for p in data.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise ModelLoadError(f"No images under {data} to check the reduced precisions on.")
    step = max(1, len(paths) // limit)
    return paths[::step][:limit]


def export_checkpoint(
    model_id: str, output: Path, *, check: Sequence[Path] = (), max_pixels: int = 50_000_000
) -> dict[str, Any]:
    """Copy the checkpoint to ``output``, add its ONNX files, and check every reduced path."""
    loaded = load_float32(model_id)
    if loaded.folder is None:
        raise ModelLoadError(f"Cannot find the files of '{model_id}' to copy.")
    if output.resolve() != loaded.folder.resolve():
        ignore = shutil.ignore_patterns(*ONNX_FILES.values(), RECORD_FILE)
        shutil.copytree(loaded.folder, output, dirs_exist_ok=True, ignore=ignore)
    reference = ImageDetector(loaded)
    sample = torch.stack([reference.warm_up_input()] * 2)
    files = export_onnx(load_float32(str(output)).model, sample, output)
    report: dict[str, Any] = {"folder": str(output), "files": {k: str(v) for k, v in files.items()}}
    if check:
        tensors = [reference.preprocess(load_image(p, max_pixels=max_pixels).image) for p in check]
        results = []
        for precision in REDUCED:
            candidate = ImageDetector(apply_precision(load_float32(str(output)), precision))
            results.append(compare_paths(reference, candidate, tensors, precision=precision))
        save_record(output, results, data=f"{len(check)} images")
        report["agreement"] = [vars(result) for result in results]
    return report
