"""Face-part composites of held-out photos, the way a hand edit makes them.

    python models/lopt-faces-v2/part_composites.py SPLIT.csv OUTPUT [--count N] [--seed S]

For each of ``N`` real photos of ``SPLIT.csv`` (a split file as ``lopt train`` writes it:
``path,label,group,source``; LFW and UTKFace photos are used), a donor photo of another
identity group of the same split is aligned to it on the landmarks of one or two face
parts (eyes with brows, one eye, nose, mouth), and those parts are pasted in: half with
Poisson blending (``cv2.seamlessClone``, what a healing or clone brush does), half with a
feathered mask after matching the donor's colour to the target's. The composite is saved
as a JPEG at quality 90 beside a JPEG of the untouched target at the same quality, and
``OUTPUT.csv`` lists both (fakes keep their target's group), ready for ``lopt evaluate``.

    python models/lopt-faces-v2/part_composites.py --by-part OUTPUT.csv PREDICTIONS.jsonl

prints, as JSON, the ROC AUC of each kind of composite against all the targets, from the
``predictions.jsonl`` of ``lopt evaluate`` on ``OUTPUT.csv``.

This is a stand-in for hand-made composites, which no data here contains: the parts come
from other real photos, never from the detector's training pseudo-fakes, and only
identities of the given split are used.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from lopt.training.sbi import LandmarkDetector

PARTS = {
    "eyes": np.r_[17:27, 36:48],
    "left_eye": np.r_[17:22, 36:42],
    "right_eye": np.r_[22:27, 42:48],
    "nose": np.r_[27:36],
    "mouth": np.r_[48:68],
}
CHOICES = (("eyes",), ("left_eye",), ("right_eye",), ("nose",), ("mouth",), ("eyes", "mouth"))
SOURCES = ("lfw-faceswap-250", "utkface-200")


def part_mask(shape: tuple[int, int], points: np.ndarray, grow: float) -> np.ndarray:
    hull = cv2.convexHull(np.rint(points).astype(np.int32))
    mask = np.zeros(shape, dtype=np.uint8)
    cv2.fillConvexPoly(mask, hull, 255)
    size = float(np.sqrt(max(cv2.contourArea(hull), 1.0)))
    radius = max(1, round(grow * size))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
    return np.asarray(cv2.dilate(mask, kernel))


def match_colour(donor: np.ndarray, target: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Shift the donor's LAB mean and spread inside ``mask`` to the target's."""
    inside = mask > 0
    d = cv2.cvtColor(donor, cv2.COLOR_RGB2LAB).astype(np.float32)
    t = cv2.cvtColor(target, cv2.COLOR_RGB2LAB).astype(np.float32)
    for c in range(3):
        dm, ds = d[..., c][inside].mean(), d[..., c][inside].std() + 1e-3
        tm, ts = t[..., c][inside].mean(), t[..., c][inside].std() + 1e-3
        d[..., c] = (d[..., c] - dm) * (ts / ds) + tm
    return np.asarray(cv2.cvtColor(np.clip(d, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB))


def composite(
    target: np.ndarray,
    target_points: np.ndarray,
    donor: np.ndarray,
    donor_points: np.ndarray,
    parts: tuple[str, ...],
    rng: np.random.Generator,
) -> np.ndarray | None:
    h, w = target.shape[:2]
    out = target
    for part in parts:
        index = PARTS[part]
        matrix, _ = cv2.estimateAffinePartial2D(donor_points[index], target_points[index])
        if matrix is None:
            return None
        warped = cv2.warpAffine(donor, matrix, (w, h), borderMode=cv2.BORDER_REFLECT_101)
        mask = part_mask((h, w), target_points[index], grow=rng.uniform(0.12, 0.3))
        ys, xs = np.nonzero(mask)
        if len(xs) == 0 or xs.min() < 2 or ys.min() < 2 or xs.max() > w - 3 or ys.max() > h - 3:
            return None
        if rng.random() < 0.5:
            centre = (int((xs.min() + xs.max() + 1) // 2), int((ys.min() + ys.max() + 1) // 2))
            bgr = cv2.seamlessClone(
                cv2.cvtColor(warped, cv2.COLOR_RGB2BGR),
                cv2.cvtColor(out, cv2.COLOR_RGB2BGR),
                mask,
                centre,
                cv2.NORMAL_CLONE,
            )
            out = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        else:
            warped = match_colour(warped, out, mask)
            radius = max(1.0, 0.04 * float(np.sqrt(mask.sum() / 255)))
            soft = cv2.GaussianBlur(mask.astype(np.float32) / 255, (0, 0), radius)[..., None]
            blended = soft * warped.astype(np.float32) + (1 - soft) * out.astype(np.float32)
            out = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return out


def by_part(listing: Path, predictions: Path) -> dict[str, dict[str, float]]:
    """ROC AUC and count of each kind of composite (by its parts) against all targets."""
    from sklearn.metrics import roc_auc_score

    with listing.open() as handle:
        parts = {Path(r["path"]).name: r["parts"] for r in csv.DictReader(handle)}
    with predictions.open() as handle:
        rows = [json.loads(line) for line in handle]
    real = [r["fake_probability"] for r in rows if r["label"] == 0]
    fakes: dict[str, list[float]] = {}
    for row in rows:
        if row["label"] == 1:
            fakes.setdefault(parts[Path(row["path"]).name], []).append(row["fake_probability"])
    return {
        name: {
            "auc": round(float(roc_auc_score([0] * len(real) + [1] * len(v), real + v)), 4),
            "fake": len(v),
        }
        for name, v in sorted(fakes.items())
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--by-part", action="store_true", help="SPLIT: composites CSV; OUTPUT: predictions"
    )
    args = parser.parse_args()
    if args.by_part:
        print(json.dumps(by_part(args.split, args.output), indent=2))
        return 0

    with args.split.open() as handle:
        rows = [
            r for r in csv.DictReader(handle) if r["label"] == "real" and r["source"] in SOURCES
        ]
    rng = np.random.default_rng(args.seed)
    rng.shuffle(rows)
    landmarks = LandmarkDetector()
    cache: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}

    def load(path: str) -> tuple[np.ndarray, np.ndarray] | None:
        if path not in cache:
            image = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
            points = landmarks.detect(image)
            cache[path] = None if points is None else (image, points)
        return cache[path]

    args.output.mkdir(parents=True, exist_ok=True)
    listing = []
    for index, row in enumerate(rows):
        if len(listing) >= 2 * args.count:
            break
        target = load(row["path"])
        if target is None:
            continue
        donors = [r for r in rows if r["group"] != row["group"] and r["source"] == row["source"]]
        donor = load(donors[int(rng.integers(len(donors)))]["path"])
        if donor is None:
            continue
        parts = CHOICES[int(rng.integers(len(CHOICES)))]
        fake = composite(target[0], target[1], donor[0], donor[1], parts, rng)
        if fake is None:
            continue
        for label, image in (("real", target[0]), ("fake", fake)):
            path = args.output / f"{label}_{index:05d}.jpg"
            cv2.imwrite(
                str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90]
            )
            source = row["source"] + ("/part-composite" if label == "fake" else "")
            listing.append(
                {
                    "path": str(path.resolve()),
                    "label": label,
                    "group": row["group"],
                    "source": source,
                    "parts": "+".join(parts) if label == "fake" else "",
                }
            )
    with args.output.with_suffix(".csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["path", "label", "group", "source", "parts"])
        writer.writeheader()
        writer.writerows(listing)
    print(f"{len(listing) // 2} composites and their targets in {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
