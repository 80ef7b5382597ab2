"""Builders for tests: tiny random checkpoints and generated media, all offline."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image
from transformers import (
    DeiTConfig,
    DeiTForImageClassification,
    DeiTImageProcessor,
    TimesformerConfig,
    TimesformerForVideoClassification,
    VideoMAEConfig,
    VideoMAEForVideoClassification,
    VideoMAEImageProcessor,
    ViTConfig,
    ViTForImageClassification,
    ViTImageProcessor,
)

SIDE = 32
NUM_FRAMES = 4
REAL_FAKE = {0: "Real", 1: "Fake"}
TINY = {
    "hidden_size": 32,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "intermediate_size": 37,
}


def shared_data() -> Path:
    """The read-only shared data folder (LOPT_SHARED_DATA, else ../shared/data)."""
    default = Path(__file__).resolve().parents[2].parent / "shared" / "data"
    return Path(os.environ.get("LOPT_SHARED_DATA", default))


# The shared data's folders that tests read; under CI=true each must be there (conftest).
SHARED_FOLDERS = ("media", "faces", "provenance")
MEDIA = shared_data() / "media"
needs_media = pytest.mark.skipif(
    not MEDIA.is_dir(),
    reason=f"shared media folder {MEDIA} is absent; set LOPT_SHARED_DATA to the data folder",
)
PROVENANCE = shared_data() / "provenance"
needs_provenance = pytest.mark.skipif(
    not PROVENANCE.is_dir(),
    reason=f"shared provenance folder {PROVENANCE} is absent; set LOPT_SHARED_DATA to the "
    "data folder",
)


def _labels(id2label: dict[int, str]) -> dict[str, object]:
    return {"id2label": id2label, "label2id": {v: k for k, v in id2label.items()}}


def _bias_towards(model: torch.nn.Module, index: int | None) -> None:
    """Make the classifier answer ``index`` whatever the input (for verdict tests)."""
    if index is None:
        return
    classifier = model.classifier  # type: ignore[attr-defined]
    with torch.no_grad():
        classifier.weight.zero_()
        classifier.bias.fill_(-4.0)
        classifier.bias[index] = 4.0


def build_image_model(
    folder: Path,
    kind: str = "vit",
    id2label: dict[int, str] | None = None,
    answer: int | None = None,
) -> Path:
    """Save a tiny random ViT or DeiT classifier plus its processor to ``folder``."""
    torch.manual_seed(0)
    labels = _labels(id2label or REAL_FAKE)
    if kind == "vit":
        model = ViTForImageClassification(
            ViTConfig(image_size=SIDE, patch_size=8, **TINY, **labels)
        )
        processor = ViTImageProcessor(size={"height": SIDE, "width": SIDE})
    elif kind == "deit":
        model = DeiTForImageClassification(
            DeiTConfig(image_size=SIDE, patch_size=8, **TINY, **labels)
        )
        processor = DeiTImageProcessor(
            size={"height": SIDE + 4, "width": SIDE + 4}, crop_size={"height": SIDE, "width": SIDE}
        )
    else:
        raise ValueError(kind)
    _bias_towards(model, answer)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def build_video_model(
    folder: Path,
    kind: str = "timesformer",
    id2label: dict[int, str] | None = None,
    answer: int | None = None,
) -> Path:
    """Save a tiny random TimeSformer or VideoMAE video classifier plus its processor."""
    torch.manual_seed(0)
    labels = _labels(id2label or REAL_FAKE)
    common = {"image_size": SIDE, "patch_size": 8, "num_frames": NUM_FRAMES, **TINY, **labels}
    if kind == "timesformer":
        model = TimesformerForVideoClassification(TimesformerConfig(**common))
    elif kind == "videomae":
        model = VideoMAEForVideoClassification(VideoMAEConfig(tubelet_size=2, **common))
    else:
        raise ValueError(kind)
    _bias_towards(model, answer)
    model.save_pretrained(folder)
    VideoMAEImageProcessor(
        size={"shortest_edge": SIDE}, crop_size={"height": SIDE, "width": SIDE}
    ).save_pretrained(folder)
    return folder


def with_outlier_channels(source: Path, folder: Path, factor: float = 1000.0) -> Path:
    """``source`` (a saved ViT) with one value channel of every attention layer ``factor``
    times larger and the output projection's matching input column ``factor`` times
    smaller: float32 computes the same function, but int8 with one range for the whole
    input of that projection loses its other channels (the outlier features of trained
    transformers, made certain)."""
    import shutil

    model = ViTForImageClassification.from_pretrained(source).eval()
    with torch.no_grad():
        for layer in model.vit.layers:
            layer.attention.v_proj.weight[0] *= factor
            layer.attention.v_proj.bias[0] *= factor
            layer.attention.o_proj.weight[:, 0] /= factor
    model.save_pretrained(folder)
    shutil.copy(source / "preprocessor_config.json", folder / "preprocessor_config.json")
    return folder


def noise_image(width: int = 96, height: int = 64, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))


def write_image(path: Path, image: Image.Image | None = None, **save: object) -> Path:
    (image or noise_image()).save(path, **save)
    return path


FOURCC = {".mp4": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".webm": "VP80", ".mkv": "XVID"}


def write_video(
    path: Path, frames: int = 40, fps: float = 10.0, size: tuple[int, int] = (64, 48)
) -> Path:
    """A video whose frame ``i`` is uniformly gray at level ``level_of(i, frames)``, so a
    decoded frame tells which frame it was."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*FOURCC[path.suffix]), fps, size)
    assert writer.isOpened(), f"OpenCV cannot write {path.suffix}"
    for index in range(frames):
        writer.write(np.full((size[1], size[0], 3), level_of(index, frames), dtype=np.uint8))
    writer.release()
    return path


def level_of(index: int, frames: int) -> int:
    return round(20 + 215 * index / max(1, frames - 1))


def set_policy(folder: Path, **entries: object) -> Path:
    """Write verdict-policy keys (lopt_calibration, lopt_verdict_bands, lopt_input, ...)
    into a saved checkpoint's config.json, as `lopt train` / `lopt evaluate` do."""
    import json

    config_path = folder / "config.json"
    config = json.loads(config_path.read_text())
    config.update(entries)
    config_path.write_text(json.dumps(config, indent=2))
    return folder


def load_on_cpu(folder: Path, task: str = "image"):  # type: ignore[no-untyped-def]
    """A saved checkpoint loaded through the serving registry, in float32 on the CPU."""
    from lopt.inference.registry import load_model

    return load_model(
        str(folder),
        task=task,  # type: ignore[arg-type]
        setting="LOPT_IMAGE_MODEL" if task == "image" else "LOPT_VIDEO_MODEL",
        device=torch.device("cpu"),
        dtype=torch.float32,
    )
