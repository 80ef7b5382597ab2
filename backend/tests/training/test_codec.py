"""Video-codec degradation: a real H.264/VP9 encode and decode, the same for both classes."""

from __future__ import annotations

from pathlib import Path

import albumentations as A
import cv2
import numpy as np
import pytest

from lopt.training.augment import train_transform
from lopt.training.codec import VideoCodec, codec_roundtrip
from lopt.training.config import TrainConfig


def textured(side: int = 96, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = cv2.GaussianBlur(rng.integers(0, 256, (side, side, 3), dtype=np.uint8), (0, 0), 2)
    return np.ascontiguousarray(base)


@pytest.mark.parametrize("codec", ["h264", "vp9"])
def test_roundtrip_keeps_size_and_degrades_more_at_higher_crf(codec: str) -> None:
    image = textured(97)  # odd side: 4:2:0 needs even sides, the function pads and cuts
    light = codec_roundtrip(image, codec, 18 if codec == "h264" else 24)  # type: ignore[arg-type]
    heavy = codec_roundtrip(image, codec, 44 if codec == "h264" else 60)  # type: ignore[arg-type]
    assert light.shape == heavy.shape == image.shape and light.dtype == np.uint8
    assert cv2.PSNR(light, image) > cv2.PSNR(heavy, image) + 3
    assert not np.array_equal(light, image)  # really re-encoded
    assert cv2.PSNR(heavy, image) > 18  # still the same picture


def test_roundtrip_subsamples_colour_like_video() -> None:
    # One-pixel red/blue stripes: 4:2:0 chroma cannot hold them, luma barely changes.
    image = np.zeros((64, 64, 3), np.uint8)
    image[:, ::2] = (200, 0, 0)
    image[:, 1::2] = (0, 0, 200)
    out = codec_roundtrip(image, "h264", 18).astype(int)
    assert np.abs(out[:, ::2, 0] - out[:, 1::2, 0]).mean() < 100  # stripes smeared together


def test_transform_draws_codec_and_quality_and_is_in_training_augmentation() -> None:
    transform = VideoCodec(p=1.0)
    transform.set_random_seed(0)
    params = [transform.get_params() for _ in range(40)]
    assert {p["codec"] for p in params} == {"h264", "vp9"}
    assert len({p["crf"] for p in params}) > 5
    out = transform(image=textured())["image"]
    assert out.shape == (96, 96, 3)
    names = repr(train_transform(64))
    assert "VideoCodec" in names and "ImageCompression" in names and "MotionBlur" in names


def test_rejects_non_rgb_input() -> None:
    with pytest.raises(ValueError, match="RGB uint8"):
        codec_roundtrip(np.zeros((8, 8), np.uint8), "h264", 23)


DEGRADATIONS = {
    "GaussianBlur",
    "MotionBlur",
    "GaussNoise",
    "Downscale",
    "ImageCompression",
    "VideoCodec",
}


@pytest.mark.parametrize(("degrade", "low", "high"), [(0.0, 0, 0), (0.5, 0.3, 0.7), (1.0, 0.75, 1)])
def test_degrade_scales_how_often_faces_are_blurred_noised_downscaled_or_compressed(
    degrade: float, low: float, high: float
) -> None:
    # Draws with any degradation: about 0.85 at full strength (each one's own chance,
    # 0.2-0.8, combined), about half of that at half strength, none at 0.
    full = train_transform(32, degrade)
    transform = A.Compose(full.transforms, save_applied_params=True)
    transform.set_random_seed(0)
    image = textured(32)
    draws = 200
    degraded = 0
    for _ in range(draws):
        applied = {name for name, _ in transform(image=image)["applied_transforms"]}
        degraded += bool(applied & DEGRADATIONS)
        assert "RandomResizedCrop" in applied  # the crop is never scaled away
    assert low * draws <= degraded <= high * draws


def test_degrade_is_a_share_and_a_face_crop_option(tmp_path: Path) -> None:
    assert TrainConfig(data=tmp_path, output=tmp_path, degrade=0.5).degrade == 0.5
    for share in (-0.1, 1.5):
        with pytest.raises(ValueError, match="--degrade is a share"):
            TrainConfig(data=tmp_path, output=tmp_path, degrade=share)
        with pytest.raises(ValueError, match="between 0 and 1"):
            train_transform(64, share)
    with pytest.raises(ValueError, match="--degrade: face-crop options"):
        TrainConfig(data=tmp_path, output=tmp_path, task="video", degrade=0.5)
