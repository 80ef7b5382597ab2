"""Where jobs run: in ``lopt serve``'s own process (embedded), or in ``lopt worker``.

Both build the same runner on a loaded detection service. The embedded worker shares the
API's detectors and micro-batcher (so /playground photos interleave with a job's frames);
``lopt worker`` loads its own and runs Celery's worker as its main loop.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import threading
from dataclasses import dataclass
from typing import IO

from lopt.config import Settings
from lopt.inference.service import DetectionService
from lopt.jobs.engine import QUEUE, EmbeddedWorker, build_celery, embedded
from lopt.jobs.queue import JobQueue
from lopt.jobs.runner import JobRunner
from lopt.jobs.store import JobStore, jobs_dir

log = logging.getLogger(__name__)
WORKER_LOST = "worker_lost"


LOCK_FILE = "embedded-worker.lock"


@dataclass
class ServedJobs:
    queue: JobQueue
    worker: EmbeddedWorker | None
    lock: IO[str] | None = None  # held while this process is the folder's embedded worker

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.queue.store.close()
        if self.lock is not None:
            self.lock.close()  # releases the lock


def take_worker_lock(settings: Settings) -> IO[str] | None:
    """The jobs folder's embedded-worker lock, or None when another process holds it: one
    embedded worker per folder, so that a second ``lopt serve`` on the same machine (the
    folder defaults to the system's temporary one) neither runs the same queue twice nor
    fails the first one's running job as lost."""
    path = jobs_dir(settings) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def fail_lost_jobs(settings: Settings, store: JobStore) -> None:
    """On one machine a worker's death loses its job (the queue on disk redelivers
    nothing): at the next start such a job is reported failed, never left running."""
    if embedded(settings):
        for job_id in store.fail_running(WORKER_LOST):
            log.warning("Job %s was running when its worker stopped: failed (worker_lost)", job_id)


def serve_jobs(
    settings: Settings, service: DetectionService, loop: asyncio.AbstractEventLoop
) -> ServedJobs:
    """The API's jobs: a queue to submit to and, unless LOPT_JOBS_WORKER is off, a worker
    in this process (blocking for a second or so while it starts)."""
    store = JobStore.open(settings)
    if not settings.jobs_worker:
        return ServedJobs(JobQueue(settings, store, build_celery(settings)), None)
    lock = None
    if embedded(settings):
        lock = take_worker_lock(settings)
        if lock is None:
            log.warning(
                "Another Lopt process runs the jobs in %s: this one takes jobs and answers "
                "for them, and that one runs them. Set LOPT_JOBS_DIR to run jobs here too.",
                jobs_dir(settings),
            )
            return ServedJobs(JobQueue(settings, store, build_celery(settings)), None)
        fail_lost_jobs(settings, store)
    runner = JobRunner(service, store, loop)
    app = build_celery(settings, run=runner.run)
    worker = EmbeddedWorker(app)
    worker.start()
    return ServedJobs(JobQueue(settings, store, app), worker, lock)


def run_worker(settings: Settings, log_level: str = "info") -> int:
    """``lopt worker``: load the detectors, then take jobs from the queue until stopped."""
    service = DetectionService.load(settings)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="lopt-worker-loop", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(service.start(), loop).result()
    store = JobStore.open(settings)
    fail_lost_jobs(settings, store)
    app = build_celery(settings, run=JobRunner(service, store, loop).run)
    source = "the queue on disk" if embedded(settings) else "Redis"
    log.info("Worker ready; taking jobs from %s", source)
    try:
        app.worker_main(
            [
                "worker",
                "--pool=solo",
                "--concurrency=1",
                f"--queues={QUEUE}",
                f"--hostname=lopt-{os.getpid()}@%h",
                f"--loglevel={log_level.upper()}",
                "--without-gossip",
                "--without-mingle",
            ]
        )
    finally:
        asyncio.run_coroutine_threadsafe(service.stop(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        store.close()
    return 0
