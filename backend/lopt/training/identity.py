"""Groups for data whose file names carry no identity: one person, one source photo.

Face-swap sets such as LFW swaps show the same people and the same backgrounds on both
sides: a swap is another face pasted into a real photo. Splitting such files one by one
puts a person, or the very photo a swap was pasted into, in training and in test. Two
links find what belongs together:

- **Identity**: dlib's 128-d face descriptor of every face (ResNet model shipped in
  ``face-recognition-models``), real faces clustered with dlib's Chinese-whispers
  clustering at the model's same-person distance. Each cluster is a group.
- **Source photo**: a swap keeps everything outside the face of the photo it was pasted
  into. Each image is reduced to a small thumbnail with its face area masked out, and a
  fake joins the group of the real photo whose unmasked pixels are closest, when that
  match is clearly better than the second best (so an unrelated look-alike background
  is not taken for the source). A fake with no such match joins the group of the real
  face its own descriptor is nearest to, within the same-person distance.

A fake joins one group only: a swap shows two people, and letting it link both groups
chains much of a data set into one group that then fills a whole split.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from lopt.training.crops import CachedCrop
from lopt.training.data import Sample
from lopt.training.sbi import landmark_model_path
from lopt.training.workers import while_parent_lives

log = logging.getLogger(__name__)
DESCRIPTOR_MODEL_FILE = "dlib_face_recognition_resnet_model_v1.dat"
# dlib's documented threshold: descriptors of one person are closer than 0.6.
SAME_PERSON_DISTANCE = 0.5
THUMBNAIL = 32
# A fake's best background match must be this much closer than its second best.
MATCH_RATIO = 0.6


@dataclass(frozen=True)
class Grouping:
    samples: list[Sample]
    identities: int
    matched_fakes: int
    fakes: int
    largest_group: int


def group_by_identity(
    crops: Sequence[CachedCrop], sources: set[str], *, workers: int = 2
) -> Grouping:
    """``crops``' samples with new groups for those from ``sources``; others unchanged."""
    chosen = [c for c in crops if c.sample.source in sources]
    descriptors = _descriptors(chosen, workers)
    backgrounds = np.stack([_background(c) for c in chosen]) if chosen else np.zeros((0, 1))
    real = [i for i, c in enumerate(chosen) if c.sample.label == 0 and descriptors[i] is not None]
    fake = [i for i, c in enumerate(chosen) if c.sample.label == 1]
    known = {i: d for i, d in enumerate(descriptors) if d is not None}
    labels = _cluster([known[i] for i in real])
    # Every real face's group is its identity cluster; each fake joins exactly one of
    # them (never two: a swap shows two people, and linking both would chain most of a
    # data set into one group).
    first: dict[int, int] = {}
    root = {i: first.setdefault(label, i) for i, label in zip(real, labels, strict=True)}
    matched = _match_backgrounds(backgrounds, chosen)
    real_matrix = np.stack([known[i] for i in real]) if real else np.zeros((0, 128))
    for i in fake:
        if i in matched:  # the photo it was pasted into
            root[i] = root.get(matched[i], matched[i])
        elif i in known and real:
            distances = np.linalg.norm(real_matrix - known[i], axis=1)
            if distances.min() < SAME_PERSON_DISTANCE:  # the person it looks most like
                root[i] = root[real[int(distances.argmin())]]

    def find(i: int) -> int:
        return root.get(i, i)

    group_of = {c.sample.path: f"{c.sample.source}/id{find(i)}" for i, c in enumerate(chosen)}
    samples = [replace(c.sample, group=group_of.get(c.sample.path, c.sample.group)) for c in crops]
    sizes = np.bincount([find(i) for i in range(len(chosen))]) if chosen else np.zeros(1)
    return Grouping(
        samples=samples,
        identities=len(set(labels)),
        matched_fakes=len(matched),
        fakes=len(fake),
        largest_group=int(sizes.max()),
    )


def _cluster(descriptors: list[np.ndarray]) -> list[int]:
    import dlib

    vectors = [dlib.vector(d.astype(np.float64).tolist()) for d in descriptors]
    return list(dlib.chinese_whispers_clustering(vectors, SAME_PERSON_DISTANCE)) if vectors else []


