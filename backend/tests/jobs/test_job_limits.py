"""Every job limit is a setting, and each is enforced with a clear answer."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from lopt.api.app import create_app
from tests.jobs.conftest import jpeg, media_left, post_job, wait_for, zipped


def test_files_per_job_counts_loose_files_and_zip_entries(make_settings, jobs_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(
        create_app(make_settings(jobs_dir=jobs_dir, jobs_worker=True, job_max_files=2))
    ) as client:
        accepted = post_job(client, {"a.jpg": jpeg(1), "b.jpg": jpeg(2)})
        assert accepted.status_code == 202
        wait_for(client, accepted.json()["status_url"], {"succeeded"})
        for files in (
            {"a.jpg": jpeg(1), "b.jpg": jpeg(2), "c.jpg": jpeg(3)},
            {"all.zip": zipped({"a.jpg": jpeg(1), "b.jpg": jpeg(2), "c.jpg": jpeg(3)})},
        ):
            response = post_job(client, files)
            assert response.status_code == 413, response.text
            assert "LOPT_JOB_MAX_FILES" in response.json()["error"]["message"]
        assert media_left(jobs_dir) == []


def test_bytes_per_file_apply_inside_zips_too(make_settings, jobs_dir: Path) -> None:  # type: ignore[no-untyped-def]
    small = len(jpeg(1)) + 10
    with TestClient(
        create_app(make_settings(jobs_dir=jobs_dir, jobs_worker=True, max_upload_bytes=small))
    ) as client:
        big = b"\xff\xd8" + b"\0" * (small + 1)
        for files in ({"big.jpg": big}, {"in.zip": zipped({"big.jpg": big})}):
            response = post_job(client, files)
            assert response.status_code == 413, response.text
            assert "LOPT_MAX_UPLOAD_BYTES" in response.json()["error"]["message"]
        # A zip may be larger than one file: only its entries are held to that limit.
        bundle = zipped({f"{n}.jpg": jpeg(n) for n in range(3)})
        assert len(bundle) > small
        accepted = post_job(client, {"in.zip": bundle})
        assert accepted.status_code == 202 and accepted.json()["total"] == 3
        job = wait_for(client, accepted.json()["status_url"], {"succeeded"})
        assert [row["status"] for row in job["files"]] == ["succeeded"] * 3


def test_bytes_per_job_count_zips_unpacked(make_settings, jobs_dir: Path) -> None:  # type: ignore[no-untyped-def]
    limit = 3 * len(jpeg(1))
    with TestClient(
        create_app(make_settings(jobs_dir=jobs_dir, jobs_worker=True, job_max_bytes=limit))
    ) as client:
        # Zeros compress to almost nothing; unpacked they are over the limit.
        response = post_job(client, {"bomb.zip": zipped({"a.jpg": b"\0" * (limit + 1)})})
        assert response.status_code == 413, response.text
        assert "LOPT_JOB_MAX_BYTES" in response.json()["error"]["message"]
        response = post_job(client, {f"{n}.jpg": jpeg(n) for n in range(4)})
        assert response.status_code == 413
        assert media_left(jobs_dir) == []


def test_a_full_queue_answers_503_with_retry_after(make_settings, jobs_dir: Path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(jobs_dir=jobs_dir, job_max_queued=2, jobs_worker=False)
    with TestClient(create_app(settings)) as client:
        first = post_job(client, {"a.jpg": jpeg(1)}).json()
        assert post_job(client, {"b.jpg": jpeg(2)}).status_code == 202
        started = time.monotonic()
        full = post_job(client, {"c.jpg": jpeg(3)})
        assert time.monotonic() - started < 5
        assert full.status_code == 503 and int(full.headers["retry-after"]) > 0
        assert "LOPT_JOB_MAX_QUEUED" in full.json()["error"]["message"]
        client.delete(first["status_url"])  # a cancelled job frees its place
        assert post_job(client, {"c.jpg": jpeg(3)}).status_code == 202


def test_results_are_deleted_after_the_retention_period(make_settings, jobs_dir: Path) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(jobs_dir=jobs_dir, job_retention_s=2, jobs_worker=False)
    with TestClient(create_app(settings)) as client:
        job = post_job(client, {"a.jpg": jpeg(1)}).json()
        assert media_left(jobs_dir) != []
        time.sleep(2.2)
        body = client.get(job["status_url"]).json()
        assert body["state"] == "expired" and body["files"] == []
        deadline = time.monotonic() + 5
        while media_left(jobs_dir) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert media_left(jobs_dir) == []  # swept, though no worker ever ran it
        time.sleep(2.0)  # a second period later nothing of it is left
        assert client.get(job["status_url"]).status_code == 404
