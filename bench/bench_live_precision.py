"""Live precision checks end to end (issue 16): a checkpoint with no precision record, served
as a new user would (`LOPT_PRECISION=auto`, nothing exported by hand), against a naive
server and against Lopt in float32, in one process on loopback.

    python bench/bench_live_precision.py [--deit CHECKPOINT] [--warm-up 300] [--held-out 120]
        [--clients 8] [--warm-up-clients 8] [--seconds 20] [--switch-timeout 900]

Photos: news photos of people (`shared/data/faces/lfw-faceswap-250`, real and swapped),
each pasted large into a 1080p or a 12 MP JPEG frame, judged whole (faces off), like the
DeiT rows of `bench_throughput.py`. Warm-up photos and held-out photos are different files.

1. ``naive``: a transformers ``pipeline`` per request; 2. ``float32``: Lopt with
LOPT_PRECISION=exact; both for ``--seconds`` with ``--clients`` clients.
3. ``shadow``: Lopt with the defaults and an empty LOPT_CACHE_DIR: ``--warm-up-clients``
clients send the warm-up photos, then keep sending them until ``/api/models`` says the
checks are done; every latency while they ran is kept.
4. ``after``: the same server, ``--seconds`` with ``--clients`` clients.
5. Agreement: the held-out photos' verdict levels and labels from the switched server
against the float32 server's.

Printed: requests/s and p50/p95/p99 of each phase, ratios to the naive server, the p95
of the shadow phase against float32 alone, the switch (path, inputs checked, agreement,
speed-up, seconds to decide), the held-out agreement.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from bench_throughput import naive_app
from harness import (
    SHARED_DATA,
    Load,
    add_deit_arguments,
    deit_checkpoint,
    drive,
    machine_description,
    serve,
)

FACES = SHARED_DATA / "faces" / "lfw-faceswap-250"


def framed(path: Path, width: int, height: int, seed: int) -> bytes:
    """The photo scaled to 60-90% of the frame's height, somewhere in a gray frame."""
    from PIL import Image

    rng = random.Random(seed)
    image = Image.open(path).convert("RGB")
    side = round(height * rng.uniform(0.6, 0.9))
    image = image.resize((side, side), Image.Resampling.BICUBIC)
    canvas = Image.new("RGB", (width, height), (96, 100, 104))
    canvas.paste(image, (rng.randrange(0, width - side), rng.randrange(0, height - side)))
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def photos(count: int, offset: int) -> list[tuple[str, bytes]]:
    """``count`` JPEGs, alternately 1080p and 12 MP, from files ``offset...`` of a seeded
    shuffle of the real and swapped news photos."""
    files = sorted(FACES.glob("*/*.jpg"))
    if not files:
        raise SystemExit(f"No photos in {FACES}; set LOPT_SHARED_DATA.")
    random.Random(0).shuffle(files)
    chosen = files[offset : offset + count]
    sizes = [(1920, 1080), (4032, 3024)]
    return [
        (f"{path.parent.name}-{path.stem}.jpg", framed(path, *sizes[i % 2], seed=offset + i))
        for i, path in enumerate(chosen)
    ]


def lopt(model: str, **overrides: Any) -> Any:
    from lopt.api.app import create_app
    from lopt.config import load_settings

    settings = load_settings(
        image_model=model,
        video_model="none",
        face_analysis=False,
        image_model_input="whole_image",
        heatmaps=False,
        provenance=False,
        jobs_worker=False,
        **overrides,
    )
    return create_app(settings)


async def _send_all(
    url: str, files: list[tuple[str, bytes]], clients: int, *, until: Any = None
) -> tuple[Load, list[dict[str, Any]]]:
    """Each file once (then again, round and round, while ``until()`` is false), by
    ``clients`` concurrent clients; the latencies and the answers in file order."""
    import httpx

    answers: list[dict[str, Any] | None] = [None] * len(files)
    latencies: list[float] = []
    errors = 0
    turn = 0
    started = time.perf_counter()
    limits = httpx.Limits(max_connections=clients + 1)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:

        async def one_client() -> None:
            nonlocal turn, errors
            while True:
                index = turn
                if index >= len(files) and (until is None or await until(client)):
                    return
                turn += 1
                name, data = files[index % len(files)]
                sent = time.perf_counter()
                response = await client.post(f"{url}/playground", files={"file": (name, data)})
                if response.status_code != 200:
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - sent) * 1000)
                if index < len(files):
                    answers[index] = response.json()

        await asyncio.gather(*(one_client() for _ in range(clients)))
    load = Load(len(latencies), errors, time.perf_counter() - started, latencies)
    return load, [answer or {} for answer in answers]


def send_all(url: str, files: list[tuple[str, bytes]], clients: int, until: Any = None) -> Any:
    return asyncio.run(_send_all(url, files, clients, until=until))


