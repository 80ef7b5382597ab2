"""Augmentation, identical for both classes, so none of it can become a label.

Random resized crop, flip, colour jitter, blur (Gaussian or motion), noise, downscaling
and then one compression — JPEG at quality 30-100, or a real H.264/VP9 encode and decode
of a two-frame clip (``codec.VideoCodec``) — are applied to real and fake faces alike,
which teaches the detector to ignore resolution, sharpness, motion and compression
history: photos and video frames of both classes look alike to it. ``degrade`` scales the
probability of each degradation (blur, noise, downscaling, compression): 1 is the full
recipe, 0 leaves only the crop, flip and colour jitter.
"""

from __future__ import annotations

from collections.abc import Sequence

import albumentations as A
import cv2
import numpy as np
import torch

from lopt.training.codec import VideoCodec


def train_transform(size: int, degrade: float = 1.0) -> A.Compose:
    if not 0.0 <= degrade <= 1.0:
        raise ValueError("degrade is a share: between 0 and 1")
    return A.Compose(
        [
            A.RandomResizedCrop(size=(size, size), scale=(0.7, 1.0), ratio=(0.9, 1.1)),
            A.HorizontalFlip(p=0.5),
            A.ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2, hue=0.02, p=0.5),
            A.OneOf(
                [A.GaussianBlur(blur_limit=(3, 5)), A.MotionBlur(blur_limit=(3, 7))],
                p=0.25 * degrade,
            ),
            A.GaussNoise(std_range=(0.01, 0.05), p=0.2 * degrade),
            A.Downscale(scale_range=(0.35, 0.9), p=0.3 * degrade),
            A.OneOf(
                [A.ImageCompression(quality_range=(30, 100)), VideoCodec(p=1.0)],
                p=0.8 * degrade,
            ),
        ]
    )


def eval_transform(size: int) -> A.Compose:
    return A.Compose([A.Resize(size, size, interpolation=cv2.INTER_CUBIC)])


def to_tensor(image: np.ndarray, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """RGB uint8 HxWx3 -> normalised float (3, H, W), as the checkpoint's processor does."""
    scaled = image.astype(np.float32) / 255.0
    array = (scaled - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))
