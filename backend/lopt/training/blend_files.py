"""Self-blended fakes written out as files, so ``lopt evaluate`` can judge them as a user would.

Training makes self-blended fakes on the fly; a split's evaluation fakes are fixed (seeded
by the item's position, as ``FaceDataset`` does without training). Writing exactly those
images as lossless PNG face crops, with a CSV manifest, lets them go through the serving
path (type sniffing, face detection, cropping) like every other test file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from lopt.training.data import Sample, write_manifest
from lopt.training.dataset import Item
from lopt.training.sbi import LandmarkDetector, SelfBlend, self_blend, self_blend_pair


def write_self_blended(
    items: Sequence[Item], folder: Path, *, seed: int, parts: float = 0.0
) -> Path:
    """PNG files of the evaluation self-blends in ``items`` and ``folder``.csv listing them
    (the same ones the training run judged them on: same seed, same ``parts`` share).

    Each fake keeps its real face's group and is marked with source ``<source>/self-blended``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    samples = []
    for index, item in enumerate(items):
        if item.kind != "sbi":
            continue
        landmarks = item.crop.load_landmarks()
        if landmarks is None:
            continue
        rng = np.random.default_rng([seed, index])
        fake = self_blend(item.crop.load(), landmarks, rng, parts=parts)
        path = folder / f"{index:06d}.png"
        cv2.imwrite(str(path), cv2.cvtColor(fake, cv2.COLOR_RGB2BGR))
        source = f"{item.crop.sample.source}/self-blended"
        samples.append(Sample(path, 1, group=item.crop.sample.group, source=source))
    return write_manifest(samples, folder.with_suffix(".csv"))


def self_blended_crops(photos: Sequence[Path], count: int, *, seed: int) -> list[SelfBlend]:
    """Up to ``count`` self-blended fakes, with their blend masks, of the largest face in
    each photo, cropped as serving crops faces (photos without a face, or without
    landmarks, are passed over). For checks that need to know where a fake was altered."""
    from PIL import Image

    from lopt.config import Settings
    from lopt.media.face_config import FaceDetectorConfig
    from lopt.media.faces import crop_faces

    config = FaceDetectorConfig.from_settings(Settings())
    faces, landmarks = config.build(), LandmarkDetector()
    rng, blends = np.random.default_rng(seed), []
    for photo in photos:
        with Image.open(photo) as image:
            rgb = np.asarray(image.convert("RGB"))
        found = faces.detect(rgb)
        if not found:
            continue
        [crop] = crop_faces(rgb, [max(found, key=lambda box: box.size)], config.margin)
        points = landmarks.detect(crop)
        if points is None:
            continue
        blend = self_blend_pair(crop, points, rng)
        if (blend.mask >= 0.5).any():
            blends.append(blend)
        if len(blends) == count:
            break
    return blends
