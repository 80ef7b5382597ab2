from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from lopt.errors import ModelNotReady, Overloaded
from lopt.inference.batcher import MicroBatcher
from lopt.inference.detectors import ImageDetector
from lopt.inference.registry import load_model
from tests.helpers import noise_image


@pytest.fixture
def detector(checkpoints) -> ImageDetector:  # type: ignore[no-untyped-def]
    loaded = load_model(
        str(checkpoints["vit"]),
        task="image",
        setting="X",
        device=torch.device("cpu"),
        dtype=torch.float32,
    )
    return ImageDetector(loaded)


def make_batcher(detector: ImageDetector, **overrides: float) -> MicroBatcher:
    options = {"max_batch_size": 8, "max_wait_ms": 50.0, "queue_depth": 64, **overrides}
    return MicroBatcher(detector.predict, executor=ThreadPoolExecutor(1), **options)  # type: ignore[arg-type]


async def test_concurrent_requests_share_forward_passes_and_keep_their_own_results(
    detector: ImageDetector,
) -> None:
    inputs = [detector.preprocess(noise_image(seed=seed)) for seed in range(8)]
    solo = [float(detector.predict(x[None])[0]) for x in inputs]
    assert len({round(value, 5) for value in solo}) == 8  # distinct inputs give distinct answers

    batcher = make_batcher(detector)
    batcher.start()
    try:
        results = await asyncio.gather(*(batcher.submit([x]) for x in inputs))
    finally:
        await batcher.stop()
    assert batcher.stats.forward_passes < 8
    assert batcher.stats.largest_batch > 1
    assert [r[0] for r in results] == pytest.approx(solo, abs=1e-5)


async def test_full_queue_is_refused_with_retry_after(detector: ImageDetector) -> None:
    batcher = make_batcher(detector, queue_depth=2, max_batch_size=1, max_wait_ms=0)
    batcher.start()
    item = detector.preprocess(noise_image())
    try:
        with pytest.raises(Overloaded) as raised:
            await asyncio.gather(*(batcher.submit([item]) for _ in range(6)))
        assert raised.value.headers["Retry-After"].isdigit()
        with pytest.raises(Overloaded):
            await batcher.submit([item] * 3)  # one request larger than the whole queue
    finally:
        await batcher.stop()
    assert batcher.stats.rejected >= 1


async def test_submit_before_start_is_not_ready(detector: ImageDetector) -> None:
    with pytest.raises(ModelNotReady):
        await make_batcher(detector).submit([detector.preprocess(noise_image())])


async def test_a_failing_pass_fails_only_its_requests() -> None:
    def predict(batch: torch.Tensor) -> np.ndarray:
        if (batch < 0).any():
            raise RuntimeError("boom")
        return batch.flatten(1).mean(dim=1).numpy()

    batcher = MicroBatcher(
        predict, executor=ThreadPoolExecutor(1), max_batch_size=1, max_wait_ms=0, queue_depth=8
    )
    batcher.start()
    try:
        bad = batcher.submit([torch.full((2,), -1.0)])
        good = batcher.submit([torch.full((2,), 0.25)])
        outcomes = await asyncio.gather(bad, good, return_exceptions=True)
    finally:
        await batcher.stop()
    assert isinstance(outcomes[0], RuntimeError)
    assert outcomes[1] == [0.25]


async def test_without_waiting_items_queued_during_a_pass_share_the_next_one() -> None:
    import time

    def slow_predict(batch: torch.Tensor) -> np.ndarray:
        time.sleep(0.1)
        return batch.flatten(1).mean(dim=1).numpy()

    batcher = MicroBatcher(
        slow_predict,
        executor=ThreadPoolExecutor(1),
        max_batch_size=8,
        max_wait_ms=0,
        queue_depth=16,
    )
    batcher.start()
    try:
        first = asyncio.ensure_future(batcher.submit([torch.full((2,), 0.0)]))
        await asyncio.sleep(0.03)  # the first pass is running
        rest = await asyncio.gather(
            *(batcher.submit([torch.full((2,), float(i))]) for i in range(1, 5))
        )
        await first
    finally:
        await batcher.stop()
    assert [r[0] for r in rest] == [1.0, 2.0, 3.0, 4.0]
    assert batcher.stats.forward_passes == 2 and batcher.stats.largest_batch == 4
