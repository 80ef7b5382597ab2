"""Pin a new training run to the split of the run it starts from (``--init-from``).

    python models/lopt-faces-v2/pinned_manifest.py DATA VIDEOS.csv HELD_OUT pinned.csv

A run that starts from another run's weights must keep that run's validation and test
files out of training, or its numbers measure memory. Face grouping is recomputed from
the face crops, and crops change with the face-detector settings, so the same seed does
not promise the same split. This writes one manifest of every photo under DATA/faces and
every video of VIDEOS.csv (``video_manifest.py``), each pinned to its split in HELD_OUT
and to train otherwise. HELD_OUT is the earlier run's ``splits/`` folder, or a CSV of
``path`` (relative to DATA) and ``split`` (val or test), such as the ``held-out.csv``
that ``evaluate.sh`` writes for the shipped run.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import replace
from pathlib import Path

from lopt.training.data import (
    IMAGE_SUFFIXES,
    Sample,
    discover_folder,
    read_manifest,
    write_manifest,
)


def held_out_splits(data: Path, held_out: Path) -> dict[Path, str]:
    """Held-out file -> val or test, from a run's splits/ folder or a held-out CSV."""
    if held_out.is_dir():
        return {
            sample.path: split
            for split in ("val", "test")
            for name in (f"{split}.csv", f"{split}-videos.csv")
            if (held_out / name).exists()
            for sample in read_manifest(held_out / name)
            if sample.path.is_relative_to(data)  # video frames live in a cache
        }
    with held_out.open(newline="") as handle:
        return {(data / row["path"]).resolve(): row["split"] for row in csv.DictReader(handle)}


def pinned(data: Path, videos: Path, held_out: Path) -> list[Sample]:
    data = data.resolve()
    split_of = held_out_splits(data, held_out)
    samples = discover_folder(data / "faces", IMAGE_SUFFIXES) + read_manifest(videos)
    missing = set(split_of) - {sample.path for sample in samples}
    if missing:
        raise SystemExit(f"{len(missing)} held-out files are not in DATA, e.g. {min(missing)}")
    return [replace(sample, split=split_of.get(sample.path, "train")) for sample in samples]


def main() -> None:
    data, videos, held_out, output = map(Path, sys.argv[1:5])
    write_manifest(pinned(data, videos, held_out), output)


if __name__ == "__main__":
    main()
