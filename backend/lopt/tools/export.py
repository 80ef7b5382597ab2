"""``lopt export``: a checkpoint folder with ONNX files and its precision record.

The output folder holds a copy of the checkpoint, ``model.onnx``, ``model-int8.onnx``
and, when images are given, ``model-int8-mixed.onnx`` (the multiplications int8 hurts most
on the first ``CALIBRATION`` inputs kept in float32; it is then checked on the others only)
and ``lopt_precision.json``: each reduced path's agreement with float32 on those images.
The images go through what serving does to them first: faces are found and cropped (the
whole image when there is none), so the check runs on the inputs the model really sees.
Point ``LOPT_IMAGE_MODEL`` at the folder to serve it.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lopt.config import Settings
from lopt.errors import ModelLoadError
from lopt.inference.detectors import ImageDetector
from lopt.inference.int8 import CALIBRATION, describe, quantize_mixed, recipe_path
from lopt.inference.onnx_backend import ONNX_FILES, export_onnx
from lopt.inference.precision import RECORD_FILE, REDUCED, apply_precision, compare_paths
from lopt.inference.precision import write_record as save_record
from lopt.inference.registry import LoadedModel, load_model
from lopt.media.face_config import FaceDetectorConfig
from lopt.media.faces import FaceDetector, crop_faces
from lopt.media.formats import extensions
from lopt.media.images import load_image

CPU = torch.device("cpu")
IMAGE_SUFFIXES = extensions("image")


def load_float32(model_id: str) -> LoadedModel:
    return load_model(model_id, task="image", setting="MODEL", device=CPU, dtype=torch.float32)


def find_images(data: Path, limit: int) -> list[Path]:
    """Up to ``limit`` image files, spread evenly over the sorted list: those under the
    folder ``data``, or those a CSV manifest lists (a ``path`` column, e.g. a training
    run's ``splits/val.csv``)."""
    if data.is_file() and data.suffix.lower() == ".csv":
        from lopt.training.data import read_manifest

        listed = [sample.path for sample in read_manifest(data)]
        paths = sorted(p for p in listed if p.suffix.lower() in IMAGE_SUFFIXES)
    else:
        paths = sorted(p for p in data.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise ModelLoadError(f"No images in {data} to check the reduced precisions on.")
    step = max(1, len(paths) // limit)
    return paths[::step][:limit]


def model_inputs(
    paths: Sequence[Path],
    detector: ImageDetector,
    faces: FaceDetector | None,
    *,
    margin: float,
    min_face_size: int,
    max_pixels: int,
) -> list[torch.Tensor]:
    """What serving feeds the model for each image: every face large enough to judge,
    cropped as in serving, or the whole image when there is none (or ``faces`` is None)."""
    tensors: list[torch.Tensor] = []
    for path in paths:
        rgb = np.asarray(load_image(path, max_pixels=max_pixels).image)
        found = faces.detect(rgb) if faces else []
        judged = [box for box in found if box.size >= min_face_size]
        crops = crop_faces(rgb, judged, margin) if judged else [rgb]
        tensors.extend(detector.preprocess(crop) for crop in crops)
    return tensors


def export_checkpoint(
    model_id: str,
    output: Path,
    *,
    check: Sequence[Path] = (),
    faces: bool = True,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Copy the checkpoint to ``output``, add its ONNX files, and check every reduced path
    on ``check`` (face crops as serving makes them with ``settings``, unless ``faces`` is
    False)."""
    settings = settings or Settings()
    loaded = load_float32(model_id)
    if loaded.folder is None:
        raise ModelLoadError(f"Cannot find the files of '{model_id}' to copy.")
    if output.resolve() != loaded.folder.resolve():
        recipes = [recipe_path(Path(ONNX_FILES[n])).name for n in ONNX_FILES if "int8" in n]
        made = [*ONNX_FILES.values(), *recipes]
        ignore = shutil.ignore_patterns(*made, RECORD_FILE)
        shutil.copytree(loaded.folder, output, dirs_exist_ok=True, ignore=ignore)
    reference = ImageDetector(loaded)
    sample = torch.stack([reference.warm_up_input()] * 2)
    files = export_onnx(load_float32(str(output)).model, sample, output)
    report: dict[str, Any] = {"folder": str(output), "files": {k: str(v) for k, v in files.items()}}
    if check:
        detector = None
        if faces:
            detector = FaceDetectorConfig.from_settings(settings).build()
        tensors = model_inputs(
            check,
            reference,
            detector,
            margin=settings.face_margin,
            min_face_size=settings.min_face_size,
            max_pixels=settings.max_image_pixels,
        )
        calibration = min(CALIBRATION, len(tensors) // 4)
        if calibration:
            inputs = torch.stack(tensors[:calibration]).numpy()
            quantize_mixed(files["onnx"], output / ONNX_FILES["onnx-int8-mixed"], inputs)
        results = []
        for precision in REDUCED:
            if precision == "onnx-int8-mixed" and not calibration:
                continue  # too few inputs to measure on and check on apart
            judged = tensors[calibration:] if precision == "onnx-int8-mixed" else tensors
            candidate = ImageDetector(apply_precision(load_float32(str(output)), precision))
            result = compare_paths(reference, candidate, judged, precision=precision)
            if precision in ONNX_FILES:
                result = replace(result, detail=describe(output / ONNX_FILES[precision]))
            results.append(result)
        what = "face crops" if faces else "whole images"
        save_record(output, results, data=f"{len(tensors)} {what} from {len(check)} images")
        report["agreement"] = [vars(result) for result in results]
    return report
