from __future__ import annotations

import asyncio
import io
import time

import httpx
import pytest

from lopt.api.app import create_app
from lopt.inference.service import DetectionService
from tests.helpers import noise_image


def jpeg(seed: int) -> bytes:
    buffer = io.BytesIO()
    noise_image(seed=seed).save(buffer, format="PNG")
    return buffer.getvalue()


async def serve(settings):  # type: ignore[no-untyped-def]
    service = DetectionService.load(settings)
    await service.start()
    app = create_app(settings, service)
    app.state.detectors = service  # ASGITransport does not run the lifespan
    transport = httpx.ASGITransport(app=app)
    return service, httpx.AsyncClient(transport=transport, base_url="http://lopt")


async def test_concurrent_uploads_are_batched_and_each_gets_its_own_verdict(make_settings) -> None:  # type: ignore[no-untyped-def]
    service, client = await serve(
        make_settings(max_wait_ms=100, max_batch_size=8, face_analysis=False)
    )
    try:
        files = [jpeg(seed) for seed in range(8)]
        solo = []
        for data in files:  # one at a time: one forward pass each
            response = await client.post("/playground", files={"file": ("a.png", data)})
            solo.append(response.json()["fake_probability"])
        passes_before = service.image_batcher.stats.forward_passes
        responses = await asyncio.gather(
            *(client.post("/playground", files={"file": ("a.png", data)}) for data in files)
        )
        passes = service.image_batcher.stats.forward_passes - passes_before
    finally:
        await client.aclose()
        await service.stop()
    assert all(r.status_code == 200 for r in responses)
    assert passes < len(files)
    assert [r.json()["fake_probability"] for r in responses] == pytest.approx(solo, abs=2e-4)


async def test_overload_answers_503_with_retry_after(make_settings, upload_dir) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(queue_depth=3, max_batch_size=1, max_wait_ms=0, face_analysis=False)
    service, client = await serve(settings)
    fast = service.image_batcher.predict

    def slow(batch):  # type: ignore[no-untyped-def]
        time.sleep(0.05)  # a forward pass as slow as a real model's, so requests pile up
        return fast(batch)

    service.image_batcher.predict = slow
    try:
        responses = await asyncio.gather(
            *(client.post("/playground", files={"file": ("a.png", jpeg(s))}) for s in range(30))
        )
    finally:
        await client.aclose()
        await service.stop()
    statuses = [r.status_code for r in responses]
    assert 200 in statuses and 503 in statuses
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.json()["error"]["code"] == "overloaded" and busy.headers["Retry-After"].isdigit()
    assert list(upload_dir.iterdir()) == []
