"""Do the shipped detector's heatmaps mean anything? Checked on self-blended fakes, whose
blend masks are known, made from held-out photos (test-split.csv), and by Adebayo et al.'s
model randomisation check. `bench/bench_heatmaps.py` prints the same figures on more faces;
these tests check the properties on a few."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import torch

from lopt.explain import explain_batch, find_target
from lopt.explain.checks import randomised_copy, rank_correlation, share_inside
from lopt.inference.detectors import ImageDetector
from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL
from tests.helpers import load_on_cpu, shared_data

TEST_SPLIT = Path(__file__).resolve().parents[3] / "models" / "lopt-faces-v2" / "test-split.csv"
FACES = shared_data() / "faces"
pytestmark = pytest.mark.skipif(not FACES.is_dir(), reason=f"shared faces not found at {FACES}")
blend_files = pytest.importorskip("lopt.training.blend_files", reason="needs the training extra")


def held_out_photos() -> list[Path]:
    rows = [r for r in csv.DictReader(TEST_SPLIT.open()) if r["label"] == "real"]
    order = np.random.default_rng(0).permutation(len(rows))
    return [shared_data() / rows[i]["path"] for i in order]


def grad_cams(model: torch.nn.Module, detector: ImageDetector, crops: list[np.ndarray]) -> list:  # type: ignore[type-arg]
    target = find_target(model)
    assert target is not None
    pixels = torch.stack([detector.preprocess(crop) for crop in crops])
    fake = detector.loaded.labels.fake_indices
    return [m.grad_cam for m in explain_batch(model, target, pixels, fake)]


@pytest.fixture(scope="module")
def shipped() -> ImageDetector:
    return ImageDetector(load_on_cpu(Path(EMBEDDED_IMAGE_MODEL)))


@pytest.fixture(scope="module")
def blends() -> list:  # type: ignore[type-arg]
    made = blend_files.self_blended_crops(held_out_photos(), 16, seed=0)
    assert len(made) == 16
    return made  # type: ignore[no-any-return]


def test_the_hottest_part_of_the_map_falls_on_the_blended_region(
    shipped: ImageDetector,
    blends: list,  # type: ignore[type-arg]
) -> None:
    maps = grad_cams(shipped.loaded.model, shipped, [blend.fake for blend in blends])
    pairs = [
        share_inside(heat, blend.mask >= 0.5) for heat, blend in zip(maps, blends, strict=True)
    ]
    hits, shares = np.mean([p[0] for p in pairs]), np.mean([p[1] for p in pairs])
    assert hits >= 1.5 * shares


def test_maps_change_when_the_last_block_and_head_are_randomised(
    shipped: ImageDetector,
    blends: list,  # type: ignore[type-arg]
) -> None:
    crops = [blend.fake for blend in blends]
    model = shipped.loaded.model
    trained = grad_cams(model, shipped, crops)
    again = grad_cams(model, shipped, crops)
    changed = grad_cams(randomised_copy(model), shipped, crops)
    assert np.median([rank_correlation(a, b) for a, b in zip(trained, again, strict=True)]) > 0.99
    assert np.median([rank_correlation(a, b) for a, b in zip(trained, changed, strict=True)]) < 0.5
