from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.helpers import noise_image


def jpeg(seed: int = 0) -> bytes:
    buffer = io.BytesIO()
    noise_image(seed=seed).save(buffer, format="JPEG")
    return buffer.getvalue()


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, data in entries.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def post_job(client: TestClient, files: dict[str, bytes] | list[tuple[str, bytes]]):  # type: ignore[no-untyped-def]
    items = files.items() if isinstance(files, dict) else files
    parts = [("files", (name, data, "application/octet-stream")) for name, data in items]
    return client.post("/api/jobs", files=parts)


def wait_for(client: TestClient, url: str, states: set[str], timeout: float = 60) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(url).json()
        if body["state"] in states or time.monotonic() > deadline:
            return body  # type: ignore[no-any-return]
        time.sleep(0.05)


@pytest.fixture
def jobs_dir(tmp_path: Path) -> Path:
    return tmp_path / "jobs"


def media_left(jobs_dir: Path) -> list[Path]:
    media = jobs_dir / "media"
    return sorted(media.rglob("*")) if media.exists() else []
