"""Images per second over HTTP: a naive transformers-pipeline server against Lopt, side by side.

    python bench/bench_throughput.py [--seconds 8] [--clients 1 8] [--deit CHECKPOINT]
        [--skip-deit] [--skip-video] [--upload-mb 1024] [--separate-clients]

In one process and on loopback (``--separate-clients``: the load clients in a process of
their own), for a DeiT-base checkpoint (the cost of
``agasta/virtus``: the DeiT-base trained by ``bench/deit_probe.py`` when it is there,
else random weights) and for the embedded detector:

- ``naive``: a FastAPI server that runs a transformers ``pipeline`` per request (PIL
  decode, the checkpoint's processor, a float32 forward pass; FastAPI's thread pool),
- ``lopt <precision>``: Lopt's own app (``POST /playground``) on the same checkpoint, in
  that precision (``auto``: what ``LOPT_PRECISION=auto`` resolves to from the
  checkpoint's ``lopt_precision.json``, named in brackets).

1 and 8 concurrent clients post JPEG photos (DeiT: a mix of 1080p and 12 MP, judged whole;
embedded: 1080p photos with one face, faces found and judged). Printed: images/s, p50/p99
latency, the ratio to the naive server, the fraction of the physical limit (the matmul
peak of the path's precision measured in this run / the model's GFLOP per image), peak
RSS above idle. ``PRECISION@BxW`` rows run with LOPT_MAX_BATCH_SIZE=B and
LOPT_MAX_WAIT_MS=W (the others with the defaults, 8 and 0). Rows decode JPEGs as serving
does (at reduced size where the face detector or the model needs no more); ``+full`` rows
force a full-size decode for comparison. Then a 30 s 720p video end to end and peak RSS
during a large upload.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from fastapi import FastAPI, UploadFile
from harness import (
    REPO,
    SHARED_DATA,
    Load,
    RssMonitor,
    add_deit_arguments,
    deit_checkpoint,
    drive,
    flops_per_input,
    machine_description,
    measure_peaks,
    serve,
)

PORTRAITS = ["facenet_paul_rudd.jpg", "facenet_kate_siegel.jpg", "facenet_angelina_jolie.jpg"]
PEAK_OF = {
    "naive": "float32",
    "exact": "float32",
    "bfloat16": "bfloat16",
    "int8": "int8",
    "onnx": "float32",
    "onnx-int8": "int8",
}


def photo(portrait: Path, width: int, height: int) -> bytes:
    """A ``width x height`` JPEG with the portrait (one face) in the middle of a gray frame."""
    from PIL import Image

    face = Image.open(portrait).convert("RGB")
    scale = height / face.height
    face = face.resize((round(face.width * scale), height), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (width, height), (96, 100, 104))
    canvas.paste(face, ((width - face.width) // 2, 0))
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def embedded_model() -> str:
    from lopt.inference.shipped import EMBEDDED_IMAGE_MODEL, embedded_path

    if embedded_path(EMBEDDED_IMAGE_MODEL):
        return EMBEDDED_IMAGE_MODEL
    trained = REPO / ".cache" / "train" / "faces-v2" / "best"
    if (trained / "config.json").exists():
        return str(trained)
    raise SystemExit("No embedded detector weights yet (backend/lopt/weights/lopt-faces-v2).")


def naive_app(model: str) -> Any:
    """What a first server looks like: a pipeline per request, FastAPI's thread pool."""
    from PIL import Image
    from transformers import pipeline

    from lopt.inference.shipped import embedded_path

    source = str(embedded_path(model) or model)
    classifier = pipeline("image-classification", model=source, device="cpu")
    app = FastAPI()

    @app.post("/predict")
    def predict(file: UploadFile) -> list[dict[str, Any]]:
        image = Image.open(file.file).convert("RGB")
        result: list[dict[str, Any]] = classifier(image)
        return result

    return app


def lopt_app(model: str, precision: str, faces: bool, **overrides: Any) -> tuple[Any, str]:
    """Lopt's app on ``model`` in ``precision``, and the precision that resolved to."""
    import torch

    from lopt.api.app import create_app
    from lopt.config import load_settings
    from lopt.inference.detectors import ImageDetector
    from lopt.inference.precision import apply_precision
    from lopt.inference.registry import load_model
    from lopt.inference.service import DetectionService
    from lopt.media.faces import FaceDetector

    settings = load_settings(
        image_model=model, video_model="none", face_analysis=faces, **overrides
    )
    loaded = load_model(
        model,
        task="image",
        setting="LOPT_IMAGE_MODEL",
        device=torch.device("cpu"),
        dtype=torch.float32,
    )
    loaded = apply_precision(loaded, precision)
    detector = FaceDetector(detection_size=settings.face_detection_size) if faces else None
    service = DetectionService(settings, ImageDetector(loaded), None, detector)
    return create_app(settings, service), loaded.precision