def row(name: str, load: Load, naive: float | None) -> str:
    ratio = f"{load.per_second / naive:5.2f}x" if naive else "    - "
    return (
        f"{name:28s} {load.per_second:7.2f} {load.percentile(50):8.0f} "
        f"{load.percentile(95):8.0f} {load.percentile(99):8.0f} {ratio} {load.errors:6d}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_deit_arguments(parser)
    parser.add_argument("--warm-up", type=int, default=300, help="Distinct warm-up photos.")
    parser.add_argument("--held-out", type=int, default=120, help="Photos for the agreement.")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warm-up-clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--switch-timeout", type=float, default=900.0, help="Longest wait for the checks."
    )
    args = parser.parse_args()
    print(f"Machine: {machine_description()}")
    warm = photos(args.warm_up, 0)
    held = photos(args.held_out, args.warm_up)
    print(f"Photos: {len(warm)} warm-up, {len(held)} held out (1080p and 12 MP, judged whole)")
    with tempfile.TemporaryDirectory(prefix="lopt-live-") as tmp:
        model, weights = deit_checkpoint(args.deit, Path(tmp) / "deit")
        if any((model / name).exists() for name in ("lopt_precision.json", "model.onnx")):
            raise SystemExit(f"{model} carries a precision record or ONNX files: copy it without.")
        print(f"Model: {model.name}, {weights}, no precision record\n")
        head = f"{'req/s':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}"
        print(f"{'server':28s} {head}  x naive errors")
        with serve(naive_app(str(model))) as url:
            naive = drive(f"{url}/predict", warm, clients=args.clients, seconds=args.seconds)
        print(row("naive pipeline", naive, naive.per_second))
        with serve(lopt(str(model), precision="exact", shadow_samples=0)) as url:
            float32 = drive(f"{url}/playground", warm, clients=args.clients, seconds=args.seconds)
            print(row("lopt float32 (exact)", float32, naive.per_second))
            _, reference = send_all(url, held, args.clients)
        cache = Path(tmp) / "cache"
        with serve(lopt(str(model), cache_dir=cache)) as url:
            started = time.perf_counter()
            deadline = started + args.switch_timeout
            state: dict[str, Any] = {}

            async def checked(client: Any) -> bool:
                if time.perf_counter() - state.get("asked", 0.0) > 1.0:
                    state["asked"] = time.perf_counter()
                    models = (await client.get(f"{url}/api/models")).json()
                    state["model"] = next(m for m in models if m["task"] == "image")
                if "model" not in state:  # another client is asking
                    return False
                serving = state["model"]["precision"]
                if serving != "exact" and "first" not in state:  # a path passed: it serves
                    state["first"] = (serving, time.perf_counter() - started)
                check = state["model"]["precision_check"]
                return check["state"] != "validating" or time.perf_counter() > deadline

            shadow, _ = send_all(url, warm, args.warm_up_clients, until=checked)
            decided = time.perf_counter() - started
            print(row("lopt auto, checks running", shadow, naive.per_second))
            after = drive(f"{url}/playground", warm, clients=args.clients, seconds=args.seconds)
            served = state["model"]["precision"]
            print(row(f"lopt auto after ({served})", after, naive.per_second))
            _, switched = send_all(url, held, args.clients)
            check = state["model"]["precision_check"]
    pairs = zip(reference, switched, strict=True)
    # what a user is told: the verdict level and the label
    same = sum(
        (a.get("verdict"), a.get("label")) == (b.get("verdict"), b.get("label")) for a, b in pairs
    )
    print(
        f"\nChecks: {check['state']} after {decided:.0f} s and {shadow.requests} requests; "
        f"{check['note']}"
    )
    if "first" in state:
        print(f"First reduced path served ({state['first'][0]}) after {state['first'][1]:.0f} s")
    for path in check["paths"]:
        unfinished = path.get("left_unfinished")
        outcome = f"left unfinished: {unfinished}" if unfinished else "fails"
        print(
            f"  {path['precision']:15s} {path['agreement']:.1%} of {path['samples']}, "
            f"largest gap {path['max_probability_difference']:.4f}, "
            f"{path['speedup']}x, {'passes' if path['passes'] else outcome}"
            + (f" ({path['detail']})" if path.get("detail") else "")
        )
    slower = shadow.percentile(95) / float32.percentile(95)
    print(f"p95 while checks ran / float32 alone: {slower:.2f}")
    print(
        f"after the switch / naive: {after.per_second / naive.per_second:.2f}x req/s; "
        f"p99 {after.percentile(99):.0f} ms vs naive {naive.percentile(99):.0f} ms"
    )
    print(f"held-out verdicts equal to float32's: {same}/{len(held)} ({same / len(held):.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
