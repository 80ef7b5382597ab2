"""Decode and preprocess one photo: the default way against Lopt's, as ratios in one run.

    python bench/bench_decode.py [--rounds 10]

- default: a full PIL decode, then the checkpoint's Hugging Face processor on the photo;
- lopt: a reduced-size JPEG decode (``load_image(min_side=...)``, libjpeg's DCT scaling)
  that keeps the shorter side at least twice the model's input, as serving does with face
  analysis off, then Lopt's direct preprocessing path (same tensors as the processor,
  tested). With faces, the reduced decode keeps the longer side at least the face
  detector's size (``min_long_side``), as serving does.

For 1080p and 12 MP JPEG photos and a DeiT-base processor (224 px input). Also the decode
plus face detection of each photo at full and at reduced size.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import SHARED_DATA, machine_description


def best_ms(run: Callable[[], object], rounds: int) -> float:
    run()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    import numpy as np
    from PIL import Image
    from transformers import DeiTImageProcessor

    from lopt.inference.preprocess import fast_preprocess
    from lopt.media.faces import FaceDetector
    from lopt.media.images import load_image

    print(f"Machine: {machine_description()}")
    processor = DeiTImageProcessor()
    fast = fast_preprocess(processor)
    assert fast is not None
    faces = FaceDetector()
    limit = 60_000_000
    portrait = Image.open(SHARED_DATA / "media" / "facenet_paul_rudd.jpg").convert("RGB")
    print(
        f"{'photo':<8} {'default ms':>10} {'lopt ms':>8} {'ratio':>6} "
        f"{'+faces full':>11} {'+faces reduced':>14} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, size in (("1080p", (1920, 1080)), ("12 MP", (4032, 3024))):
            buffer = io.BytesIO()
            portrait.resize(size).save(buffer, format="JPEG", quality=90)
            path = Path(tmp) / f"{name}.jpg"
            path.write_bytes(buffer.getvalue())
            # As serving reduces: faces off, the shorter side stays at least twice the
            # model's 224 px input; faces on, the longer side at least the detector's size.
            min_side, min_long_side = 2 * 224, faces.detection_size

            def default(path: Path = path) -> object:
                image = load_image(path, max_pixels=limit).image
                return processor(images=[image], return_tensors="pt")["pixel_values"]

            def lopt(path: Path = path, min_side: int = min_side) -> object:
                image = load_image(path, max_pixels=limit, min_side=min_side).image
                return fast(np.asarray(image))

            def faces_full(path: Path = path) -> object:
                return faces.detect(np.asarray(load_image(path, max_pixels=limit).image))

            def faces_reduced(path: Path = path, min_long_side: int = min_long_side) -> object:
                image = load_image(path, max_pixels=limit, min_long_side=min_long_side).image
                return faces.detect(np.asarray(image))

            a, b = best_ms(default, args.rounds), best_ms(lopt, args.rounds)
            c, d = best_ms(faces_full, args.rounds), best_ms(faces_reduced, args.rounds)
            print(f"{name:<8} {a:>10.1f} {b:>8.1f} {a / b:>5.1f}x ", end="")
            print(f"{c:>11.1f} {d:>14.1f} {c / d:>5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