@contextlib.contextmanager
def full_decode(*, enabled: bool) -> Iterator[None]:
    """Rows marked ``+full`` decode every JPEG at full size, as Lopt did before reduced
    decoding (the longer side kept at least the face detector's size, or the shorter side
    twice the model's input with faces off), so the two can be compared in one run."""
    if not enabled:
        yield
        return
    from lopt.inference.pipelines import image as image_analysis
    from lopt.media.images import load_image

    original = image_analysis.load_image

    def full_size(path, *, max_pixels, **reduced):  # type: ignore[no-untyped-def]
        return load_image(path, max_pixels=max_pixels)

    image_analysis.load_image = full_size
    try:
        yield
    finally:
        image_analysis.load_image = original


def model_gflop(model: str) -> float:
    import torch

    from lopt.inference.detectors import ImageDetector
    from lopt.inference.registry import load_model

    loaded = load_model(
        model, task="image", setting="-", device=torch.device("cpu"), dtype=torch.float32
    )
    pixels = ImageDetector(loaded).warm_up_input().unsqueeze(0)
    return flops_per_input(loaded.model, pixels)


def run_model(
    title: str,
    model: str,
    files: list[tuple[str, bytes]],
    precisions: list[str],
    faces: bool,
    args: argparse.Namespace,
    peaks: dict[str, float],
    rss: RssMonitor,
) -> None:
    gflop = model_gflop(model)
    print(f"\n## {title}: {gflop:.2f} GFLOP per image; photos: {', '.join(n for n, _ in files)}")
    print(
        f"{'server':<30} {'clients':>7} {'img/s':>7} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'x naive':>8} {'% limit':>8} {'+RSS MB':>8} {'errors':>6}"
    )
    baseline: dict[int, float] = {}
    for variant in ["naive", *precisions]:
        precision, _, batching = variant.partition("@")
        precision, _, full = precision.partition("+")
        if variant == "naive":
            app, path = naive_app(model), "/predict"
        else:
            overrides: dict[str, Any] = {}
            if batching:  # "@BATCHxWAIT": LOPT_MAX_BATCH_SIZE x LOPT_MAX_WAIT_MS
                size, wait = batching.split("x")
                overrides = {"max_batch_size": int(size), "max_wait_ms": float(wait)}
            app, precision = lopt_app(model, precision, faces, **overrides)
            path = "/playground"
        with serve(app) as url, full_decode(enabled=bool(full)):
            for clients in args.clients:
                idle = rss.reset()
                load: Load = drive(
                    url + path,
                    files,
                    clients=clients,
                    seconds=args.seconds,
                    separate=args.separate_clients,
                )
                peak = max(0.0, rss.peak_mb - idle)
                rate = load.per_second
                if variant == "naive":
                    baseline[clients] = rate
                limit = peaks.get(PEAK_OF[precision], peaks["float32"]) / gflop
                name = "naive pipeline" if variant == "naive" else f"lopt {variant}"
                if variant.startswith("auto"):
                    name += f" ({precision})"
                print(
                    f"{name:<30} {clients:>7} {rate:>7.2f} {load.percentile(50):>8.0f} "
                    f"{load.percentile(99):>8.0f} {rate / baseline[clients]:>7.2f}x "
                    f"{100 * rate / limit:>7.0f}% {peak:>8.0f} {load.errors:>6}",
                    flush=True,
                )
        del app


def make_video(path: Path, seconds: float, portrait: Path) -> Path:
    """A 720p H.264 clip (keyframe every 2 s) of a face drifting across a gray frame."""
    import av
    import numpy as np
    from PIL import Image

    face = Image.open(portrait).convert("RGB")
    face = np.asarray(face.resize((round(face.width * 600 / face.height), 600)))
    fps = 25
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        stream.codec_context.gop_size = 2 * fps
        for i in range(round(seconds * fps)):
            frame = np.full((720, 1280, 3), 100, dtype=np.uint8)
            x = 100 + (i * 2) % (1280 - face.shape[1] - 100)
            frame[60 : 60 + face.shape[0], x : x + face.shape[1]] = face
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())
    return path


