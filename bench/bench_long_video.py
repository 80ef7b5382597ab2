"""Peak memory and time for a 10-minute 720p video, against the idle service in one process.

    python bench/bench_long_video.py [--minutes 10] [--model lopt-faces-v2]

Writes a 720p, 25 fps video with one real face moving across it (OpenCV, mp4v, in a
temporary folder), warms the service up on one photo, then analyses the video through
``DetectionService.analyse`` and prints the time and the peak RSS over the idle peak
(target: within 300 MB), so memory must stay flat however long the video is.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("LOPT_SHARED_DATA", REPO.parent / "shared" / "data"))
PHOTO = SHARED_DATA / "media" / "facenet_paul_rudd.jpg"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_video(path: Path, minutes: float) -> None:
    face = cv2.resize(cv2.imread(str(PHOTO)), (200, 250))
    background = np.full((720, 1280, 3), 90, np.uint8)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25, (1280, 720))
    for index in range(int(minutes * 60 * 25)):
        frame = background.copy()
        x = 100 + (index * 3) % 900
        frame[200:450, x : x + 200] = face
        writer.write(frame)
    writer.release()


async def measure(model: str, video: Path) -> None:
    from lopt.config import load_settings
    from lopt.inference.service import DetectionService

    service = DetectionService.load(load_settings(image_model=model, video_model="none"))
    await service.start()
    try:
        await service.analyse(PHOTO)
        idle = peak_mb()
        started = time.perf_counter()
        prediction = await service.analyse(video)
        elapsed = time.perf_counter() - started
    finally:
        await service.stop()
    media, peak = prediction.media, peak_mb()
    print(f"{media.duration_s:.0f} s video, {media.frame_count} frames: {elapsed:.2f} s")
    print(f"peak RSS idle {idle:.0f} MB -> {peak:.0f} MB: +{peak - idle:.0f} MB (target <= 300)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--model", default="lopt-faces-v2")
    args = parser.parse_args()
    if not PHOTO.exists():
        print(f"photo not found: {PHOTO} (set LOPT_SHARED_DATA)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        video = Path(scratch) / "long.mp4"
        write_video(video, args.minutes)
        asyncio.run(measure(args.model, video))
    return 0


if __name__ == "__main__":
    sys.exit(main())
