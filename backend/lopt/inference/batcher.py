"""A micro-batcher: concurrent requests share forward passes, off the event loop.

Requests ``submit`` input tensors and await one result each. A worker task collects
queued items until ``max_batch_size`` is reached or ``max_wait_ms`` has passed since the
first one, runs one forward pass in the inference thread, and resolves each future. The
queue is bounded: when it cannot take a request's items, ``Overloaded`` (503) is raised
at once instead of letting work pile up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import torch

from lopt.errors import ModelNotReady, Overloaded

log = logging.getLogger(__name__)

Predict = Callable[[torch.Tensor], np.ndarray]
# Sees each forward pass's inputs, outputs and seconds, on the inference thread.
Observer = Callable[[list[torch.Tensor], np.ndarray, float], None]


@dataclass
class BatcherStats:
    forward_passes: int = 0
    items: int = 0
    largest_batch: int = 0
    rejected: int = 0


class MicroBatcher:
    def __init__(
        self,
        predict: Predict,
        *,
        executor: Executor,
        max_batch_size: int,
        max_wait_ms: float,
        queue_depth: int,
        name: str = "batcher",
    ) -> None:
        self.predict = predict
        self._executor = executor
        self.max_batch_size = max_batch_size
        self.max_wait_s = max_wait_ms / 1000.0
        self.queue_depth = queue_depth
        self.name = name
        self.stats = BatcherStats()
        self._queue: deque[tuple[torch.Tensor, asyncio.Future[np.ndarray]]] = deque()
        self._wakeup: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None
        self.observer: Observer | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None and not self._worker.done()

    @property
    def queued(self) -> int:
        return len(self._queue)

    def start(self) -> None:
        if self.running:
            return
        self._wakeup = asyncio.Event()
        self._worker = asyncio.create_task(self._run(), name=f"lopt-{self.name}")

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        while self._queue:
            _, future = self._queue.popleft()
            if not future.done():
                future.set_exception(ModelNotReady("The service is shutting down."))

    async def submit(self, items: Sequence[torch.Tensor]) -> list[float]:
        """Queue a request's items together and wait for all their results, in order."""
        if not self.running or self._wakeup is None:
            raise ModelNotReady("The detector is not running yet. Try again in a few seconds.")
        if len(self._queue) + len(items) > self.queue_depth:
            self.stats.rejected += 1
            raise Overloaded(
                f"Lopt is busy: {len(self._queue)} items are already waiting for the "
                f"{self.name} detector (LOPT_QUEUE_DEPTH={self.queue_depth}). Try again shortly."
            )
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in items]
        self._queue.extend(zip(items, futures, strict=True))
        self._wakeup.set()
        try:
            return [float(value) for value in await asyncio.gather(*futures)]
        finally:
            for future in futures:
                future.cancel()  # no-op when done; frees queue slots if the client left

    async def submit_chunked(self, items: Sequence[torch.Tensor]) -> list[float]:
        """``submit`` a long request a batch at a time, so one video cannot fill the queue
        alone and other requests' items interleave with its batches."""
        chunk = max(1, min(self.max_batch_size, self.queue_depth))
        results: list[float] = []
        for start in range(0, len(items), chunk):
            results += await self.submit(items[start : start + chunk])
        return results

    async def _run(self) -> None:
        assert self._wakeup is not None
        loop = asyncio.get_running_loop()
        while True:
            while not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
            await self._fill(loop)
            batch = self._take_batch()
            if not batch:
                continue
            inputs = [item for item, _ in batch]
            try:
                outputs = await loop.run_in_executor(self._executor, self._forward, inputs)
            except Exception as error:
                log.exception("%s forward pass failed", self.name)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), output in zip(batch, outputs, strict=True):
                if not future.done():
                    future.set_result(output)

    async def _fill(self, loop: asyncio.AbstractEventLoop) -> None:
        """Wait up to ``max_wait_s`` from now for the batch to fill."""
        assert self._wakeup is not None
        deadline = loop.time() + self.max_wait_s
        while len(self._queue) < self.max_batch_size:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except TimeoutError:
                return

    def _take_batch(self) -> list[tuple[torch.Tensor, asyncio.Future[np.ndarray]]]:
        batch: list[tuple[torch.Tensor, asyncio.Future[np.ndarray]]] = []
        while self._queue and len(batch) < self.max_batch_size:
            item, future = self._queue.popleft()
            if not future.done():  # skip work for requests that were cancelled
                batch.append((item, future))
        return batch

    def _forward(self, inputs: list[torch.Tensor]) -> list[np.ndarray]:
        """Runs in the inference thread: one pass per distinct input shape (usually one)."""
        outputs: list[np.ndarray | None] = [None] * len(inputs)
        by_shape: dict[tuple[int, ...], list[int]] = {}
        for position, tensor in enumerate(inputs):
            by_shape.setdefault(tuple(tensor.shape), []).append(position)
        for positions in by_shape.values():
            batch = [inputs[p] for p in positions]
            started = time.perf_counter()
            result = self.predict(torch.stack(batch))
            if self.observer is not None:
                try:
                    self.observer(batch, result, time.perf_counter() - started)
                except Exception:  # an observer never fails a request
                    log.exception("%s observer failed", self.name)
            for position, value in zip(positions, result, strict=True):
                outputs[position] = value
            self.stats.forward_passes += 1
            self.stats.items += len(positions)
            self.stats.largest_batch = max(self.stats.largest_batch, len(positions))
        return [output for output in outputs if output is not None]