def run_video(model: str, folder: Path, rss: RssMonitor) -> None:
    import httpx

    from lopt.media import video

    clip = make_video(folder / "clip-30s-720p.mp4", 30.0, SHARED_DATA / "media" / PORTRAITS[0])
    info = video.probe_video(clip, max_seconds=600, max_pixels=10**8)
    wanted = video.sample_frame_indices(info.frame_count, 16)
    started = time.perf_counter()
    video._decode_selected(clip, wanted, 1280)
    sequential = time.perf_counter() - started
    started = time.perf_counter()
    video.read_frames(clip, wanted, max_side=1280)
    seeking = time.perf_counter() - started
    print(f"\n## Video: {clip.name}, {info.frame_count} frames, 16 sampled")
    print(
        f"sample 16 frames: decode every frame {sequential:.2f} s, seek {seeking:.2f} s "
        f"({sequential / seeking:.1f}x)"
    )
    app, _ = lopt_app(model, "auto", True)
    data = clip.read_bytes()
    with serve(app) as url:
        times = []
        idle = rss.reset()
        for _ in range(3):
            started = time.perf_counter()
            response = httpx.post(
                url + "/playground", files={"file": (clip.name, data)}, timeout=600
            )
            response.raise_for_status()
            times.append(time.perf_counter() - started)
        print(
            f"end to end (upload, probe, 16 frames, faces, tracks, verdict): "
            f"best {min(times):.2f} s, worst {max(times):.2f} s (target < 5 s); "
            f"+RSS {max(0.0, rss.peak_mb - idle):.0f} MB"
        )


def run_upload(model: str, megabytes: int, rss: RssMonitor) -> None:
    import httpx

    app, _ = lopt_app(model, "auto", True, max_upload_bytes=(megabytes + 1) * 2**20)
    chunk = b"\x00" * 2**20

    def body() -> Any:
        yield b"\x00\x00\x00\x18ftypmp42"  # looks like an MP4, is not one
        for _ in range(megabytes):
            yield chunk

    with serve(app) as url:
        idle = rss.reset()
        started = time.perf_counter()
        boundary = "lopt-bench"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()

        def multipart() -> Any:
            yield head
            yield from body()
            yield tail

        response = httpx.post(
            url + "/playground",
            content=multipart(),
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
            timeout=600,
        )
        print(
            f"\n## Upload of {megabytes} MiB: HTTP {response.status_code} in "
            f"{time.perf_counter() - started:.1f} s; +RSS {max(0.0, rss.peak_mb - idle):.0f} MB "
            "(target: within 300 MB of idle)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="Seconds per measurement.")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument(
        "--separate-clients",
        action="store_true",
        help="Run the load clients in a process of their own instead of the server's "
        "(same numbers within noise on 2026-12-05, see RESULTS.md).",
    )
    add_deit_arguments(parser)
    parser.add_argument("--skip-video", action="store_true")
    parser.add_argument("--upload-mb", type=int, default=1024, help="0 skips the upload.")
    args = parser.parse_args()

    rss = RssMonitor()
    print(f"Machine: {machine_description()}")
    peaks = measure_peaks()
    print(
        "Measured matmul peaks: "
        + ", ".join(
            f"{name} {value:.0f} G{'op' if name == 'int8' else 'FLOP'}/s"
            for name, value in peaks.items()
        )
    )
    portraits = [SHARED_DATA / "media" / name for name in PORTRAITS]
    hd = [(f"{p.stem}-1080p.jpg", photo(p, 1920, 1080)) for p in portraits]
    mp12 = [(f"{p.stem}-12mp.jpg", photo(p, 4032, 3024)) for p in portraits]
    mix = [item for pair in zip(hd, mp12, strict=True) for item in pair]
    with tempfile.TemporaryDirectory(prefix="lopt-bench-") as tmp:
        folder = Path(tmp)
        from lopt.tools.export import export_checkpoint

        # The embedded detector as shipped (model.onnx and its precision record, which
        # `auto` reads); an exported copy (model.onnx, model-int8.onnx) of the DeiT.
        embedded = embedded_model()
        if not args.skip_deit:
            source, weights = deit_checkpoint(args.deit, folder / "deit")
            deit = export_checkpoint(str(source), folder / "deit-x")["folder"]
            variants = ["exact+full", "exact", "bfloat16", "int8", "onnx", "onnx-int8"]
            variants += ["onnx-int8@1x0", "onnx-int8@4x2"]
            run_model(
                f"DeiT-base-sized ({weights}), whole photos (faces off), 1080p + 12 MP JPEG mix",
                deit,
                mix,
                variants,
                False,
                args,
                peaks,
                rss,
            )
        run_model(
            f"Embedded detector ({Path(embedded).name}), 1080p JPEG with one face (faces on)",
            embedded,
            hd,
            ["exact+full", "exact", "auto+full", "auto", "auto@1x0", "auto@4x2"],
            True,
            args,
            peaks,
            rss,
        )
        if not args.skip_video:
            run_video(embedded, folder, rss)
        if args.upload_mb:
            run_upload(embedded, args.upload_mb, rss)
    rss.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
