"""What a worker does with one job: judge its files in order, one row each, and say so.

Idempotent, because a job may be delivered again (its worker died, Redis gave it to
another): rows already written are kept, files already judged anywhere come from the
cache, and a job that is finished, cancelled or gone is left alone. Cancelling is obeyed
between files.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from lopt.errors import ModelNotReady, Overloaded
from lopt.inference.service import DetectionService
from lopt.jobs.judge import fingerprint, judge_file
from lopt.jobs.records import FINISHED, FileRow, JobSpec
from lopt.jobs.store import JobStore

log = logging.getLogger(__name__)
T = TypeVar("T")
# The inference queue is shared with /playground: a full one is waited out, not a failure.
BUSY_PAUSE_S = 0.5


class JobRunner:
    """Runs jobs on ``service``, whose batchers live on ``loop`` (another thread's)."""

    def __init__(
        self, service: DetectionService, store: JobStore, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.service = service
        self.store = store
        self.loop = loop
        self.fingerprint = fingerprint(service)

    def _wait(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result()

    def run(self, job_id: str) -> None:
        spec = self.store.spec(job_id)
        if spec is None:
            log.info("Job %s is gone (deleted or expired); nothing to do", job_id)
            return
        progress = self.store.progress(spec)
        if progress.state in FINISHED:
            log.info("Job %s is already %s", job_id, progress.state)
            return
        progress.state, progress.runs = "running", progress.runs + 1
        progress.started_at = progress.started_at or time.time()
        self.store.save_progress(spec, progress)
        try:
            for index in range(len(spec.files)):
                if self.store.cancelled(job_id):
                    self.store.delete_media(job_id)
                    return
                self._judge(spec, index)
                progress.done = index + 1
                self.store.save_progress(spec, progress)
        except Exception as error:  # a job must end in a state, whatever broke
            log.exception("Job %s failed", job_id)
            progress.state, progress.reason = "failed", f"internal_error: {type(error).__name__}"
        else:
            progress.state = "succeeded"
        progress.finished_at = time.time()
        if not self.store.cancelled(job_id):
            self.store.save_progress(spec, progress)
        self.store.delete_media(job_id)

    def _judge(self, spec: JobSpec, index: int) -> None:
        if self.store.row(spec.id, index) is not None:  # judged before this worker died
            return
        file = spec.files[index]
        row = self.store.cached(file.sha256, self.fingerprint)
        if row is None:
            path = self.store.media_of(spec.id) / file.stored_as
            row = self._judge_when_free(path, file.name, file.sha256)
            if row.error is None or row.error.code != "unreadable":  # the bytes' own answer
                self.store.cache(file.sha256, self.fingerprint, row)
        self.store.save_row(spec, index, row.model_copy(update={"name": file.name}))

    def _judge_when_free(self, path: Path, name: str, sha256: str) -> FileRow:
        while True:
            row = self._wait(judge_file(self.service, path, name, sha256))
            transient = row.error and row.error.code in {Overloaded.code, ModelNotReady.code}
            if not transient:
                return row
            time.sleep(BUSY_PAUSE_S)
