"""Pin a new training run to the split of the run it starts from (``--init-from``).

    python models/lopt-faces-v2/pinned_manifest.py DATA VIDEOS.csv HELD_OUT > pinned.csv

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
from pathlib import Path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp"}


def held_out_splits(data: Path, held_out: Path) -> dict[Path, str]:
    """Held-out file -> val or test, from a run's splits/ folder or a held-out CSV."""
    if held_out.is_dir():
        split_of: dict[Path, str] = {}
        for split in ("val", "test"):
            for name in (f"{split}.csv", f"{split}-videos.csv"):
                if (held_out / name).exists():
                    with (held_out / name).open(newline="") as handle:
                        for row in csv.DictReader(handle):
                            path = Path(row["path"]).resolve()
                            if path.is_relative_to(data):  # video frames live in a cache
                                split_of[path] = split
        return split_of
    with held_out.open(newline="") as handle:
        return {(data / row["path"]).resolve(): row["split"] for row in csv.DictReader(handle)}


def rows(data: Path, videos: Path, held_out: Path) -> list[dict[str, str]]:
    data = data.resolve()
    split_of = held_out_splits(data, held_out)
    out: list[dict[str, str]] = []
    for path in sorted((data / "faces").rglob("*")):
        if path.suffix.lower() not in IMAGE_SUFFIXES or path.parent.name not in ("real", "fake"):
            continue
        source = path.parent.parent.relative_to(data / "faces").as_posix()
        out.append(
            {
                "path": str(path),
                "label": path.parent.name,
                "group": f"{source}/{path.stem}",
                "source": source,
                "split": split_of.get(path, "train"),
            }
        )
    with videos.open(newline="") as handle:
        for row in csv.DictReader(handle):
            row["split"] = split_of.get(Path(row["path"]).resolve(), "train")
            out.append(row)
    missing = set(split_of) - {Path(row["path"]) for row in out}
    if missing:
        raise SystemExit(f"{len(missing)} held-out files are not in DATA, e.g. {min(missing)}")
    return out


def main() -> None:
    data, videos, held_out = map(Path, sys.argv[1:4])
    writer = csv.DictWriter(sys.stdout, fieldnames=["path", "label", "group", "source", "split"])
    writer.writeheader()
    writer.writerows(rows(data, videos, held_out))


if __name__ == "__main__":
    main()
