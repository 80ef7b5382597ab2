"""Real processes for the jobs' tests: `lopt serve`, `lopt worker`, Debian's redis-server.

Each is started on a free loopback port and stopped by its own process id.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def lopt_env(checkpoints: dict[str, Path], jobs_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOPT_")}
    env.update(
        LOPT_IMAGE_MODEL=str(checkpoints["vit"]),
        LOPT_VIDEO_MODEL=str(checkpoints["timesformer"]),
        LOPT_VIDEO_CLIPS="2",
        LOPT_JOBS_DIR=str(jobs_dir),
        LOPT_NUM_THREADS="1",
    )
    env.update({f"LOPT_{key.upper()}": value for key, value in settings.items()})
    return env


def start_lopt(command: str, env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "lopt.cli", "--log-level", "info", command, *args],
            env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.kill(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """`lopt serve` on a free port; yields its base URL once /ready says so."""
    port = free_port()
    process = start_lopt("serve", env, log, "--port", str(port))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process, log)
        yield url
    finally:
        stop(process)


def wait_until_ready(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"lopt serve exited:\n{log.read_text()[-3000:]}"
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"lopt serve never became ready:\n{log.read_text()[-3000:]}")


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A real Redis on a free loopback port, persisting nothing; yields its URL."""
    assert Path(REDIS_SERVER).exists(), "redis-server is missing: make test installs it (apt-get)"
    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "redis did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


def poll(url: str, job_id: str, until, timeout: float = 120) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """GET the job until ``until(body)`` holds; fails with the last body after ``timeout``."""
    deadline = time.monotonic() + timeout
    body: dict = {}  # type: ignore[type-arg]
    while time.monotonic() < deadline:
        body = httpx.get(f"{url}/api/jobs/{job_id}", timeout=5).json()
        if until(body):
            return body
        time.sleep(0.05)
    raise AssertionError(f"job never reached the expected state: {body}")
