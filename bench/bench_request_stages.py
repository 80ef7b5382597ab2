"""Where one photo request's time goes, stage by stage, through the serving code.

    python bench/bench_request_stages.py [--rounds 8] [--model MODEL]

The embedded detector (or ``--model``) in the precision ``auto`` resolves to, on the
1080p portraits ``bench_throughput.py`` posts. One request at a time, no HTTP: the image
pipeline's own ``prepare`` (decode, every face-search pass, the full-size decode when a
face is too small at reduced size, crop and preprocessing), then the forward pass of that
one face and the provenance reading. Each stage's mean over the rounds after the first
is printed with its share of the sum, as wall time and as CPU time of the whole process
(every thread: a call split over two cores costs more CPU than its wall time shows); with
8 clients on 2 cores the server's rate is bounded by the CPU sum, not by any one stage.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch
from bench_throughput import PORTRAITS, embedded_model, photo
from harness import SHARED_DATA, machine_description

from lopt.config import load_settings
from lopt.inference.detectors import ImageDetector
from lopt.inference.pipelines import image as image_pipeline
from lopt.inference.pipelines.image import ImageOptions, ImagePipeline
from lopt.inference.pipelines.media_input import MediaInput
from lopt.inference.precision import apply_precision
from lopt.inference.registry import load_model
from lopt.media.face_config import FaceDetectorConfig
from lopt.media.faces import FaceDetector
from lopt.media.sniff import sniff_media
from lopt.provenance import ProvenanceOptions
from lopt.provenance.read import read_provenance

times: dict[str, list[float]] = defaultdict(list)
cpu_times: dict[str, list[float]] = defaultdict(list)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Time a stage twice: wall clock, and CPU time of the whole process (every thread,
    ONNX Runtime's and OpenCV's included), which is what 2 shared cores run out of."""
    started, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        times[name].append(time.perf_counter() - started)
        cpu_times[name].append(time.process_time() - cpu)


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with stage(name):
            return function(*args, **kwargs)

    return wrapper


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--model", default=None, help="default: the embedded detector")
    args = parser.parse_args()
    model = args.model or embedded_model()
    settings = load_settings(image_model=model, video_model="none")
    loaded = load_model(
        model,
        task="image",
        setting="LOPT_IMAGE_MODEL",
        device=torch.device("cpu"),
        dtype=torch.float32,
    )
    loaded = apply_precision(loaded, "auto")
    detector = ImageDetector(loaded)
    faces = FaceDetectorConfig.from_settings(settings).build()
    options = ImageOptions.from_settings(settings)
    # prepare() needs no batcher
    pipeline = ImagePipeline(detector, None, faces, options)  # type: ignore[arg-type]
    provenance = ProvenanceOptions.from_settings(settings)
    print(machine_description())
    photos = len(PORTRAITS)
    print(f"{Path(model).name} on {loaded.precision}; {args.rounds} rounds of {photos} photos")

    # Every stage of prepare() is timed where the pipeline calls it.
    image_pipeline.load_image = timed("decode (each decode)", image_pipeline.load_image)
    image_pipeline.crop_faces = timed("crop", image_pipeline.crop_faces)
    search = FaceDetector._detect
    FaceDetector._detect = timed("face search (each pass)", search)  # type: ignore[method-assign]
    detector.preprocess = timed("preprocess", detector.preprocess)  # type: ignore[method-assign]

    with tempfile.TemporaryDirectory() as scratch:
        files = []
        for name in PORTRAITS:
            path = Path(scratch) / f"{Path(name).stem}-1080p.jpg"
            path.write_bytes(photo(SHARED_DATA / "media" / name, 1920, 1080))
            files.append(path)
        per_request: list[dict[str, float]] = []
        cpu_per_request: list[dict[str, float]] = []
        for round_ in range(args.rounds):
            for path in files:
                times.clear()
                cpu_times.clear()
                media = MediaInput(path=path, sniffed=sniff_media(path))
                with stage("prepare (all of it)"):
                    prepared = pipeline.prepare(media)
                with stage("forward pass"):
                    detector.predict(torch.stack(prepared.tensors))
                with stage("provenance"):
                    read_provenance(path, media.sniffed.mime, media.sniffed.kind, provenance)
                if round_ > 0:
                    per_request.append({k: 1000 * sum(v) for k, v in times.items()})
                    cpu_per_request.append({k: 1000 * sum(v) for k, v in cpu_times.items()})
                    per_request[-1]["passes"] = len(times["face search (each pass)"])
                    per_request[-1]["decodes"] = len(times["decode (each decode)"])
    names = [k for k in per_request[0] if k not in ("passes", "decodes")]
    total = sum(
        statistics.mean(r.get(k, 0.0) for r in per_request)
        for k in names
        if k != "prepare (all of it)"
    )
    cpu_total = sum(
        statistics.mean(r.get(k, 0.0) for r in cpu_per_request)
        for k in names
        if k != "prepare (all of it)"
    )
    print(f"\n{'stage (mean per request)':<28} {'ms':>7} {'share':>7} {'CPU ms':>7} {'share':>7}")
    for name in names:
        mean = statistics.mean(r.get(name, 0.0) for r in per_request)
        cpu = statistics.mean(r.get(name, 0.0) for r in cpu_per_request)
        whole = name == "prepare (all of it)"
        share = "" if whole else f"{100 * mean / total:6.0f}%"
        cpu_share = "" if whole else f"{100 * cpu / cpu_total:6.0f}%"
        print(f"{name:<28} {mean:>7.1f} {share:>7} {cpu:>7.1f} {cpu_share:>7}")
    print(f"{'sum of stages':<28} {total:>7.1f} {'':>7} {cpu_total:>7.1f}")
    passes = statistics.mean(r["passes"] for r in per_request)
    decodes = statistics.mean(r["decodes"] for r in per_request)
    print(f"face-search passes per request: {passes:.2f}; decodes per request: {decodes:.2f}")
    print(f"one request at a time, back to back: {1000 / total:.1f} requests/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
