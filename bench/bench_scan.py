"""`lopt scan` against `lopt predict` on the same folder of photos, in the same run.

    python bench/bench_scan.py [--copies 4]

Photos with faces from the shared data (``LOPT_SHARED_DATA/media``), each copied
``--copies`` times under new names with one byte changed (so no two are the same file),
judged by the embedded detector on the CPU. Each command runs as a user runs it, from
process start to exit; printed: seconds, files/s, and scan's speed as a ratio of
predict's (the issue asks for at least 1.0).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import SHARED_DATA

from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL

PHOTOS = (".jpg", ".png")


def make_folder(folder: Path, copies: int) -> list[Path]:
    sources = sorted(p for p in (SHARED_DATA / "media").iterdir() if p.suffix in PHOTOS)
    if not sources:
        sys.exit(f"No photos in {SHARED_DATA / 'media'}: set LOPT_SHARED_DATA")
    made = []
    for copy in range(copies):
        for source in sources:
            target = folder / f"{copy}-{source.name}"
            target.write_bytes(source.read_bytes() + bytes([copy]))  # a trailing byte
            made.append(target)
    return made


def timed(*args: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOPT_")}
    env["LOPT_IMAGE_MODEL"] = EMBEDDED_IMAGE_MODEL
    env["LOPT_VIDEO_MODEL"] = "none"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "lopt.cli", "--log-level", "error", *args],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "photos"
        folder.mkdir()
        files = make_folder(folder, args.copies)
        n = len(files)
        predict = timed("predict", *map(str, files))
        scan = timed("scan", str(folder), "--output", str(Path(scratch) / "rows.csv"))
    print(f"{n} photos, embedded detector, {os.cpu_count()} CPUs")
    print(f"  lopt predict: {predict:6.1f} s  {n / predict:5.2f} files/s")
    print(f"  lopt scan:    {scan:6.1f} s  {n / scan:5.2f} files/s")
    print(f"  scan / predict speed: {predict / scan:.2f}x")


if __name__ == "__main__":
    main()
