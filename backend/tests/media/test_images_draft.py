"""JPEGs are decoded at reduced size only when asked, never below the side asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lopt.media.images import draft_scale, load_image


def jpeg(path: Path, width: int, height: int) -> Path:
    ys, xs = np.mgrid[0:height, 0:width]
    rgb = np.stack([xs * 255 // width, ys * 255 // height, (xs + ys) * 255 // (width + height)], -1)
    Image.fromarray(rgb.astype(np.uint8)).save(path, quality=95)
    return path


@pytest.mark.parametrize(
    ("size", "min_side", "expected"),
    [
        ((4032, 3024), 640, 4),
        ((4032, 3024), 300, 8),
        ((1920, 1080), 640, 1),
        ((1920, 1080), 540, 2),
    ],
)
def test_draft_scale_keeps_the_shorter_side(
    size: tuple[int, int], min_side: int, expected: int
) -> None:
    assert draft_scale(*size, min_side) == expected


@pytest.mark.parametrize(
    ("size", "min_long_side", "expected"),
    [
        ((1920, 1080), 640, 2),  # 960 x 540 still gives the face detector its 640 px
        ((1080, 1920), 640, 2),
        ((4032, 3024), 640, 4),
        ((4032, 3024), 1100, 2),
        ((800, 600), 640, 1),
    ],
)
def test_draft_scale_keeps_the_longer_side(
    size: tuple[int, int], min_long_side: int, expected: int
) -> None:
    assert draft_scale(*size, 0, min_long_side) == expected
    # Both limits together: the stricter one wins.
    assert draft_scale(*size, min(size), min_long_side) == 1


def test_reduced_decode_of_a_12mp_jpeg(tmp_path: Path) -> None:
    path = jpeg(tmp_path / "photo.jpg", 4032, 3024)
    full = load_image(path, max_pixels=50_000_000)
    small = load_image(path, max_pixels=50_000_000, min_side=700)
    assert (full.width, full.height, full.scale) == (4032, 3024, 1.0)
    assert (small.width, small.height) == (1008, 756) and small.scale == 4.0
    assert small.original_size == (4032, 3024)
    # The same picture: compare with a full decode shrunk by area averaging.
    reference = np.asarray(full.image.resize((1008, 756), Image.Resampling.BOX), dtype=np.float32)
    assert np.abs(np.asarray(small.image, dtype=np.float32) - reference).mean() < 3


def test_no_reduction_unless_asked_or_for_other_formats(tmp_path: Path) -> None:
    png = tmp_path / "photo.png"
    Image.fromarray(np.zeros((1200, 1600, 3), np.uint8)).save(png)
    assert load_image(png, max_pixels=10**8, min_side=100).scale == 1.0
    path = jpeg(tmp_path / "photo.jpg", 1600, 1200)
    assert load_image(path, max_pixels=10**8).width == 1600
    assert load_image(path, max_pixels=10**8, min_side=1200).width == 1600
    assert load_image(path, max_pixels=10**8, min_long_side=800).width == 800
    assert load_image(path, max_pixels=10**8, min_long_side=801).width == 1600
