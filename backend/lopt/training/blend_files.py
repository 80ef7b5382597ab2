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
from lopt.training.sbi import self_blend


def write_self_blended(items: Sequence[Item], folder: Path, *, seed: int) -> Path:
    """PNG files of the evaluation self-blends in ``items`` and ``folder``.csv listing them.

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
        fake = self_blend(item.crop.load(), landmarks, np.random.default_rng([seed, index]))
        path = folder / f"{index:06d}.png"
        cv2.imwrite(str(path), cv2.cvtColor(fake, cv2.COLOR_RGB2BGR))
        source = f"{item.crop.sample.source}/self-blended"
        samples.append(Sample(path, 1, group=item.crop.sample.group, source=source))
    return write_manifest(samples, folder.with_suffix(".csv"))
