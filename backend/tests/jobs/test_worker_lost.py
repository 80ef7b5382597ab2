"""On one machine a job whose worker died is reported failed (worker_lost) at the next
start, never left running: `lopt serve` is killed with SIGKILL in the middle of a job."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from tests.jobs.conftest import jpeg
from tests.jobs.processes import (
    free_port,
    lopt_env,
    poll,
    serving,
    start_lopt,
    stop,
    wait_until_ready,
)

pytestmark = pytest.mark.slow


def test_a_job_killed_with_its_server_is_failed_worker_lost_at_the_next_start(
    checkpoints: dict[str, Path], tmp_path: Path
) -> None:
    env = lopt_env(checkpoints, tmp_path / "jobs")
    log = tmp_path / "serve.log"
    port = free_port()
    server = start_lopt("serve", env, log, "--port", str(port))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, server, log)
        files = [("files", (f"{n}.jpg", jpeg(n), "image/jpeg")) for n in range(300)]
        job = httpx.post(f"{url}/api/jobs", files=files, timeout=60).json()
        running = poll(url, job["id"], lambda body: body["done"] >= 1)
        assert running["state"] == "running" and running["done"] < running["total"]
    finally:
        stop(server, signal.SIGKILL)

    with serving(env, log) as url:
        body = httpx.get(f"{url}/api/jobs/{job['id']}").json()
        assert body["state"] == "failed" and body["reason"] == "worker_lost"
        assert not (tmp_path / "jobs" / "media" / job["id"]).exists()
        # The server goes on taking jobs.
        again = httpx.post(f"{url}/api/jobs", files=[("files", ("a.jpg", jpeg(1), "image/jpeg"))])
        assert poll(url, again.json()["id"], lambda b: b["state"] == "succeeded")["done"] == 1
