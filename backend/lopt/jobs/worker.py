"""Where jobs run: in ``lopt serve``'s own process (embedded), or in ``lopt worker``.

Both build the same runner on a loaded detection service. The embedded worker shares the
API's detectors and micro-batcher (so /playground photos interleave with a job's frames);
``lopt worker`` loads its own and runs Celery's worker as its main loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from dataclasses import dataclass

from lopt.config import Settings
from lopt.inference.service import DetectionService
from lopt.jobs.engine import QUEUE, EmbeddedWorker, build_celery, embedded
from lopt.jobs.queue import JobQueue
from lopt.jobs.runner import JobRunner
from lopt.jobs.store import JobStore

log = logging.getLogger(__name__)
WORKER_LOST = "worker_lost"


@dataclass
class ServedJobs:
    queue: JobQueue
    worker: EmbeddedWorker | None

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.queue.store.close()


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
    fail_lost_jobs(settings, store)
    runner = JobRunner(service, store, loop)
    app = build_celery(settings, run=runner.run)
    worker = EmbeddedWorker(app)
    worker.start()
    return ServedJobs(JobQueue(settings, store, app), worker)


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
