"""End-to-end image latency with and without face analysis, as ratios in one run.

    python bench/bench_image_latency.py [--rounds 3] [--model deit-base|embedded|PATH]

Each photo of ``$LOPT_SHARED_DATA/media`` goes through ``DetectionService.analyse`` (the
code behind ``POST /playground``: sniffing, decoding, face detection and crops, batching,
the forward pass). The same checkpoint serves both runs; the two services take turns on
each photo, so machine noise falls on both alike. The default checkpoint is a randomly
initialised DeiT-base-sized classifier (the cost of ``agasta/virtus``; its verdicts mean
nothing here).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from harness import SHARED_DATA, deit_base_sized


async def measure(model: str, photos: list[Path], rounds: int) -> dict[str, list[float]]:
    from lopt.config import load_settings
    from lopt.inference.service import DetectionService

    services = {
        "faces on": DetectionService.load(load_settings(image_model=model, video_model="none")),
        "faces off": DetectionService.load(
            load_settings(image_model=model, video_model="none", face_analysis=False)
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in services}
    for service in services.values():
        await service.start()
    try:
        for _ in range(rounds):
            for photo in photos:
                for name, service in services.items():
                    started = time.perf_counter()
                    await service.analyse(photo)
                    times[name].append((time.perf_counter() - started) * 1000)
    finally:
        for service in services.values():
            await service.stop()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="deit-base", help="deit-base, embedded, or a checkpoint")
    args = parser.parse_args()
    media = SHARED_DATA / "media"
    photos = [*sorted(media.glob("facenet_*.jpg")), media / "skimage_astronaut.png"]
    if not photos[0].exists():
        print(f"photos not found under {media} (set LOPT_SHARED_DATA)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        model = args.model
        if model == "deit-base":
            model = str(deit_base_sized(Path(scratch) / "deit-base"))
        elif model == "embedded":
            model = "lopt-faces-v2"
        times = asyncio.run(measure(model, photos, args.rounds))
    base = statistics.median(times["faces off"])
    print(f"model: {args.model}; {len(photos)} photos x {args.rounds} rounds; median ms per photo")
    for name, values in times.items():
        median = statistics.median(values)
        p90 = sorted(values)[int(0.9 * len(values))]
        print(f"  {name:10s} {median:8.1f} ms   ratio {median / base:5.2f}x   p90 {p90:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
