"""Face-crop cache for training: every image re-cropped by the serving face cropper.

Each sample is decoded with the serving decoder, its most confident face is found with
the serving ``FaceDetector`` and cut out with ``crop_faces`` (same margin), then resized
to ``size`` and stored losslessly (PNG), so crop style and JPEG history carry no label.
Real crops also get 68 landmarks for self-blended fakes. The cache is keyed by the source
path, size and face-detector configuration, and is reused across runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from lopt.errors import LoptError
from lopt.media.face_config import FaceDetectorConfig
from lopt.media.faces import FaceBox, FaceDetector, crop_faces
from lopt.media.images import load_image
from lopt.training.data import Sample
from lopt.training.workers import while_parent_lives

log = logging.getLogger(__name__)
MAX_IMAGE_PIXELS = 50_000_000


@dataclass(frozen=True)
class CachedCrop:
    sample: Sample
    crop: Path
    landmarks: Path | None  # None: no landmarks found, or not a real image
    box: tuple[float, float, float, float] | None = None  # the face in the original image

    def load(self) -> np.ndarray:
        image = cv2.imread(str(self.crop), cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(f"cached face crop {self.crop} is missing; delete the cache")
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)

    def load_landmarks(self) -> np.ndarray | None:
        return np.load(self.landmarks) if self.landmarks else None


def cache_key(path: Path, size: int, faces: FaceDetectorConfig) -> str:
    return hashlib.sha1(f"{path.resolve()}|{size}|{faces.key()}".encode()).hexdigest()[:20]


def build_crop_cache(
    samples: Sequence[Sample],
    cache_dir: Path,
    *,
    size: int = 192,
    faces: FaceDetectorConfig | None = None,
    workers: int = 2,
) -> list[CachedCrop]:
    """Crop every sample once (in ``workers`` processes) as serving finds and crops faces
    with ``faces``; drop samples with no face."""
    faces = faces or FaceDetectorConfig()
    cache_dir.mkdir(parents=True, exist_ok=True)
    todo = [s for s in samples if not _meta_path(cache_dir, s, size, faces).exists()]
    if todo and workers <= 1:
        _crop_chunk((todo, cache_dir, size, faces, None))
    elif todo:
        chunks = [todo[i::workers] for i in range(workers)]
        args = [(chunk, cache_dir, size, faces, os.getpid()) for chunk in chunks if chunk]
        # Spawn, not fork: a forked child inherits torch's thread pools mid-state and hangs.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=len(args), mp_context=context) as pool:
            list(pool.map(_crop_chunk, args))
    crops, missing = [], 0
    for sample in samples:
        meta = json.loads(_meta_path(cache_dir, sample, size, faces).read_text())
        if meta["crop"] is None:
            missing += 1
            continue
        landmarks = cache_dir / meta["landmarks"] if meta["landmarks"] else None
        box = tuple(meta["box"]) if meta.get("box") else None
        crops.append(CachedCrop(sample, cache_dir / meta["crop"], landmarks, box))
    if missing:
        log.warning(
            "%d of %d images had no detectable face and were left out", missing, len(samples)
        )
    return crops


def _meta_path(cache_dir: Path, sample: Sample, size: int, faces: FaceDetectorConfig) -> Path:
    return cache_dir / f"{cache_key(sample.path, size, faces)}.json"


def _crop_chunk(args: tuple[list[Sample], Path, int, FaceDetectorConfig, int | None]) -> None:
    samples, cache_dir, size, faces, parent = args
    margin = faces.margin
    cv2.setNumThreads(1)
    from lopt.training.sbi import LandmarkDetector

    detector = faces.build()
    landmarks = LandmarkDetector()
    for sample in while_parent_lives(_progress(samples, cache_dir), parent):
        key = cache_key(sample.path, size, faces)
        meta: dict[str, object] = {"crop": None, "landmarks": None, "box": None}
        found = _face_crop(sample.path, detector, size, margin)
        if found is not None:
            crop, box = found
            meta["box"] = [box.x1, box.y1, box.x2, box.y2]
            cv2.imwrite(str(cache_dir / f"{key}.png"), cv2.cvtColor(crop, cv2.COLOR_RGB2BGR))
            meta["crop"] = f"{key}.png"
            points = landmarks.detect(crop) if sample.label == 0 else None
            if points is not None:
                np.save(cache_dir / f"{key}.npy", points.astype(np.float32))
                meta["landmarks"] = f"{key}.npy"
        (cache_dir / f"{key}.json").write_text(json.dumps(meta))


def _face_crop(
    path: Path, detector: FaceDetector, size: int, margin: float
) -> tuple[np.ndarray, FaceBox] | None:
    try:
        image = np.asarray(load_image(path, max_pixels=MAX_IMAGE_PIXELS).image)
    except LoptError:
        return None
    boxes = detector.detect(image)
    if not boxes:
        return None
    best = max(boxes, key=lambda box: box.score * box.size)
    [crop] = crop_faces(image, [best], margin)
    interpolation = cv2.INTER_AREA if crop.shape[0] > size else cv2.INTER_CUBIC
    return cv2.resize(crop, (size, size), interpolation=interpolation), best


def _progress(samples: list[Sample], cache_dir: Path) -> Iterable[Sample]:
    progress: Iterable[Sample] = tqdm(
        samples, desc=f"face crops -> {cache_dir.name}", unit="img", mininterval=5
    )
    return progress
