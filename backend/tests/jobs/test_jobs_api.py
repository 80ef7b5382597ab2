"""Jobs over HTTP, on the embedded Celery worker and queue on disk (no server to run)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lopt.api.app import create_app
from tests.jobs.conftest import jpeg, media_left, post_job, wait_for, zipped


@pytest.fixture
def jobs_client(make_settings, jobs_dir: Path):  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(jobs_dir=jobs_dir, jobs_worker=True))) as client:
        yield client


def test_a_job_of_many_files_gives_each_its_playground_verdict(
    jobs_client: TestClient, jobs_dir: Path
) -> None:
    response = post_job(
        jobs_client,
        [("a.jpg", jpeg(1)), ("broken.jpg", b"\xff\xd8\xff\xe0broken"), ("b.jpg", jpeg(2))],
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["state"] == "queued" and accepted["total"] == 3
    assert response.headers["location"] == accepted["status_url"] == f"/api/jobs/{accepted['id']}"

    job = wait_for(jobs_client, accepted["status_url"], {"succeeded", "failed"})
    assert job["state"] == "succeeded" and job["done"] == job["total"] == 3
    assert job["attempts"] == 1
    names = [row["name"] for row in job["files"]]
    assert names == ["a.jpg", "broken.jpg", "b.jpg"]
    a, broken, b = job["files"]
    assert broken["status"] == "failed" and broken["result"] is None
    assert broken["error"]["code"] in {"unsupported_media", "corrupt_media"}
    assert a["status"] == b["status"] == "succeeded" and len(a["sha256"]) == 64
    single = jobs_client.post("/playground", files={"file": ("a.jpg", jpeg(1), "image/jpeg")})
    assert set(a["result"]) == set(single.json())
    assert a["result"]["fake_probability"] == pytest.approx(single.json()["fake_probability"])
    assert media_left(jobs_dir) == []  # the media goes as soon as the job ends


def test_a_zip_is_unpacked_into_its_files(jobs_client: TestClient) -> None:
    bundle = zipped(
        {
            "event/one.jpg": jpeg(3),
            "event/two.jpg": jpeg(4),
            "__MACOSX/._one.jpg": b"x",
            ".DS_Store": b"x",
        }
    )
    response = post_job(jobs_client, {"event.zip": bundle, "loose.jpg": jpeg(5)})
    assert response.status_code == 202, response.text
    assert response.json()["total"] == 3
    job = wait_for(jobs_client, response.json()["status_url"], {"succeeded", "failed"})
    assert [row["name"] for row in job["files"]] == ["event/one.jpg", "event/two.jpg", "loose.jpg"]
    assert {row["status"] for row in job["files"]} == {"succeeded"}


def test_the_same_file_is_not_judged_twice(jobs_client: TestClient) -> None:
    first = post_job(jobs_client, {"one.jpg": jpeg(7)}).json()
    first = wait_for(jobs_client, first["status_url"], {"succeeded"})
    again = post_job(jobs_client, {"renamed.jpg": jpeg(7), "other.jpg": jpeg(8)}).json()
    again = wait_for(jobs_client, again["status_url"], {"succeeded"})
    cached, other = again["files"]
    assert cached["name"] == "renamed.jpg" and cached["sha256"] == first["files"][0]["sha256"]
    # The very same verdict, down to the time it took then: it was not computed again.
    assert cached["result"]["elapsed_ms"] == first["files"][0]["result"]["elapsed_ms"]
    assert other["result"]["elapsed_ms"] != cached["result"]["elapsed_ms"]


def test_unknown_jobs_are_404(jobs_client: TestClient) -> None:
    for job_id in ["0" * 32, "%2E%2E", "x" * 500]:  # ".." reaches the route encoded
        response = jobs_client.get(f"/api/jobs/{job_id}")
        assert response.status_code == 404 and response.json()["error"]["code"] in {
            "job_not_found", "not_found"
        }  # fmt: skip
        assert jobs_client.delete(f"/api/jobs/{job_id}").status_code == 404


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        ({}, 422, "invalid_request"),
        ({"bad.zip": b"PK\x03\x04 not really a zip"}, 422, "invalid_request"),
        ({"empty.zip": zipped({})}, 422, "invalid_request"),
    ],
)
def test_bad_requests_get_a_clear_4xx_and_leave_nothing(
    jobs_client: TestClient, jobs_dir: Path, files: dict[str, bytes], status: int, code: str
) -> None:
    response = (
        post_job(jobs_client, files)
        if files
        else jobs_client.post(
            "/api/jobs", data={"note": "no file"}, files={"other": ("", b"", "text/plain")}
        )
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert media_left(jobs_dir) == []


def test_a_body_that_is_not_multipart_is_415(jobs_client: TestClient) -> None:
    response = jobs_client.post(
        "/api/jobs", content=b"{}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 415


def test_deleting_a_job_cancels_it_and_deletes_its_results(
    jobs_client: TestClient, jobs_dir: Path
) -> None:
    job = post_job(jobs_client, {"a.jpg": jpeg(11)}).json()
    wait_for(jobs_client, job["status_url"], {"succeeded"})
    deleted = jobs_client.delete(job["status_url"])
    assert deleted.status_code == 200
    assert deleted.json()["state"] == "cancelled" and deleted.json()["files"] == []
    assert jobs_client.get(job["status_url"]).json()["state"] == "cancelled"
    assert media_left(jobs_dir) == []


def test_a_cancelled_queued_job_never_runs(make_settings, jobs_dir: Path) -> None:  # type: ignore[no-untyped-def]
    # No worker: the job waits in the queue on disk; it is cancelled there.
    with TestClient(create_app(make_settings(jobs_dir=jobs_dir, jobs_worker=False))) as client:
        job = post_job(client, {"a.jpg": jpeg(12), "b.jpg": jpeg(13)}).json()
        assert client.get(job["status_url"]).json()["state"] == "queued"
        assert media_left(jobs_dir) != []
        assert client.delete(job["status_url"]).json()["state"] == "cancelled"
        assert media_left(jobs_dir) == []
    # A worker starts later, takes the message and leaves the job alone.
    with TestClient(create_app(make_settings(jobs_dir=jobs_dir, jobs_worker=True))) as client:
        time.sleep(1.0)
        body = client.get(job["status_url"]).json()
        assert body["state"] == "cancelled" and body["done"] == 0 and body["files"] == []


def test_a_second_server_on_the_same_jobs_folder_leaves_the_jobs_to_the_first(
    make_settings,  # type: ignore[no-untyped-def]
    jobs_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(jobs_dir=jobs_dir, jobs_worker=True)
    with TestClient(create_app(settings)) as first:
        with (
            caplog.at_level("WARNING", logger="lopt.jobs.worker"),
            TestClient(create_app(settings)) as second,
        ):
            assert "Another Lopt process runs the jobs" in caplog.text
            assert second.app.state.jobs is not None
            accepted = post_job(second, [("a.jpg", jpeg(3))]).json()
            job = wait_for(second, accepted["status_url"], {"succeeded", "failed"})
            assert job["state"] == "succeeded" and job["attempts"] == 1
        # the second one's start did not fail the first one's work as lost, nor stop it
        accepted = post_job(first, [("b.jpg", jpeg(4))]).json()
        job = wait_for(first, accepted["status_url"], {"succeeded", "failed"})
        assert job["state"] == "succeeded" and job["attempts"] == 1
