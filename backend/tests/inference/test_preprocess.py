"""The direct preprocessing path gives the checkpoint processor's own tensors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image
from transformers import (
    DeiTImageProcessor,
    TimmWrapperImageProcessor,
    VideoMAEImageProcessor,
    ViTImageProcessor,
)

from lopt.inference.preprocess import fast_preprocess
from lopt.training.backbone import make_pretrained_cfg

# Crops are taller, wider, smaller and larger than the model input, odd and even sides.
SHAPES = [(224, 224), (37, 301), (301, 37), (1080, 1920), (97, 96), (7, 5)]


def photo(height: int, width: int, seed: int = 0) -> np.ndarray:
    """Smooth gradients plus noise: resampling kernels differ visibly on both."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width]
    base = np.stack([xs * 255 / max(1, width - 1), ys * 255 / max(1, height - 1), (xs + ys) % 256])
    noisy = base.transpose(1, 2, 0) + rng.normal(0, 20, (height, width, 3))
    return np.clip(noisy, 0, 255).astype(np.uint8)


PROCESSORS: dict[str, Any] = {
    "vit": lambda: ViTImageProcessor(size={"height": 224, "width": 224}),
    "vit-no-normalise": lambda: ViTImageProcessor(do_normalize=False),
    "deit": lambda: DeiTImageProcessor(),
    "deit-shortest-edge": lambda: DeiTImageProcessor(
        size={"shortest_edge": 256}, crop_size={"height": 224, "width": 224}, resample=2
    ),
    "timm-lite0": lambda: TimmWrapperImageProcessor(
        pretrained_cfg=make_pretrained_cfg(160), architecture="tf_efficientnet_lite0"
    ),
    "timm-crop": lambda: TimmWrapperImageProcessor(
        pretrained_cfg={**make_pretrained_cfg(128), "crop_pct": 0.875},
        architecture="tf_efficientnet_lite0",
    ),
}


@pytest.mark.parametrize("name", sorted(PROCESSORS))
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_fast_path_matches_the_processor(name: str, shape: tuple[int, int]) -> None:
    processor = PROCESSORS[name]()
    fast = fast_preprocess(processor)
    assert fast is not None
    rgb = photo(*shape)
    expected = processor(images=[Image.fromarray(rgb)], return_tensors="pt")["pixel_values"][0]
    got = fast(rgb)
    assert got.dtype == torch.float32
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected.float(), atol=1e-5, rtol=1e-5)


def test_unknown_processors_keep_the_processor() -> None:
    assert fast_preprocess(VideoMAEImageProcessor()) is None
    assert fast_preprocess(ViTImageProcessor(do_pad=True)) is None


def test_image_detector_uses_the_fast_path_with_the_same_verdict(checkpoints) -> None:  # type: ignore[no-untyped-def]
    from lopt.inference.detectors import ImageDetector
    from lopt.inference.registry import load_model

    for name in ("vit", "deit"):
        loaded = load_model(
            str(checkpoints[name]),
            task="image",
            setting="LOPT_IMAGE_MODEL",
            device=torch.device("cpu"),
            dtype=torch.float32,
        )
        detector = ImageDetector(loaded)
        rgb = photo(120, 90, seed=3)
        slow = loaded.processor(images=[Image.fromarray(rgb)], return_tensors="pt")
        expected = detector.predict(slow["pixel_values"].float())
        got = detector.predict(detector.preprocess(Image.fromarray(rgb)).unsqueeze(0))
        np.testing.assert_allclose(got, expected, atol=1e-6)


def test_image_detector_knows_its_input_side(checkpoints) -> None:  # type: ignore[no-untyped-def]
    from lopt.inference.detectors import ImageDetector
    from lopt.inference.registry import load_model

    loaded = load_model(
        str(checkpoints["deit"]),
        task="image",
        setting="LOPT_IMAGE_MODEL",
        device=torch.device("cpu"),
        dtype=torch.float32,
    )
    assert ImageDetector(loaded).input_side == 32  # crop_size, not the 36 px resize
