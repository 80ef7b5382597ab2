"""Many machines: a real Redis (Debian's redis-server), separate `lopt worker` processes and
two API replicas. No mock broker: the broker's redelivery is the point."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from tests.jobs.conftest import jpeg
from tests.jobs.processes import lopt_env, poll, redis_server, serving, start_lopt, stop

pytestmark = pytest.mark.slow


def test_two_replicas_and_workers_share_jobs_and_a_killed_worker_s_job_runs_again_once(
    checkpoints: dict[str, Path], tmp_path: Path
) -> None:
    with redis_server(tmp_path) as redis_url:
        env = lopt_env(
            checkpoints, tmp_path / "jobs", broker_url=redis_url, jobs_worker="false",
            job_visibility_timeout_s="3",
        )  # fmt: skip
        log = tmp_path / "lopt.log"
        with (
            serving(env, tmp_path / "api1.log") as api1,
            serving(env, tmp_path / "api2.log") as api2,
        ):
            files = [("files", (f"{n}.jpg", jpeg(n), "image/jpeg")) for n in range(150)]
            job = httpx.post(f"{api1}/api/jobs", files=files, timeout=60).json()
            # No worker yet: both replicas see it queued.
            for api in (api1, api2):
                assert httpx.get(f"{api}{job['status_url']}").json()["state"] == "queued"

            first = start_lopt("worker", env, log)
            try:
                running = poll(api2, job["id"], lambda b: b["done"] >= 1, timeout=120)
                assert running["state"] == "running" and running["done"] < running["total"]
            finally:
                stop(first, signal.SIGKILL)
            done_when_killed = httpx.get(f"{api1}{job['status_url']}").json()["done"]

            second = start_lopt("worker", env, log)
            try:
                body = poll(api1, job["id"], lambda b: b["state"] == "succeeded", timeout=180)
            finally:
                stop(second)
            assert body["done"] == body["total"] == 150
            assert [row["name"] for row in body["files"]] == [f"{n}.jpg" for n in range(150)]
            assert {row["status"] for row in body["files"]} == {"succeeded"}
            assert done_when_killed < 150 and body["attempts"] == 2
            # Ran again exactly once, on the second worker, and stays finished.
            assert httpx.get(f"{api2}{job['status_url']}").json() == body
