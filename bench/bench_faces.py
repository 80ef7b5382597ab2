"""Face detection time per 1080p frame at several detection sizes.

    python bench/bench_faces.py [--sizes 320 640 960] [--frames 12] [--rounds 3] [--threads 0]

Frames come from the shared real video (``$LOPT_SHARED_DATA/media/multiperson_real_1080p.mp4``,
default ``../shared/data`` beside the project). Sizes are timed in turns within each round,
so machine noise falls on all of them alike; ratios are against the smallest size of this
run, never against numbers from another machine or day.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from lopt.media.faces import FaceDetector

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("LOPT_SHARED_DATA", REPO.parent / "shared" / "data"))
VIDEO = SHARED_DATA / "media" / "multiperson_real_1080p.mp4"


def read_frames(path: Path, count: int) -> list[np.ndarray]:
    """``count`` RGB frames spread evenly over the video."""
    capture = cv2.VideoCapture(str(path))
    total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    wanted = set(np.linspace(0, max(total - 1, 0), count).round().astype(int).tolist())
    frames = []
    index = 0
    while len(frames) < len(wanted):
        ok, frame = capture.read()
        if not ok:
            break
        if index in wanted:
            frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        index += 1
    capture.release()
    return frames


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=VIDEO)
    parser.add_argument("--sizes", type=int, nargs="+", default=[320, 640, 960])
    parser.add_argument("--frames", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="ONNX Runtime threads, 0 = cores")
    args = parser.parse_args()
    if not args.video.is_file():
        print(f"video not found: {args.video} (set LOPT_SHARED_DATA)", file=sys.stderr)
        return 2

    frames = read_frames(args.video, args.frames)
    sizes = sorted(args.sizes)
    detectors = {
        size: FaceDetector(detection_size=size, num_threads=args.threads) for size in sizes
    }
    height, width = frames[0].shape[:2]
    for detector in detectors.values():
        detector.detect(frames[0])  # first call per input shape allocates buffers

    times: dict[int, list[float]] = {size: [] for size in sizes}
    faces: dict[int, list[int]] = {size: [] for size in sizes}
    for _ in range(args.rounds):
        for size in sizes:
            for frame in frames:
                start = time.perf_counter()
                found = detectors[size].detect(frame)
                times[size].append(time.perf_counter() - start)
                faces[size].append(len(found))

    print(
        f"{len(frames)} frames of {width}x{height}, {args.rounds} rounds, "
        f"{os.cpu_count()} CPUs, threads={args.threads or 'auto'}"
    )
    print(f"{'size':>6} {'ms/frame':>9} {'p90 ms':>7} {'faces/frame':>12} {'ratio':>6}")
    baseline = statistics.median(times[sizes[0]])
    for size in sizes:
        median = statistics.median(times[size])
        p90 = statistics.quantiles(times[size], n=10)[-1]
        print(
            f"{size:>6} {median * 1000:>9.1f} {p90 * 1000:>7.1f} "
            f"{statistics.mean(faces[size]):>12.1f} {median / baseline:>5.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
