"""The training report's breakdown: AUC per fake kind and per source, FPR per real source."""

from __future__ import annotations

from pathlib import Path

import albumentations as A
import cv2
import numpy as np
import pytest

from lopt.training.blend_files import write_self_blended
from lopt.training.crops import build_crop_cache
from lopt.training.data import Sample, load_samples
from lopt.training.dataset import FaceDataset, make_items
from lopt.training.report import breakdown
from tests.helpers import MEDIA, needs_media


def test_breakdown_holds_each_fake_source_against_its_own_real_faces() -> None:
    keys: list[tuple[str, str]] = []
    probs: list[float] = []
    for n in range(10):
        keys += [("lfw", "real"), ("lfw", "fake"), ("lfw", "sbi")]
        probs += [0.1 + 0.01 * n, 0.9, 0.05]  # swaps caught, self-blends missed
        keys += [("ffpp", "real"), ("ffpp/Deepfakes", "fake")]
        probs += [0.6, 0.4]  # the video fakes score below their own reals
    sources = np.array([source for source, _ in keys], dtype=object)
    kinds = np.array([kind for _, kind in keys], dtype=object)
    labels = (kinds != "real").astype(np.int64)
    result = breakdown(labels, np.array(probs), sources, kinds, threshold=0.5)
    assert result["auc_by_source"]["lfw"] == pytest.approx(1.0)
    assert result["auc_by_source"]["ffpp/Deepfakes"] == pytest.approx(0.0)  # vs ffpp reals
    assert result["auc_by_fake_kind"]["self_blended"] < 0.2
    assert result["fpr_by_real_source"] == {"ffpp": 1.0, "lfw": 0.0}


@needs_media
def test_self_blended_files_are_the_evaluated_fakes(tmp_path: Path) -> None:
    """The written files are exactly the fixed evaluation fakes FaceDataset makes."""
    photo = MEDIA / "facenet_paul_rudd.jpg"
    crops = build_crop_cache([Sample(photo, 0, "rudd", "portraits")], tmp_path / "c", size=128)
    items = make_items(crops, sbi=True)
    assert [i.kind for i in items] == ["real", "sbi"]
    manifest = write_self_blended(items, tmp_path / "test-self-blended", seed=0)
    [sample] = load_samples(manifest)
    assert (sample.label, sample.group, sample.source) == (1, "rudd", "portraits/self-blended")
    written = cv2.cvtColor(cv2.imread(str(sample.path)), cv2.COLOR_BGR2RGB)
    dataset = FaceDataset(items, A.Compose([]), (0, 0, 0), (1 / 255,) * 3, seed=0, train=False)
    evaluated, label = dataset[1]
    assert label == 1
    assert np.array_equal(evaluated.permute(1, 2, 0).round().byte().numpy(), written)
    assert not np.array_equal(written, items[0].crop.load())  # really blended
