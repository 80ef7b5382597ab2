"""Heatmaps from the models Lopt serves: tiny random ViT and DeiT checkpoints, loaded as any
hub model, and the shipped timm detector."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from lopt.explain import concentration, explain_batch, find_target, render_png, upsample
from lopt.inference.detectors import ImageDetector
from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL
from tests.helpers import SIDE, load_on_cpu, noise_image


@pytest.mark.parametrize(("kind", "layer"), [("vit", "vit.layers.0"), ("deit", "deit.layers.0")])
def test_transformer_maps_cover_the_patch_grid_without_special_tokens(
    checkpoints: dict[str, Path], kind: str, layer: str
) -> None:
    loaded = load_on_cpu(checkpoints[kind])
    target = find_target(loaded.model)
    assert target is not None and target.name == f"{layer} (input)" and target.rollout
    pixels = torch.stack([ImageDetector(loaded).preprocess(noise_image(seed=s)) for s in (1, 2)])
    maps = explain_batch(loaded.model, target, pixels, loaded.labels.fake_indices)
    grid = (SIDE // 8, SIDE // 8)  # DeiT's [CLS] and distillation tokens are not patches
    assert len(maps) == 2 and all(m.grad_cam.shape == grid for m in maps)
    assert all(m.rollout is not None and m.rollout.shape == grid for m in maps)
    assert all((m.grad_cam >= 0).all() and np.isfinite(m.grad_cam).all() for m in maps)
    # Rollout needs the eager attention for one pass; the served model gets its own back.
    assert loaded.model.config._attn_implementation == "sdpa"


def test_the_shipped_detector_is_explained_at_its_last_feature_map() -> None:
    loaded = load_on_cpu(Path(EMBEDDED_IMAGE_MODEL))
    target = find_target(loaded.model)
    assert target is not None and target.name == "timm_model.global_pool (input)"
    assert not target.rollout
    pixels = ImageDetector(loaded).preprocess(noise_image(224, 224))[None]
    [maps] = explain_batch(loaded.model, target, pixels, loaded.labels.fake_indices)
    assert maps.grad_cam.shape == (7, 7) and maps.rollout is None
    assert not any(p.grad is not None for p in loaded.model.parameters())  # nothing accumulated


def test_the_same_input_gives_the_same_map(checkpoints: dict[str, Path]) -> None:
    for folder in (checkpoints["deit"], Path(EMBEDDED_IMAGE_MODEL)):
        loaded = load_on_cpu(folder)
        target = find_target(loaded.model)
        assert target is not None
        pixels = ImageDetector(loaded).preprocess(noise_image(224, 224, seed=3))[None]
        first, second = (
            explain_batch(loaded.model, target, pixels, loaded.labels.fake_indices)[0]
            for _ in range(2)
        )
        assert np.array_equal(first.grad_cam, second.grad_cam)


def test_a_model_lopt_cannot_explain_is_named_not_guessed() -> None:
    assert find_target(torch.nn.Linear(3, 2)) is None


def test_a_flat_or_empty_map_is_not_a_hot_spot() -> None:
    flat = np.ones((64, 64), dtype=np.float32)
    assert concentration(flat) == pytest.approx(0.15, abs=0.01)
    assert concentration(np.zeros((64, 64))) == 0.0
    spot = np.zeros((7, 7), dtype=np.float32)
    spot[2, 3] = 1.0
    assert concentration(upsample(spot, 64, 64)) > 0.5


def test_a_map_renders_as_a_transparent_png_where_there_is_no_evidence() -> None:
    import base64
    import io

    from PIL import Image

    heat = np.zeros((64, 64), dtype=np.float32)
    heat[10:20, 30:40] = 1.0
    url = render_png(heat)
    assert url.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    rgba = np.asarray(image)
    assert image.mode == "RGBA" and rgba.shape == (64, 64, 4)
    assert rgba[0, 0, 3] == 0 and rgba[15, 35, 3] == 255
