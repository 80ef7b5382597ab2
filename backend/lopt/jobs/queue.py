"""What the API asks of jobs: room for one more, submit, look up, cancel, sweep.

Holds nothing a request needs besides the shared store and the broker, so any API
replica answers for any job.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass

from celery import Celery

from lopt.config import Settings
from lopt.errors import JobNotFound, ModelNotReady, Overloaded
from lopt.jobs.engine import send_job
from lopt.jobs.intake import Intake
from lopt.jobs.records import FileRow, JobProgress, JobSpec
from lopt.jobs.store import JobStore

log = logging.getLogger(__name__)
RETRY_AFTER_S = 30


@dataclass
class JobView:
    spec: JobSpec
    progress: JobProgress
    files: list[FileRow]


class JobQueue:
    def __init__(self, settings: Settings, store: JobStore, app: Celery) -> None:
        self.settings = settings
        self.store = store
        self.app = app

    def ensure_room(self) -> None:
        """Refuse a new job (503) while LOPT_JOB_MAX_QUEUED jobs are queued or running."""
        limit = self.settings.job_max_queued
        if self.store.active_jobs() >= limit:
            raise Overloaded(
                f"{limit} jobs are already queued or running (LOPT_JOB_MAX_QUEUED). Try "
                "again in a little while.",
                retry_after_s=RETRY_AFTER_S,
            )

    def intake(self) -> tuple[str, Intake]:
        job_id = uuid.uuid4().hex
        return job_id, Intake(self.store.media_of(job_id), self.settings)

    def submit(self, job_id: str, intake: Intake) -> JobSpec:
        now = time.time()
        spec = JobSpec(
            id=job_id,
            created_at=now,
            expires_at=now + self.settings.job_retention_s,
            files=intake.files,
        )
        self.store.create(spec)
        try:
            send_job(self.app, job_id)
        except Exception as error:  # the broker is down: say so rather than keep a ghost
            log.error("Could not queue job %s: %s", job_id, error)
            self.store.cancel(spec)
            self.store.kv.delete(f"job:{job_id}", f"progress:{job_id}", f"cancel:{job_id}")
            raise ModelNotReady(
                "The job queue cannot be reached right now. Try again in a minute.",
                retry_after_s=RETRY_AFTER_S,
            ) from None
        return spec

    def view(self, job_id: str) -> JobView:
        spec = self._spec(job_id)
        progress = self.store.progress(spec)
        files = [] if progress.state in {"cancelled", "expired"} else self.store.rows(spec)
        return JobView(spec, progress, files)

    def cancel(self, job_id: str) -> JobView:
        spec = self._spec(job_id)
        if self.store.progress(spec).state != "expired":
            self.store.cancel(spec)
        return self.view(job_id)

    def _spec(self, job_id: str) -> JobSpec:
        spec = self.store.spec(job_id) if _plausible(job_id) else None
        if spec is None:
            raise JobNotFound(
                f"No job {job_id[:64]!r}: it never existed or was deleted after its "
                "retention period. Submit the files again."
            )
        return spec

    async def sweep_forever(self) -> None:
        """Delete expired jobs' media and results, every so often, until cancelled."""
        every = min(60.0, max(1.0, self.settings.job_retention_s / 4))
        while True:
            try:
                swept = await asyncio.to_thread(self.store.sweep)
                if swept:
                    log.info("Deleted the media and results of %d expired jobs", swept)
            except Exception:  # a sweep that failed once is tried again next time
                log.exception("Sweeping expired jobs failed")
            await asyncio.sleep(every)


def _plausible(job_id: str) -> bool:
    return len(job_id) == 32 and all(c in "0123456789abcdef" for c in job_id)
