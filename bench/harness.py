"""Shared pieces of the benchmarks: machine facts, measured peaks, HTTP load, peak RSS.

Not a benchmark itself (``make bench`` runs ``bench/bench_*.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("LOPT_SHARED_DATA", REPO.parent / "shared" / "data"))


def deit_base_sized(folder: Path) -> Path:
    """A DeiT-base checkpoint with random weights: the cost of ``agasta/virtus``, not its
    verdicts."""
    from transformers import DeiTConfig, DeiTForImageClassification, DeiTImageProcessor

    config = DeiTConfig(id2label={0: "Real", 1: "Fake"}, label2id={"Real": 0, "Fake": 1})
    DeiTForImageClassification(config).save_pretrained(folder)
    DeiTImageProcessor().save_pretrained(folder)
    return folder


TRAINED_DEIT = REPO / ".cache" / "deit" / "trained-224"  # made by bench/deit_probe.py


def deit_checkpoint(given: Path | None, scratch: Path) -> tuple[Path, str]:
    """The DeiT-base checkpoint to measure, and a description of its weights: ``given``,
    else the one trained here by ``bench/deit_probe.py`` if present, else random weights."""
    if given is None and (TRAINED_DEIT / "config.json").is_file():
        given = TRAINED_DEIT
    if given is not None:
        return given, f"trained weights of {given.name}"
    return deit_base_sized(scratch), "random weights"


def add_deit_arguments(parser: Any) -> None:
    """``--skip-deit`` and ``--deit CHECKPOINT`` (see ``deit_checkpoint``)."""
    parser.add_argument("--skip-deit", action="store_true", help="Measure no DeiT-base.")
    parser.add_argument(
        "--deit",
        type=Path,
        help="DeiT-base checkpoint (default: the one bench/deit_probe.py trains, at "
        ".cache/deit/trained-224, if present; else random weights).",
    )


def machine_description() -> str:
    import torch

    model = "unknown CPU"
    flags: set[str] = set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    native = [
        flag for flag in ("avx512_bf16", "amx_bf16", "avx512_vnni", "avx_vnni") if flag in flags
    ]
    memory = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024**2:.0f} GiB RAM"
    return (
        f"{model}, {os.cpu_count()} logical CPUs{memory}, torch {torch.__version__} with "
        f"{torch.get_num_threads()} threads, {platform.system()} {platform.release()}, "
        f"native: {', '.join(native) or 'none'}, OMP_WAIT_POLICY="
        f"{os.environ.get('OMP_WAIT_POLICY', 'unset')}"
    )


def measure_peaks(side: int = 1024, seconds: float = 1.5) -> dict[str, float]:
    """Matmul peaks of this CPU in this process: GFLOP/s (fp32, bf16), int8 Gop/s."""
    import torch

    peaks = {}
    for name, dtype in (("float32", torch.float32), ("bfloat16", torch.bfloat16)):
        a = torch.randn(side, side).to(dtype)
        b = torch.randn(side, side).to(dtype)
        peaks[name] = _rate(lambda a=a, b=b: torch.mm(a, b), 2 * side**3, seconds)
    a8 = torch.randint(-128, 127, (side, side), dtype=torch.int8)
    with contextlib.suppress(RuntimeError):
        peaks["int8"] = _rate(lambda: torch._int_mm(a8, a8), 2 * side**3, seconds)
    return peaks


def _rate(run: Any, flops: float, seconds: float) -> float:
    run()
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        run()
        count += 1
    return flops * count / (time.perf_counter() - started) / 1e9


def flops_per_input(model: Any, pixels: Any) -> float:
    """GFLOP of one forward pass on ``pixels`` (batch of one), counted by torch."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(pixel_values=pixels.float())
    return counter.get_total_flops() / 1e9


class RssMonitor:
    """Samples this process's resident memory every few milliseconds; ``peak_mb`` since reset."""

    def __init__(self, interval_s: float = 0.02) -> None:
        self.interval_s = interval_s
        self._peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss")
        self._thread.start()

    @staticmethod
    def current_mb() -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def reset(self) -> float:
        self._peak = 0
        return self.current_mb()

    @property
    def peak_mb(self) -> float:
        return self._peak / 1024

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._peak = max(self._peak, int(self.current_mb() * 1024))

    def close(self) -> None:
        self._stop.set()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread of this process; yield its base URL."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name=f"uvicorn-{port}")
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Load:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        values = sorted(self.latencies_ms)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def drive(
    url: str,
    files: list[tuple[str, bytes]],
    *,
    clients: int,
    seconds: float,
    warm_up: int = 2,
    separate: bool = False,
) -> Load:
    """``clients`` concurrent clients post ``files`` in turn for ``seconds``; HTTP on loopback.

    ``separate`` runs the clients in a process of their own, as real clients are: they
    still share the machine's cores with the server, but not its interpreter lock (a
    client in the server's process holds the lock while it builds and reads requests,
    and the server's Python work waits for it).
    """
    if not separate:
        return _drive_sync(url, files, clients, seconds, warm_up)
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no copy of the server's threads
    with context.Pool(1) as pool:
        load: Load = pool.apply(_drive_sync, (url, files, clients, seconds, warm_up))
    return load


def _drive_sync(
    url: str, files: list[tuple[str, bytes]], clients: int, seconds: float, warm_up: int
) -> Load:
    return asyncio.run(_drive(url, files, clients, seconds, warm_up))


async def _drive(
    url: str, files: list[tuple[str, bytes]], clients: int, seconds: float, warm_up: int
) -> Load:
    import httpx

    limits = httpx.Limits(max_connections=clients + 1)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        for name, data in files[:warm_up]:
            (await client.post(url, files={"file": (name, data)})).raise_for_status()
        latencies: list[float] = []
        errors = 0
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()

        async def one_client(offset: int) -> None:
            nonlocal errors
            turn = offset
            while time.perf_counter() < deadline:
                name, data = files[turn % len(files)]
                turn += 1
                sent = time.perf_counter()
                response = await client.post(url, files={"file": (name, data)})
                if response.status_code != 200:
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - sent) * 1000)

        await asyncio.gather(*(one_client(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    return Load(len(latencies), errors, elapsed, latencies)


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000
