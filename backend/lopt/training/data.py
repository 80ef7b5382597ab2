"""Datasets: a folder per class or a CSV manifest, split by label and by identity.

A sample's ``group`` is its identity or source clip: the split keeps every group on one
side, so the same face never appears in both training and test data.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from lopt.inference.labels import FAKE, normalise_label
from lopt.media.formats import extensions

SPLIT_NAMES = ("train", "val", "test")
IMAGE_SUFFIXES = extensions("image")
VIDEO_SUFFIXES = extensions("video")


@dataclass(frozen=True)
class Sample:
    path: Path
    label: int  # 1 = fake, 0 = real
    group: str
    source: str = ""
    split: str = (
        ""  # "train", "val" or "test" pins the sample's group there; "" lets the split choose
    )
    video: Path | None = None  # for a face image taken from a video: that video


@dataclass(frozen=True)
class Splits:
    train: list[Sample]
    val: list[Sample]
    test: list[Sample]

    def describe(self) -> str:
        parts = []
        for name, samples in (("train", self.train), ("val", self.val), ("test", self.test)):
            counts = Counter(s.label for s in samples)
            parts.append(f"{name}: {counts[0]} real / {counts[1]} fake")
        return ", ".join(parts)


def label_of(name: str) -> int | None:
    verdict = normalise_label(name)
    return None if verdict is None else int(verdict == FAKE)


def discover_folder(
    root: Path, suffixes: set[str] = IMAGE_SUFFIXES | VIDEO_SUFFIXES
) -> list[Sample]:
    """Every image under ``root`` whose nearest labelled folder says real or fake.

    ``root/real/*.jpg`` and ``root/<source>/fake/*.png`` both work; the first folder
    below ``root`` is the sample's source. Each file is its own group unless a manifest
    says otherwise.
    """
    samples = []
    for path in sorted(root.rglob("*")):
        if path.suffix.lower() not in suffixes or not path.is_file():
            continue
        relative = path.relative_to(root)
        labels = [label_of(part) for part in relative.parts[:-1]]
        known = [label for label in labels if label is not None]
        if not known:
            continue
        source = relative.parts[0] if len(relative.parts) > 2 else ""
        samples.append(Sample(path, known[-1], group=f"{source}/{path.stem}", source=source))
    if not samples:
        raise ValueError(f"No media under {root} in folders named real/fake (or synonyms).")
    return samples


def read_manifest(manifest: Path) -> list[Sample]:
    """A CSV with columns ``path,label,group`` (paths relative to the CSV; group optional),
    and optionally ``source`` and ``split`` (train, val or test: pins the row's group)."""
    samples = []
    with manifest.open(newline="") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            label = label_of(row.get("label", ""))
            if label is None:
                raise ValueError(
                    f"{manifest}:{row_number}: label {row.get('label')!r} is not real/fake"
                )
            path = (manifest.parent / row["path"]).resolve()
            group = row.get("group") or path.stem
            split = (row.get("split") or "").strip().lower()
            if split not in ("", *SPLIT_NAMES):
                raise ValueError(f"{manifest}:{row_number}: split {split!r} is not train/val/test")
            samples.append(
                Sample(path, label, group=group, source=row.get("source", ""), split=split)
            )
    return samples


def write_manifest(samples: Sequence[Sample], path: Path) -> Path:
    """Save samples as a CSV manifest (absolute paths) that ``read_manifest`` reads back,
    pinned splits included."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        fields = ["path", "label", "group", "source", "split", "video"]
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for sample in samples:
            label = "fake" if sample.label else "real"
            writer.writerow(
                {
                    "path": str(sample.path.resolve()),
                    "label": label,
                    "group": sample.group,
                    "source": sample.source,
                    "split": sample.split,
                    "video": str(sample.video) if sample.video else "",
                }
            )
    return path


def load_samples(
    data: Path | Sequence[Path], suffixes: set[str] = IMAGE_SUFFIXES | VIDEO_SUFFIXES
) -> list[Sample]:
    """Samples of one folder or CSV manifest, or of several one after another."""
    if not isinstance(data, Path):
        return [sample for part in data for sample in load_samples(part, suffixes)]
    return read_manifest(data) if data.suffix.lower() == ".csv" else discover_folder(data, suffixes)


def split_samples(
    samples: Sequence[Sample],
    *,
    val_fraction: float = 0.1,
    test_fraction: float = 0.1,
    seed: int = 0,
) -> Splits:
    """Stratified by label, grouped by identity: no group crosses two splits.

    A group with a pinned member (``Sample.split``) goes whole to that split; the other
    groups are divided by the fractions. A group pinned to two splits is an error.
    """
    if not samples:
        raise ValueError("no samples to split")
    pins: dict[str, str] = {}
    for sample in samples:
        if sample.split and pins.setdefault(sample.group, sample.split) != sample.split:
            raise ValueError(f"group {sample.group!r} is pinned to two splits")
    free = [s for s in samples if s.group not in pins]
    rest, test = _split_off(free, test_fraction, seed) if free else ([], [])
    train, val = (
        _split_off(rest, val_fraction / max(1e-9, 1 - test_fraction), seed + 1)
        if rest
        else ([], [])
    )
    pinned = {name: [s for s in samples if pins.get(s.group) == name] for name in SPLIT_NAMES}
    return Splits(
        train=train + pinned["train"], val=val + pinned["val"], test=test + pinned["test"]
    )


def _split_off(
    samples: list[Sample], fraction: float, seed: int
) -> tuple[list[Sample], list[Sample]]:
    if fraction <= 0:
        return samples, []
    smallest = min(Counter(s.label for s in samples).values())
    if smallest < 2 or len(Counter(s.label for s in samples)) < 2:
        raise ValueError("each class needs at least two samples (groups) to split")
    # Fewer folds than members of the smallest class: a tiny dataset still splits.
    folds = max(2, min(round(1 / fraction), smallest))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    # Stratified by source and label together, so every split holds each source's reals
    # and fakes in about their overall shares (not only the label ratio overall).
    strata = {key: n for n, key in enumerate(sorted({(s.source, s.label) for s in samples}))}
    labels = np.array([strata[(s.source, s.label)] for s in samples])
    groups = np.array([s.group for s in samples])
    keep, held = next(splitter.split(np.zeros(len(samples)), labels, groups))
    return [samples[i] for i in keep], [samples[i] for i in held]
