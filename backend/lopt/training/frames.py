"""Video samples -> face images: frames sampled across each video, faces cut out, cached.

A video row in a training manifest becomes ``frames`` image samples of the same label,
group and source, so every frame of one clip lands in the same split. Frames are picked
and decoded by the serving sampler (``sample_frame_indices`` + ``read_frames`` at the
serving frame size), the face is found by the serving ``FaceDetector``, and a generous
square around it (``FRAME_MARGIN`` times the box) is stored losslessly; the crop cache
then re-detects and re-crops it with the serving margin like any other image, so video
frames and photos are framed the same way. Codec artefacts are kept exactly as decoded.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from lopt.errors import LoptError
from lopt.media.faces import FaceDetector, crop_faces
from lopt.media.video import probe_video, read_frames, sample_frame_indices
from lopt.training.data import VIDEO_SUFFIXES, Sample

log = logging.getLogger(__name__)
FRAME_MARGIN = 2.0
MAX_SECONDS = 3600.0
MAX_PIXELS = 4096 * 2160


def is_video(sample: Sample) -> bool:
    return sample.path.suffix.lower() in VIDEO_SUFFIXES


def expand_videos(
    samples: Sequence[Sample],
    cache_dir: Path,
    *,
    frames: int,
    frame_side: int,
    detector: FaceDetector,
) -> list[Sample]:
    """Images stay as they are; each video becomes up to ``frames`` face-image samples.

    Frames without a face are dropped (counted in the log). Results are cached per video,
    frame count, frame size and face detector, so a second run decodes nothing.
    """
    out: list[Sample] = []
    videos = [s for s in samples if is_video(s)]
    if not videos:
        return list(samples)
    cache_dir.mkdir(parents=True, exist_ok=True)
    empty = 0
    by_video: dict[Path, list[Path]] = {}
    for video in tqdm(videos, desc=f"video faces -> {cache_dir.name}", unit="video"):
        by_video[video.path] = _face_frames(video.path, cache_dir, frames, frame_side, detector)
        empty += not by_video[video.path]
    for sample in samples:
        if not is_video(sample):
            out.append(sample)
            continue
        out += [replace(sample, path=path, video=sample.path) for path in by_video[sample.path]]
    if empty:
        log.warning("%d of %d videos gave no face frame and were left out", empty, len(videos))
    return out


def _face_frames(
    path: Path, cache_dir: Path, frames: int, frame_side: int, detector: FaceDetector
) -> list[Path]:
    found_by = f"{detector.score_threshold}|{detector.detection_size}|{detector.max_faces}"
    key = hashlib.sha1(f"{path.resolve()}|{frames}|{frame_side}|{found_by}".encode()).hexdigest()
    key = key[:20]
    meta = cache_dir / f"{key}.json"
    if meta.exists():
        return [cache_dir / name for name in json.loads(meta.read_text())]
    names: list[str] = []
    try:
        info = probe_video(path, max_seconds=MAX_SECONDS, max_pixels=MAX_PIXELS)
        decoded = read_frames(
            path, sample_frame_indices(info.frame_count, frames), max_side=frame_side
        )
    except LoptError as error:
        log.warning("%s: %s", path, error.message)
        decoded = []
    for frame in decoded:
        boxes = detector.detect(frame.image)
        if not boxes:
            continue
        best = max(boxes, key=lambda box: box.score * box.size)
        [crop] = crop_faces(frame.image, [best], FRAME_MARGIN)
        name = f"{key}-{frame.index:06d}.png"
        cv2.imwrite(
            str(cache_dir / name), cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2BGR)
        )
        names.append(name)
    meta.write_text(json.dumps(sorted(set(names))))
    return [cache_dir / name for name in sorted(set(names))]