def _descriptors(crops: Sequence[CachedCrop], workers: int) -> list[np.ndarray | None]:
    paths = [c.crop for c in crops]
    if workers <= 1 or len(paths) < 64:
        return _describe_chunk(paths, None)
    chunks = [paths[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = list(pool.map(_describe_chunk, chunks, [os.getpid()] * len(chunks)))
    out: list[np.ndarray | None] = [None] * len(paths)
    for offset, result in enumerate(results):
        out[offset::workers] = result
    return out


def _describe_chunk(paths: list[Path], parent: int | None) -> list[np.ndarray | None]:
    """Descriptor of the face in each cached crop (it sits in the middle, 1/margin wide)."""
    import dlib

    cv2.setNumThreads(1)
    model = landmark_model_path().parent / DESCRIPTOR_MODEL_FILE
    recogniser = dlib.face_recognition_model_v1(str(model))
    predictor = dlib.shape_predictor(str(landmark_model_path()))
    out: list[np.ndarray | None] = []
    progress = tqdm(paths, desc="face descriptors", unit="img", mininterval=10)
    for path in while_parent_lives(progress, parent):
        cached = _descriptor_file(path)
        if cached.exists():
            out.append(np.load(cached))
            continue
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            out.append(None)
            continue
        rgb = np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        side = rgb.shape[0]
        inset = round(side * (1 - 1 / 1.3) / 2)
        box = dlib.rectangle(inset, inset, side - inset, side - inset)
        shape = predictor(rgb, box)
        vector = np.asarray(recogniser.compute_face_descriptor(rgb, shape), dtype=np.float32)
        np.save(cached, vector)
        out.append(vector)
    return out


def _descriptor_file(crop: Path) -> Path:
    return crop.with_name(f"{crop.stem}.descriptor.npy")


def _background(crop: CachedCrop) -> np.ndarray:
    """The photo as a THUMBNAIL^2 grey thumbnail, with its face square set to NaN."""
    image = cv2.imread(str(crop.sample.path), cv2.IMREAD_GRAYSCALE)
    if image is None or crop.box is None:
        return np.full(THUMBNAIL * THUMBNAIL, np.nan, dtype=np.float32)
    height, width = image.shape
    small = cv2.resize(image, (THUMBNAIL, THUMBNAIL), interpolation=cv2.INTER_AREA)
    thumb = small.astype(np.float32) / 255.0
    x1, y1, x2, y2 = crop.box
    # The swapped area can reach past the detector's box: mask 1.5 times the box.
    cx, cy, half = (x1 + x2) / 2, (y1 + y2) / 2, 0.75 * max(x2 - x1, y2 - y1)
    fx, fy = THUMBNAIL / width, THUMBNAIL / height
    thumb[
        max(0, int((cy - half) * fy)) : int(np.ceil((cy + half) * fy)),
        max(0, int((cx - half) * fx)) : int(np.ceil((cx + half) * fx)),
    ] = np.nan
    return thumb.ravel()


def _match_backgrounds(backgrounds: np.ndarray, crops: Sequence[CachedCrop]) -> dict[int, int]:
    """Fake index -> index of the real photo it was pasted into (clear matches only)."""
    real = [i for i, c in enumerate(crops) if c.sample.label == 0]
    fake = [i for i, c in enumerate(crops) if c.sample.label == 1]
    if len(real) < 2 or not fake:
        return {}
    r_mask = np.isfinite(backgrounds[real]).astype(np.float32)
    r_vals = np.nan_to_num(backgrounds[real])
    matches: dict[int, int] = {}
    for start in range(0, len(fake), 512):
        rows = fake[start : start + 512]
        f_mask = np.isfinite(backgrounds[rows]).astype(np.float32)
        f_vals = np.nan_to_num(backgrounds[rows])
        # Mean squared difference over the pixels both thumbnails keep.
        both = f_mask @ r_mask.T
        squares = (f_vals**2) @ r_mask.T + f_mask @ (r_vals**2).T - 2 * f_vals @ r_vals.T
        distance = np.where(both > THUMBNAIL, squares / np.maximum(both, 1), np.inf)
        order = np.argsort(distance, axis=1)[:, :2]
        for row, (best, second) in zip(rows, order, strict=True):
            d_best, d_second = distance[rows.index(row), best], distance[rows.index(row), second]
            if np.isfinite(d_best) and d_best < MATCH_RATIO**2 * d_second:
                matches[row] = real[int(best)]
    return matches
